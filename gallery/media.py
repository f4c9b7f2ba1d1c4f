"""Reading facts and the poster frame off finished media files with PyAV (the bundled
ffmpeg has no ffprobe)."""

import io
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    width: int
    height: int
    fps: float
    video_codec: str
    audio_codec: str
    audio_duration: float
    video_duration: float

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


def probe(path: Path | str) -> MediaInfo:
    with av.open(str(path)) as container:
        video = next(iter(container.streams.video), None)
        audio = next(iter(container.streams.audio), None)
        duration = (container.duration or 0) / av.time_base

        def stream_seconds(stream):
            if stream is None or stream.duration is None:
                return 0.0
            return float(stream.duration * stream.time_base)

        return MediaInfo(
            duration=float(duration),
            width=video.codec_context.width if video else 0,
            height=video.codec_context.height if video else 0,
            fps=float(video.guessed_rate or video.average_rate or 0) if video else 0.0,
            video_codec=video.codec_context.name if video else "",
            audio_codec=audio.codec_context.name if audio else "",
            audio_duration=stream_seconds(audio),
            video_duration=stream_seconds(video),
        )


def moov_before_mdat(path: Path | str) -> bool:
    """True when the MP4 index comes first, so a browser can start playing before the end."""
    with open(path, "rb") as fh:
        offset = 0
        size_total = Path(path).stat().st_size
        while offset < size_total:
            fh.seek(offset)
            header = fh.read(16)
            if len(header) < 8:
                return False
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8]
            if size == 1:
                size = int.from_bytes(header[8:16], "big")
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size < 8:
                return False
            offset += size
    return False


POSTER_MAX_WIDTH = 1280


class PosterError(Exception):
    """The video has no frame to make a poster from (no video stream, or it does not decode)."""


def poster_jpeg(source, at: float) -> bytes:
    """The first frame at or after `at` seconds (or the last one, for a shorter video)."""
    try:
        with av.open(str(source) if isinstance(source, Path) else source, mode="r") as container:
            stream = next(iter(container.streams.video), None)
            if stream is None:
                raise PosterError("The file has no video stream.")
            if at > 0 and stream.time_base:
                container.seek(int(at / stream.time_base), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is not None and frame.time >= at:
                    break
    except av.FFmpegError as exc:
        raise PosterError(f"The video could not be decoded: {exc}") from exc
    if chosen is None:
        raise PosterError("The video has no frames.")
    image = chosen.to_image()
    if image.width > POSTER_MAX_WIDTH:
        height = round(image.height * POSTER_MAX_WIDTH / image.width)
        image = image.resize((POSTER_MAX_WIDTH, max(1, height)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
