"""Hands jobs to django-q2, always after the surrounding transaction commits."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ, Schedule
from django_q.signing import BadSignature, SignedPackage
from django_q.tasks import async_task, schedule

from pipeline.models import Job

logger = logging.getLogger(__name__)

RUN_TASK = "pipeline.engine.tasks.run_job"


def job_queues() -> list[str]:
    """The django-q2 queues jobs are sent to: the default one, and GPU_CLUSTER when set.

    Named explicitly: django-q2's own default is the queue of the process that sends, which
    inside a GPU worker is the GPU queue.
    """
    default = settings.Q_CLUSTER["name"]
    return [default, settings.GPU_CLUSTER] if settings.GPU_CLUSTER else [default]


def job_cluster(kind: str) -> str:
    """The queue that runs jobs of this kind: GPU_CLUSTER for the GPU_KINDS when one is
    configured, else the default queue."""
    if settings.GPU_CLUSTER and kind in settings.GPU_KINDS:
        return settings.GPU_CLUSTER
    return job_queues()[0]


def _cluster_of(job_id) -> str:
    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    return job_cluster(kind or "")


def job_enqueue(job_id) -> None:
    def send():
        try:
            async_task(RUN_TASK, str(job_id), group="jobs", cluster=_cluster_of(job_id))
        except Exception as exc:  # broker down: sent again when it is back (pipeline.engine.broker)
            logger.warning(
                "could not enqueue job %s: %s", job_id, exc, extra={"job_id": str(job_id)}
            )
            # Not sent: the reaper's next round sends it, whenever it was last sent before.
            Job.objects.filter(pk=job_id).update(enqueued_at=None)
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
            # The default cluster's scheduler sends it on to the job's own queue.
            q_options={"cluster": _cluster_of(job_id)},
        )
        Job.objects.filter(pk=job_id).update(enqueued_at=run_after)

    transaction.on_commit(send)


def job_ids_waiting_in_broker() -> set[str]:
    """The jobs whose task sits in the broker, free for any worker to take.

    A task a cluster has already taken (running it, or holding it in its own small queue) is
    not listed: if that cluster was killed, the task is gone with it (Redis) or locked for
    hours (the ORM broker), and only sending the job again gets it run.
    """
    payloads = []
    for queue in job_queues():
        broker = get_broker(queue)
        if hasattr(broker.connection, "lrange"):  # Redis
            payloads += broker.connection.lrange(broker.list_key, 0, -1)
        else:
            payloads += OrmQ.objects.filter(
                key=broker.list_key, lock__lte=timezone.now()
            ).values_list("payload", flat=True)
    waiting = set()
    for payload in payloads:
        try:
            task = SignedPackage.loads(payload)
        except (BadSignature, TypeError, ValueError):
            continue
        if task.get("func") == RUN_TASK and task.get("args"):
            waiting.add(str(task["args"][0]))
    return waiting
