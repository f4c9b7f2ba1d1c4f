"""Assembly: a narrated plan's pictures or clips joined into the video, with the voice,
music and captions, then checked before it goes any further.

Shared by story, youtube and explainer (and the check by ai_video); each reads what earlier
stages returned (the plan, the narration and its timings, the pictures or clips) whatever
those stages are called.
"""

import math
from pathlib import Path

import numpy as np
from django.conf import settings

from pipeline.errors import GeneratorError
from pipeline.generators.shared.captions import caption_cues, caption_style
from pipeline.generators.shared.narration import report_reuse, speech
from pipeline.generators.shared.options import frame_size
from pipeline.generators.shared.plan import load_plan
from pipeline.media.assemble import assemble, concat_clips
from pipeline.media.frames import Timeline
from pipeline.media.inspection import Expected, inspect_video
from pipeline.media.samples import Samples
from pipeline.providers.tts.base import write_wav


def ambient_music(path: Path, seconds: float, *, rate: int = 44100, seed: int = 0) -> Path:
    """A soft, slowly changing pad (a few sine chords): real music that needs no file."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    roots = [220.0, 196.0, 174.61, 196.0]
    track = np.zeros_like(t)
    bar = 4.0
    for index, root in enumerate(roots * math.ceil(seconds / (bar * len(roots)))):
        start = index * bar
        if start >= seconds:
            break
        mask = (t >= start) & (t < start + bar + 1.0)
        local = t[mask] - start
        envelope = np.sin(np.pi * np.clip(local / (bar + 1.0), 0, 1)) ** 2
        for ratio, level in ((1.0, 0.5), (1.25, 0.3), (1.5, 0.3), (2.0, 0.15)):
            phase = rng.uniform(0, 2 * np.pi)
            track[mask] += level * envelope * np.sin(2 * np.pi * root * ratio * local + phase)
    track = 0.3 * track / max(1e-6, np.abs(track).max())
    write_wav(path, (track * 32767).astype(np.int16).tobytes(), rate)
    return path


def _music(ctx, seconds: float) -> Path | None:
    if ctx.options.get("music", "none") != "ambient":
        return None
    return ambient_music(ctx.path("music.wav"), seconds)


def assemble_stills_stage(ctx) -> dict:
    """The pictures (or clips), one per scene for as long as its narration, with crossfades."""
    from pipeline.library.visuals import scene_segment

    timing = speech(ctx)
    stills = ctx.output("stills")
    segments = [
        scene_segment(
            ctx,
            ctx.workdir / still,
            duration=span["end"] - span["start"],
            motion=ctx.options.get("motion", True),
            size=frame_size(ctx),
            fps=int(ctx.options.get("fps", 30)),
        )
        for still, span in zip(stills, timing["scenes"], strict=True)
    ]
    timeline = Timeline(
        segments=segments,
        crossfade=ctx.options.get("crossfade", 0.5),
        captions=caption_cues(ctx),
        caption_style=caption_style(ctx),
        narration=ctx.workdir / ctx.output("audio"),
        music=_music(ctx, timing["duration"]),
        loudness=settings.AUDIO_TARGET_LUFS,
    )
    return _render(ctx, timeline)


def assemble_clips_stage(ctx) -> dict:
    """Rendered clips (Manim scenes), each held for its narration's span, with the voice."""
    clips = ctx.output("clips")
    durations = ctx.output("durations")
    size = frame_size(ctx)
    path = ctx.path("video.mp4")
    narration, cues, style = (
        ctx.workdir / ctx.output("audio"),
        caption_cues(ctx),
        caption_style(ctx),
    )
    concat_clips(
        [ctx.workdir / clip for clip in clips],
        path,
        size=size,
        fps=int(ctx.options.get("fps", 30)),
        durations=durations,
        narration=narration,
        captions=cues,
        caption_style=style,
        on_progress=lambda fraction, message: ctx.progress(fraction, message),
        check=ctx.check,
        constant_frame_rate=settings.VIDEO_CONSTANT_FRAME_RATE,
        loudness=settings.AUDIO_TARGET_LUFS,
        on_samples=(samples := []).append,
        **_segment_cache(ctx),
    )
    # Scenes are slides: their animations end and the picture holds while the voice goes on.
    expected = Expected(
        captions=cues, caption_style=style, size=size, narration=narration,
        still_spans=[(0.0, sum(durations))], loudness_target=settings.AUDIO_TARGET_LUFS,
    )  # fmt: skip
    return {**_outputs(ctx, path), **review(ctx, path, expected, *samples)}


def _render(ctx, timeline: Timeline) -> dict:
    path = ctx.path("video.mp4")
    assemble(
        timeline,
        path,
        size=frame_size(ctx),
        fps=int(ctx.options.get("fps", 30)),
        on_progress=lambda fraction, message: ctx.progress(fraction, message),
        check=ctx.check,
        constant_frame_rate=settings.VIDEO_CONSTANT_FRAME_RATE,
        on_samples=(samples := []).append,
        **_segment_cache(ctx),
    )
    expected = Expected.from_timeline(
        timeline, size=frame_size(ctx), loudness_target=settings.AUDIO_TARGET_LUFS
    )
    return {**_outputs(ctx, path), **review(ctx, path, expected, *samples)}


def _segment_cache(ctx) -> dict:
    """The assembler's parts (each scene's span, each crossfade) go through the job's scene
    cache, and the event log says which were encoded again."""
    return {
        "cache": ctx.cached,
        "on_reuse": lambda reused, made: report_reuse(ctx, "Segments", reused, made),
    }


def review(ctx, path: Path, expected: Expected, samples: Samples | None = None) -> dict:
    """Checks the rendered video before it goes any further: a video that cannot be delivered
    as it is fails the stage with the reason; warnings travel with it to the gallery.
    `samples`: its picture's, as the assembler took them from its parts."""
    ctx.progress(0.99, "Checking the video")
    found = inspect_video(path, expected, samples)
    if found.errors:
        raise GeneratorError(
            f"The assembled video failed its check: {found.summary()}",
            permanent=any(c["code"] != "decode" for c in found.errors),
            hint="Retry the job; if it fails again the same way, report it with the job's id.",
        )
    loudness = found.loudness.as_dict() if found.loudness else {}
    return {"loudness": loudness, "checks": found.checks}


def _outputs(ctx, path: Path) -> dict:
    plan = load_plan(ctx)
    outputs = {
        "video": str(path.relative_to(ctx.workdir)),
        "duration": speech(ctx)["duration"],
        "title": plan.title,
        "captions_burned": caption_style(ctx) is not None,
    }
    if (ctx.workdir / "captions.vtt").exists():
        outputs.update(captions_vtt="captions.vtt", captions_srt="captions.srt")
    return outputs
