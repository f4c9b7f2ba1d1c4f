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
    """A mono WAV with a sine tone, only inside `during` (start, end), or a list of them, when
    given."""
    t = np.arange(int(seconds * rate)) / rate
    data = amplitude * np.sin(2 * np.pi * freq * t)
    if during:
        spans = [during] if isinstance(during[0], int | float) else during
        data *= np.any([(t >= a) & (t < b) for a, b in spans], axis=0)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(data, -1, 1) * 32767).astype(np.int16).tobytes())
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


def speechlike(path: Path, seconds: float, *, rate=22050, seed=0) -> Path:
    """A mono WAV shaped like a recorded voice: syllable-long bursts of a buzzy tone with
    short pauses, peaking at full scale as TTS engines write it (a high crest factor)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    voice = sum(np.cos(2 * np.pi * k * np.cumsum(pitch) / rate) for k in range(1, 13))
    syllables = np.clip(np.sin(2 * np.pi * 3.5 * t + rng.uniform(0, 6)), 0, None) ** 4
    words = (np.sin(2 * np.pi * 0.4 * t) > -0.6).astype(float)
    data = voice * syllables * words
    data /= np.abs(data).max()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((data * 32767).astype(np.int16).tobytes())
    return path


def ebur128(path: Path) -> dict:
    """Integrated loudness, true peak and range as ffmpeg's ebur128 filter measures them."""
    import re
    import subprocess

    from pipeline.media.ffmpeg import ffmpeg_exe

    command = [ffmpeg_exe(), "-nostats", "-hide_banner", "-i", str(path),
               "-filter_complex", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    log = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    summary = log[log.rindex("Summary:") :]

    def number(pattern):
        return float(re.search(pattern, summary).group(1))

    return {
        "integrated": number(r"I:\s+(-?[\d.]+) LUFS"),
        "true_peak": number(r"Peak:\s+(-?[\d.]+) dBFS"),
        "range": number(r"LRA:\s+(-?[\d.]+) LU"),
    }


def mismatched(path: Path, video_seconds: float, audio_seconds: float, size=(160, 90), fps=10):
    """An MP4 whose picture and sound differ in length (which the assembler never writes)."""
    from fractions import Fraction

    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = *size, "yuv420p"
        audio = container.add_stream("aac", rate=48000, layout="mono")
        rng = np.random.default_rng(0)
        for n in range(round(video_seconds * fps)):
            picture = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = n, Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
        container.mux(video.encode(None))
        t = np.arange(round(audio_seconds * 48000)) / 48000
        samples = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, start : start + 1024]), format="fltp",
                layout="mono",
            )  # fmt: skip
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            for packet in audio.encode(frame):
                container.mux(packet)
        container.mux(audio.encode(None))
    return path
