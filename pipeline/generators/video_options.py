"""Option fields whose limits come from settings, shared by the narrated generators."""

from django.conf import settings
from rest_framework import serializers

from pipeline.generators.narrated_video import CaptionOptions
from pipeline.generators.narration import NarratedOptions


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
