"""Changes of a job's state. Pages, the API, the admin and the tasks all come through here."""

import shutil

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.images import image_validate_and_reencode
from pipeline.engine import lifecycle
from pipeline.engine.artifacts import job_artifacts_delete
from pipeline.engine.runner import job_workdir
from pipeline.errors import JobStateError
from pipeline.models import Job, Upload
from pipeline.quotas import (  # noqa: F401  (ActiveJobLimit and JobLimit are raised from here)
    ActiveJobLimit,
    JobLimit,
    StorageQuotaExceeded,
    job_limits_check,
    storage_check,
)
from pipeline.storyboard import scene_reseed


def job_submit(
    *, owner, kind: str, prompt: str, options: dict, title: str = "", until: str = ""
) -> Job:
    """Records an already validated job and queues it. Raises a JobLimit (ActiveJobLimit,
    StorageQuotaExceeded) when the owner may not start another job now."""
    with transaction.atomic():
        _lock_and_check_limits(owner.pk)
        job = Job.objects.create(
            owner=owner, kind=kind, prompt=prompt, options=options, title=title[:200], until=until
        )
        lifecycle.job_submitted(job_id=job.id)
    job.refresh_from_db()
    return job


def _lock_and_check_limits(owner_id) -> None:
    # Lock the owner's row so two simultaneous submissions cannot both pass the cap.
    owner = get_user_model().objects.select_for_update().get(pk=owner_id)
    job_limits_check(user=owner)


def job_cancel(*, job: Job, by=None) -> Job:
    """A queued or paused job is canceled at once; a running one is stopped by its worker
    within 2 s."""
    lifecycle.job_cancel(job_id=job.pk, by_id=getattr(by, "pk", None))
    job.refresh_from_db()
    return job


def job_retry(*, job: Job, by=None) -> Job:
    """Queues a failed or canceled job again; it resumes at its first unfinished stage."""
    with transaction.atomic():
        if lifecycle.may(job.pk, "retry"):
            _lock_and_check_limits(job.owner_id)
        lifecycle.job_retry(job_id=job.pk)
    job.refresh_from_db()
    return job


def job_continue(*, job: Job, until: str = "", by=None) -> Job:
    """Runs the rest of a paused job (up to `until`, if given)."""
    with transaction.atomic():
        if lifecycle.may(job.pk, "continue"):
            _lock_and_check_limits(job.owner_id)
        lifecycle.job_continue(job_id=job.pk, until=until)
    job.refresh_from_db()
    return job


def job_render(*, job: Job, by=None) -> Job:
    """Renders a paused job's remaining stages, or a finished job again from its newest plan
    (what did not change is reused; the video is replaced when the new one is ready)."""
    with transaction.atomic():
        if lifecycle.may(job.pk, "render"):
            _lock_and_check_limits(job.owner_id)
        lifecycle.job_render(job_id=job.pk)
    job.refresh_from_db()
    return job


def scene_regenerate(*, job: Job, index: int, by) -> Job:
    """Makes scene `index` again with a new seed (its picture, shot or generated animation)
    and renders the job; nothing else of the plan changes."""
    with transaction.atomic():
        if not lifecycle.may(job.pk, "render"):
            raise JobStateError(f"A {job.status} job cannot be rendered now.")
        scene_reseed(job=job, index=index, by=by)
        return job_render(job=job, by=by)


def job_delete(*, job: Job) -> None:
    """Deletes the job, its events, its stored artifacts and the work folder here. A running
    job's worker stops itself.

    The finished video, if any, stays in the gallery: it has a life of its own there.
    """
    workdir = job_workdir(job.pk)
    job_id = job.pk

    def delete_files():
        job_artifacts_delete(job_id=job_id)
        shutil.rmtree(workdir, ignore_errors=True)

    with transaction.atomic():
        Job.objects.filter(pk=job.pk).delete()
        transaction.on_commit(delete_files)


def upload_create(*, owner, file) -> Upload:
    """Stores a reference image after decoding and re-encoding it (nothing of the original
    file but its pixels survives)."""
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"The image is {file.size} bytes; the limit is {settings.UPLOAD_MAX_BYTES} bytes."
        )
    image = image_validate_and_reencode(
        file, max_bytes=settings.UPLOAD_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
    )
    storage_check(user=owner, adding=len(image.data))
    upload = Upload(
        owner=owner,
        format=image.format,
        width=image.width,
        height=image.height,
        size=len(image.data),
    )
    upload.file.save(f"upload.{image.format.lower()}", image.as_file(), save=False)
    upload.save()
    return upload
