"""Drill: the web server and the worker are stopped (SIGTERM) and started again while ten
jobs wait in the queue."""

import pytest

from tests.drills.support import STAGES, events, job, runs, submit, wait_finished

pytestmark = [pytest.mark.live, pytest.mark.timeout(240)]


def test_restarting_web_and_worker_with_ten_jobs_queued_finishes_all_of_them(live):
    live.env.update({"MAX_ACTIVE_JOBS_PER_USER": "100", "THROTTLE_JOB_CREATE": "1000/hour"})
    live.start_redis_if_embedded()
    live.start_web()
    live.start_worker()
    client = live.register("drill-restart@example.com")
    job_ids = [submit(client, f"Queued job {n + 1}.", seconds=0.4) for n in range(10)]

    # Both stop cleanly within the stop timeout; jobs already running may finish or be put
    # back, the others stay in the queue.
    live.stop("worker")
    live.stop("web")

    live.start_web()
    before = [job(client, i)["status"] for i in job_ids]
    assert before.count("queued") >= 5, f"most jobs were still waiting: {before}"
    live.start_worker()
    finished = wait_finished(client, job_ids, timeout=120)

    assert [j["status"] for j in finished.values()] == ["succeeded"] * 10
    assert len({j["video"]["id"] for j in finished.values()}) == 10
    for job_id in job_ids:
        log = events(client, job_id)
        runs(log)
        assert [e["stage"] for e in log if e["type"] == "stage_complete"] == STAGES
