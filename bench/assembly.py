"""Assembly speed: one 30-second 1280x720 30 fps timeline (6 stills, 0.5 s crossfades, a
caption per still, a narration track), rendered by the project's assembler and by a plain
moviepy composition of the same timeline, in the same run, with the same x264 preset.

Goals: at least 10x faster than moviepy and at least 8x realtime on a 2-core machine. Wall
times move with whatever else the machine runs, so the assembler's CPU time is printed too.

The same timeline with the slow zoom on every still (what story and youtube videos do by
default) is timed too: every frame then differs, and is resampled and encoded.
"""

import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gallery.media import probe  # noqa: E402
from pipeline.media.assemble import X264_PARAMS, X264_PRESET, assemble  # noqa: E402
from pipeline.media.captions import Cue  # noqa: E402
from pipeline.media.frames import Segment, Timeline  # noqa: E402
from pipeline.media.overlay import CaptionStyle, caption_image  # noqa: E402
from pipeline.media.visuals import render_still  # noqa: E402

SIZE, FPS, SCENES, SCENE_SECONDS, FADE = (1280, 720), 30, 6, 5.0, 0.5
DURATION = SCENES * SCENE_SECONDS


def narration(path: Path) -> Path:
    """A speech-like track: a voiced tone with syllable-rate loudness and pauses."""
    rate = 22050
    t = np.arange(int(DURATION * rate)) / rate
    pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    voice = np.sin(2 * np.pi * np.cumsum(pitch) / rate) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    voice *= (np.sin(2 * np.pi * 0.4 * t) > -0.6).astype(float)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((voice * 0.3 * 32767).astype(np.int16).tobytes())
    return path


def build(folder: Path):
    stills = [
        render_still(text="", prompt=f"scene {i} of the benchmark", size=SIZE, palette="default",
                     seed=i, path=folder / f"still{i}.jpg")
        for i in range(SCENES)
    ]  # fmt: skip
    cues = [
        Cue(i * SCENE_SECONDS + 0.3, (i + 1) * SCENE_SECONDS - 0.3,
            (f"This is the caption of scene {i + 1},", "shown while its narration plays"))
        for i in range(SCENES)
    ]  # fmt: skip
    return stills, cues, narration(folder / "narration.wav")


def ours(stills, cues, audio, out: Path, constant_frame_rate=True, motion=False):
    """Wall and CPU seconds (all threads of this process: the assembler runs in it)."""
    timeline = Timeline(
        segments=[Segment(duration=SCENE_SECONDS, image=s, motion=motion) for s in stills],
        crossfade=FADE,
        captions=cues,
        caption_style=CaptionStyle(),
        narration=audio,
    )
    started, cpu = time.perf_counter(), time.process_time()
    assemble(timeline, out, size=SIZE, fps=FPS, constant_frame_rate=constant_frame_rate)
    return time.perf_counter() - started, time.process_time() - cpu


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.demux(video=0) if _.size)


def with_moviepy(stills, cues, audio, folder: Path, out: Path) -> float:
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, concatenate_videoclips, vfx

    captions = []
    for i, cue in enumerate(cues):
        image, position = caption_image(cue, SIZE, CaptionStyle())
        image.save(folder / f"caption{i}.png")
        captions.append((folder / f"caption{i}.png", position))
    started = time.perf_counter()
    scenes = []
    for i, (still, (caption, position), cue) in enumerate(zip(stills, captions, cues, strict=True)):
        # Every scene but the first starts half a fade early, overlapping the one before.
        length = SCENE_SECONDS + (FADE / 2 if i else 0) + (FADE / 2 if i < SCENES - 1 else 0)
        lead = FADE / 2 if i else 0
        layers = [
            ImageClip(str(still)).with_duration(length),
            ImageClip(str(caption), transparent=True)
            .with_position(position)
            .with_start(lead + cue.start - i * SCENE_SECONDS)
            .with_duration(cue.end - cue.start),
        ]
        scene = CompositeVideoClip(layers, size=SIZE).with_duration(length)
        scenes.append(scene.with_effects([vfx.CrossFadeIn(FADE)]) if i else scene)
    video = concatenate_videoclips(scenes, method="compose", padding=-FADE)
    video = video.with_audio(AudioFileClip(str(audio)).with_duration(video.duration))
    video.write_videofile(
        str(out), fps=FPS, codec="libx264", audio_codec="aac", preset=X264_PRESET, threads=2,
        ffmpeg_params=["-x264-params", X264_PARAMS, "-pix_fmt", "yuv420p",
                       "-movflags", "+faststart"],
        logger=None,
    )  # fmt: skip
    return time.perf_counter() - started


def main():
    folder = Path(tempfile.mkdtemp(prefix="videogen-bench-assembly-"))
    stills, cues, audio = build(folder)
    ours_seconds, ours_cpu = ours(stills, cues, audio, folder / "ours.mp4")
    vfr_seconds, vfr_cpu = ours(stills, cues, audio, folder / "ours-vfr.mp4", False)
    zoom_seconds, zoom_cpu = ours(stills, cues, audio, folder / "ours-zoom.mp4", motion=True)
    moviepy_seconds = with_moviepy(stills, cues, audio, folder, folder / "moviepy.mp4")
    for name in ("ours.mp4", "ours-vfr.mp4", "ours-zoom.mp4", "moviepy.mp4"):
        info = probe(folder / name)
        ok = abs(info.duration - DURATION) < 0.1 and (info.video_codec, info.audio_codec) == (
            "h264",
            "aac",
        )
        print(
            f"{name}: {info.duration:.2f} s, {info.width}x{info.height}, "
            f"{frame_count(folder / name)} frames, {info.video_codec} + {info.audio_codec}, "
            f"{'ok' if ok else 'WRONG'}"
        )
    print(
        f"variable frame rate (VIDEO_CONSTANT_FRAME_RATE=false): {vfr_seconds:.2f} s "
        f"({DURATION / vfr_seconds:.1f}x realtime, {vfr_cpu:.2f} CPU-s)"
    )
    print(
        f"slow zoom on every still (the story/youtube default): {zoom_seconds:.2f} s "
        f"({DURATION / zoom_seconds:.1f}x realtime, {zoom_cpu:.2f} CPU-s; "
        f"{zoom_cpu / ours_cpu:.1f}x the CPU of the stills)"
    )
    ratio = moviepy_seconds / ours_seconds
    realtime = DURATION / ours_seconds
    goals = "meets" if ratio >= 10 and realtime >= 8 else "misses"
    print(
        f"assembly, {DURATION:.0f} s of 1280x720 at a constant 30 fps: ours {ours_seconds:.2f} s "
        f"({realtime:.1f}x realtime, {ours_cpu:.2f} CPU-s), moviepy {moviepy_seconds:.2f} s, "
        f"ours {ratio:.1f}x faster ({goals} the goals: >=10x moviepy, >=8x realtime)"
    )


if __name__ == "__main__":
    main()
