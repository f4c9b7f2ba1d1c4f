"""Drill: the Redis server behind the broker, the channel layer and the cache goes away for ten
seconds while a job runs, and comes back on the same port."""

import json
import threading
import time

import httpx
import pytest
from websockets.sync.client import connect as ws_connect

from tests.drills.support import STAGES, events, job, runs, submit, wait_finished, wait_in_stage
from tests.live.stack import free_port, wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(300)]

OUTAGE_SECONDS = 10


def health(live) -> tuple[int, dict]:
    response = httpx.get(f"{live.base}/api/v1/health", timeout=30)
    return response.status_code, response.json()


def ends_the_job(event: dict) -> bool:
    return event.get("type") in ("job_complete", "canceled") or (
        event.get("type") == "error" and not event["payload"].get("retrying")
    )


class Follower(threading.Thread):
    """Follows a job over its WebSocket in the background, keeping the events it receives,
    until the job ends, the socket closes, it is told to stop, or two minutes have passed."""

    def __init__(self, live, client, job_id, after=0):
        super().__init__(daemon=True)
        self.url = f"ws://127.0.0.1:{live.port}/ws/jobs/{job_id}/?after={after}"
        self.token = client.token
        self.events: list[dict] = []
        self.ended = ""
        self.stopping = threading.Event()

    def run(self):
        try:
            with ws_connect(
                self.url,
                additional_headers={"Authorization": f"Token {self.token}"},
                open_timeout=10,
            ) as ws:
                deadline = time.monotonic() + 120
                while not self.stopping.is_set() and time.monotonic() < deadline:
                    try:
                        message = json.loads(ws.recv(timeout=0.2))
                    except TimeoutError:
                        continue
                    if "seq" in message:
                        self.events.append(message)
                        if ends_the_job(message):
                            self.ended = "job ended"
                            return
            self.ended = "stopped" if self.stopping.is_set() else "timed out"
        except Exception as exc:
            self.ended = f"{type(exc).__name__}: {exc}"


def test_redis_down_ten_seconds_mid_job_then_everything_finishes_and_nothing_hangs(live):
    port = free_port()
    live.start_redis_on_port(port, "redis")
    url = f"redis://127.0.0.1:{port}/0"
    live.env.update(
        {
            "REDIS_URL": url,
            "CHANNEL_LAYER_URL": url,
            "MAX_ACTIVE_JOBS_PER_USER": "100",
            "THROTTLE_JOB_CREATE": "1000/hour",
        }
    )
    live.start_web()
    live.start_worker()
    client = live.register("drill-redis@example.com")

    # Four stages of 4 s each: Redis goes during the first and is back for the last ones.
    job_id = submit(client, "Redis goes away. Redis comes back.", cards=2, seconds=4)
    # One follower stays through the outage; the other leaves when Redis goes, and comes back.
    keeper, leaver = Follower(live, client, job_id), Follower(live, client, job_id)
    keeper.start()
    leaver.start()
    wait_in_stage(client, job_id, "plan", timeout=60)
    wait_for(
        lambda: len(keeper.events) >= 3 and len(leaver.events) >= 3, 30, "live WebSocket events"
    )

    live.kill("redis")
    outage_started = time.monotonic()
    leaver.stopping.set()

    # Web keeps answering: health names the broker, the job's state comes from the database,
    # and a job can still be submitted.
    status, body = health(live)
    assert status == 503 and body["ok"] is False, body
    assert body["checks"]["broker"]["ok"] is False, body["checks"]["broker"]
    assert body["checks"]["database"]["ok"] is True
    assert job(client, job_id)["status"] == "running"
    during_id = submit(client, "Submitted while Redis is down.")
    assert job(client, during_id)["status"] == "queued"
    # A WebSocket cannot join its group now: it is refused or closed, and nothing waits on it.
    refused = Follower(live, client, job_id)
    refused.start()
    refused.join(timeout=30)
    assert not refused.is_alive() and refused.ended != "job ended", refused.ended

    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    live.start_redis_on_port(port, "redis")
    wait_for(lambda: health(live)[0] == 200, 60, "health to answer 200 with Redis back")

    # The job running through the outage finishes: Redis going away is not its failure.
    finished = wait_finished(client, [job_id], timeout=120)[job_id]
    assert finished["status"] == "succeeded", finished

    # The follower that stayed got every event through to the end, without gaps: those
    # published while Redis was down came from the database when the next live one arrived.
    log = events(client, job_id)
    keeper.join(timeout=60)
    assert keeper.ended == "job ended", keeper.ended
    assert [e["seq"] for e in keeper.events] == list(range(1, len(log) + 1))
    # The one that left resumes from the last event it holds and gets the rest.
    leaver.join(timeout=30)
    assert not leaver.is_alive(), "the WebSocket follower hangs"
    after = leaver.events[-1]["seq"]
    assert [e["seq"] for e in leaver.events] == list(range(1, after + 1))
    resumed = Follower(live, client, job_id, after=after)
    resumed.run()
    assert resumed.ended == "job ended", resumed.ended
    assert [e["seq"] for e in resumed.events] == list(range(after + 1, len(log) + 1))
    found = runs(log)  # seqs 1..n without gaps, runs never overlap
    assert [e["stage"] for e in log if e["type"] == "stage_complete"] == STAGES
    assert len(found) == finished["attempts"]

    # The job submitted while Redis was down is not lost: the worker sends it again once it
    # reaches Redis (within seconds; the reaper's round, once a minute, would be the fallback).
    # And the worker takes new work.
    after_id = submit(client, "Submitted once Redis is back.")
    done = wait_finished(client, [during_id, after_id], timeout=60)
    assert [done[i]["status"] for i in (during_id, after_id)] == ["succeeded", "succeeded"]
    for other in (during_id, after_id):
        runs(events(client, other))
    assert live.procs["worker"].poll() is None, "the worker is still running"
