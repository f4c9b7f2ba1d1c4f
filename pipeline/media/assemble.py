"""The assembler: stills and clips, crossfades, burned-in captions, narration and music, into
an H.264 + AAC MP4 with its index at the front.

It writes frames straight into the encoder with PyAV instead of describing the video to
ffmpeg or compositing layers per frame (moviepy): a still is converted to the encoder's
YUV once and handed over again for each frame it stays on screen (the encoder turns repeats
into nearly free skip blocks); only crossfade frames, slow camera motion and clips are
computed per frame. That is what makes a 30-second 720p timeline take a few seconds.
"""

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from pipeline.media.captions import Cue
from pipeline.media.visuals import font

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}
QUALITIES = (480, 720, 1080)
AUDIO_RATE = 48000
X264_PRESET = "ultrafast"


def resolve_size(aspect: str, quality: int) -> tuple[int, int]:
    """Frame size for an aspect ratio whose short side is `quality` pixels (even numbers)."""
    w, h = ASPECTS[aspect]
    if w >= h:
        width, height = round(quality * w / h), quality
    else:
        width, height = quality, round(quality * h / w)
    return width - width % 2, height - height % 2


@dataclass
class Segment:
    """A still (`image`) or a video clip (`clip`) on screen for `duration` seconds."""

    duration: float
    image: Path | None = None
    clip: Path | None = None
    motion: bool = False  # a slow zoom across a still


@dataclass
class CaptionStyle:
    size: int = 0  # 0: a size that suits the frame
    position: str = "bottom"  # bottom | middle | top
    outline: int = 3
    color: tuple[int, int, int] = (255, 255, 255)
    outline_color: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Timeline:
    segments: list[Segment]
    crossfade: float = 0.5
    captions: list[Cue] = field(default_factory=list)
    caption_style: CaptionStyle | None = None  # None: captions are not burned in
    narration: Path | None = None
    music: Path | None = None
    music_volume: float = 0.25  # under the voice it ducks to a third of this

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)


# --- pictures -------------------------------------------------------------------------------
def _fit_cover(image: Image.Image, size: tuple[int, int], scale: float = 1.0) -> Image.Image:
    """Scales to cover the frame (times `scale`), cropping the overflow around the centre."""
    width, height = size
    width, height = round(width * scale), round(height * scale)
    ratio = max(width / image.width, height / image.height)
    resized = image.resize(
        (max(width, round(image.width * ratio)), max(height, round(image.height * ratio))),
        Image.Resampling.LANCZOS,
    )
    left = (resized.width - width) // 2
    top = (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def caption_overlay(cue: Cue, size: tuple[int, int], style: CaptionStyle) -> Image.Image:
    """The cue's lines drawn with an outline on a transparent layer the size of the frame."""
    width, height = size
    face = font(style.size or max(18, round(min(width, height) / 16)))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    text = cue.text
    box = draw.multiline_textbbox((0, 0), text, font=face, stroke_width=style.outline,
                                  align="center", spacing=6)  # fmt: skip
    text_height = box[3] - box[1]
    margin = round(height * 0.07)
    y = {
        "top": margin,
        "middle": (height - text_height) // 2,
    }.get(style.position, height - margin - text_height)
    draw.multiline_text(
        (width // 2, y - box[1]), text, font=face, fill=style.color, anchor="ma",
        align="center", spacing=6, stroke_width=style.outline, stroke_fill=style.outline_color,
    )  # fmt: skip
    return layer


def _yuv(rgb: Image.Image) -> np.ndarray:
    frame = av.VideoFrame.from_ndarray(np.asarray(rgb.convert("RGB")), format="rgb24")
    return frame.reformat(format="yuv420p").to_ndarray()


class _Pictures:
    """Frames for each moment of the timeline, computed once where the picture holds still."""

    def __init__(self, timeline: Timeline, size: tuple[int, int], fps: int):
        self.timeline = timeline
        self.size = size
        self.fps = fps
        self.starts = []
        clock = 0.0
        for segment in timeline.segments:
            self.starts.append(clock)
            clock += segment.duration
        self.end = clock
        self._stills: dict[int, Image.Image] = {}
        self._zoom_base: dict[int, Image.Image] = {}
        self._overlays: dict[int, Image.Image] = {}
        self._cache: dict[tuple, np.ndarray] = {}
        self._clips: dict[int, _ClipReader] = {}

    def segment_at(self, t: float) -> int:
        index = 0
        for i, start in enumerate(self.starts):
            if t >= start:
                index = i
        return index

    def cue_at(self, t: float) -> int | None:
        if self.timeline.caption_style is None:
            return None
        for index, cue in enumerate(self.timeline.captions):
            if cue.start <= t < cue.end:
                return index
        return None

    def rgb(self, index: int, t: float) -> Image.Image:
        segment = self.timeline.segments[index]
        local = t - self.starts[index]
        if segment.clip is not None:
            return self._reader(index, segment).at(local)
        if not segment.motion:
            if index not in self._stills:
                self._stills[index] = _fit_cover(Image.open(segment.image), self.size)
            return self._stills[index]
        if index not in self._zoom_base:
            self._zoom_base[index] = _fit_cover(Image.open(segment.image), self.size, 1.12)
        base = self._zoom_base[index]
        progress = min(1.0, max(0.0, local / max(segment.duration, 1e-6)))
        zoom = 1.12 - 0.1 * (0.5 - 0.5 * math.cos(math.pi * progress))  # eased slow push in
        w, h = min(base.width, self.size[0] * zoom), min(base.height, self.size[1] * zoom)
        left, top = (base.width - w) / 2, (base.height - h) / 2
        return base.resize(self.size, Image.Resampling.BILINEAR, box=(left, top, left + w, top + h))

    def yuv(self, index: int, t: float, cue: int | None) -> np.ndarray:
        segment = self.timeline.segments[index]
        if segment.clip is not None and cue is None:
            return self._reader(index, segment).yuv_at(t - self.starts[index])
        static = segment.clip is None and not segment.motion
        key = (index, cue)
        if static and key in self._cache:
            return self._cache[key]
        picture = self.rgb(index, t)
        if cue is not None:
            overlay = self._overlays.get(cue)
            if overlay is None:
                overlay = self._overlays[cue] = caption_overlay(
                    self.timeline.captions[cue], self.size, self.timeline.caption_style
                )
            picture = Image.alpha_composite(picture.convert("RGBA"), overlay)
        frame = _yuv(picture)
        if static:
            self._cache[key] = frame
        return frame

    def frame(self, t: float) -> tuple[np.ndarray, bool]:
        """The picture at time t, and whether it is the same as an already computed one."""
        index = self.segment_at(t)
        cue = self.cue_at(t)
        half = self.timeline.crossfade / 2
        current = self.yuv(index, t, cue)
        # Blend across a boundary: the outgoing picture fades into the incoming one.
        if half > 0 and index + 1 < len(self.starts) and t >= self.starts[index + 1] - half:
            alpha = (t - (self.starts[index + 1] - half)) / (2 * half)
            return _blend(current, self.yuv(index + 1, t, cue), alpha), False
        if half > 0 and index > 0 and t < self.starts[index] + half:
            alpha = (t - (self.starts[index] - half)) / (2 * half)
            return _blend(self.yuv(index - 1, t, cue), current, alpha), False
        segment = self.timeline.segments[index]
        return current, segment.clip is None and not segment.motion

    def _reader(self, index: int, segment: Segment) -> "_ClipReader":
        reader = self._clips.get(index)
        if reader is None:
            reader = self._clips[index] = _ClipReader(segment.clip, self.size)
        return reader

    def close(self):
        for reader in self._clips.values():
            reader.close()


def _blend(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    weight = round(min(1.0, max(0.0, alpha)) * 256)
    mixed = a.astype(np.uint16) * (256 - weight) + b.astype(np.uint16) * weight
    return (mixed >> 8).astype(np.uint8)


class _ClipReader:
    """Frames of a clip by time, scaled to the frame; holds the last frame past its end.

    Clips of the frame's shape go straight from the decoder to the encoder's YUV (scaled by
    libswscale); others are cropped to fill the frame through Pillow.
    """

    def __init__(self, path: Path, size: tuple[int, int]):
        self.container = av.open(str(path))
        self.stream = self.container.streams.video[0]
        self.size = size
        self.frames = self.container.decode(self.stream)
        self.current = None  # the av.VideoFrame on screen at the last time asked
        self.next_frame = None
        self._image: Image.Image | None = None
        self._yuv: np.ndarray | None = None
        context = self.stream.codec_context
        self.same_shape = abs(context.width / context.height - size[0] / size[1]) < 0.01

    def _advance(self, t: float) -> None:
        while True:
            if self.next_frame is None:
                try:
                    self.next_frame = next(self.frames)
                except StopIteration:
                    return
            frame_time = float(self.next_frame.pts * self.stream.time_base)
            if self.current is not None and frame_time > t + 1e-6:
                return
            self.current, self.next_frame = self.next_frame, None
            self._image = self._yuv = None

    def at(self, t: float) -> Image.Image:
        self._advance(t)
        if self.current is None:
            return Image.new("RGB", self.size)
        if self._image is None:
            image = self.current.to_image()
            self._image = image if image.size == self.size else _fit_cover(image, self.size)
        return self._image

    def yuv_at(self, t: float) -> np.ndarray:
        self._advance(t)
        if self._yuv is None:
            if self.current is not None and self.same_shape:
                width, height = self.size
                frame = self.current.reformat(width=width, height=height, format="yuv420p")
                self._yuv = frame.to_ndarray()
            else:
                self._yuv = _yuv(self.at(t))
        return self._yuv

    def close(self):
        self.container.close()


# --- sound ----------------------------------------------------------------------------------
def read_audio(path: Path, rate: int = AUDIO_RATE) -> np.ndarray:
    """Any audio file as mono float32 samples at `rate`."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    if len(samples) >= length:
        return samples[:length]
    return np.concatenate([samples, np.zeros(length - len(samples), dtype=np.float32)])


def duck(music: np.ndarray, voice: np.ndarray, *, volume: float, rate: int = AUDIO_RATE):
    """Music that drops to a third of `volume` while the voice speaks, with soft edges."""
    window = max(1, rate // 20)
    padded = _fit_length(np.abs(voice), math.ceil(len(voice) / window) * window)
    level = padded.reshape(-1, window).max(axis=1)
    speaking = (level > 0.02).astype(np.float32)
    # Hold and smooth the gate so the music does not pump between words.
    kernel = np.ones(8, dtype=np.float32) / 8
    speaking = np.clip(np.convolve(speaking, kernel, mode="same") * 2, 0, 1)
    gain = volume * (1 - speaking * (2 / 3))
    envelope = np.repeat(gain, window)[: len(music)]
    return music[: len(envelope)] * envelope


def mix_audio(timeline: Timeline, length: int) -> np.ndarray:
    voice = _fit_length(read_audio(timeline.narration), length) if timeline.narration else None
    track = voice if voice is not None else np.zeros(length, dtype=np.float32)
    if timeline.music:
        music = read_audio(timeline.music)
        if len(music):
            music = np.tile(music, math.ceil(length / len(music)))[:length]
            if voice is not None:
                music = duck(music, voice, volume=timeline.music_volume)
            else:
                music = music * timeline.music_volume
            fade = min(length, AUDIO_RATE)
            music[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
            track = track + music
    return np.clip(track, -1.0, 1.0).astype(np.float32)


# --- writing --------------------------------------------------------------------------------
ENCODE_THREADS = 2  # parts of the timeline encoded at once (one x264 thread each)


def assemble(
    timeline: Timeline,
    out_path: Path,
    *,
    size: tuple[int, int],
    fps: int = 30,
    on_progress: Callable[[float, str], None] | None = None,
    check: Callable[[], None] | None = None,
) -> Path:
    """Renders the timeline to `out_path`. `check` is called every few frames (to cancel).

    The frames are split into consecutive parts encoded side by side (x264 and PyAV let go of
    the interpreter while they work), then joined without re-encoding, with the sound.
    """
    if not timeline.segments:
        raise ValueError("a timeline needs at least one segment")
    frames = max(1, round(timeline.duration * fps))
    parts = ENCODE_THREADS if frames >= 4 * fps else 1
    bounds = [frames * i // parts for i in range(parts + 1)]
    out_path = Path(out_path)
    part_paths = [out_path.with_name(f".{out_path.stem}.part{i}.mp4") for i in range(parts)]
    done = [0] * parts
    try:
        with ThreadPoolExecutor(parts) as pool:
            futures = [
                pool.submit(_encode_frames, timeline, size, fps, bounds[i], bounds[i + 1],
                            part_paths[i], check, done, i)
                for i in range(parts)
            ]  # fmt: skip
            while not all(f.done() for f in futures):
                wait(futures, timeout=0.5)
                if on_progress:
                    on_progress(0.9 * sum(done) / frames, "Encoding video")
            for future in futures:
                future.result()
        samples = None
        if timeline.narration or timeline.music:
            samples = mix_audio(timeline, round(frames / fps * AUDIO_RATE))
        _join(part_paths, bounds, fps, samples, out_path)
    finally:
        for path in part_paths:
            path.unlink(missing_ok=True)
    if on_progress:
        on_progress(1.0, "Encoded")
    return out_path


def _encode_frames(timeline, size, fps, first, stop, path, check, done, slot) -> None:
    """Encodes frames [first, stop) of the timeline into a video-only file."""
    pictures = _Pictures(timeline, size, fps)
    container = av.open(str(path), "w")
    try:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        # ultrafast with CABAC and 8x8 transforms back on: High profile, smaller files,
        # and still the fastest preset.
        video.options = {"preset": X264_PRESET, "crf": "23", "profile": "high",
                         "g": str(fps * 2), "x264-params": "cabac=1:8x8dct=1"}  # fmt: skip
        video.codec_context.time_base = Fraction(1, fps)
        # One x264 thread per part: its frame threads cost more than they give on repeated
        # frames (measured: 2.5 ms a frame against 3.3 ms with automatic threading).
        video.codec_context.thread_count = 1
        reused = None
        for n in range(first, stop):
            if check and n % 15 == 0:
                check()
            planes, static = pictures.frame(n / fps)
            if static and reused is not None and reused[0] is planes:
                frame = reused[1]
            else:
                frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
                reused = (planes, frame) if static else None
            frame.pts = n - first
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
            done[slot] += 1
        for packet in video.encode(None):
            container.mux(packet)
    finally:
        pictures.close()
        container.close()


def _join(part_paths, bounds, fps, samples, out_path) -> None:
    """Copies the parts' packets one after the other into the final file, with the sound
    encoded alongside so the two interleave."""
    inputs = [av.open(str(p)) for p in part_paths]
    container = av.open(str(out_path), "w", options={"movflags": "+faststart"})
    try:
        template = inputs[0].streams.video[0]
        video = container.add_stream_from_template(template)
        audio = None
        if samples is not None:
            audio = container.add_stream("aac", rate=AUDIO_RATE)
            audio.layout = "mono"
            audio.bit_rate = 96_000
            audio_frames = _AudioFrames(samples)
        for source, first in zip(inputs, bounds, strict=False):
            stream = source.streams.video[0]
            offset = round(first / fps / stream.time_base)
            for packet in source.demux(stream):
                if packet.dts is None:
                    continue
                packet.pts += offset
                packet.dts += offset
                packet.stream = video
                container.mux(packet)
                if audio is not None:
                    seconds = float(packet.dts * stream.time_base)
                    _encode_audio_until(container, audio, audio_frames, seconds + 0.5)
        if audio is not None:
            _encode_audio_until(container, audio, audio_frames, math.inf)
            for packet in audio.encode(None):
                container.mux(packet)
    finally:
        container.close()
        for source in inputs:
            source.close()


class _AudioFrames:
    """The mixed track cut into the encoder's 1024-sample frames, handed out in order."""

    def __init__(self, samples: np.ndarray):
        self.samples = samples.reshape(1, -1)
        self.position = 0


def _encode_audio_until(container, stream, frames: _AudioFrames, until: float) -> None:
    total = frames.samples.shape[1]
    limit = total if until == math.inf else min(total, int(until * AUDIO_RATE))
    while frames.position < limit:
        start = frames.position
        chunk = np.ascontiguousarray(frames.samples[:, start : start + 1024])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, AUDIO_RATE)
        for packet in stream.encode(frame):
            container.mux(packet)
        frames.position = start + chunk.shape[1]


def concat_clips(
    paths: list[Path],
    out_path: Path,
    *,
    size: tuple[int, int],
    fps: int = 30,
    durations: list[float] | None = None,
    crossfade: float = 0.0,
    narration: Path | None = None,
    captions: list[Cue] | None = None,
    caption_style: CaptionStyle | None = None,
    on_progress=None,
    check=None,
) -> Path:
    """Joins clips (of any size and frame rate) into one video, each lasting its duration in
    `durations` (its own length when not given: held on its last frame or cut)."""
    if durations is None:
        durations = [_clip_duration(p) for p in paths]
    timeline = Timeline(
        segments=[Segment(duration=d, clip=Path(p)) for p, d in zip(paths, durations, strict=True)],
        crossfade=crossfade,
        captions=captions or [],
        caption_style=caption_style,
        narration=narration,
    )
    return assemble(timeline, out_path, size=size, fps=fps, on_progress=on_progress, check=check)


def _clip_duration(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return (container.duration or 0) / av.time_base


def make_poster(video_path: Path, poster_path: Path, *, at: float = 1.0) -> Path:
    """A JPEG of the frame at `at` seconds (or the last one, for shorter videos)."""
    chosen = None
    with av.open(str(video_path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            chosen = frame
            if frame.pts is not None and float(frame.pts * stream.time_base) >= at:
                break
    if chosen is None:
        raise ValueError(f"{video_path} has no video frames")
    chosen.to_image().save(poster_path, "JPEG", quality=88)
    return Path(poster_path)
