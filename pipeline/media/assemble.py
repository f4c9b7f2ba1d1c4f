"""The assembler: a timeline's pictures (pipeline/media/frames.py) and sound
(pipeline/media/sound.py) into an H.264 (High, yuv420p) + AAC MP4 with its index at the front.

Frames go straight into the encoder with PyAV, in the encoder's own YUV; a picture that holds
is handed to the encoder again for each of its frames.

The picture is encoded in parts (each scene's own span, each crossfade), joined without a
second encoding; with the job's scene cache a part whose frames are unchanged (the scene only
moved in time) is taken from an earlier render, so rendering an edited plan again costs what
changed. See `assemble`.

The output has a constant frame rate, as editors and older players expect. With
`VIDEO_CONSTANT_FRAME_RATE=false` only frames that differ from the one before are encoded: a
still that holds for five seconds is one frame lasting five seconds (a variable frame rate
MP4, which browsers play); x264 costs ~3 ms of CPU even for a repeated 720p frame, so that
takes a 30-second 720p slideshow from ~5 CPU-seconds to ~1.5.
"""

import math
import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av

from pipeline.media.captions import Cue
from pipeline.media.frames import Segment, Timeline, _Frames, _Part
from pipeline.media.overlay import CaptionStyle
from pipeline.media.samples import Samples, video_samples
from pipeline.media.sound import AUDIO_RATE, _Sound, read_audio
from pipeline.media.yuv import _BT709

# ultrafast with CABAC, 8x8 transforms, deblocking and adaptive quantisation back on: High
# profile, no blocks on smooth gradients, and 30% less CPU than veryfast (measured: 1.5 against
# 2.1 CPU-seconds for the benchmark timeline, 48-53 dB PSNR on its stills either way).
X264_PRESET = "ultrafast"
X264_PARAMS = "cabac=1:8x8dct=1"
_MPEG_RANGE = 1  # limited ("TV") range, what players expect from H.264

# Part of every part's cache key: raise it when a part's frames or their encoding change in a
# way its inputs do not show, so that parts encoded before are not joined with new ones.
PART_VERSION = 3
ENCODE_PARTS = 2  # parts encoded side by side


def assemble(
    timeline: Timeline,
    out_path: Path,
    *,
    size: tuple[int, int],
    fps: int = 30,
    on_progress: Callable[[float, str], None] | None = None,
    check: Callable[[], None] | None = None,
    constant_frame_rate: bool = True,
    cache: Callable | None = None,
    on_reuse: Callable[[list, list], None] | None = None,
    on_samples: Callable[[Samples], None] | None = None,
    split: bool = True,
) -> Path:
    """Renders the timeline to `out_path` (written whole or not at all).

    The picture is encoded in parts, each scene's own span and each crossfade on its own
    (each part starts on a keyframe), then the parts are joined as they are, with no second
    encoding, and the sound is mixed and encoded alongside. With `cache`
    (`StageContext.cached`: `cache(kind, inputs, files)` answers an entry with `restored`
    and `store()`), a part is kept under a hash of exactly what makes its frames, counted
    from its own start: the bytes of its pictures or clips, where it begins in each of its
    scenes, the camera motion, the captions on screen and when, the crossfade, size, rate
    and encoder. A scene that only moved in time (another one before it got longer) is
    then not encoded again. `on_reuse(reused, made)` gets the parts' names: a scene's index,
    or the scenes of a crossfade as a tuple.

    Each part is decoded as soon as it is encoded, for the check before delivery: the samples
    of its picture (pipeline/media/samples.py) are kept with it in the cache, and
    `on_samples` gets those of the whole video, so that checking it decodes nothing again.

    Every timeline can be cut at its scenes, so there is no other way through; `split=False`
    only makes the whole video one part (what the parts are compared with in the tests).

    It runs in this process: `check` is called every few frames and stops the work by raising
    (as `StageContext.check` does on cancel); `on_progress(fraction, message)` may too.
    """
    if not timeline.segments:
        raise ValueError("a timeline needs at least one segment")
    if size[0] % 2 or size[1] % 2:
        raise ValueError(f"frame size {size} must be even for yuv420p")
    total = timeline.duration
    if timeline.narration:
        total = len(read_audio(timeline.narration)) / AUDIO_RATE
    frames = _Frames(timeline, size, fps, max(1, round(total * fps)))
    settings = {
        "version": PART_VERSION,
        "av": av.__version__,
        "size": list(size),
        "fps": fps,
        "x264": _x264_options(fps),
        "constant_frame_rate": constant_frame_rate,
    }
    out_path = Path(out_path)
    partial = out_path.with_name(f".{out_path.stem}.part.mp4")
    folder = out_path.with_name(f".{out_path.stem}.parts")  # "." : never a stage artifact
    folder.mkdir(parents=True, exist_ok=True)
    sound = None
    try:
        if timeline.narration or timeline.music:
            sound = _Sound(timeline, folder / "sound.mp4", round(total * AUDIO_RATE))
        parts = frames.parts(split, settings)
        paths = [folder / f"{index:03d}.mp4" for index in range(len(parts))]
        entries = [
            cache("segment", part.inputs, {"mp4": path, "npz": _samples_path(path)})
            if cache else None
            for part, path in zip(parts, paths, strict=True)
        ]  # fmt: skip
        made = [i for i, entry in enumerate(entries) if not (entry and entry.restored)]
        ready = sum(p.stop - p.first for i, p in enumerate(parts) if i not in made)
        _encode_parts(frames, [(parts[i], paths[i]) for i in made], constant_frame_rate,
                      ready, on_progress, check)  # fmt: skip
        for index in made:
            if entries[index]:
                entries[index].store()
        if on_reuse:  # by scene and crossfade: made when any of its pieces was
            encoded = list(dict.fromkeys(parts[i].name for i in made))
            kept = [p.name for p in parts if p.name not in encoded]
            on_reuse(list(dict.fromkeys(kept)), encoded)
        if on_progress:
            on_progress(0.96, "Joining the video")
        placed = [(path, part.first) for part, path in zip(parts, paths, strict=True)]
        _join(partial, placed, fps, sound.ready() if sound else None)
        if on_samples:
            on_samples(Samples.joined(
                [(Samples.load(_samples_path(path)), first / fps) for path, first in placed]
            ))  # fmt: skip
        os.replace(partial, out_path)
    finally:
        if sound:
            sound.stop()
        partial.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
    if on_progress:
        on_progress(1.0, "Encoded")
    return out_path


def _encode_parts(frames: _Frames, parts: list, constant_frame_rate: bool, ready: int,
                  on_progress, check) -> None:  # fmt: skip
    """Encodes the parts, ENCODE_PARTS at once (x264 and PyAV let go of the interpreter while
    they work): each worker takes the next part in order and draws its pictures with its own
    `_Frames`, which keeps a scene's picture from one of its parts to the next."""
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for item in parts:
        pending.put(item)
    done = [0] * ENCODE_PARTS
    errors: list[Exception] = []

    def work(slot: int) -> None:
        own = _Frames(frames.timeline, frames.size, frames.fps, frames.count)
        try:
            while not errors:
                try:
                    part, path = pending.get_nowait()
                except queue.Empty:
                    return
                _encode_part(own, part, path, constant_frame_rate, check, done, slot)
                video_samples(path).save(_samples_path(path))
        except Exception as error:  # raised again below, once every worker has stopped
            errors.append(error)
        finally:
            own.close()

    count = min(ENCODE_PARTS, len(parts))
    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(count)]
    for worker in workers:
        worker.start()
    while any(w.is_alive() for w in workers):
        for worker in workers:
            worker.join(timeout=0.25)
        if on_progress and not errors:
            on_progress(0.95 * (ready + sum(done)) / frames.count, "Encoding video")
    if errors:
        raise errors[0]


def _encode_part(frames: _Frames, part: _Part, path: Path, constant_frame_rate: bool, check,
                 done: list, slot: int) -> None:  # fmt: skip
    """Frames [part.first, part.stop) as a video-only MP4 of their own, from time 0. At a
    variable frame rate a picture that holds is encoded once (the part's first frame always,
    and the video's last, which pins its length)."""
    container = av.open(str(path), "w", format="mp4")
    try:
        video = _video_stream(container, frames.size, frames.fps)
        last = None  # (picture, frame): a held picture is converted once
        for n, picture, repeat in _pictures(frames, part.first, part.stop, check):
            done[slot] += 1
            if repeat and not constant_frame_rate:
                continue
            if last is not None and last[0] is picture:
                frame = last[1]
            else:
                frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
                last = (picture, frame)
            frame.pts, frame.time_base = n - part.first, Fraction(1, frames.fps)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
    finally:
        container.close()


def _samples_path(part: Path) -> Path:
    return part.with_suffix(".npz")


def _join(path: Path, parts: list[tuple[Path, int]], fps: int, sound: Path | None) -> None:
    """The parts' packets one after the other, each shifted to its first frame's time, and
    the sound's alongside (no second encoding of either), index at the front."""
    first = av.open(str(parts[0][0]))
    heard = av.open(str(sound)) if sound else None
    container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        video = container.add_stream_from_template(first.streams.video[0])
        if heard:
            audio = container.add_stream_from_template(heard.streams.audio[0])
            packets = (p for p in heard.demux(heard.streams.audio[0]) if p.dts is not None)
            waiting = next(packets, None)

        def mux_sound_until(seconds: float) -> None:
            """Interleaves the two: the sound up to a second past the picture."""
            nonlocal waiting
            while heard and waiting is not None and waiting.dts * waiting.time_base <= seconds:
                waiting.stream = audio
                container.mux(waiting)
                waiting = next(packets, None)

        for part_path, start in parts:
            source = first if part_path == parts[0][0] else av.open(str(part_path))
            try:
                part = source.streams.video[0]
                offset = round(Fraction(start, fps) / part.time_base)
                for packet in source.demux(part):
                    if packet.dts is None:
                        continue
                    packet.pts += offset
                    packet.dts += offset
                    packet.stream = video
                    container.mux(packet)
                    mux_sound_until(packet.dts * part.time_base + 1)
            finally:
                if source is not first:
                    source.close()
        mux_sound_until(math.inf)
    finally:
        container.close()
        first.close()
        if heard:
            heard.close()


def _x264_options(fps: int) -> dict:
    # No B-frames: the MP4 muxer mistimes reordered frames once frame durations vary.
    return {
        "preset": X264_PRESET,
        "x264-params": X264_PARAMS,
        "crf": "23",
        "bf": "0",
        "g": str(fps * 4),
    }


def _video_stream(container, size: tuple[int, int], fps: int):
    video = container.add_stream("libx264", rate=fps)
    video.width, video.height = size
    video.pix_fmt = "yuv420p"
    video.options = _x264_options(fps)
    context = video.codec_context
    context.time_base = Fraction(1, fps)
    # One x264 thread per part: its frame threads cost more than they give here (measured on
    # 2 cores: 2.5 ms a 720p frame against 3.3 ms with automatic threading); parts are
    # encoded side by side instead.
    context.thread_count = 1
    context.colorspace = context.color_primaries = context.color_trc = _BT709
    context.color_range = _MPEG_RANGE
    return video


def _pictures(frames: _Frames, first: int, stop: int, check) -> Iterator:
    """(frame number, picture, whether it repeats the one before) for frames [first, stop);
    a repeat is the very same array. The video's last frame never counts as a repeat: it
    pins the length."""
    previous = picture = None
    for n in range(first, stop):
        if check and (n - first) % 8 == 0:
            check()
        key = frames.key(n)
        repeat = key == previous and n != frames.count - 1
        if not repeat or picture is None:
            picture = frames.picture(n, key)
        yield n, picture, repeat
        previous = key


def concat_clips(
    paths: list[Path],
    out_path: Path,
    *,
    size: tuple[int, int] | None = None,
    fps: int = 30,
    durations: list[float] | None = None,
    crossfade: float = 0.0,
    narration: Path | None = None,
    captions: list[Cue] | None = None,
    caption_style: CaptionStyle | None = None,
    on_progress=None,
    check=None,
    constant_frame_rate: bool = True,
    loudness: float | None = None,
    cache=None,
    on_reuse=None,
    on_samples=None,
) -> Path:
    """Joins clips (of any size and frame rate) into one video of `size` (the first clip's,
    when not given), each lasting its duration in `durations` (its own length when not given:
    held on its last frame or cut). The clips' own sound is not kept: the narration (if any)
    is the soundtrack. `cache`, `on_reuse` and `on_samples` as for `assemble`: a clip is a
    scene."""
    if size is None:
        with av.open(str(paths[0])) as container:
            first = container.streams.video[0].codec_context
            size = (first.width - first.width % 2, first.height - first.height % 2)
    if durations is None:
        durations = [_clip_duration(p) for p in paths]
    timeline = Timeline(
        segments=[Segment(duration=d, clip=Path(p)) for p, d in zip(paths, durations, strict=True)],
        crossfade=crossfade,
        captions=captions or [],
        caption_style=caption_style,
        narration=narration,
        loudness=loudness,
    )
    return assemble(
        timeline,
        out_path,
        size=size,
        fps=fps,
        on_progress=on_progress,
        check=check,
        constant_frame_rate=constant_frame_rate,
        cache=cache,
        on_reuse=on_reuse,
        on_samples=on_samples,
    )


def _clip_duration(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return (container.duration or 0) / av.time_base
