"""The one place that publishes job events.

Each event is a `JobEvent` row with a per-job, strictly increasing `seq`, written in the same
transaction that updates the job's snapshot (status, stage, progress...). After commit it is
sent to the Channels groups `job.<id>` and `user.<owner id>`, so a WebSocket client sees
exactly what the database holds, and a client that reconnects with `?after=<seq>` can replay
what it missed from the rows.
"""

import json
import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F

from pipeline.engine.metrics import event_tally
from pipeline.models import Job, JobEvent

logger = logging.getLogger(__name__)

# Progress can come from tight loops (frames, diffusion steps); keep at most a few a second.
_last_progress: dict[str, float] = {}
_last_progress_lock = threading.Lock()


def job_group(job_id) -> str:
    return f"job.{job_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def event_to_dict(event: JobEvent) -> dict:
    return {
        "seq": event.seq,
        "type": event.type,
        "job": str(event.job_id),
        "stage": event.stage,
        "step": event.step,
        "steps": event.steps,
        "progress": event.progress,
        "message": event.message,
        "payload": event.payload,
        "at": event.created_at.isoformat(),
    }


def _throttled(job_id: str) -> bool:
    now = time.monotonic()
    with _last_progress_lock:
        last = _last_progress.get(job_id, 0.0)
        if now - last < settings.EVENT_PROGRESS_INTERVAL:
            return True
        _last_progress[job_id] = now
        if len(_last_progress) > 10_000:
            _last_progress.clear()
    return False


def event_publish(
    *,
    job_id,
    type: str,
    stage: str = "",
    step: int | None = None,
    steps: int | None = None,
    progress: int | None = None,
    message: str = "",
    payload: dict | None = None,
    lease: str | None = None,
    force: bool = False,
) -> JobEvent | None:
    """Records an event, keeps the job's snapshot (message, progress, and the stage a
    progress event is in) up to date, and sends the event after commit.

    Changes of status are not made here: `pipeline.engine.lifecycle` makes them and calls this in
    the same transaction. With `lease`, nothing is written unless the caller still holds the
    job: a worker that lost its job to another must not speak for it. Returns None for a
    throttled progress event. Raises `Job.DoesNotExist` when the job is gone or the lease
    does not match.
    """
    if type == JobEvent.Type.PROGRESS and not force and _throttled(str(job_id)):
        return None
    message = (message or "")[:500]
    snapshot = {}
    if message:
        snapshot["message"] = message
    if progress is not None:
        snapshot["progress"] = progress
    if type == JobEvent.Type.PROGRESS and stage:
        snapshot.update(stage=stage, step=step or 0, steps=steps or 0)
    with transaction.atomic():
        jobs = Job.objects.filter(pk=job_id)
        if lease is not None:
            jobs = jobs.filter(lease=lease)
        # The update takes the row lock, so concurrent publishers get consecutive numbers.
        if not jobs.update(last_seq=F("last_seq") + 1, **snapshot):
            raise Job.DoesNotExist(f"job {job_id} is gone or held by another worker")
        seq, owner_id, kind = (
            Job.objects.filter(pk=job_id).values_list("last_seq", "owner_id", "kind").get()
        )
        event = JobEvent.objects.create(
            job_id=job_id,
            seq=seq,
            type=type,
            stage=stage or "",
            step=step,
            steps=steps,
            progress=progress,
            message=message,
            payload=payload or {},
        )
        event_tally(kind=kind, type=type, stage=event.stage, payload=event.payload)
        data = event_to_dict(event)
        transaction.on_commit(lambda: _send(data, owner_id))
    return event


def _send(data: dict, owner_id) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "job.event", "event": data, "text": json.dumps(data)}
    try:
        async_to_sync(_send_both)(layer, data["job"], owner_id, message)
    except Exception as exc:  # the row is the truth: a client that missed this replays it
        logger.warning(
            "could not send event %s#%s: %s",
            data["job"],
            data["seq"],
            exc,
            extra={"job_id": data["job"]},
        )


async def _send_both(layer, job_id, owner_id, message):
    await layer.group_send(job_group(job_id), message)
    await layer.group_send(user_group(owner_id), message)
