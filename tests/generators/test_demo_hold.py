"""The demo generator's stage barrier (`hold_at`), which drills use to catch a job in the
middle of a stage instead of racing a timer."""

import threading

import pytest

from pipeline.engine.runner import job_run, job_workdir
from pipeline.models import Job
from pipeline.services import job_cancel
from tests.live.stack import wait_for

# The runner's heartbeat reads the job on a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)


def run_in_thread(job):
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(result=job_run(job_id=job.id)))
    worker.start()
    holding = job_workdir(job.id) / "holding-frames"
    wait_for(holding.exists, 60, "the frames stage to hold")
    return worker, outcome


def test_a_held_stage_waits_until_released_then_the_job_finishes(make_job):
    job = make_job(cards=1, hold_at="frames")
    worker, outcome = run_in_thread(job)

    held = Job.objects.get(pk=job.pk)
    assert (held.status, held.stage) == ("running", "frames")
    assert worker.is_alive()
    (job_workdir(job.id) / "release-frames").touch()
    worker.join(timeout=60)

    assert not worker.is_alive() and outcome["result"] == "succeeded"


def test_a_held_stage_still_stops_on_cancel(make_job):
    job = make_job(cards=1, hold_at="frames")
    worker, outcome = run_in_thread(job)

    job_cancel(job=job)
    worker.join(timeout=60)

    assert not worker.is_alive() and outcome["result"] == "canceled"


def test_hold_at_must_name_a_stage(api_for, alice):
    body = {"kind": "demo", "prompt": "A. B.", "options": {"hold_at": "nowhere"}}
    response = api_for(alice).post("/api/v1/jobs", body, format="json")
    assert response.status_code == 400 and "options" in str(response.json())
