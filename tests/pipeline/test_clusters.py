"""Which queue a job is sent to, and the check on a worker's Q_CLUSTER_NAME."""

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from pipeline.engine.queue import job_enqueue_later


def _queues() -> list[str]:
    return sorted(OrmQ.objects.values_list("key", flat=True))


@pytest.mark.django_db(transaction=True)
def test_without_a_gpu_cluster_every_job_goes_to_the_default_queue(make_job, settings):
    settings.GPU_CLUSTER = ""
    make_job()
    assert _queues() == [settings.Q_CLUSTER["name"]]


@pytest.mark.django_db(transaction=True)
def test_gpu_kinds_go_to_the_gpu_queue_and_the_rest_to_the_default(
    make_job, settings, django_capture_on_commit_callbacks
):
    settings.GPU_CLUSTER = "gpu-hosts"
    settings.GPU_KINDS = ["demo"]
    gpu_job = make_job()
    assert _queues() == ["gpu-hosts"]

    settings.GPU_KINDS = ["ai_video"]
    make_job()
    assert _queues() == sorted(["gpu-hosts", settings.Q_CLUSTER["name"]])

    # A retry with backoff is scheduled on the default scheduler, aimed at the GPU queue.
    settings.GPU_KINDS = ["demo"]
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue_later(gpu_job.id, timezone.now() + timedelta(seconds=30))
    retry = Schedule.objects.get(func="pipeline.engine.tasks.run_job")
    assert retry.cluster is None
    assert "'cluster': 'gpu-hosts'" in retry.kwargs


def test_a_worker_on_a_queue_nobody_sends_to_is_warned(settings, monkeypatch):
    settings.GPU_CLUSTER = "gpu-hosts"
    monkeypatch.setenv("Q_CLUSTER_NAME", "gpu-hots")
    warnings = [m for m in run_checks() if m.id == "videogen.W020"]
    assert len(warnings) == 1 and "gpu-hots" in warnings[0].msg

    monkeypatch.setenv("Q_CLUSTER_NAME", "gpu-hosts")
    assert not [m for m in run_checks() if m.id == "videogen.W020"]


@pytest.mark.django_db(transaction=True)
def test_a_cpu_job_sent_from_inside_a_gpu_worker_goes_to_the_default_queue(
    make_job, settings, monkeypatch
):
    """A GPU worker recovering jobs at start sends CPU kinds back to the default queue."""
    from django_q.conf import Conf

    settings.GPU_CLUSTER = "gpu-hosts"
    settings.GPU_KINDS = ["ai_video"]
    monkeypatch.setattr(Conf, "CLUSTER_NAME", "gpu-hosts")  # as Q_CLUSTER_NAME=gpu-hosts does
    make_job()
    assert _queues() == [settings.Q_CLUSTER["name"]]


CONF_PROBE = (
    "import django; django.setup(); from django_q.conf import Conf; "
    "print(Conf.CLUSTER_NAME, Conf.WORKERS, Conf.QUEUE_LIMIT)"
)


def _worker_conf(**env) -> list[str]:
    """What django-q2 makes of the settings in a fresh process, as a worker would start."""
    import os
    import subprocess
    import sys

    inherited = {k: v for k, v in os.environ.items() if k not in ("Q_CLUSTER_NAME", "GPU_CLUSTER")}
    environment = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "videogen.settings",
        "MAX_CONCURRENT_JOBS": "2",
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", CONF_PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.split()


def test_gpu_workers_sets_the_processes_of_a_gpu_worker_only():
    gpu = {"GPU_CLUSTER": "gpu-hosts", "GPU_WORKERS": "3"}
    assert _worker_conf(**gpu, Q_CLUSTER_NAME="gpu-hosts")[1:] == ["3", "3"]
    # A worker of the default queue keeps MAX_CONCURRENT_JOBS.
    assert _worker_conf(**gpu)[1:] == ["2", "2"]
    # GPU_WORKERS alone, without a GPU cluster, changes nothing.
    assert _worker_conf(GPU_WORKERS="3", Q_CLUSTER_NAME="gpu-hosts")[1:] == ["2", "2"]
