"""Stages that turn a narrated plan into a video: captions, pictures, music and assembly.

Shared by story, youtube and explainer; each reads what earlier stages left in the work
folder (plan.json, narration.wav, speech.json) whatever those stages are called.
"""

import json
import math
from pathlib import Path

import numpy as np
from django.conf import settings
from rest_framework import serializers

from pipeline.errors import GeneratorError
from pipeline.generators.base import Stage
from pipeline.generators.narration import (
    load_plan,
    narrate,
    report_reuse,
    speech,
)
from pipeline.media.assemble import assemble, concat_clips
from pipeline.media.captions import chars_per_line, cues_from_words, write_srt, write_vtt
from pipeline.media.frames import Timeline
from pipeline.media.frames import resolve_size as frame_size
from pipeline.media.inspection import Expected, inspect_video
from pipeline.media.overlay import CAPTION_PRESETS, CaptionStyle, is_tall
from pipeline.media.samples import Samples
from pipeline.providers import get_provider
from pipeline.providers.tts.base import write_wav
from pipeline.timing import Timing

CAPTION_SIZES = {"small": 1 / 22, "medium": 1 / 16, "large": 1 / 12}


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


def _size(ctx) -> tuple[int, int]:
    return frame_size(ctx.options.get("aspect", "16:9"), int(ctx.options.get("quality", 720)))


def caption_style(ctx) -> CaptionStyle | None:
    if not ctx.options.get("burn_captions"):
        return None
    return _style(ctx)


def _style(ctx) -> CaptionStyle:
    """The captions' look from the job's options, burned in or not (the WebVTT file and the
    line lengths follow it too)."""
    width, height = _size(ctx)
    scale = CAPTION_SIZES[ctx.options.get("caption_size", "medium")]
    return CaptionStyle.from_preset(
        ctx.options.get("caption_style", "plain"),
        size=max(14, round(min(width, height) * scale)),
        position=ctx.options.get("caption_position", "bottom"),
    )


def _cues(ctx):
    width, _height = _size(ctx)
    style = _style(ctx)
    room = width - 2 * style.side_room(style.size)
    timing = speech(ctx)
    words = [Timing.from_dict(w) for w in timing["words"]]
    scene_starts = [scene["speech_start"] for scene in timing["scenes"][1:]]
    return cues_from_words(
        words, max_chars=min(48, chars_per_line(room, style.size)), breaks=scene_starts
    )


def captions_stage(ctx) -> dict:
    """WebVTT and SRT from the voice's word timings (not estimated from the text)."""
    cues, style = _cues(ctx), _style(ctx)
    write_vtt(cues, ctx.path("captions.vtt"), preset=style.preset, position=style.position,
              tall=is_tall(_size(ctx)))  # fmt: skip
    write_srt(cues, ctx.path("captions.srt"))
    return {"captions_vtt": "captions.vtt", "captions_srt": "captions.srt", "cues": len(cues)}


def visuals_stage(ctx) -> dict:
    """A picture or clip per scene: from the person's library or stock where one matches the
    scene's words (option `visuals`), else from the images backend (procedural by default).
    A picture made before from the same request to the same backend is reused."""
    from pipeline.gpu import device_lock
    from pipeline.library.visuals import scene_visuals

    plan = load_plan(ctx)
    images = get_provider("images")
    size = _size(ctx)
    device = images.device() if hasattr(images, "device") else "cpu"
    chosen = scene_visuals(ctx, plan)
    paths, reused, made = [], [], []
    for index, scene in enumerate(plan.scenes):
        if chosen[index]["file"]:
            paths.append(chosen[index]["file"])
            continue
        path = ctx.path(f"stills/{index:02d}.png")
        paths.append(str(path.relative_to(ctx.workdir)))
        # The opening picture carries the title; the others the scene's own words (a heading,
        # key words), or nothing under burned captions, which already show what is said.
        text = scene.on_screen_text if index else (plan.title or scene.on_screen_text)
        request = {
            "prompt": scene.image_prompt or scene.narration,
            "size": size,
            "seed": index + scene.seed,  # a new seed, a new picture of the same scene
            "palette": ctx.options.get("style", "default"),
            "text": "" if ctx.options.get("burn_captions") and index else text,
        }
        entry = ctx.cached("picture", {**request, "images": images.identity()}, {"png": path})
        if entry.restored:
            reused.append(index)
            continue
        ctx.progress(index / len(plan.scenes), f"Picture {index + 1} of {len(plan.scenes)}")
        if device.startswith("cuda"):
            with device_lock(device, check=ctx.check):
                images.generate(**request, out_path=path)
        else:
            images.generate(**request, out_path=path)
        entry.store()
        made.append(index)
    report_reuse(ctx, "Pictures", reused, made)
    return {"stills": paths, "visuals": chosen}


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
            size=_size(ctx),
            fps=int(ctx.options.get("fps", 30)),
        )
        for still, span in zip(stills, timing["scenes"], strict=True)
    ]
    timeline = Timeline(
        segments=segments,
        crossfade=ctx.options.get("crossfade", 0.5),
        captions=_cues(ctx),
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
    size = _size(ctx)
    path = ctx.path("video.mp4")
    narration, cues, style = (
        ctx.workdir / ctx.output("audio"),
        _cues(ctx),
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
        size=_size(ctx),
        fps=int(ctx.options.get("fps", 30)),
        on_progress=lambda fraction, message: ctx.progress(fraction, message),
        check=ctx.check,
        constant_frame_rate=settings.VIDEO_CONSTANT_FRAME_RATE,
        on_samples=(samples := []).append,
        **_segment_cache(ctx),
    )
    expected = Expected.from_timeline(
        timeline, size=_size(ctx), loudness_target=settings.AUDIO_TARGET_LUFS
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


def youtube_metadata(ctx) -> dict:
    """Title, description with chapter timestamps, and tags, for an upload to YouTube."""
    plan = load_plan(ctx)
    spans = speech(ctx)["scenes"]
    meta = plan.youtube
    chapters = []
    for chapter in meta.chapters if meta else []:
        seconds = int(spans[chapter.start_scene]["start"])
        chapters.append(f"{seconds // 60}:{seconds % 60:02d} {chapter.title}")
    description = (meta.description if meta else plan.summary).strip()
    if chapters:
        description += "\n\nChapters:\n" + "\n".join(chapters)
    return {
        "title": meta.title if meta else plan.title,
        "description": description,
        "tags": meta.tags if meta else [],
        "chapters": chapters,
    }


def write_json(ctx, name: str, data) -> str:
    ctx.path(name).write_text(json.dumps(data, indent=1))
    return name


def narration_stage(name: str = "narrate", label: str = "Recording narration", weight=2):
    return Stage(name, label, narrate, weight=weight, produces=("narration.wav", "speech.json"))


def captions_stage_named(name: str = "captions", run=None, weight=1, produces=()):
    return Stage(
        name, "Timing captions" if run is None else "Captions and metadata",
        run or captions_stage, weight=weight,
        produces=("captions.vtt", "captions.srt", *produces),
    )  # fmt: skip
