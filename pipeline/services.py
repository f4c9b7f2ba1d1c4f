"""Changes of a job's state. Pages, the API, the admin and the tasks all come through here."""

import shutil

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.images import image_validate_and_reencode
from pipeline.events import event_publish
from pipeline.models import Job, JobEvent, Upload
from pipeline.queue import job_enqueue
from pipeline.quotas import (  # noqa: F401  (ActiveJobLimit and JobLimit are raised from here)
    ActiveJobLimit,
    JobLimit,
    StorageQuotaExceeded,
    job_limits_check,
    storage_check,
)
from pipeline.runner import job_workdir


class JobStateError(Exception):
    """The job is not in a state that allows this (cancel a finished job, retry a running one)."""


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
        _queued(job.id, "Queued.")
    job.refresh_from_db()
    return job


def _lock_and_check_limits(owner_id) -> None:
    # Lock the owner's row so two simultaneous submissions cannot both pass the cap.
    owner = get_user_model().objects.select_for_update().get(pk=owner_id)
    job_limits_check(user=owner)


def _queued(job_id, message: str, **payload) -> None:
    """Says the job is queued (an event) and hands it to the queue after commit."""
    event_publish(
        job_id=job_id,
        type=JobEvent.Type.STATUS,
        message=message,
        payload={"status": Job.Status.QUEUED, **payload},
    )
    job_enqueue(job_id)


def job_cancel(*, job: Job, by=None) -> Job:
    """A queued job is canceled at once; a running one is stopped by its worker within 2 s."""
    with transaction.atomic():
        now = timezone.now()
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.CANCELED, finished_at=now, run_after=None
        ):
            event_publish(
                job_id=job.pk,
                type=JobEvent.Type.CANCELED,
                message="Canceled before it started.",
                payload={"status": Job.Status.CANCELED, "by": getattr(by, "pk", None)},
            )
        elif Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True):
            pass  # the worker publishes `canceled` when it has stopped
        else:
            raise JobStateError(f"A {job.status} job cannot be canceled.")
    job.refresh_from_db()
    return job


def job_retry(*, job: Job, by=None) -> Job:
    """Queues a failed or canceled job again; it resumes at its first unfinished stage."""
    with transaction.atomic():
        retryable = (Job.Status.FAILED, Job.Status.CANCELED)
        if Job.objects.filter(pk=job.pk, status__in=retryable).exists():
            _lock_and_check_limits(job.owner_id)
        updated = Job.objects.filter(pk=job.pk, status__in=retryable).update(
            status=Job.Status.QUEUED,
            attempts=0,
            cancel_requested=False,
            error_type="",
            error_message="",
            error_hint="",
            finished_at=None,
            run_after=None,
            lease="",
        )
        if not updated:
            raise JobStateError(f"A {job.status} job cannot be retried.")
        _queued(job.pk, "Queued again; finished stages are kept.", retry=True)
    job.refresh_from_db()
    return job


def job_continue(*, job: Job, until: str = "", by=None) -> Job:
    """Runs the rest of a job that stopped after a stage (up to `until`, if given)."""
    with transaction.atomic():
        stopped = Job.objects.filter(
            pk=job.pk, status=Job.Status.SUCCEEDED, result__isnull=True
        ).exclude(stopped_after="")
        if stopped.exists():
            _lock_and_check_limits(job.owner_id)
        updated = stopped.update(
            status=Job.Status.QUEUED,
            until=until,
            stopped_after="",
            finished_at=None,
            attempts=0,
        )
        if not updated:
            raise JobStateError("Only a job that stopped after a stage can be continued.")
        _queued(job.pk, "Continuing with the next stages.", until=until)
    job.refresh_from_db()
    return job


def job_delete(*, job: Job) -> None:
    """Deletes the job, its events and its work files. A running job's worker stops itself.

    The finished video, if any, stays in the gallery: it has a life of its own there.
    """
    workdir = job_workdir(job.pk)
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).delete()
        transaction.on_commit(lambda: shutil.rmtree(workdir, ignore_errors=True))


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
