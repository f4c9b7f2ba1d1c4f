"""Small real video files (and things pretending to be videos) for the library's tests."""

import io
import tempfile
from fractions import Fraction

import av
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile


def clip_bytes(
    seconds=1.0,
    *,
    size=(160, 120),
    fps=10,
    codec="libx264",
    fmt="mp4",
    audio=True,
    colors=((200, 30, 30), (30, 30, 200)),
    faststart=False,
) -> bytes:
    """A clip whose first half is one colour and second half another, with a sine track."""
    with tempfile.TemporaryDirectory() as tmp:
        # faststart rewrites the file when it closes, so it needs a real one.
        path = f"{tmp}/clip.{fmt}"
        options = {"movflags": "faststart"} if faststart else {}
        _write(path, seconds, size, fps, codec, fmt, audio, colors, options)
        with open(path, "rb") as written:
            return written.read()


def _write(path, seconds, size, fps, codec, fmt, audio, colors, options):
    with av.open(path, mode="w", format=fmt, options=options) as out:
        video = out.add_stream(codec, rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        sound = out.add_stream("aac", rate=22050) if audio else None
        total = round(seconds * fps)
        for index in range(total):
            color = colors[0] if index < total / 2 else colors[1]
            picture = np.full((size[1], size[0], 3), color, np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if sound is not None:
            _sine(out, sound, seconds)


def _sine(out, stream, seconds):
    rate = 22050
    samples = int(seconds * rate)
    t = np.arange(samples) / rate
    data = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
    for start in range(0, samples, 1024):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data[:, start : start + 1024]), format="fltp", layout="mono"
        )
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def audio_only_bytes(seconds=1.0) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as out:
        _sine(out, out.add_stream("aac", rate=22050), seconds)
    return buffer.getvalue()


def upload(data: bytes, name="clip.mp4", content_type="video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
