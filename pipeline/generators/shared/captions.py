"""Captions from the voice's word timings (not estimated from the text): the cues, their look
from the job's options, and the WebVTT and SRT files the gallery serves beside the video."""

from pipeline.generators.base import Stage
from pipeline.generators.shared.narration import speech
from pipeline.generators.shared.options import CAPTION_SIZES, frame_size
from pipeline.media.captions import Cue, chars_per_line, cues_from_words, write_srt, write_vtt
from pipeline.media.overlay import CaptionStyle, is_tall
from pipeline.timing import Timing


def caption_style(ctx) -> CaptionStyle | None:
    """The look of captions burned into the picture; None when they are not."""
    if not ctx.options.get("burn_captions"):
        return None
    return caption_look(ctx)


def caption_look(ctx) -> CaptionStyle:
    """The captions' look from the job's options, burned in or not (the WebVTT file and the
    line lengths follow it too)."""
    width, height = frame_size(ctx)
    scale = CAPTION_SIZES[ctx.options.get("caption_size", "medium")]
    return CaptionStyle.from_preset(
        ctx.options.get("caption_style", "plain"),
        size=max(14, round(min(width, height) * scale)),
        position=ctx.options.get("caption_position", "bottom"),
    )


def speech_cues(timing: dict, *, max_chars: int = 42, scene_breaks: bool = True) -> list[Cue]:
    """Cues of the narration's words (`timing`: speech.json), at most `max_chars` a line,
    with a new cue where each scene's words start unless `scene_breaks` is false."""
    words = [Timing.from_dict(word) for word in timing["words"]]
    breaks = [scene["speech_start"] for scene in timing["scenes"][1:]] if scene_breaks else []
    return cues_from_words(words, max_chars=max_chars, breaks=breaks)


def caption_cues(ctx) -> list[Cue]:
    """The job's caption cues, their lines as long as the frame and the captions' look allow."""
    width, _height = frame_size(ctx)
    style = caption_look(ctx)
    room = width - 2 * style.side_room(style.size)
    return speech_cues(speech(ctx), max_chars=min(48, chars_per_line(room, style.size)))


def write_captions(ctx, cues: list[Cue], style: CaptionStyle | None = None, *,
                   tall: bool = False) -> dict:  # fmt: skip
    """captions.vtt (with `style`'s look and position, if any) and captions.srt in the work
    folder; returns the outputs that name them."""
    write_vtt(cues, ctx.path("captions.vtt"), preset=style.preset if style else None,
              position=style.position if style else "bottom", tall=tall)  # fmt: skip
    write_srt(cues, ctx.path("captions.srt"))
    return {"captions_vtt": "captions.vtt", "captions_srt": "captions.srt"}


def captions_stage(ctx) -> dict:
    """WebVTT and SRT from the voice's word timings."""
    found = caption_cues(ctx)
    written = write_captions(ctx, found, caption_look(ctx), tall=is_tall(frame_size(ctx)))
    return {**written, "cues": len(found)}


def captions_stage_named(name: str = "captions", run=None, weight=1, produces=(), needs=()):
    return Stage(
        name, "Timing captions" if run is None else "Captions and metadata",
        run or captions_stage, weight=weight,
        produces=("captions.vtt", "captions.srt", *produces),
        needs=("speech", *needs),
    )  # fmt: skip
