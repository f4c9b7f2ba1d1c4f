"""Hands jobs to django-q2, always after the surrounding transaction commits."""

import logging

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from pipeline.models import Job

logger = logging.getLogger(__name__)

RUN_TASK = "pipeline.tasks.run_job"


def job_enqueue(job_id) -> None:
    def send():
        try:
            async_task(RUN_TASK, str(job_id), group="jobs")
        except Exception as exc:  # broker down: the reaper sends it again later
            logger.warning("could not enqueue job %s: %s", job_id, exc)
            return
        Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())

    transaction.on_commit(send)


def job_enqueue_later(job_id, run_after) -> None:
    """Enqueues the job once `run_after` has passed (retry backoff)."""

    def send():
        schedule(
            RUN_TASK,
            str(job_id),
            name=f"retry {job_id} {run_after.isoformat()}",
            schedule_type=Schedule.ONCE,
            next_run=run_after,
            repeats=1,
        )
        Job.objects.filter(pk=job_id).update(enqueued_at=run_after)

    transaction.on_commit(send)
