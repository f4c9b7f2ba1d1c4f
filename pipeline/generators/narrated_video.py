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

from pipeline.generators.base import Stage
from pipeline.generators.narration import earlier_output, load_plan, narrate, speech
from pipeline.media.assemble import CaptionStyle, Timeline, assemble, concat_clips
from pipeline.media.assemble import resolve_size as frame_size
from pipeline.media.captions import chars_per_line, cues_from_words, write_srt, write_vtt
from pipeline.providers import get_provider
from pipeline.providers.tts.base import write_wav
from pipeline.timing import Timing

CAPTION_SIZES = {"small": 1 / 22, "medium": 1 / 16, "large": 1 / 12}


class CaptionOptions(serializers.Serializer):
    burn_captions = serializers.BooleanField(
        default=True, help_text="Draw the captions into the picture (files are made anyway)."
    )
    caption_size = serializers.ChoiceField(choices=list(CAPTION_SIZES), default="medium")
    caption_position = serializers.ChoiceField(choices=["bottom", "middle", "top"],
                                               default="bottom")  # fmt: skip


def _size(ctx) -> tuple[int, int]:
    return frame_size(ctx.options.get("aspect", "16:9"), int(ctx.options.get("quality", 720)))


def caption_style(ctx) -> CaptionStyle | None:
    if not ctx.options.get("burn_captions"):
        return None
    width, height = _size(ctx)
    scale = CAPTION_SIZES[ctx.options.get("caption_size", "medium")]
    return CaptionStyle(
        size=max(14, round(min(width, height) * scale)),
        position=ctx.options.get("caption_position", "bottom"),
        outline=max(2, round(min(width, height) / 240)),
    )


def _cues(ctx):
    width, height = _size(ctx)
    style = caption_style(ctx) or CaptionStyle(size=max(14, round(min(width, height) / 16)))
    words = [Timing.from_dict(w) for w in speech(ctx)["words"]]
    return cues_from_words(words, max_chars=min(48, chars_per_line(width, style.size)))


def captions_stage(ctx) -> dict:
    """WebVTT and SRT from the voice's word timings (not estimated from the text)."""
    cues = _cues(ctx)
    write_vtt(cues, ctx.path("captions.vtt"))
    write_srt(cues, ctx.path("captions.srt"))
    return {"captions_vtt": "captions.vtt", "captions_srt": "captions.srt", "cues": len(cues)}


def visuals_stage(ctx) -> dict:
    """A picture or clip per scene: from the person's library or stock where one matches the
    scene's words (option `visuals`), else from the images backend (procedural by default)."""
    from pipeline.gpu import device_lock
    from pipeline.library.visuals import scene_visuals

    plan = load_plan(ctx)
    images = get_provider("images")
    size = _size(ctx)
    device = images.device() if hasattr(images, "device") else "cpu"
    chosen = scene_visuals(ctx, plan)
    paths = []
    for index, scene in enumerate(plan.scenes):
        if chosen[index]["file"]:
            paths.append(chosen[index]["file"])
            continue
        path = ctx.path(f"stills/{index:02d}.png")
        paths.append(str(path.relative_to(ctx.workdir)))
        if path.exists():
            continue  # a retry keeps the pictures already made
        ctx.progress(index / len(plan.scenes), f"Picture {index + 1} of {len(plan.scenes)}")
        text = scene.on_screen_text if index else (scene.on_screen_text or plan.title)

        def draw(scene=scene, text=text, path=path, index=index):
            images.generate(
                prompt=scene.image_prompt or scene.narration,
                size=size,
                out_path=path,
                seed=index,
                palette=ctx.options.get("style", "default"),
                text="" if ctx.options.get("burn_captions") and index else text,
            )

        if device.startswith("cuda"):
            with device_lock(device, check=ctx.check):
                draw()
        else:
            draw()
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
    stills = earlier_output(ctx, "stills")
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
        narration=ctx.workdir / earlier_output(ctx, "audio"),
        music=_music(ctx, timing["duration"]),
    )
    return _render(ctx, timeline)


def assemble_clips_stage(ctx) -> dict:
    """Rendered clips (Manim scenes), each held for its narration's span, with the voice."""
    clips = earlier_output(ctx, "clips")
    durations = earlier_output(ctx, "durations")
    size = _size(ctx)
    path = ctx.path("video.mp4")
    concat_clips(
        [ctx.workdir / clip for clip in clips],
        path,
        size=size,
        fps=int(ctx.options.get("fps", 30)),
        durations=durations,
        narration=ctx.workdir / earlier_output(ctx, "audio"),
        captions=_cues(ctx),
        caption_style=caption_style(ctx),
        on_progress=lambda fraction, message: ctx.progress(fraction, message),
        check=ctx.check,
        constant_frame_rate=settings.VIDEO_CONSTANT_FRAME_RATE,
    )
    return _outputs(ctx, path)


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
    )
    return _outputs(ctx, path)


def _outputs(ctx, path: Path) -> dict:
    plan = load_plan(ctx)
    outputs = {
        "video": str(path.relative_to(ctx.workdir)),
        "duration": speech(ctx)["duration"],
        "title": plan.title,
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
