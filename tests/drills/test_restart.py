"""Drill: ten jobs submitted while no worker runs; the web server is restarted with them
queued, then the worker is restarted while it works through them, both by SIGTERM (a clean
stop) and by SIGKILL (a crash). Every job finishes, exactly once."""

import pytest

from tests.drills.support import STAGES, events, job, runs, submit, wait_finished
from tests.live.stack import wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(300)]


def restart(live, name, how):
    if how == "SIGTERM":
        live.stop(name)
    else:
        live.kill(name)
    (live.start_web if name == "web" else live.start_worker)()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_restarting_web_and_worker_with_ten_jobs_queued_finishes_each_once(live, how):
    live.env.update({"MAX_ACTIVE_JOBS_PER_USER": "100", "THROTTLE_JOB_CREATE": "1000/hour"})
    live.start_redis_if_embedded()
    live.start_web()
    client = live.register(f"drill-restart-{how.lower()}@example.com")
    job_ids = [submit(client, f"Queued job {n + 1}.", seconds=0.4) for n in range(10)]
    assert [job(client, i)["status"] for i in job_ids] == ["queued"] * 10

    restart(live, "web", how)
    assert [job(client, i)["status"] for i in job_ids] == ["queued"] * 10, "nothing is lost"

    live.start_worker()
    # Restarted once it has started on them: some finished or running, the rest queued.
    wait_for(
        lambda: any(job(client, i)["status"] != "queued" for i in job_ids),
        60,
        "the worker to take a job",
        interval=0.05,
    )
    restart(live, "worker", how)
    finished = wait_finished(client, job_ids, timeout=180)

    assert [j["status"] for j in finished.values()] == ["succeeded"] * 10
    assert len({j["video"]["id"] for j in finished.values()}) == 10
    videos = client.get("/api/v1/videos", params={"page_size": 100}).json()
    assert videos["count"] == 10, "one video per job, none twice"
    for job_id in job_ids:
        log = events(client, job_id)
        runs(log)  # seqs without gaps, runs never overlap
        assert [e["stage"] for e in log if e["type"] == "stage_complete"] == STAGES
        assert [e["type"] for e in log].count("job_complete") == 1
