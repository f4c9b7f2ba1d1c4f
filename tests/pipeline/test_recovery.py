"""Jobs whose worker died are found and moved on, exactly once."""

import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from pipeline.engine.runner import _lease_holder_is_dead, _new_lease, job_run, jobs_reap
from pipeline.models import Job, JobEvent

# The runner's heartbeat reads the job on a connection of its own, as in a worker, so
# the rows it reads must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def dead_lease() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:1:deadbeef"


def mark_running(job, *, lease, heartbeat_age=0, **fields):
    Job.objects.filter(pk=job.pk).update(
        status="running",
        lease=lease,
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_age),
        attempts=1,
        stage="frames",
        **fields,
    )


def test_a_lease_of_this_process_is_alive_and_of_an_exited_one_is_dead():
    assert not _lease_holder_is_dead(_new_lease())
    assert _lease_holder_is_dead(dead_lease())
    assert not _lease_holder_is_dead("other-host:1:1:abc")  # judged by heartbeat instead


def test_job_of_a_killed_worker_is_queued_again_at_once(make_job):
    job = make_job()
    mark_running(job, lease=dead_lease(), enqueued_at=None)

    assert jobs_reap() == 1

    job.refresh_from_db()
    assert job.status == "queued" and job.lease == ""
    last = JobEvent.objects.filter(job=job).last()
    assert last.type == "status" and last.payload["recovered"] is True
    assert job.enqueued_at is not None, "the job must be sent to the queue again"
    assert jobs_reap() == 0  # once only
    assert job_run(job_id=job.id) == "succeeded"


def test_job_with_a_fresh_heartbeat_from_a_live_worker_is_left_alone(make_job):
    job = make_job()
    mark_running(job, lease=_new_lease())
    assert jobs_reap() == 0
    assert Job.objects.get(pk=job.pk).status == "running"


def test_job_with_a_stale_heartbeat_from_another_host_is_recovered(make_job, settings):
    settings.JOB_STALE_SECONDS = 10
    job = make_job()
    mark_running(job, lease="elsewhere:123:1:abc", heartbeat_age=11)
    assert jobs_reap() == 1
    assert Job.objects.get(pk=job.pk).status == "queued"


def test_dead_job_that_was_being_canceled_ends_canceled(make_job):
    job = make_job()
    mark_running(job, lease=dead_lease(), cancel_requested=True)
    jobs_reap()
    job.refresh_from_db()
    assert job.status == "canceled"
    assert JobEvent.objects.filter(job=job).last().type == "canceled"


def test_job_that_keeps_killing_its_worker_fails_after_max_attempts(make_job, settings):
    settings.JOB_MAX_ATTEMPTS = 1
    job = make_job()
    mark_running(job, lease=dead_lease())
    jobs_reap()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error["type"] == "WorkerLost"
    assert "frames" in job.error["message"]


def test_queued_job_whose_task_went_missing_is_sent_again(make_job):
    from django_q.models import OrmQ

    job = make_job()
    Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    tasks = OrmQ.objects.count()
    jobs_reap()
    assert OrmQ.objects.count() == tasks + 1
    job.refresh_from_db()
    assert job.enqueued_at > timezone.now() - timedelta(minutes=1)


def test_a_zombie_worker_counts_as_dead():
    import psutil

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 5
    while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:  # exited, not yet reaped
        assert time.monotonic() < deadline
    started = int(psutil.Process(proc.pid).create_time())
    assert _lease_holder_is_dead(f"{socket.gethostname()}:{proc.pid}:{started}:zombie")
    proc.wait()


def _take_tasks(seconds_ago: float):
    """What a cluster does with the tasks it takes ahead of its workers: locks them (for
    hours, with the ORM broker). A cluster killed then leaves them locked."""
    from django_q.models import OrmQ

    OrmQ.objects.update(lock=timezone.now() + timedelta(hours=1))
    Job.objects.update(enqueued_at=timezone.now() - timedelta(seconds=seconds_ago))


def _free_tasks() -> int:
    from django_q.models import OrmQ

    return OrmQ.objects.filter(lock__lte=timezone.now()).count()


def test_a_task_taken_by_a_cluster_that_died_is_sent_again_once_stale(make_job, settings):
    settings.JOB_STALE_SECONDS = 10
    make_job()
    _take_tasks(seconds_ago=3)
    jobs_reap()
    assert _free_tasks() == 0, "young: it may still be in a live cluster's hands"

    _take_tasks(seconds_ago=11)
    jobs_reap()
    assert _free_tasks() == 1


def test_a_starting_worker_sends_again_every_task_no_cluster_holds_free(make_job):
    make_job()
    make_job()
    _take_tasks(seconds_ago=0.5)  # taken just before the cluster that took them was killed
    jobs_reap(worker_start=True)
    assert _free_tasks() == 2
    jobs_reap(worker_start=True)
    assert _free_tasks() == 2, "a task waiting in the broker is not sent twice"
