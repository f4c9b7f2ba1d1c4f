"""Metrics, JSON logs and health against real web and qcluster processes.

Two web processes must report the same figures for work a separate worker process did; every
line the web and worker processes log must be JSON; and health must answer 503, naming the
check, while the broker's Redis or the database is really down.
"""

import json
import sys
from types import SimpleNamespace

import httpx
import pytest

from tests.live.stack import LiveStack, free_port, wait_for
from tests.observability.promtext import matching, samples, value

pytestmark = [pytest.mark.live, pytest.mark.timeout(240)]

TOKEN = "live-metrics-token"


def spawn_web(stack: LiveStack, name: str, port: int) -> str:
    stack.spawn(name, [sys.executable, "manage.py", "web", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(stack, base), 60, f"{name} to answer", interval=0.2)
    return base


def _answers(stack: LiveStack, base: str) -> bool:
    for name, proc in stack.procs.items():
        if proc.poll() is not None:
            raise AssertionError(f"{name} exited early:\n{stack.dump_logs()}")
    try:
        httpx.get(f"{base}/api/v1/health", timeout=10)
    except httpx.HTTPError:
        return False
    return True


def scrape(base: str) -> dict:
    response = httpx.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return samples(response.text)


def log_lines(stack: LiveStack, name: str) -> list[dict]:
    lines = (stack.logs / f"{name}.log").read_text().splitlines()
    parsed = []
    for line in lines:
        if line.strip():
            try:
                parsed.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"{name} wrote a line that is not JSON: {line!r}") from None
    return parsed


def test_two_web_processes_report_one_workers_job_and_every_log_line_is_json(live):
    live.env.update({"LOG_FORMAT": "json", "LOG_LEVEL": "INFO", "METRICS_TOKEN": TOKEN})
    live.start_redis_if_embedded()
    web_1 = spawn_web(live, "web-1", live.port)
    web_2 = spawn_web(live, "web-2", free_port())
    live.start_worker()
    client = live.register("metrics@example.com")
    response = client.post(
        "/api/v1/jobs", json={"kind": "demo", "prompt": "Count me.", "options": {"cards": 1}}
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    live.follow(client, job_id)

    assert httpx.get(f"{web_2}/metrics", timeout=10).status_code == 401
    seconds: dict[str, float] = {}
    for event in client.get(f"/api/v1/jobs/{job_id}/events").json():
        if event["type"] == "stage_complete":
            seconds[event["stage"]] = event["payload"]["seconds"]
    assert set(seconds) == {"plan", "frames", "encode"}

    def figures(base):
        parsed = scrape(base)
        return {
            "jobs": value(parsed, "videogen_jobs", status="succeeded", kind="demo"),
            "finished": matching(parsed, "videogen_jobs_finished_total", kind="demo"),
            "stages": {
                stage: (
                    value(parsed, "videogen_stage_duration_seconds_count", kind="demo", stage=s),
                    value(parsed, "videogen_stage_duration_seconds_sum", kind="demo", stage=s),
                )
                for stage in seconds
                for s in [stage]
            },
            "clusters": value(parsed, "videogen_worker_clusters"),
            "workers": value(parsed, "videogen_workers"),
            "up": set(matching(parsed, "videogen_collector_up").values()),
        }

    # Each web process is waited on until it tells exactly this (a worker's report reaches
    # them by its heartbeat, which a busy machine delays), rather than two scrapes taken at
    # one moment being required to agree.
    expected = {
        "jobs": 1,
        "finished": {frozenset({("kind", "demo"), ("outcome", "succeeded")}): 1},
        "stages": {stage: (1, pytest.approx(s)) for stage, s in seconds.items()},
        "clusters": 1,
        "workers": 2,  # MAX_CONCURRENT_JOBS
        "up": {1.0},
    }

    def tells_the_job(base) -> bool:
        told = figures(base)
        last[base] = told
        return told == expected

    last = {}
    for base in (web_1, web_2):
        try:
            wait_for(lambda b=base: tells_the_job(b), 60, base)
        except AssertionError:
            raise AssertionError(f"{base} tells {last[base]}, not {expected}") from None
    assert value(scrape(web_2), "process_resident_memory_bytes") > 0

    worker = log_lines(live, "worker")
    about_job = [line for line in worker if line.get("job_id") == job_id]
    assert {line.get("stage") for line in about_job} >= set(seconds), about_job
    assert all(line["logger"] == "pipeline.engine.runner" for line in about_job)
    web = log_lines(live, "web-1")
    assert any(line["message"].startswith("Started server process") for line in web), web[:5]
    assert not any("color_message" in line for line in web)
    created = [
        line
        for line in web
        if line["logger"] == "videogen.request" and line["path"] == "/api/v1/jobs"
    ]
    assert [(line["method"], line["status"]) for line in created] == [("POST", 202)]
    assert log_lines(live, "web-2")


def health(base: str) -> tuple[int, dict]:
    response = httpx.get(f"{base}/api/v1/health", timeout=30)
    return response.status_code, response.json()


def test_health_is_503_naming_the_broker_while_its_redis_is_down(live):
    port = free_port()
    live.start_redis_on_port(port)
    url = f"redis://127.0.0.1:{port}/0"
    live.env.update({"REDIS_URL": url, "CHANNEL_LAYER_URL": url})
    base = spawn_web(live, "web", live.port)

    status, body = health(base)
    assert status == 200, body
    for name in ("database", "broker", "cache", "storage", "channel_layer"):
        assert body["checks"][name]["ok"] is True, (name, body["checks"][name])
    assert body["checks"]["cache"]["backend"] == "RedisCache"

    live.stop("redis-tcp")
    status, body = health(base)
    assert status == 503 and body["ok"] is False
    checks = body["checks"]
    assert checks["broker"]["ok"] is False and "Connection" in checks["broker"]["error"]
    assert checks["cache"]["ok"] is False and checks["channel_layer"]["ok"] is False
    assert checks["database"]["ok"] is True and checks["storage"]["ok"] is True
    # The metrics still answer (from this machine, no token set), without the queue part.
    metrics = httpx.get(f"{base}/metrics", timeout=30)
    assert metrics.status_code == 200
    parsed = samples(metrics.text)
    assert value(parsed, "videogen_collector_up", collector="queue") == 0
    assert value(parsed, "videogen_collector_up", collector="jobs") == 1

    live.start_redis_on_port(port)
    wait_for(lambda: health(base)[0] == 200, 20, "health to recover with Redis back")


def test_health_is_503_naming_the_database_when_it_cannot_be_reached(tmp_path):
    closed = free_port()  # nothing listens there
    database = SimpleNamespace(url=f"postgres://videogen@127.0.0.1:{closed}/videogen")
    stack = LiveStack(tmp_path, database)
    try:
        base = spawn_web(stack, "web", stack.port)
        status, body = health(base)
        assert status == 503 and body["ok"] is False
        check = body["checks"]["database"]
        assert check["ok"] is False and "OperationalError" in check["error"], check
        assert body["checks"]["storage"]["ok"] is True
    finally:
        stack.stop_all()
