"""The assembler: stills and clips, crossfades, burned-in captions, narration and music, into
an H.264 (High, yuv420p) + AAC MP4 with its index at the front.

Frames go straight into the encoder with PyAV, in the encoder's own YUV: a still is converted
once, a caption is drawn once and laid over only the rows it covers, a crossfade blends two
ready pictures, and a picture that holds (a still, a caption) is computed once and handed to
the encoder again for each of its frames.

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

import bisect
import hashlib
import math
import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Colorspace
from PIL import Image, ImageDraw

from pipeline.media.captions import Cue
from pipeline.media.loudness import normalize
from pipeline.media.samples import Samples, video_samples
from pipeline.media.visuals import font

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}
AUDIO_RATE = 48000
# ultrafast with CABAC, 8x8 transforms, deblocking and adaptive quantisation back on: High
# profile, no blocks on smooth gradients, and 30% less CPU than veryfast (measured: 1.5 against
# 2.1 CPU-seconds for the benchmark timeline, 48-53 dB PSNR on its stills either way).
X264_PRESET = "ultrafast"
X264_PARAMS = "cabac=1:8x8dct=1"
MOTION_ZOOM = 1.1  # how far the slow camera moves into (or out of) a still
# The slow zoom goes most of its way (1 - 1/e) in this many seconds, then eases on towards
# MOTION_ZOOM: how far it has gone depends on the time into its scene only, so a scene made
# longer keeps its first frames (and its parts in the cache).
MOTION_SECONDS = 6.0
_BT709 = 1  # H.264 VUI code for BT.709 primaries, transfer and matrix
_MPEG_RANGE = 1  # limited ("TV") range, what players expect from H.264


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
    """A still (`image`) or a video clip (`clip`, from `start` seconds) on screen for
    `duration` seconds. Crossfades are centred on the cut, so a segment keeps its own span."""

    duration: float
    image: Path | None = None
    clip: Path | None = None
    motion: bool = False  # a slow zoom across a still
    start: float = 0.0  # where in the clip to begin


@dataclass
class CaptionStyle:
    size: int = 0  # 0: a size that suits the frame
    position: str = "bottom"  # bottom | middle | top
    outline: int = 3
    color: tuple[int, int, int] = (255, 255, 255)
    outline_color: tuple[int, int, int] = (0, 0, 0)
    box: bool = False  # a translucent dark panel behind the text
    highlight: tuple[int, int, int] | None = None  # the spoken word's colour (karaoke)
    preset: str = "plain"

    @classmethod
    def from_preset(cls, preset: str, *, size: int, position: str = "bottom") -> "CaptionStyle":
        """One of CAPTION_PRESETS at a font size (pixels): `plain` white with a thin outline,
        `boxed` on a dark panel, `bold-outline` with a heavy outline, `karaoke` like it with
        the word being spoken in yellow."""
        thin = max(2, round(size / 14))
        styles = {
            "plain": {"outline": thin},
            "boxed": {"outline": 0, "box": True},
            "bold-outline": {"outline": thin * 2},
            "karaoke": {"outline": thin * 2, "highlight": (255, 214, 10)},
        }
        if preset not in styles:
            raise ValueError(f"unknown caption preset {preset!r}: use one of {CAPTION_PRESETS}")
        return cls(size=size, position=position, preset=preset, **styles[preset])

    def side_room(self, font_size: int) -> int:
        """Pixels the outline or the panel's padding add on each side of the text."""
        return _box_padding(font_size) if self.box else self.outline


CAPTION_PRESETS = ("plain", "boxed", "karaoke", "bold-outline")


@dataclass
class Timeline:
    """What to render. With a narration the video lasts exactly as long as the voice: the last
    segment is held or cut to fit."""

    segments: list[Segment]
    crossfade: float = 0.5
    captions: list[Cue] = field(default_factory=list)
    caption_style: CaptionStyle | None = None  # None: captions are not burned in
    narration: Path | None = None
    music: Path | None = None
    music_volume: float = 0.25  # under the voice it ducks to a third of this
    loudness: float | None = None  # LUFS the mixed sound is normalised to (None: as it is)

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)


# --- pictures, as yuv420p arrays of shape (height * 3 / 2, width) ----------------------------
def _cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scales to cover `size`, cropping the overflow around the centre."""
    width, height = size
    ratio = max(width / image.width, height / image.height)
    scaled = (max(width, round(image.width * ratio)), max(height, round(image.height * ratio)))
    left, top = (scaled[0] - width) / 2 / ratio, (scaled[1] - height) / 2 / ratio
    box = (left, top, left + width / ratio, top + height / ratio)
    return image.convert("RGB").resize(size, Image.Resampling.BICUBIC, box=box)


def _yuv(image: Image.Image) -> np.ndarray:
    frame = av.VideoFrame.from_ndarray(np.asarray(image.convert("RGB")), format="rgb24")
    return frame.reformat(format="yuv420p", dst_colorspace=Colorspace.ITU709).to_ndarray()


def _planes(picture: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes inside a yuv420p array (the chroma planes need not start
    on a row of it: with height / 2 odd they do not)."""
    width = picture.shape[1]
    flat = picture.reshape(-1)
    luma, chroma = width * height, width * height // 4
    u = flat[luma : luma + chroma].reshape(height // 2, width // 2)
    v = flat[luma + chroma :].reshape(height // 2, width // 2)
    return picture[:height], u, v


class _Still:
    """A picture that holds: converted once."""

    def __init__(self, path: Path, size: tuple[int, int]):
        with Image.open(path) as image:
            self.picture = _yuv(_cover(image, size))

    def key(self, local: float):
        return 0

    def frame(self, local: float) -> np.ndarray:
        return self.picture


class _MovingStill:
    """A slow zoom, in or out by segment, slowing down as it goes (MOTION_SECONDS), computed
    on the YUV planes (resampling 1.5 bytes a pixel, with no colour conversion per frame).

    The zoom is resampled on every other frame only; the frame between two is their mean.
    Resampling costs twice what x264 spends on a frame, and a slow zoom moves the picture
    well under a pixel a frame, so the mean cannot be told from the real thing."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, zoom_in: bool):
        self.size, self.fps, self.zoom_in = size, fps, zoom_in
        width, height = size
        big = (_even(width * MOTION_ZOOM), _even(height * MOTION_ZOOM))
        with Image.open(path) as image:
            picture = _yuv(_cover(image, big))
        self.planes = [Image.fromarray(np.ascontiguousarray(p)) for p in _planes(picture, big[1])]
        self.computed: dict[int, np.ndarray] = {}

    def key(self, local: float):
        return round(local * self.fps)

    def frame(self, local: float) -> np.ndarray:
        n = round(local * self.fps)
        if n % 2 == 0:
            return self._zoomed(n)
        before, after = self._zoomed(n - 1), self._zoomed(n + 1)
        return (before >> 1) + (after >> 1) + (before & after & 1)  # their mean, in uint8

    def _zoomed(self, n: int) -> np.ndarray:
        if n not in self.computed:
            if len(self.computed) > 2:
                del self.computed[min(self.computed)]
            self.computed[n] = self._resample(n / self.fps)
        return self.computed[n]

    def _resample(self, local: float) -> np.ndarray:
        gone = 1 - math.exp(-max(0.0, local) / MOTION_SECONDS)
        zoom = 1 + (MOTION_ZOOM - 1) * (gone if self.zoom_in else 1 - gone)
        width, height = self.size
        parts = []
        for index, plane in enumerate(self.planes):
            scale = 1 if index == 0 else 2
            w, h = plane.width / zoom, plane.height / zoom
            left, top = (plane.width - w) / 2, (plane.height - h) / 2
            out = plane.resize(
                (width // scale, height // scale),
                Image.Resampling.BILINEAR,
                box=(left, top, left + w, top + h),
            )
            parts.append(np.asarray(out).reshape(-1))
        return np.concatenate(parts).reshape(-1, width)


class _ClipSource:
    """A clip's frames by time, fitted inside the frame (letterboxed, nothing cut off);
    its last frame holds past its end."""

    def __init__(self, path: Path, size: tuple[int, int], start: float):
        self.size = size
        self.container = av.open(str(path))
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        first = self.stream.start_time or 0
        self.origin = float(first * self.stream.time_base) + start
        if start > 0:
            self.container.seek(int(self.origin / self.stream.time_base), stream=self.stream)
        self.frames = self.container.decode(self.stream)
        self.current = None  # (time, av.VideoFrame)
        self.upcoming = None
        self.converted: tuple[float, np.ndarray] | None = None

    def key(self, local: float):
        while True:
            if self.upcoming is None:
                self.upcoming = next(self.frames, None)
                if self.upcoming is None:
                    break
            time = float(self.upcoming.pts * self.stream.time_base) - self.origin
            if self.current is not None and time > local + 1e-6:
                break
            self.current, self.upcoming = (time, self.upcoming), None
        return self.current[0] if self.current else None

    def frame(self, local: float) -> np.ndarray:
        if self.current is None:
            return _black(self.size)
        time, frame = self.current
        if self.converted is None or self.converted[0] != time:
            self.converted = (time, self._fit(frame))
        return self.converted[1]

    def _fit(self, frame: av.VideoFrame) -> np.ndarray:
        width, height = self.size
        ratio = min(width / frame.width, height / frame.height)
        w, h = min(width, _even(frame.width * ratio)), min(height, _even(frame.height * ratio))
        source = Colorspace.ITU709 if frame.colorspace == _BT709 else Colorspace.ITU601
        scaled = frame.reformat(
            width=w, height=h, format="yuv420p", src_colorspace=source,
            dst_colorspace=Colorspace.ITU709, interpolation="BILINEAR",
        ).to_ndarray()  # fmt: skip
        if (w, h) == self.size:
            return scaled
        canvas = _black(self.size).copy()
        x, y = (width - w) // 2 // 2 * 2, (height - h) // 2 // 2 * 2
        pairs = zip(_planes(canvas, height), _planes(scaled, h), (1, 2, 2), strict=True)
        for dst, src, scale in pairs:
            dst[y // scale : (y + h) // scale, x // scale : (x + w) // scale] = src
        return canvas

    def close(self):
        self.container.close()


def _black(size: tuple[int, int]) -> np.ndarray:
    width, height = size
    picture = np.full((height * 3 // 2, width), 128, np.uint8)
    picture[:height] = 16
    return picture


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _blend(a: np.ndarray, b: np.ndarray, weight: int) -> np.ndarray:
    """`weight`/256 of b over a. Blending YUV equals blending RGB: the conversion is affine."""
    mixed = a.astype(np.uint16) * (256 - weight) + b.astype(np.uint16) * weight
    return (mixed >> 8).astype(np.uint8)


# --- captions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaptionLayout:
    font_size: int
    box: tuple[int, int, int, int]  # the text's bounding box as drawn at (0, 0)
    width: int  # of the drawn caption, before any cut
    height: int
    cut: bool  # too big for the frame even at the smallest size: its edges are cut off


def is_tall(size: tuple[int, int]) -> bool:
    """A portrait frame (9:16), as phones play full screen."""
    return size[1] > size[0] * 1.5


def caption_margins(size: tuple[int, int]) -> tuple[float, float]:
    """Space kept clear above and below captions: a tall (9:16) frame keeps its bottom fifth
    clear, where phone players put their controls and titles."""
    height = size[1]
    return height * 0.07, height * (0.2 if is_tall(size) else 0.07)


def caption_layout(cue: Cue, size: tuple[int, int], style: CaptionStyle) -> CaptionLayout:
    """The font size that fits the cue across the frame, and how much room it takes. A line
    too wide for the frame (a long word) shrinks the font instead of running off the edge."""
    width, height = size
    font_size = style.size or max(14, round(min(width, height) / 16))
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    while True:
        box = measure.multiline_textbbox(
            (0, 0), cue.text, font=font(font_size), stroke_width=style.outline,
            align="center", spacing=font_size // 5,
        )  # fmt: skip
        padding = 2 * _box_padding(font_size) if style.box else 0  # the outline is in `box`
        if box[2] - box[0] + padding <= width * 0.94 or font_size <= 10:
            break
        font_size = int(font_size * 0.9)
    pad = _box_padding(font_size) if style.box else 2
    w, h = _even(box[2] - box[0] + 2 * pad), _even(box[3] - box[1] + 2 * pad)
    return CaptionLayout(font_size, box, w, h, cut=w > width or h > height)


def _box_padding(font_size: int) -> int:
    return max(4, font_size // 3)


def caption_image(
    cue: Cue, size: tuple[int, int], style: CaptionStyle, spoken: int | None = None
) -> tuple[Image.Image, tuple[int, int]]:
    """The cue drawn with an outline (or on a panel) on a transparent image, and where its
    top-left corner goes; with `spoken`, that word (by index in the cue) in the highlight
    colour.

    Size and position are even so the overlay lines up with 4:2:0 chroma.
    """
    width, height = size
    layout = caption_layout(cue, size, style)
    w, h, box = layout.width, layout.height, layout.box
    face, spacing = font(layout.font_size), layout.font_size // 5
    image = Image.new("RGBA", (w, h), (*style.outline_color, 0))
    draw = ImageDraw.Draw(image)
    if style.box:
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=layout.font_size // 4,
                               fill=(0, 0, 0, 170))  # fmt: skip
    stroke = {"stroke_width": style.outline, "stroke_fill": style.outline_color}
    top = (h - (box[3] - box[1])) / 2 - box[1]
    # Pillow's own spacing of multiline text, which `box` was measured with.
    line_height = draw.textbbox((0, 0), "A", font=face, stroke_width=style.outline)[3]
    line_height += style.outline + spacing
    words = iter(range(len(cue.words)))
    for row, line in enumerate(cue.lines):
        y = top + row * line_height
        x = (w - draw.textlength(line, font=face)) / 2
        draw.text((x, y), line, font=face, fill=style.color, **stroke)
        if spoken is None or style.highlight is None:
            continue
        prefix = ""
        for token in line.split():
            if next(words, None) == spoken:
                draw.text((x + draw.textlength(prefix, font=face), y), token, font=face,
                          fill=style.highlight, **stroke)  # fmt: skip
            prefix += token + " "
    if layout.cut:  # a word too long even at the smallest size: keep its middle
        left, top = max(0, (w - width) // 2 // 2 * 2), max(0, (h - height) // 2 // 2 * 2)
        w, h = min(w, width), min(h, height)
        image = image.crop((left, top, left + w, top + h))
    top_margin, bottom_margin = caption_margins(size)
    y = {"top": top_margin, "middle": (height - h) / 2}.get(
        style.position, height - bottom_margin - h
    )
    y = max(0, min(y, height - h))
    return image, ((width - w) // 2 // 2 * 2, int(y) // 2 * 2)


class _Overlay:
    """A caption in YUV with its coverage, laid over only the rows and columns it covers."""

    def __init__(self, cue: Cue, size: tuple[int, int], style: CaptionStyle, spoken=None):
        image, (self.x, self.y) = caption_image(cue, size, style, spoken)
        self.w, self.h = image.size
        alpha = np.asarray(image.getchannel("A"), np.uint16)
        chroma = alpha.reshape(self.h // 2, 2, self.w // 2, 2).mean((1, 3)).astype(np.uint16)
        self.alpha = [alpha, chroma]
        self.planes = [p.astype(np.uint16) for p in _planes(_yuv(image), self.h)]

    def over(self, picture: np.ndarray, height: int) -> np.ndarray:
        picture = picture.copy()
        for index, plane in enumerate(_planes(picture, height)):
            scale = 1 if index == 0 else 2
            alpha = self.alpha[min(index, 1)]
            rows = slice(self.y // scale, (self.y + self.h) // scale)
            cols = slice(self.x // scale, (self.x + self.w) // scale)
            below = plane[rows, cols].astype(np.uint16)
            plane[rows, cols] = (below * (255 - alpha) + self.planes[index] * alpha + 127) // 255
        return picture


# --- the timeline, frame by frame ------------------------------------------------------------
def frame_count(seconds: float, fps: int) -> int:
    """How many frames a scene of `seconds` lasts: its own length rounded, whatever comes
    before it, so a scene that only moves in time keeps its frames."""
    return max(0, math.floor(seconds * fps + 0.5 + 1e-6))


class _Frames:
    """Which picture is on screen at each frame, and a key that is equal for equal pictures.

    Scenes are laid on the frame grid by their own lengths (`frame_count`), the last one held
    or cut to the end of the video; a crossfade takes `half` frames from each side of a cut.
    Pictures depend only on a frame's place inside its scenes, never on where the scenes
    fall in the video."""

    def __init__(self, timeline: Timeline, size: tuple[int, int], fps: int, count: int):
        self.timeline, self.size, self.fps, self.count = timeline, size, fps, count
        lengths = [frame_count(s.duration, fps) for s in timeline.segments]
        self.firsts = [sum(lengths[:i]) for i in range(len(lengths))]
        self.half = max(0, min(round(timeline.crossfade * fps), min(lengths)) // 2)
        self.sources: dict[int, _Still | _MovingStill | _ClipSource] = {}
        burned = timeline.captions if timeline.caption_style else []
        self.cues = sorted(burned, key=lambda c: c.start)
        # Captions keep their place in their scene: a cue (or a karaoke word) shows from the
        # first frame at or after its time, counted from the start of the scene it begins in.
        starts = [sum(s.duration for s in timeline.segments[:i]) for i in range(len(lengths))]
        self.cue_frames = []  # per cue: (first frame, first frame after, words' first frames)
        for cue in self.cues:
            scene = max(0, bisect.bisect_right(starts, cue.start + 1e-6) - 1)

            def frame(t, scene=scene):
                return self.firsts[scene] + math.ceil((t - starts[scene]) * fps - 1e-6)

            self.cue_frames.append(
                (frame(cue.start), frame(cue.end), [frame(w.start) for w in cue.words])
            )
        self.overlay: tuple[int, _Overlay] | None = None

    def source(self, index: int):
        if index not in self.sources:
            segment = self.timeline.segments[index]
            if segment.clip is not None:
                self.sources[index] = _ClipSource(segment.clip, self.size, segment.start)
            elif segment.motion:
                self.sources[index] = _MovingStill(segment.image, self.size, self.fps,
                                                   zoom_in=index % 2 == 0)  # fmt: skip
            else:
                self.sources[index] = _Still(segment.image, self.size)
        return self.sources[index]

    def layers(self, n: int) -> list[tuple[int, int]]:
        """(segment, weight out of 256) on screen at frame n: one, or two during a crossfade."""
        firsts, half = self.firsts, self.half
        index = max(0, bisect.bisect_right(firsts, n) - 1)
        if half > 0:
            if index + 1 < len(firsts) and n >= firsts[index + 1] - half:
                return self._fade(index, n - (firsts[index + 1] - half))
            if index > 0 and n < firsts[index] + half:
                return self._fade(index - 1, n - (firsts[index] - half))
        return [(index, 256)]

    def _fade(self, index: int, into: int) -> list[tuple[int, int]]:
        weight = round((into + 0.5) * 256 / (2 * self.half))
        if weight <= 0:
            return [(index, 256)]
        if weight >= 256:
            return [(index + 1, 256)]
        return [(index, 256 - weight), (index + 1, weight)]

    def caption_at(self, n: int) -> tuple[int, int | None] | None:
        """The cue on screen at frame n and, for karaoke, the word being spoken (the last one
        begun)."""
        index = bisect.bisect_right(self.cue_frames, (n, math.inf)) - 1
        if index < 0 or n >= self.cue_frames[index][1]:
            return None
        spoken = None
        if self.timeline.caption_style.highlight is not None and self.cues[index].words:
            spoken = max(0, bisect.bisect_right(self.cue_frames[index][2], n) - 1)
        return index, spoken

    def key(self, n: int):
        layers = self.layers(n)
        self._release_before(layers[0][0])
        keys = tuple(
            (index, weight, self.source(index).key((n - self.firsts[index]) / self.fps))
            for index, weight in layers
        )
        return keys, self.caption_at(n)

    def picture(self, n: int, key) -> np.ndarray:
        layers, cue = key
        pictures = [self.source(i).frame((n - self.firsts[i]) / self.fps) for i, _, _ in layers]
        picture = pictures[0] if len(pictures) == 1 else _blend(*pictures, layers[1][1])
        if cue is not None:
            if self.overlay is None or self.overlay[0] != cue:
                style = self.timeline.caption_style
                index, spoken = cue
                self.overlay = (cue, _Overlay(self.cues[index], self.size, style, spoken))
            picture = self.overlay[1].over(picture, self.size[1])
        return picture

    def _release_before(self, index: int) -> None:
        """Frees the segments the timeline has left behind: a long video at 1080p would
        otherwise hold every picture it has shown."""
        for passed in [i for i in self.sources if i < index]:
            source = self.sources.pop(passed)
            if isinstance(source, _ClipSource):
                source.close()

    def close(self):
        self._release_before(len(self.firsts))

    # --- the parts the video is encoded in ---------------------------------------------
    def parts(self, split: bool, settings: dict) -> list["_Part"]:
        """Each scene's own span and each crossfade, as parts to encode on their own (or the
        whole video as one part, without `split`), with what determines their frames.

        A scene's span longer than PART_SECONDS is cut in pieces of that length from its
        start (the last one shorter), so that a scene encoded alone (the one edited) still
        keeps both workers busy, and a scene made longer keeps its first pieces: a piece
        depends on its place in its scene only, as the cache needs."""
        cuts = {0, self.count}
        if split:
            for first in self.firsts[1:]:
                cuts |= {first - self.half, first + self.half}
        bounds = sorted(c for c in cuts if 0 <= c <= self.count)
        digests: dict[Path, str] = {}
        parts = []
        for first, stop in zip(bounds, bounds[1:], strict=False):
            edges = [first, stop]
            if split and len(self.layers(first)) == 1:
                edges = [*range(first, stop, PART_SECONDS * self.fps), stop]
            for a, b in zip(edges, edges[1:], strict=False):
                if b > a:
                    parts.append(self._part(a, b, settings, digests))
        return parts

    def _part(self, first: int, stop: int, settings: dict, digests: dict) -> "_Part":
        shown = sorted({i for n in range(first, stop) for i, _weight in self.layers(n)})
        scenes = []
        for index in shown:
            segment = self.timeline.segments[index]
            file = segment.clip if segment.clip is not None else segment.image
            if file not in digests:
                digests[file] = _digest(file)
            scene = {"file": digests[file], "offset": first - self.firsts[index]}
            if segment.clip is not None:
                scene.update(clip=True, start=segment.start)
            elif segment.motion:  # the zoom's direction
                scene.update(motion=True, zoom_in=index % 2 == 0)
            scenes.append(scene)
        inputs = {**settings, "frames": stop - first, "fade": self.half, "scenes": scenes}
        if self.cues:
            inputs["captions"] = {
                "style": asdict(self.timeline.caption_style),
                "shown": self._captions_shown(first, stop),
            }
        name = shown[0] if len(shown) == 1 else tuple(shown)
        return _Part(first, stop, name, inputs)

    def _captions_shown(self, first: int, stop: int) -> list:
        """[from, to (frames into the part), lines, word highlighted] for each caption on
        screen in frames [first, stop)."""
        runs: list[list] = []
        for n in range(first, stop):
            cue = self.caption_at(n)
            state = None if cue is None else (self.cues[cue[0]].lines, cue[1])
            if runs and runs[-1][2] == state:
                runs[-1][1] = n - first + 1
            else:
                runs.append([n - first, n - first + 1, state])
        return [[a, b, list(state[0]), state[1]] for a, b, state in runs if state is not None]


@dataclass
class _Part:
    """Frames [first, stop) of the video, encoded on their own; `name` is the scene it shows
    (an index), or the scenes (a tuple) of a crossfade."""

    first: int
    stop: int
    name: int | tuple
    inputs: dict


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


# --- sound -----------------------------------------------------------------------------------
def read_audio(path: Path, rate: int = AUDIO_RATE) -> np.ndarray:
    """Any audio file as mono float32 samples at `rate`."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
    chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
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
    # Hold and smooth the gate so the music does not pump between words; the centred window
    # also starts the dip a moment before the voice does.
    kernel = np.ones(8, dtype=np.float32) / 8
    speaking = np.clip(np.convolve(speaking, kernel, mode="same") * 2, 0, 1)
    gain = volume * (1 - speaking * (2 / 3))
    envelope = _fit_length(np.repeat(gain, window), len(music))
    return music * envelope


def mix_audio(timeline: Timeline, length: int) -> np.ndarray:
    """Voice plus looped, ducked music, `length` samples long, normalised to the timeline's
    loudness after the ducking (so the music's share is set before the level is)."""
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
    if timeline.loudness is not None:
        track = normalize(track, timeline.loudness)
    return np.clip(track, -1.0, 1.0).astype(np.float32)


class _Sound:
    """Mixes the sound and encodes it into a file of its own (AAC in MP4) on a thread that
    starts with the assembly, so that it is ready by the time the picture's parts are: the
    join then copies its packets as it copies the picture's."""

    def __init__(self, timeline: Timeline, path: Path, samples: int):
        self.path = path
        self.error: Exception | None = None
        self.stopped = False
        self.thread = threading.Thread(target=self._encode, args=(timeline, samples), daemon=True)
        self.thread.start()

    def _encode(self, timeline: Timeline, length: int) -> None:
        try:
            samples = mix_audio(timeline, length).reshape(1, -1)
            if self.stopped:
                return
            with av.open(str(self.path), "w", format="mp4") as container:
                stream = container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
                stream.bit_rate = 96_000
                # ffmpeg's fast AAC coder: half the time of its default (twoloop) on speech,
                # and no worse at this rate (measured: 36 dB against 28 dB signal to error).
                stream.options = {"aac_coder": "fast"}
                for start in range(0, length, 1024):
                    if self.stopped:
                        return
                    frame = av.AudioFrame.from_ndarray(
                        np.ascontiguousarray(samples[:, start : start + 1024]),
                        format="fltp",
                        layout="mono",
                    )
                    frame.sample_rate, frame.pts = AUDIO_RATE, start
                    frame.time_base = Fraction(1, AUDIO_RATE)
                    for packet in stream.encode(frame):
                        container.mux(packet)
                for packet in stream.encode(None):
                    container.mux(packet)
        except Exception as error:  # raised again on the main thread by ready()
            self.error = error

    def ready(self) -> Path:
        self.thread.join()
        if self.error:
            raise self.error
        return self.path

    def stop(self) -> None:
        """Tells the thread to write nothing more, without waiting for a mix under way, so
        that a cancel stays prompt; it ends on its own."""
        self.stopped = True


# --- writing ---------------------------------------------------------------------------------
# Part of every part's cache key: raise it when a part's frames or their encoding change in a
# way its inputs do not show, so that parts encoded before are not joined with new ones.
PART_VERSION = 2
ENCODE_PARTS = 2  # parts encoded side by side
PART_SECONDS = 4  # the longest piece of a scene's own span


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
