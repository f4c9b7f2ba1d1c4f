"""The options the narrated generators share (voice, format, captions, pictures), some with
limits from settings, and the frame size they ask for."""

from django.conf import settings
from rest_framework import serializers

from pipeline.media.frames import resolve_size
from pipeline.media.overlay import CAPTION_PRESETS
from pipeline.media.visuals import PALETTES
from pipeline.providers import get_provider
from pipeline.providers.tts.base import RATE_LIMITS

ASPECTS = ("16:9", "9:16", "1:1")
CAPTION_SIZES = {"small": 1 / 22, "medium": 1 / 16, "large": 1 / 12}


def voice_choices() -> list[str]:
    try:
        return list(get_provider("tts").voices())
    except Exception:  # an unconfigured backend is reported by the system checks
        return []


def voice_validate(value: str) -> str:
    """A `voice` option: empty (the backend's default) or one of the backend's voices."""
    choices = voice_choices()
    if value and value not in choices:
        shown = ", ".join(choices[:20]) + (", ..." if len(choices) > 20 else "")
        raise serializers.ValidationError(
            f"Unknown voice {value!r}; choose one from the voices list "
            f"(GET /api/v1/voices): {shown}."
        )
    return value


def frame_size(ctx) -> tuple[int, int]:
    """The video's width and height, from the job's `aspect` and `quality` options."""
    return resolve_size(ctx.options.get("aspect", "16:9"), int(ctx.options.get("quality", 720)))


class NarratedOptions(serializers.Serializer):
    """Options every narrated generator takes."""

    voice = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100,
        help_text="A voice of the narration backend (GET /api/v1/voices lists them); empty for "
        "its default.",
    )  # fmt: skip
    speaking_rate = serializers.FloatField(
        default=1.0, min_value=RATE_LIMITS[0], max_value=RATE_LIMITS[1],
        help_text="How fast the voice speaks: 1 is its normal pace, 0.5 half as fast, 2 twice.",
    )  # fmt: skip
    aspect = serializers.ChoiceField(choices=ASPECTS, default="16:9")
    max_scenes = serializers.IntegerField(default=6, min_value=1, max_value=12)
    style = serializers.ChoiceField(choices=list(PALETTES), default="default")

    def validate_voice(self, value):
        return voice_validate(value)


class CaptionOptions(serializers.Serializer):
    burn_captions = serializers.BooleanField(
        default=True, help_text="Draw the captions into the picture (files are made anyway)."
    )
    caption_style = serializers.ChoiceField(
        choices=list(CAPTION_PRESETS), default="plain",
        help_text="plain (white, thin outline), boxed (on a dark panel), bold-outline, or "
        "karaoke (the word being spoken highlighted). Also in the WebVTT file.",
    )  # fmt: skip
    caption_size = serializers.ChoiceField(choices=list(CAPTION_SIZES), default="medium")
    caption_position = serializers.ChoiceField(choices=["bottom", "middle", "top"],
                                               default="bottom")  # fmt: skip


class NarratedVideoOptions(NarratedOptions, CaptionOptions):
    """Voice, format, captions and frame limits (VIDEO_MAX_HEIGHT, VIDEO_MAX_FPS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        heights = [h for h in (480, 720, 1080) if h <= settings.VIDEO_MAX_HEIGHT] or [480]
        self.fields["quality"] = serializers.ChoiceField(
            choices=heights,
            default=min(720, max(heights)),
            help_text=f"Height of the short side in pixels (at most {max(heights)} here).",
        )
        rates = [f for f in (24, 30, 60) if f <= settings.VIDEO_MAX_FPS] or [24]
        self.fields["fps"] = serializers.ChoiceField(choices=rates, default=min(30, max(rates)))


class SlideshowOptions(NarratedVideoOptions):
    """Pictures with narration: motion, crossfades and music."""

    motion = serializers.BooleanField(default=True, help_text="A slow zoom on each picture.")
    crossfade = serializers.FloatField(default=0.5, min_value=0.0, max_value=1.5)
    visuals = serializers.ChoiceField(
        choices=["auto", "library", "stock", "procedural"], default="auto",
        help_text="Where each scene's picture comes from: auto (your library, then stock "
        "when configured, then drawn), library, stock or procedural.",
    )  # fmt: skip
    music = serializers.ChoiceField(
        choices=["none", "ambient"], default="none",
        help_text="Background music, ducked under the narration.",
    )  # fmt: skip
