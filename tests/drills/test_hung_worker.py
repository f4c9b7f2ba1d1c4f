"""Drill: a worker hangs (SIGSTOP) in the middle of a job for longer than JOB_STALE_SECONDS;
another worker takes the job over; then the hung one wakes up (SIGCONT). Its lease is gone,
so nothing it writes from then on lands, and the job finishes once."""

import os
import signal
import time

import pytest

from tests.drills.support import STAGES, events, job, runs, submit, wait_finished, wait_in_stage
from tests.live.stack import wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(240)]

STALE_SECONDS = 3


def test_a_hung_worker_is_taken_over_and_its_late_writes_do_not_land(live):
    live.env.update(
        {
            "JOB_STALE_SECONDS": str(STALE_SECONDS),
            "JOB_HEARTBEAT_SECONDS": "0.5",
            "MAX_ACTIVE_JOBS_PER_USER": "100",
        }
    )
    live.start_redis_if_embedded()
    live.start_web()
    live.start_worker("worker-1")
    client = live.register("drill-hang@example.com")
    # Two cards of 4 s each: the frames stage is still drawing when the worker wakes up.
    job_id = submit(client, "Hang in the middle. Then finish.", cards=2, seconds=8)
    wait_in_stage(client, job_id, "frames", timeout=60)

    hung = live.procs["worker-1"]
    os.killpg(hung.pid, signal.SIGSTOP)
    try:
        # What this drill is about is time passing: no heartbeat for longer than the limit.
        time.sleep(STALE_SECONDS + 1)
        live.start_worker("worker-2")
        taken = wait_for(
            lambda: (j := job(client, job_id))["attempts"] == 2 and j["status"] == "running" and j,
            60,
            "the second worker to take the job over",
            interval=0.1,
        )
        assert taken["stage"] in STAGES
    finally:
        os.killpg(hung.pid, signal.SIGCONT)

    finished = wait_finished(client, [job_id], timeout=120)[job_id]
    # The woken worker is still there (it lost a job, not its life) and the job ended once.
    assert hung.poll() is None, "the woken worker keeps running"
    assert finished["status"] == "succeeded", finished
    assert finished["attempts"] == 2
    log = events(client, job_id)
    found = runs(log)  # seqs without gaps, and no two runs overlapping
    assert len(found) == 2
    assert [e["stage"] for e in log if e["type"] == "stage_complete"] == STAGES
    assert [e["type"] for e in log].count("job_complete") == 1
    # Nothing lands after the job completed (the woken worker's progress or stage end).
    assert log[-1]["type"] == "job_complete"
    videos = client.get("/api/v1/videos").json()
    assert videos["count"] == 1 and videos["results"][0]["id"] == finished["video"]["id"]
