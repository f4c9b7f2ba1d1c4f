from pathlib import Path

from django.core.files import File
from django.db import transaction

from gallery.media import probe
from gallery.models import Video

TITLE_MAX = 200


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    return title[:TITLE_MAX] or "Untitled video"


@transaction.atomic
def video_create(
    *,
    owner,
    job_id,
    title: str,
    video_path: Path,
    poster_path: Path | None = None,
    vtt_path: Path | None = None,
    srt_path: Path | None = None,
) -> Video:
    """Stores a finished render through the storage API and records what it contains."""
    info = probe(video_path)
    video = Video(
        owner=owner,
        job_id=job_id,
        title=_clean_title(title),
        duration=info.duration,
        width=info.width,
        height=info.height,
        fps=info.fps,
        size=Path(video_path).stat().st_size,
        has_audio=info.has_audio,
    )
    saved = []
    for field, path in (
        ("file", video_path),
        ("poster", poster_path),
        ("captions_vtt", vtt_path),
        ("captions_srt", srt_path),
    ):
        if path:
            with open(path, "rb") as fh:
                getattr(video, field).save(Path(path).name, File(fh), save=False)
            saved.append(getattr(video, field).name)
    storage = video.file.storage
    try:
        video.save()
    except Exception:
        for name in saved:
            storage.delete(name)
        raise
    return video


def video_delete(*, video: Video) -> None:
    names = [
        f.name for f in (video.file, video.poster, video.captions_vtt, video.captions_srt) if f
    ]
    storage = video.file.storage
    video.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
