"""Checking an uploaded video clip before it is stored.

Like pictures (accounts/images.py), a clip is untrusted: its name and content type say
nothing. PyAV (FFmpeg's demuxers) decides what the bytes are; only an MP4/MOV, Matroska or
WebM container with an H.264 video stream is kept, no longer than MEDIA_CLIP_MAX_SECONDS and no
larger than IMAGE_MAX_PIXELS a frame. The video stream alone is then copied, packet by packet,
into a fresh MP4 with its index at the front: no sound, subtitles, attachments or metadata of
the original container survive, and every packet was read, so a file cut short is noticed.

Why stream copy and not a re-encode: copying takes milliseconds and keeps the quality, while
re-encoding a two-minute 1080p clip takes a minute of CPU inside the web request; the assembler
re-encodes every frame it uses anyway. So other codecs (HEVC, VP9, AV1) are refused with a
message saying what to upload instead.
"""

import io
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import av
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

_CONTAINERS = ("mov", "mp4", "matroska", "webm")
NOT_A_VIDEO = "Upload an MP4, MOV or WebM video clip; this file is not one."


@dataclass(frozen=True)
class CleanClip:
    data: bytes  # a fresh MP4 holding only the video stream
    width: int
    height: int
    duration: float
    poster: bytes  # JPEG of the first frame


def _copy_to_disk(file, max_bytes: int, folder: Path) -> Path:
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"The clip is too large ({filesizeformat(size)}); the limit is "
            f"{filesizeformat(max_bytes)}.",
            code="file_too_large",
        )
    if hasattr(file, "seek"):
        file.seek(0)
    path = folder / "original"
    written = 0
    with path.open("wb") as out:
        while chunk := file.read(1024 * 1024):
            written += len(chunk)
            if written > max_bytes:  # the reported size lied
                raise ValidationError(
                    f"The clip is too large; the limit is {filesizeformat(max_bytes)}.",
                    code="file_too_large",
                )
            out.write(chunk)
    if not written:
        raise ValidationError("The file is empty.", code="empty")
    return path


def _declared_duration(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def clip_validate_and_remux(file, *, max_bytes: int, max_seconds: float, max_pixels: int):
    """Returns a CleanClip, or raises ValidationError with a message for the uploader."""
    with tempfile.TemporaryDirectory(prefix="clip-") as tmp:
        folder = Path(tmp)
        original = _copy_to_disk(file, max_bytes, folder)
        try:
            container = av.open(str(original), mode="r")
        except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError):
            raise ValidationError(NOT_A_VIDEO, code="invalid_video")
        with container:
            names = set((container.format.name or "").split(","))
            if not names & set(_CONTAINERS):
                raise ValidationError(NOT_A_VIDEO, code="invalid_video")
            if not container.streams.video:
                raise ValidationError(
                    "This file has no picture (it may be sound only); upload a video clip.",
                    code="no_video_stream",
                )
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            if codec != "h264":
                raise ValidationError(
                    f"The clip's video is {codec.upper()}; upload H.264 (the usual MP4 "
                    "video). Other codecs are not converted here.",
                    code="unsupported_codec",
                )
            width, height = stream.codec_context.width, stream.codec_context.height
            if width < 2 or height < 2:
                raise ValidationError(NOT_A_VIDEO, code="invalid_video")
            if width * height > max_pixels:
                raise ValidationError(
                    f"The clip's frames are too large ({width}×{height} pixels); the limit is "
                    f"{max_pixels / 1_000_000:g} megapixels.",
                    code="video_too_many_pixels",
                )
            declared = _declared_duration(container, stream)
            if declared is not None and declared > max_seconds:
                raise ValidationError(
                    f"The clip is {declared:.0f} s long; the limit is {max_seconds:g} s.",
                    code="video_too_long",
                )
            data, last_time, poster = _remux(container, stream, folder / "clean.mp4")
        duration = last_time
        if duration > max_seconds:
            raise ValidationError(
                f"The clip is {duration:.0f} s long; the limit is {max_seconds:g} s.",
                code="video_too_long",
            )
        if declared and duration < declared - max(1.0, declared * 0.05):
            raise ValidationError(
                f"The clip stops at {duration:.1f} s of the {declared:.1f} s it declares; it "
                "may be damaged or cut short.",
                code="corrupt_video",
            )
        return CleanClip(data=data, width=width, height=height, duration=duration, poster=poster)


def _remux(container, stream, out_path: Path) -> tuple[bytes, float, bytes]:
    damaged = ValidationError(
        "The clip could not be read; it may be damaged or cut short.", code="corrupt_video"
    )
    poster = None
    end = 0.0
    packets = 0
    try:
        with av.open(
            str(out_path), mode="w", format="mp4", options={"movflags": "faststart"}
        ) as out:
            target = out.add_stream_from_template(stream)
            for packet in container.demux(stream):
                if packet.dts is None:  # the demuxer's flush packet
                    continue
                if poster is None:
                    for frame in packet.decode():
                        poster = _poster(frame)
                        break
                if packet.pts is not None and packet.duration is not None:
                    end = max(end, float((packet.pts + packet.duration) * stream.time_base))
                elif packet.pts is not None:
                    end = max(end, float(packet.pts * stream.time_base))
                packet.stream = target
                out.mux(packet)
                packets += 1
    except (av.error.FFmpegError, ValueError, OSError):
        raise damaged
    if poster is None or not packets:
        raise damaged
    start = float((stream.start_time or 0) * stream.time_base) if stream.time_base else 0.0
    duration = max(0.0, end - start)
    if not math.isfinite(duration):
        raise damaged
    return out_path.read_bytes(), duration, poster


def _poster(frame) -> bytes:
    image: Image.Image = frame.to_image()
    image.thumbnail((640, 640))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
