"""Separate worker clusters: GPU kinds go to the GPU cluster's queue, the rest to the default."""

import pytest

from tests.live.stack import wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(240)]


def _status(client, job_id) -> str:
    return client.get(f"/api/v1/jobs/{job_id}").json()["status"]


def test_gpu_kinds_wait_for_a_gpu_worker_and_run_there(live):
    gpu = f"{live.env['VIDEOGEN_INSTANCE']}-gpu"
    live.env.update(
        GPU_CLUSTER=gpu,
        GPU_KINDS="demo",
        VIDEOGEN_EXTRA_GENERATORS="noop=bench._noop.generator",
    )
    live.env.pop("Q_CLUSTER_NAME", None)
    live.start_redis_if_embedded()
    live.start_web()
    live.start_worker("cpu")
    client = live.register("clusters@example.com")

    gpu_job = client.post(
        "/api/v1/jobs",
        json={"kind": "demo", "prompt": "On the GPU.", "options": {"cards": 1, "seconds": 0.5}},
    ).json()["id"]
    cpu_job = client.post("/api/v1/jobs", json={"kind": "noop", "prompt": "On the CPU."}).json()[
        "id"
    ]
    # The default cluster runs the job sent after the GPU one, and leaves the GPU one alone.
    wait_for(lambda: _status(client, cpu_job) == "succeeded", 60, "the CPU job")
    assert _status(client, gpu_job) == "queued"

    live.env["Q_CLUSTER_NAME"] = gpu
    live.start_worker("gpu")
    wait_for(lambda: _status(client, gpu_job) == "succeeded", 90, "the GPU job")

    live.manage("shell", "-c", _WHO_RAN.format(gpu=gpu_job, cpu=cpu_job))
    ran_on = dict(line.split("=", 1) for line in (live.tmp / "ran_on.txt").read_text().split())
    assert ran_on == {"gpu": gpu, "cpu": live.env["VIDEOGEN_INSTANCE"]}


# Which cluster executed each job's task, as django-q2 recorded it.
_WHO_RAN = """
from pathlib import Path
from django.conf import settings
from django_q.models import Task
ran_by = {{t.args[0]: t.cluster for t in Task.objects.filter(func="pipeline.engine.tasks.run_job")}}
out = Path(settings.DATA_DIR).parent / "ran_on.txt"
out.write_text(f"gpu={{ran_by['{gpu}']}} cpu={{ran_by['{cpu}']}}")
"""
