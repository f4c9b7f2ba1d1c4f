"""Stages every generator ends with."""

from django.contrib.auth import get_user_model
from django.db import transaction

from gallery.services import video_create
from pipeline.errors import LeaseLost
from pipeline.media.ffmpeg import base_args
from pipeline.quotas import StorageQuotaError, StorageQuotaExceeded, storage_check


def _latest_render(ctx) -> dict:
    """The outputs of the last stage that produced a video file."""
    for stage in reversed(ctx.earlier_stages):
        outputs = ctx.outputs(stage.name)
        if outputs.get("video"):
            return outputs
    raise RuntimeError("no earlier stage produced a video")


def finalize(ctx) -> dict:
    """Makes a poster if needed and hands the video to the gallery (once)."""
    from pipeline.models import Job

    job = Job.objects.only("result_id", "title").get(pk=ctx.job_id)
    if job.result_id:
        return {"video_id": str(job.result_id)}
    render = _latest_render(ctx)
    video_path = ctx.workdir / render["video"]
    poster = render.get("poster")
    if not poster:
        poster = "poster.jpg"
        at = min(1.0, max(0.0, float(render.get("duration", 2.0)) / 2))
        ctx.run(
            [
                *base_args(),
                "-ss",
                f"{at:.2f}",
                "-i",
                video_path,
                "-frames:v",
                "1",
                "-q:v",
                "3",
                ctx.path(poster),
            ],
            label="poster",
        )
    ctx.progress(0.5, "Saving to your gallery")

    def optional(key):
        # Captions may come from a stage after the one that made the video.
        for stage in reversed(ctx.earlier_stages):
            value = ctx.outputs(stage.name).get(key)
            if value:
                return ctx.workdir / value
        return None

    # One transaction: a worker that dies half-way leaves no video without its job link. The
    # owner's row is locked so that two of their jobs finishing together cannot both pass
    # the storage quota; a video that would not fit is refused before anything is stored.
    stored, storage = [], None
    try:
        with transaction.atomic():
            owner = get_user_model().objects.select_for_update().get(pk=ctx.owner_id)
            try:
                storage_check(user=owner, adding=video_path.stat().st_size)
            except StorageQuotaExceeded as exc:
                raise StorageQuotaError(exc) from None
            video = video_create(
                owner=owner,
                job_id=ctx.job_id,
                title=job.title or render.get("title") or ctx.prompt[:80],
                video_path=video_path,
                poster_path=ctx.workdir / poster,
                vtt_path=optional("captions_vtt"),
                srt_path=optional("captions_srt"),
                captions_burned=render.get("captions_burned", False),
                loudness=render.get("loudness"),
                checks=render.get("checks"),
            )
            stored = [f.name for f in (video.file, video.poster, video.captions_vtt,
                                       video.captions_srt) if f]  # fmt: skip
            storage = video.file.storage
            if not Job.objects.filter(pk=ctx.job_id, lease=ctx.lease).update(result=video):
                raise LeaseLost()
    except Exception:
        # The row was rolled back: its files must not stay behind in storage.
        for name in stored:
            storage.delete(name)
        raise
    return {"video_id": str(video.id)}
