"""Hands a job's rendered video to the gallery, once, after its generator's last stage.

This is the engine's work, not a generator's: it checks the owner's storage quota, stores the
video with its poster and captions, and links it to the job, all while the worker still holds
the job's lease.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from gallery.models import Video
from gallery.services import video_create, video_revise
from pipeline.errors import LeaseLost
from pipeline.models import Job
from pipeline.quotas import StorageQuotaError, StorageQuotaExceeded, storage_check

# What the stage that made the video says about it: the file, and what the check before
# delivery found (loudness, checks, whether the captions are burned in).
RENDER_KEYS = ("video", "duration", "title", "poster", "loudness", "checks", "captions_burned")


def render_outputs(records: list[dict]) -> dict | None:
    """What the stages (outputs in stage order) say about the finished video: the newest
    `video` with its RENDER_KEYS, and the newest captions files; None when no stage made a
    video."""
    found: dict = {}
    for outputs in reversed(records):
        if "video" not in found and outputs.get("video"):
            found.update({k: outputs[k] for k in RENDER_KEYS if k in outputs})
        for key in ("captions_vtt", "captions_srt"):
            if key not in found and outputs.get(key):
                found[key] = outputs[key]
    return found if "video" in found else None


def job_video_publish(*, job_id, lease: str, workdir: Path, records: list[dict]) -> str | None:
    """Stores the render named by the stages' outputs as the job's gallery video and returns
    its id. Running it again after a crash finds the video already linked and does nothing.
    A generator whose stages make no video (the pipeline benchmark's no-op) ends without one."""
    job = Job.objects.only("result_id", "title", "prompt", "owner_id", "plan_revision").get(
        pk=job_id
    )
    published = Video.objects.filter(pk=job.result_id).first() if job.result_id else None
    if published is not None and published.plan_revision >= job.plan_revision:
        return str(published.id)  # made from this plan already
    render = render_outputs(records)
    if render is None:
        return None
    video_path = workdir / render["video"]

    def local(key):
        return workdir / render[key] if render.get(key) else None

    # One transaction: a worker that dies half-way leaves no video without its job link. The
    # owner's row is locked so that two of their jobs finishing together cannot both pass
    # the storage quota; a video that would not fit is refused before anything is stored.
    stored, storage = [], None
    try:
        with transaction.atomic():
            owner = get_user_model().objects.select_for_update().get(pk=job.owner_id)
            adding = video_path.stat().st_size - (published.size if published else 0)
            try:
                storage_check(user=owner, adding=max(0, adding))
            except StorageQuotaExceeded as exc:
                raise StorageQuotaError(exc) from None
            files = {
                "video_path": video_path,
                "poster_path": local("poster"),
                "vtt_path": local("captions_vtt"),
                "srt_path": local("captions_srt"),
                "captions_burned": render.get("captions_burned", False),
                "loudness": render.get("loudness"),
                "checks": render.get("checks"),
                "plan_revision": job.plan_revision,
            }
            if published is not None:
                # A render after the plan was edited: a new version of the same video.
                video = video_revise(video=published, **files)
            else:
                video = video_create(
                    owner=owner,
                    job_id=job_id,
                    title=job.title or render.get("title") or job.prompt[:80],
                    **files,
                )
            stored = [getattr(video, name).name for name in video.FILE_FIELDS
                      if getattr(video, name)]  # fmt: skip
            storage = video.file.storage
            if not Job.objects.filter(pk=job_id, lease=lease).update(result=video):
                raise LeaseLost()
    except Exception:
        # The row was rolled back: its files must not stay behind in storage.
        for name in stored:
            storage.delete(name)
        raise
    return str(video.id)
