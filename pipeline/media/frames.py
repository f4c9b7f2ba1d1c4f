"""What is on screen at each frame of a timeline: the stills, slow zooms and clips its
segments show, laid on the frame grid, crossfaded, with their captions burned in; and the
parts the video is encoded in, each with what determines its frames.

Pictures are made in the encoder's own YUV (pipeline/media/yuv.py): a still is converted
once, a caption is drawn once and laid over only the rows it covers, a crossfade blends two
ready pictures, and a picture that holds (a still, a caption) has the same key from one frame
to the next, so it is computed once and handed to the encoder again for each of its frames.
"""

import bisect
import hashlib
import math
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Colorspace
from PIL import Image

from pipeline.media.captions import Cue
from pipeline.media.overlay import CaptionStyle, _Overlay
from pipeline.media.yuv import _BT709, _black, _blend, _even, _planes, _yuv

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}
MOTION_ZOOM = 1.1  # how far the slow camera moves into (or out of) a still
# The slow zoom goes most of its way (1 - 1/e) in this many seconds, then eases on towards
# MOTION_ZOOM: how far it has gone depends on the time into its scene only, so a scene made
# longer keeps its first frames (and its parts in the cache).
MOTION_SECONDS = 6.0
PART_SECONDS = 4  # the longest piece of a scene's own span


@cache
def _opencv():
    """OpenCV, imported when a zoom is first drawn: the web process imports this module (the
    generators' options use resolve_size) but never draws one. One thread for its work, as
    for x264's: parts are encoded side by side instead (pipeline/media/assemble.py), and a
    second pool of threads there only competes with them."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


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


def _cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scales to cover `size`, cropping the overflow around the centre."""
    width, height = size
    ratio = max(width / image.width, height / image.height)
    scaled = (max(width, round(image.width * ratio)), max(height, round(image.height * ratio)))
    left, top = (scaled[0] - width) / 2 / ratio, (scaled[1] - height) / 2 / ratio
    box = (left, top, left + width / ratio, top + height / ratio)
    return image.convert("RGB").resize(size, Image.Resampling.BICUBIC, box=box)


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

    Every frame is resampled, bilinearly, with OpenCV's vectorised affine warp: about 0.5 ms
    for a 1280x720 frame, a fourteenth of Pillow's resize and a sixth of what x264 spends on
    the frame. The zoom never shrinks the picture by more than MOTION_ZOOM, so sampling 2x2
    neighbours (no wider filter) cannot alias."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, zoom_in: bool):
        self.size, self.fps, self.zoom_in = size, fps, zoom_in
        width, height = size
        big = (_even(width * MOTION_ZOOM), _even(height * MOTION_ZOOM))
        with Image.open(path) as image:
            picture = _yuv(_cover(image, big))
        self.planes = [np.ascontiguousarray(p) for p in _planes(picture, big[1])]

    def key(self, local: float):
        return round(local * self.fps)

    def frame(self, local: float) -> np.ndarray:
        return self._resample(round(local * self.fps) / self.fps)

    def _resample(self, local: float) -> np.ndarray:
        cv2 = _opencv()
        gone = 1 - math.exp(-max(0.0, local) / MOTION_SECONDS)
        zoom = 1 + (MOTION_ZOOM - 1) * (gone if self.zoom_in else 1 - gone)
        width, height = self.size
        out = np.empty((height * 3 // 2, width), np.uint8)
        for plane, into in zip(self.planes, _planes(out, height), strict=True):
            rows, columns = plane.shape
            # From each output pixel's centre to where it lies in the plane: the box of
            # plane / zoom around the centre, scaled to the output.
            across, down = columns / zoom / into.shape[1], rows / zoom / into.shape[0]
            left = (columns - columns / zoom + across) / 2 - 0.5
            top = (rows - rows / zoom + down) / 2 - 0.5
            cv2.warpAffine(
                plane, np.array([[across, 0, left], [0, down, top]]), into.shape[::-1],
                dst=into, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )  # fmt: skip
        return out


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
