"""Loudness as platforms measure it (ITU-R BS.1770 / EBU R128), and normalisation to a target.

The measurement follows BS.1770-4 as ffmpeg's `ebur128` filter does: K-weighting (a high
shelf and a high-pass), mean square over 400 ms blocks every 100 ms, an absolute gate at
-70 LUFS and a relative gate 10 LU below the ungated mean. True peak is read on the signal
upsampled four times, so peaks between samples count.

Normalising is two passes: measure, then apply the gain that reaches the target; where that
gain would push the true peak above the ceiling, a look-ahead limiter lowers just those
peaks, and since limiting takes a little loudness away the gain is measured and set again.
"""

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import ndimage, signal

RATE = 48000
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
# Below the -1 dBTP delivery limit: AAC encoding adds up to about half a dB to peaks.
PEAK_CEILING = -2.0
TOLERANCE = 0.1  # LU: close enough to the target to stop adjusting
# Seconds of the limiter's look-ahead and smoothing: long enough to follow syllables without
# touching the waveform's shape; a voice whose every pitch period peaks high (a buzzy,
# synthetic one) only reaches the target when the gain may also move within a period.
_LIMITER_WINDOWS = (0.008, 0.002, 0.0005)


# The K-weighting filters at 48 kHz, as given in BS.1770-4 (table 1 and table 2).
_SHELF = ([1.53512485958697, -2.69169618940638, 1.19839281085285],
          [1.0, -1.69065929318241, 0.73248077421585])  # fmt: skip
_HIGH_PASS = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])


@dataclass(frozen=True)
class Loudness:
    integrated: float | None  # LUFS; None for silence (every block below the absolute gate)
    true_peak: float | None  # dBTP; None for digital silence
    range: float | None = None  # LU, the spread of the short-term loudness (EBU Tech 3342)

    def as_dict(self) -> dict:
        return {k: (None if v is None else round(v, 2)) for k, v in asdict(self).items()}


def _lufs(power):
    """Loudness of a mean square of K-weighted samples (BS.1770's -0.691 offset)."""
    return -0.691 + 10 * np.log10(np.maximum(power, 1e-20))


def _weighted(samples: np.ndarray) -> np.ndarray:
    return signal.lfilter(*_HIGH_PASS, signal.lfilter(*_SHELF, samples.astype(np.float64)))


def _gated_blocks(weighted: np.ndarray, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean squares of `seconds`-long blocks every 100 ms, above the absolute gate, and their
    loudness."""
    size, hop = round(seconds * RATE), round(0.1 * RATE)
    if len(weighted) < size:
        return np.zeros(0), np.zeros(0)
    cumulative = np.concatenate([[0.0], np.cumsum(weighted * weighted)])
    starts = np.arange(0, len(weighted) - size + 1, hop)
    powers = (cumulative[starts + size] - cumulative[starts]) / size
    loud = _lufs(powers)
    return powers[loud > ABSOLUTE_GATE], loud[loud > ABSOLUTE_GATE]


def integrated_loudness(samples: np.ndarray, *, weighted: np.ndarray | None = None):
    """Gated integrated loudness of mono samples at 48 kHz, in LUFS (None for silence)."""
    powers, loud = _gated_blocks(_weighted(samples) if weighted is None else weighted, 0.4)
    if not len(powers):
        return None
    kept = powers[loud > _lufs(powers.mean()) + RELATIVE_GATE]
    return float(_lufs(kept.mean()))


def loudness_range(samples: np.ndarray, *, weighted: np.ndarray | None = None):
    """The spread between the 10th and 95th percentiles of the gated 3 s loudness (EBU Tech
    3342: its relative gate is 20 LU down)."""
    powers, loud = _gated_blocks(_weighted(samples) if weighted is None else weighted, 3.0)
    if not len(powers):
        return None
    loud = loud[loud > _lufs(powers.mean()) - 20]
    return float(np.percentile(loud, 95) - np.percentile(loud, 10)) if len(loud) else None


def _peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Per sample, the highest magnitude the waveform reaches around it (4x oversampled)."""
    if not len(samples):
        return np.zeros(0)
    # In single precision: half the time, and a peak's level is read to far better than the
    # 0.01 dB it is reported in.
    upsampled = np.abs(signal.resample_poly(samples.astype(np.float32), 4, 1))
    return np.maximum(upsampled[: len(samples) * 4].reshape(-1, 4).max(axis=1), np.abs(samples))


def true_peak(samples: np.ndarray) -> float | None:
    if not len(samples):
        return None
    peak = float(_peak_envelope(samples).max())
    return 20 * math.log10(peak) if peak > 0 else None


def measure(samples: np.ndarray) -> Loudness:
    weighted = _weighted(samples)
    return Loudness(
        integrated_loudness(samples, weighted=weighted),
        true_peak(samples),
        loudness_range(samples, weighted=weighted),
    )


def limit(
    samples: np.ndarray,
    ceiling_db: float = PEAK_CEILING,
    *,
    gain: float = 1.0,
    envelope: np.ndarray | None = None,
    window: float = _LIMITER_WINDOWS[0],
) -> np.ndarray:
    """Lowers the peaks that reach above `ceiling_db` (true peak) and leaves the rest alone.

    The gain each sample needs is spread over a short window both ways (the minimum, then a
    moving average of the same width): the average at a sample only takes in gains at most
    the one it needs itself, so no peak passes, and the gain changes smoothly, which keeps the
    limiting from crackling.

    `gain` is applied first; `envelope` is the samples' `_peak_envelope`, when already known
    (it scales with the gain, so the passes of `normalize` compute it once)."""
    ceiling = 10 ** (ceiling_db / 20)
    if envelope is None:
        envelope = _peak_envelope(samples)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope * gain, 1e-12))
    if needed.min() >= 1.0:
        return (samples * gain).astype(np.float32)
    width = max(1, round(window * RATE)) | 1
    smooth = ndimage.uniform_filter1d(ndimage.minimum_filter1d(needed, width), width)
    return (samples * (gain * np.minimum(smooth, needed))).astype(np.float32)


def normalize(samples: np.ndarray, target: float, *, ceiling: float = PEAK_CEILING,
              passes: int = 6) -> np.ndarray:  # fmt: skip
    """`samples` at `target` LUFS integrated with its true peak at or below `ceiling` dBTP.
    Silence is returned unchanged."""
    current = integrated_loudness(samples)
    if current is None:
        return samples
    envelope = _peak_envelope(samples)
    best = None  # (distance from the target, samples)
    for window in _LIMITER_WINDOWS:
        gain_db, previous = target - current, None
        for _ in range(passes):
            out = limit(samples, ceiling, gain=10 ** (gain_db / 20), envelope=envelope,
                        window=window)  # fmt: skip
            reached = integrated_loudness(out)
            if reached is None:
                return out
            if best is None or abs(reached - target) < best[0]:
                best = (abs(reached - target), out)
            if abs(reached - target) <= TOLERANCE:
                return out
            gain_db, previous = _next_gain(gain_db, reached, target, previous), (gain_db, reached)
        if best[0] <= 2 * TOLERANCE:
            break
    return best[1]


def _next_gain(gain_db: float, reached: float, target: float, previous) -> float:
    """The gain to try next: where the line through the last two tries reaches the target (a
    secant step). The limiter takes back part of each dB added, so a dB of gain brings at
    most a LU of loudness: the step is at least the distance left, and at most eight times
    it, so a flat stretch cannot send the gain far off."""
    missing = target - reached
    if previous is None or abs(reached - previous[1]) < 1e-6:
        return gain_db + missing
    slope = (gain_db - previous[0]) / (reached - previous[1])
    return gain_db + missing * min(max(slope, 1.0), 8.0)
