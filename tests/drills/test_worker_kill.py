"""Drill: the worker is killed with SIGKILL in the middle of a job, twenty times in a row."""

import pytest

from tests.drills.support import STAGES, events, job, runs, submit, wait_finished
from tests.live.stack import wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(300)]

KILLS = 20


def test_twenty_worker_kills_mid_stage_lose_nothing_and_never_run_a_job_twice(live):
    live.env.update(
        {
            # Each job is killed at least once, and a recovered one may be hit again while
            # it runs beside the next: the attempt limit is not what this drill is about.
            "JOB_MAX_ATTEMPTS": "50",
            "MAX_ACTIVE_JOBS_PER_USER": "100",
            "THROTTLE_JOB_CREATE": "1000/hour",
            "JOB_WORK_DIR": str(live.tmp / "work"),
        }
    )
    work = live.tmp / "work"
    live.start_redis_if_embedded()
    live.start_web()
    client = live.register("drill-kill@example.com")

    job_ids = []
    for n in range(KILLS):
        live.start_worker(f"worker-{n}")
        job_id = submit(client, f"Crash number {n + 1}. Then finish.", hold_at="frames")
        job_ids.append(job_id)
        # Kill the whole worker cluster (master, workers, ffmpeg) while this job holds in
        # its frames stage (the demo's barrier), after its plan stage has been checkpointed.
        holding = work / job_id / "holding-frames"
        wait_for(holding.exists, 60, f"job {n + 1} to hold in its frames stage")
        live.kill(f"worker-{n}")
        current = job(client, job_id)
        assert (current["status"], current["stage"]) == ("running", "frames"), current
        # Released: the run that recovers it (in the next worker) goes through.
        (work / job_id / "release-frames").touch()

    live.start_worker("worker-last")
    finished = wait_finished(client, job_ids, timeout=120)

    statuses = {job_id: j["status"] for job_id, j in finished.items()}
    assert list(statuses.values()) == ["succeeded"] * KILLS, statuses
    videos = {j["video"]["id"] for j in finished.values() if j["video"]}
    assert len(videos) == KILLS, "one video per job"

    total_runs = 0
    for job_id in job_ids:
        log = events(client, job_id)
        found = runs(log)  # asserts that no two runs of the job overlapped
        total_runs += len(found)
        assert len(found) == finished[job_id]["attempts"] >= 2, "killed at least once"
        assert [e["type"] for e in found[-1]][-1] == "job_complete"
        # Every stage was checkpointed exactly once: a run after a kill resumed, never redid.
        completed = [e["stage"] for e in log if e["type"] == "stage_complete"]
        assert completed == STAGES, completed
        # The plan stage finished before the first kill and never ran again.
        assert not any(e["stage"] == "plan" for run in found[1:] for e in run)
    assert total_runs >= 2 * KILLS
