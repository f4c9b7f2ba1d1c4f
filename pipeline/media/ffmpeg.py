"""The ffmpeg binary shipped in the imageio-ffmpeg wheel (libx264, AAC, xfade, drawtext)."""

from functools import cache


@cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def base_args() -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]


# H.264 High + yuv420p + AAC with the index at the front: plays in every browser while loading.
MP4_VIDEO = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
MP4_AUDIO = ["-c:a", "aac", "-b:a", "128k"]
MP4_CONTAINER = ["-movflags", "+faststart"]
