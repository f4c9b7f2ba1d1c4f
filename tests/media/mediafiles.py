"""Small media files for the assembler's tests, and ways to look inside what it writes."""

import wave
from pathlib import Path

import av
import numpy as np
from PIL import Image


def still(path: Path, color, size=(400, 300)) -> Path:
    Image.new("RGB", size, color).save(path)
    return path


def tone(path: Path, seconds: float, *, freq=220.0, rate=22050, amplitude=0.5, during=None):
    """A mono WAV with a sine tone, only inside `during` (start, end) when given."""
    t = np.arange(int(seconds * rate)) / rate
    data = amplitude * np.sin(2 * np.pi * freq * t)
    if during:
        data *= (t >= during[0]) & (t < during[1])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((data * 32767).astype(np.int16).tobytes())
    return path


def frames(path: Path) -> list[tuple[float, np.ndarray]]:
    """Every encoded frame as (time, RGB array)."""
    with av.open(str(path)) as container:
        return [
            (float(frame.time), np.asarray(frame.to_image()).astype(int))
            for frame in container.decode(container.streams.video[0])
        ]


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The picture on screen at `seconds`: the last frame shown at or before it."""
    shown = [picture for time, picture in frames(path) if time <= seconds + 1e-3]
    return shown[-1]


def tone_level(samples: np.ndarray, freq: float, start: float, end: float, rate=48000):
    """How strong one frequency is between two times (windowed FFT magnitude)."""
    chunk = samples[int(start * rate) : int(end * rate)]
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(len(chunk))))
    bins = np.fft.rfftfreq(len(chunk), 1 / rate)
    near = np.abs(bins - freq) < 5
    return float(spectrum[near].max() / len(chunk))
