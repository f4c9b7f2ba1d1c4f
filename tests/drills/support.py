"""What the failure drills share: submitting demo jobs, waiting on them, and reading a job's
event log as the sequence of runs it records."""

import time

from tests.live.stack import wait_for

STAGES = ["plan", "frames", "encode"]


def submit(client, prompt: str, **options) -> str:
    response = client.post(
        "/api/v1/jobs",
        json={"kind": "demo", "prompt": prompt, "options": {"cards": 1, **options}},
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


def job(client, job_id) -> dict:
    response = client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 200, response.text
    return response.json()


def events(client, job_id) -> list[dict]:
    response = client.get(f"/api/v1/jobs/{job_id}/events", params={"after": 0, "limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()


def wait_finished(client, job_ids, timeout: float) -> dict[str, dict]:
    """Waits until every job is finished; returns the jobs by id."""
    finished = {}

    def all_done():
        for job_id in job_ids:
            if job_id not in finished:
                current = job(client, job_id)
                if current["status"] in ("succeeded", "failed", "canceled"):
                    finished[job_id] = current
        return len(finished) == len(job_ids)

    try:
        wait_for(all_done, timeout, f"{len(job_ids)} jobs to finish", interval=0.3)
    except AssertionError as exc:
        left = {i: (j := job(client, i))["status"] + "/" + j["stage"] for i in job_ids}
        raise AssertionError(f"{exc}; still: {left}") from None
    return finished


def wait_in_stage(client, job_id, stage: str, timeout: float = 30) -> dict:
    return wait_for(
        lambda: (j := job(client, job_id))["status"] == "running" and j["stage"] == stage and j,
        timeout,
        f"job {job_id} to be running its {stage} stage",
        interval=0.05,
    )


def runs(log: list[dict]) -> list[list[dict]]:
    """Splits a job's event log into the runs (attempts) it records, checking on the way that
    they never overlap.

    Every write a run makes is conditional on its lease, and a run only starts after the
    previous one ended (finished, or was declared dead and put back in the queue). So the log
    must read: start(1), its events, end, start(2), its events, end... A second run starting
    before the previous one ended, or an event outside any run, means two workers held the
    job at once.
    """
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), "seqs are 1..n, no gaps"
    found: list[list[dict]] = []
    current: list[dict] | None = None
    for event in log:
        starts = event["type"] == "status" and "attempt" in event["payload"]
        ends = event["type"] in ("job_complete", "canceled") or (
            event["type"] in ("status", "error")
            and any(
                key in event["payload"]
                for key in ("recovered", "retrying", "permanent", "paused_after")
            )
        )
        if starts:
            assert current is None, f"run {event['payload']['attempt']} started inside another"
            assert event["payload"]["attempt"] == len(found) + 1, "attempts count up by one"
            current = [event]
            found.append(current)
        elif current is None:
            # Only the queueing events come before the first run; none between two runs.
            assert not found and event["type"] == "status", f"event outside a run: {event}"
        else:
            current.append(event)
            if ends:
                current = None
    for run in found:
        order = [STAGES.index(e["stage"]) for e in run if e["stage"] in STAGES]
        assert order == sorted(order), f"stages go back inside one run: {order}"
    return found


def sample(seconds: float, interval: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        yield
        time.sleep(interval)
