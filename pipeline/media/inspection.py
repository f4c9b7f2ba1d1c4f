"""A look at every finished video before it is delivered, as a person watching it would.

Every frame is decoded (any frame that fails to decode fails the check) and reduced to a
coarse grid of luma samples, enough to see a black or frozen picture without converting
colours; a video the assembler joined from parts brings those samples with it, taken from
each part as it was made (pipeline/media/samples.py). The sound is decoded and measured
(loudness, clipping). What was meant to be in the video (the timeline) says what to expect:
the narration's silences, the captions' layout and length, and where a scene asks for a
picture that stands still.

Findings are `error`s when the video cannot be delivered as it is (it does not decode, it has
no sound though sound was meant, its picture, sound and captions disagree in length) and
`warning`s otherwise: the user sees those next to the video.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from pipeline.media.captions import MAX_LINES, Cue
from pipeline.media.frames import Timeline
from pipeline.media.loudness import Loudness, measure
from pipeline.media.overlay import caption_layout, caption_margins
from pipeline.media.samples import Samples, packet_count, video_samples
from pipeline.media.sound import AUDIO_RATE, read_audio

ERROR, WARNING = "error", "warning"
LONGEST_STILL = 2.0  # seconds of black or frozen picture, or of silence, before it is a finding
DURATION_TOLERANCE = 0.2  # seconds video, audio and captions may differ by
LOUDNESS_TOLERANCE = 1.0  # LU around the target
PEAK_LIMIT = -1.0  # dBTP
_BLACK_LUMA = 24  # limited range: black is 16
_FROZEN_CHANGE = 1.0  # mean luma change (of 255) from the start of a still stretch
_SILENCE_DB = -45.0  # dBFS over 50 ms windows
_CLIP_LEVEL = 0.999


@dataclass
class Expected:
    """What the video was meant to be."""

    audio: bool = True
    captions: list[Cue] = field(default_factory=list)
    caption_style: object | None = None  # a CaptionStyle when the captions are burned in
    size: tuple[int, int] | None = None
    narration: Path | None = None
    # Where the picture is asked to stand still (a still with no camera motion, a slide).
    still_spans: list[tuple[float, float]] = field(default_factory=list)
    loudness_target: float | None = None

    @classmethod
    def from_timeline(cls, timeline: Timeline, *, size, loudness_target=None,
                      still_spans=None) -> "Expected":  # fmt: skip
        if still_spans is None:
            still_spans, clock = [], 0.0
            for segment in timeline.segments:
                if segment.image is not None and not segment.motion:
                    still_spans.append((clock, clock + segment.duration))
                clock += segment.duration
        return cls(
            audio=bool(timeline.narration or timeline.music),
            captions=list(timeline.captions),
            caption_style=timeline.caption_style,
            size=size,
            narration=timeline.narration,
            still_spans=still_spans,
            loudness_target=loudness_target,
        )


@dataclass
class Inspection:
    checks: list[dict]
    loudness: Loudness | None
    video_seconds: float
    audio_seconds: float | None

    @property
    def errors(self) -> list[dict]:
        return [c for c in self.checks if c["level"] == ERROR]

    def summary(self) -> str:
        return "; ".join(c["message"] for c in self.errors)


def _finding(code: str, level: str, message: str, start=None, end=None) -> dict:
    found = {"code": code, "level": level, "message": message}
    if start is not None:
        found.update(start=round(start, 2), end=round(end, 2))
    return found


def inspect_video(path: Path, expected: Expected, samples: Samples | None = None) -> Inspection:
    """The findings about the video at `path`. `samples`: its picture's, when the assembler
    has them from the parts it joined (see pipeline/media/samples.py); else it is decoded."""
    # The sound is read and measured on a second thread while the picture decodes: both
    # spend their time in code that lets go of the GIL (the decoder, numpy and scipy).
    with ThreadPoolExecutor(max_workers=1) as pool:
        sound = pool.submit(_sound, path, expected)
        try:
            if samples is None:
                samples = video_samples(path)
            elif (count := packet_count(path)) != len(samples):
                raise ValueError(f"it holds {count} frames where its parts had {len(samples)}")
        except (av.FFmpegError, ValueError) as error:
            finding = _finding("decode", ERROR, f"The video does not decode: {error}")
            return Inspection([finding], None, 0.0, None)
        missing, sound_checks, loudness, audio_seconds = sound.result()
    times = samples.spans()
    video_seconds = samples.end
    checks = missing + _durations(video_seconds, audio_seconds, expected.captions)
    checks += _stills(times, samples.grids, expected.still_spans)
    checks += sound_checks + _captions(expected)
    return Inspection(checks, loudness, video_seconds, audio_seconds)


def _sound(path: Path, expected: Expected):
    """What is found about the sound: the finding that it is missing (where it was meant to
    be there), the others (clipping, loudness, the narration's silences), its loudness and
    its length."""
    missing, checks = [], []
    audio = _audio(path)
    if audio is None:
        if expected.audio:
            missing.append(_finding("no_audio", ERROR, "The video has no sound."))
        loudness, audio_seconds = None, None
    else:
        audio_seconds = len(audio) / AUDIO_RATE
        loudness = measure(audio)
        checks += _clipping(audio, "audio_clipping", "The sound clips")
        checks += _loudness(loudness, expected.loudness_target)
    if expected.narration:
        checks += _silences(read_audio(expected.narration))
        # At its own rate: resampling would round a lone full-scale peak into a flat top.
        with av.open(str(expected.narration)) as container:
            rate = container.streams.audio[0].rate
        recorded = read_audio(expected.narration, rate=rate)
        checks += _clipping(
            recorded, "narration_clipping", "The recorded narration clips", rate, flat=True
        )
    return missing, checks, loudness, audio_seconds


# --- reading -------------------------------------------------------------------------------
def _audio(path: Path) -> np.ndarray | None:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
    return read_audio(path)


# --- checks --------------------------------------------------------------------------------
def _durations(video: float, audio: float | None, captions: list[Cue]) -> list[dict]:
    found = []
    if audio is not None and abs(video - audio) > DURATION_TOLERANCE:
        found.append(_finding(
            "duration", ERROR,
            f"The picture lasts {video:.2f} s but the sound {audio:.2f} s.",
        ))  # fmt: skip
    last = max((c.end for c in captions), default=0.0)
    if last > video + DURATION_TOLERANCE:
        found.append(_finding(
            "duration", ERROR,
            f"The captions run to {last:.2f} s but the video ends at {video:.2f} s.",
        ))  # fmt: skip
    return found


def _allowed(start: float, end: float, spans) -> bool:
    """Whether a stretch lies inside the spans where standing still was asked for (allowing
    for the half a second a crossfade takes from either side)."""
    return any(start >= a - 0.3 and end <= b + 0.3 for a, b in spans)


def _runs(flags: list[bool], times) -> list[tuple[float, float]]:
    """(start, end) of each stretch of frames whose flag is set."""
    runs, begin = [], None
    for flag, (start, _end) in zip([*flags, False], [*times, (times[-1][1], None)], strict=True):
        if flag and begin is None:
            begin = start
        elif not flag and begin is not None:
            runs.append((begin, start))
            begin = None
    return runs


def _stills(times, luma: np.ndarray, spans) -> list[dict]:
    dark = (
        (luma.mean(axis=(1, 2)) < _BLACK_LUMA) & (luma.max(axis=(1, 2)) < 2 * _BLACK_LUMA)
    ).tolist()
    luma = luma.astype(np.int16)  # differences below
    # Frozen: no change from the first frame of the stretch (not from the frame before, which
    # a slow zoom would pass), and not black (that is reported as black).
    frozen, anchor, begin = [], None, None
    for index, grid in enumerate(luma):
        if anchor is not None and np.abs(grid - anchor).mean() < _FROZEN_CHANGE:
            continue
        # By time, not frames: at a variable frame rate one frame may hold for seconds.
        if begin is not None and not dark[begin]:
            frozen.append((times[begin][0], times[index - 1][1]))
        anchor, begin = grid, index
    if not dark[begin]:
        frozen.append((times[begin][0], times[-1][1]))
    found = []
    for kind, runs, words in (("black", _runs(dark, times), "is black"),
                              ("frozen", frozen, "stands still")):  # fmt: skip
        for start, end in runs:
            if end - start > LONGEST_STILL and not _allowed(start, end, spans):
                found.append(_finding(
                    kind, WARNING, f"The picture {words} from {start:.1f} s to {end:.1f} s.",
                    start, end,
                ))  # fmt: skip
    return found


def _silences(samples: np.ndarray) -> list[dict]:
    window = AUDIO_RATE // 20
    count = len(samples) // window
    if not count:
        return []
    power = (samples[: count * window].reshape(count, window) ** 2).mean(axis=1)
    quiet = 10 * np.log10(np.maximum(power, 1e-12)) < _SILENCE_DB
    found, start = [], None
    for index, silent in enumerate([*quiet, False]):
        if silent and start is None:
            start = index
        elif not silent and start is not None:
            seconds = (index - start) * window / AUDIO_RATE
            if seconds > LONGEST_STILL:
                a, b = start * window / AUDIO_RATE, index * window / AUDIO_RATE
                found.append(_finding(
                    "silence", WARNING, f"The narration is silent from {a:.1f} s to {b:.1f} s.",
                    a, b,
                ))  # fmt: skip
            start = None
    return found


def _clipping(samples: np.ndarray, code: str, what: str, rate: int = AUDIO_RATE,
              flat: bool = False) -> list[dict]:  # fmt: skip
    """Three samples in a row at full scale: the waveform was cut off there. In a recording
    (`flat`) they must also be equal: a loud low tone passes near full scale for a few
    samples without being cut."""
    hot = np.abs(samples) >= _CLIP_LEVEL
    runs = hot[:-2] & hot[1:-1] & hot[2:]
    if flat:
        runs &= (samples[:-2] == samples[1:-1]) & (samples[1:-1] == samples[2:])
    places = np.flatnonzero(runs)
    if not len(places):
        return []
    first = places[0] / rate
    return [_finding(code, WARNING, f"{what} ({len(places)} samples, first at {first:.1f} s).",
                     first, places[-1] / rate)]  # fmt: skip


def _loudness(loudness: Loudness, target: float | None) -> list[dict]:
    """Only when a target is set: without one the level is kept as recorded, on purpose."""
    found = []
    if target is None:
        return found
    if loudness.integrated is not None:
        if abs(loudness.integrated - target) > LOUDNESS_TOLERANCE:
            found.append(_finding("loudness", WARNING, (
                f"The sound is at {loudness.integrated:.1f} LUFS, not {target:g}."
            )))  # fmt: skip
    if loudness.true_peak is not None and loudness.true_peak > PEAK_LIMIT:
        found.append(_finding("true_peak", WARNING, (
            f"The sound peaks at {loudness.true_peak:.1f} dBTP (over {PEAK_LIMIT:g})."
        )))  # fmt: skip
    return found


def _captions(expected: Expected) -> list[dict]:
    found = []
    long = [c for c in expected.captions if len(c.lines) > MAX_LINES]
    if long:
        found.append(_finding(
            "caption_lines", WARNING,
            f"{len(long)} caption(s) take more than {MAX_LINES} lines, the first at "
            f"{long[0].start:.1f} s.", long[0].start, long[0].end,
        ))  # fmt: skip
    if expected.caption_style is None or expected.size is None:
        return found
    width, height = expected.size
    top, bottom = caption_margins(expected.size)
    for cue in expected.captions:
        layout = caption_layout(cue, expected.size, expected.caption_style)
        room = height - top - bottom if expected.caption_style.position != "middle" else height
        if layout.cut or layout.height > room:
            found.append(_finding(
                "caption_frame", WARNING,
                f"A caption at {cue.start:.1f} s does not fit in the frame.", cue.start, cue.end,
            ))  # fmt: skip
            break
    return found
