"""Durable counters behind the Prometheus metrics: stage durations and job outcomes.

They are written in the transaction of the event that reports the stage or the end of the
job (pipeline/engine/events.py), so a worker that loses its job half-way counts nothing, and any web
process can read every worker's figures from the database.
"""

import math

from django.db import IntegrityError, transaction
from django.db.models import F

from pipeline.models import Job, JobEvent, JobOutcomeCount, StageDurationBucket

# Upper bounds in seconds: stages take from a fraction of a second (planning a demo) to an
# hour (text-to-video on a CPU).
STAGE_DURATION_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
                          1800.0, 3600.0)  # fmt: skip


def bucket_label(bound: float) -> str:
    """The `le` label Prometheus uses for a bound: 0.5, 1.0, +Inf."""
    if math.isinf(bound):
        return "+Inf"
    return repr(float(bound))


def _add(rows, create: dict, **increments) -> None:
    """Adds to a counter row, creating it the first time (once, even when two workers race)."""
    changes = {field: F(field) + value for field, value in increments.items()}
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            rows.model.objects.create(**create, **increments)
    except IntegrityError:
        rows.update(**changes)


def stage_duration_record(*, kind: str, stage: str, seconds: float) -> None:
    bound = next((b for b in STAGE_DURATION_BUCKETS if seconds <= b), math.inf)
    key = {"kind": kind, "stage": stage, "le": bucket_label(bound)}
    _add(StageDurationBucket.objects.filter(**key), key, count=1, sum=float(seconds))


def job_outcome_record(*, kind: str, outcome: str) -> None:
    key = {"kind": kind, "outcome": outcome}
    _add(JobOutcomeCount.objects.filter(**key), key, count=1)


def event_tally(*, kind: str, type: str, stage: str, payload: dict) -> None:
    """Counts what an event says: a stage's duration, or the job's end (the events of the
    lifecycle's transitions carry the new status)."""
    if type == JobEvent.Type.STAGE_COMPLETE and stage and "seconds" in payload:
        stage_duration_record(kind=kind, stage=stage, seconds=float(payload["seconds"]))
    if payload.get("status") in Job.FINISHED:
        job_outcome_record(kind=kind, outcome=str(payload["status"]))
