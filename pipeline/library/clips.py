"""A library clip made to fit its scene: scaled and centre-cropped to the video's frame (no
black bars), cut to the scene's length, or looped when it is shorter, at the video's frame
rate. The assembler then takes it as any other clip segment."""

import hashlib
from pathlib import Path

import av
from PIL import Image

from pipeline.media.assemble import X264_PARAMS, X264_PRESET


def _cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    width, height = size
    ratio = max(width / image.width, height / image.height)
    crop_w, crop_h = width / ratio, height / ratio
    left, top = (image.width - crop_w) / 2, (image.height - crop_h) / 2
    box = (left, top, left + crop_w, top + crop_h)
    return image.convert("RGB").resize(size, Image.Resampling.BILINEAR, box=box)


def fitted_name(source: Path, *, size, fps: int, seconds: float) -> str:
    """A file name that changes with everything the fitted clip depends on."""
    key = f"{source.name}:{source.stat().st_size}:{size}:{fps}:{seconds:.3f}"
    return f"fitted-{hashlib.sha256(key.encode()).hexdigest()[:16]}.mp4"


def clip_fit(source: Path, out_path: Path, *, size: tuple[int, int], fps: int, seconds: float,
             check=lambda: None) -> Path:  # fmt: skip
    """Writes `seconds` of `source` (looped as needed) at `size` and `fps` to `out_path`."""
    total = max(1, round(seconds * fps))
    partial = out_path.with_suffix(".part.mp4")
    written = 0
    with av.open(str(partial), mode="w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": X264_PRESET, "x264-params": X264_PARAMS, "crf": "20"}

        def emit(picture: av.VideoFrame, until: float) -> None:
            nonlocal written
            while written < total and written / fps < until:
                picture.pts = written
                out.mux(stream.encode(picture))
                written += 1

        offset = 0.0  # where this pass over the source starts on the output's clock
        while written < total:
            check()
            current = None  # (converted frame) on screen until the next source frame
            with av.open(str(source)) as container:
                video = container.streams.video[0]
                video.thread_type = "AUTO"
                origin = float((video.start_time or 0) * video.time_base)
                step = 1 / float(video.average_rate or fps)
                end = offset
                for frame in container.decode(video):
                    local = float(frame.pts * video.time_base) - origin if frame.pts else 0.0
                    if current is not None:
                        emit(current, offset + local)
                    if written >= total:
                        break
                    if current is None or written / fps < offset + local + step:
                        image = _cover(frame.to_image(), size)
                        current = av.VideoFrame.from_image(image).reformat(format="yuv420p")
                    end = offset + local + step
            if current is None:
                raise ValueError(f"{source.name} has no frames")
            emit(current, end)
            offset = end
        out.mux(stream.encode())
    partial.replace(out_path)
    return out_path
