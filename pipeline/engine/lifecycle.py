"""A job's life: the only code that writes `Job.status`.

    queued ─claim→ running ─→ succeeded
      ↑              │  ├──→ paused (stopped after a stage: `until`) ─continue→ queued
      │              │  ├──→ failed ─retry→ queued
      └──requeue─────┘  └──→ canceled ─retry→ queued

Every transition is one conditional update (on the statuses it may leave from and, for a
worker, on its lease), followed in the same transaction by the event that tells everyone, so
running a transition twice, or from two processes at once, changes the job once. Which actions
a person may take now (`job_actions`) is derived from the same table the transitions use.
"""

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from pipeline.engine.events import event_publish
from pipeline.engine.queue import job_enqueue, job_enqueue_later
from pipeline.errors import JobStateError, LeaseLost
from pipeline.models import Job, JobEvent

Status = Job.Status

# What a person (or an API client) may do to a job in each status.
# `edit` is changing the job's plan (pipeline/storyboard.py); `render` runs a paused job's
# remaining stages, or a finished job's again from its newest plan.
ACTIONS: dict[str, tuple[str, ...]] = {
    Status.QUEUED: ("cancel", "delete"),
    Status.RUNNING: ("cancel", "delete"),
    Status.PAUSED: ("continue", "render", "edit", "cancel", "delete"),
    Status.SUCCEEDED: ("render", "edit", "delete"),
    Status.FAILED: ("retry", "edit", "delete"),
    Status.CANCELED: ("retry", "edit", "delete"),
}

# A job that leaves its worker: nobody holds it any more.
_RELEASED = {"lease": "", "heartbeat_at": None}


def job_actions(job: Job) -> list[str]:
    return list(ACTIONS.get(job.status, ()))


def statuses_allowing(action: str) -> list[str]:
    return [status for status, actions in ACTIONS.items() if action in actions]


def _transition(
    *,
    job_id,
    action: str | None = None,
    sources=None,
    lease: str | None = None,
    fields: dict,
    event: str,
    message: str,
    stage: str = "",
    progress: int | None = None,
    payload: dict | None = None,
) -> bool:
    """Moves the job to `fields["status"]` if it is in one of `sources` (or a status that
    allows `action`) and, with `lease`, still held by that lease; then publishes `event`."""
    allowed = statuses_allowing(action) if action else list(sources)
    with transaction.atomic():
        rows = Job.objects.filter(pk=job_id, status__in=allowed)
        if lease is not None:
            rows = rows.filter(lease=lease)
        if not rows.update(**fields):
            return False
        event_publish(
            job_id=job_id,
            type=event,
            stage=stage,
            progress=progress,
            message=message,
            payload=_status_payload(fields["status"], payload),
        )
    return True


def _status_payload(status: str, payload: dict | None = None) -> dict:
    # The actions ride along, so pages follow the job without deriving them again.
    return {"status": status, "actions": list(ACTIONS[status]), **(payload or {})}


def _finished(status: str) -> dict:
    return {
        "status": status,
        "finished_at": timezone.now(),
        "cancel_requested": False,
        "run_after": None,
        **_RELEASED,
    }


# --- people and the API ---------------------------------------------------------------------
def job_submitted(*, job_id) -> None:
    """Announces a job just created (its status is `queued` from birth) and queues it."""
    with transaction.atomic():
        event_publish(
            job_id=job_id,
            type=JobEvent.Type.STATUS,
            message="Queued.",
            payload=_status_payload(Status.QUEUED),
        )
        job_enqueue(job_id)


def job_cancel(*, job_id, by_id=None) -> None:
    """A queued or paused job is canceled at once; a running one is asked to stop, and its
    worker confirms with `job_canceled` (within a second or two)."""
    with transaction.atomic():
        if _transition(
            job_id=job_id,
            sources=(Status.QUEUED, Status.PAUSED),
            fields=_finished(Status.CANCELED),
            event=JobEvent.Type.CANCELED,
            message="Canceled before it started.",
            payload={"by": by_id},
        ):
            return
        if Job.objects.filter(pk=job_id, status=Status.RUNNING).update(cancel_requested=True):
            return
    raise JobStateError(f"A {_status_of(job_id)} job cannot be canceled.")


def job_retry(*, job_id) -> None:
    """A failed or canceled job goes back to the queue; it resumes at its first unfinished
    stage."""
    _queue_again(
        job_id=job_id,
        action="retry",
        fields={
            "attempts": 0,
            "cancel_requested": False,
            "error_type": "",
            "error_message": "",
            "error_hint": "",
            "finished_at": None,
            "run_after": None,
            **_RELEASED,
        },
        message="Queued again; finished stages are kept.",
        payload={"retry": True},
        refusal=lambda: f"A {_status_of(job_id)} job cannot be retried.",
    )


def job_continue(*, job_id, until: str = "") -> None:
    """A paused job runs its remaining stages (up to `until`, if given)."""
    _queue_again(
        job_id=job_id,
        action="continue",
        fields={"until": until, "paused_after": "", "attempts": 0, "finished_at": None},
        message="Continuing with the next stages.",
        payload={"until": until},
        refusal=lambda: "Only a paused job can be continued.",
    )


def job_render(*, job_id) -> None:
    """A paused job runs all its remaining stages; a finished one runs again from its newest
    plan, reusing what has not changed, and its video is replaced when the new one is ready."""
    _queue_again(
        job_id=job_id,
        action="render",
        fields={
            "until": "",
            "paused_after": "",
            "attempts": 0,
            "finished_at": None,
            "cancel_requested": False,
            "run_after": None,
        },
        message="Rendering from the newest plan.",
        payload={"render": True},
        refusal=lambda: f"A {_status_of(job_id)} job cannot be rendered now.",
    )


def _queue_again(*, job_id, action, fields, message, payload, refusal) -> None:
    """A person's `action` puts the job back in the queue, or JobStateError says why not
    (`refusal()`, asked only then)."""
    with transaction.atomic():
        if not _transition(
            job_id=job_id,
            action=action,
            fields={"status": Status.QUEUED, **fields},
            event=JobEvent.Type.STATUS,
            message=message,
            payload=payload,
        ):
            raise JobStateError(refusal())
        job_enqueue(job_id)


def may(job_id, action: str) -> bool:
    """Whether the job is, right now, in a status that allows `action`."""
    return Job.objects.filter(pk=job_id, status__in=statuses_allowing(action)).exists()


def _status_of(job_id) -> str:
    return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "deleted"


# --- workers --------------------------------------------------------------------------------
def job_claim(*, job_id, lease: str) -> bool:
    """Takes a queued job whose time has come for the worker holding `lease`."""
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Job.objects.filter(pk=job_id, status=Status.QUEUED)
            .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
            .update(
                status=Status.RUNNING,
                lease=lease,
                heartbeat_at=now,
                attempts=F("attempts") + 1,
                started_at=Coalesce(F("started_at"), now),
                run_after=None,
                message="",
            )
        )
        if not claimed:
            return False
        attempt = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).get()
        event_publish(
            job_id=job_id,
            type=JobEvent.Type.STATUS,
            message=f"Running (attempt {attempt})",
            payload=_status_payload(Status.RUNNING, {"attempt": attempt}),
        )
    return True


def job_stage_done(
    *, job_id, lease: str, stage: str, manifest: dict, message: str, progress: int, **event
) -> None:
    """Records a finished stage in the manifest (its checkpoint) and says so."""
    with transaction.atomic():
        if not Job.objects.filter(pk=job_id, status=Status.RUNNING, lease=lease).update(
            manifest=manifest
        ):
            raise LeaseLost()
        event_publish(
            job_id=job_id,
            type=JobEvent.Type.STAGE_COMPLETE,
            stage=stage,
            progress=progress,
            message=message,
            **event,
        )


def job_pause(*, job_id, lease: str, stage: str, message: str, progress: int) -> None:
    """The job stopped after `stage`, as asked (`until`); `continue` runs the rest."""
    fields = {
        "status": Status.PAUSED,
        "paused_after": stage,
        "stage": "",
        "finished_at": timezone.now(),
        **_RELEASED,
    }
    if not _transition(
        job_id=job_id,
        sources=(Status.RUNNING,),
        lease=lease,
        fields=fields,
        event=JobEvent.Type.STATUS,
        message=message,
        stage=stage,
        progress=progress,
        payload={"paused_after": stage},
    ):
        raise LeaseLost()


def job_succeed(*, job_id, lease: str) -> None:
    video_id = Job.objects.filter(pk=job_id).values_list("result_id", flat=True).first()
    fields = {**_finished(Status.SUCCEEDED), "progress": 100, "stage": ""}
    if not _transition(
        job_id=job_id,
        sources=(Status.RUNNING,),
        lease=lease,
        fields=fields,
        event=JobEvent.Type.JOB_COMPLETE,
        message="Your video is ready.",
        progress=100,
        payload={"video": str(video_id) if video_id else None},
    ):
        raise LeaseLost()


def job_fail(
    *,
    job_id,
    lease: str,
    stage: str,
    error_type: str,
    message: str,
    hint: str = "",
    permanent: bool = True,
    payload: dict | None = None,
    **fields,
) -> bool:
    """The job failed for good (or after its last attempt), with a reason a person can act
    on. Extra `fields` (a cleared manifest, say) are written with the change."""
    fields = {
        **_finished(Status.FAILED),
        "error_type": error_type,
        "error_message": message[:5000],
        "error_hint": hint,
        **fields,
    }
    return _transition(
        job_id=job_id,
        sources=(Status.RUNNING,),
        lease=lease,
        fields=fields,
        event=JobEvent.Type.ERROR,
        message=message,
        stage=stage,
        payload={"type": error_type, "hint": hint, "permanent": permanent, **(payload or {})},
    )


def job_canceled(*, job_id, lease: str, stage: str) -> bool:
    """The worker stopped a job whose cancel was asked for."""
    return _transition(
        job_id=job_id,
        sources=(Status.RUNNING,),
        lease=lease,
        fields=_finished(Status.CANCELED),
        event=JobEvent.Type.CANCELED,
        message="Canceled.",
        stage=stage,
    )


def job_requeue(
    *,
    job_id,
    lease: str,
    stage: str,
    message: str,
    run_after=None,
    event: str = JobEvent.Type.STATUS,
    payload: dict | None = None,
) -> bool:
    """A running job goes back to the queue (after `run_after`, if given): its worker hit a
    passing error, or died and was found out by the reaper."""
    fields = {"status": Status.QUEUED, "run_after": run_after, **_RELEASED}
    with transaction.atomic():
        if not _transition(
            job_id=job_id,
            sources=(Status.RUNNING,),
            lease=lease,
            fields=fields,
            event=event,
            message=message,
            stage=stage,
            payload=payload,
        ):
            return False
        if run_after is None:
            job_enqueue(job_id)
        else:
            job_enqueue_later(job_id, run_after)
    return True
