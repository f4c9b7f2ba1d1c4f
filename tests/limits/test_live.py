"""The limits on the real stack: the web server in front of the body-size guard and the API
key, and a django-q2 worker running the scheduled clean-up."""

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.live.stack import ROOT, wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(180)]

KEY = "live-api-key-0123456789"


def test_the_server_answers_413_for_large_bodies_and_401_without_the_api_key(live):
    live.env.update({"REQUEST_MAX_BYTES": "65536", "API_KEY_REQUIRED": "true", "API_KEYS": KEY})
    live.start_web()
    url = f"{live.base}/api/v1/auth/register"
    signup = {"email": "big@example.com", "password": "a-long-passphrase-42"}
    padded = json.dumps(signup).encode() + b" " * 100_000

    declared = httpx.post(url, content=padded, headers={"X-API-Key": KEY,
                          "Content-Type": "application/json"}, timeout=30)  # fmt: skip
    # Without a length: httpx sends a generator's body chunked.
    chunked = httpx.post(
        url,
        content=(padded[i : i + 8192] for i in range(0, len(padded), 8192)),
        headers={"X-API-Key": KEY, "Content-Type": "application/json"},
        timeout=30,
    )

    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "request_too_large"
    assert "transfer-encoding" not in declared.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"

    no_key = httpx.post(url, json=signup, timeout=10)
    assert no_key.status_code == 401 and no_key.json()["code"] == "api_key_required"
    ok = httpx.post(url, json=signup, headers={"X-API-Key": KEY}, timeout=10)
    assert ok.status_code == 201, ok.text
    token = ok.json()["token"]
    jobs = f"{live.base}/api/v1/jobs"
    assert httpx.get(jobs, headers={"Authorization": f"Token {token}"}).status_code == 401
    both = {"Authorization": f"Token {token}", "X-API-Key": KEY}
    assert httpx.get(jobs, headers=both).status_code == 200
    assert httpx.get(f"{live.base}/api/v1/health", timeout=10).status_code in (200, 503)


def test_a_declared_large_body_gets_413_before_it_is_sent(live):
    """uvicorn hands the request to the application as soon as its headers are in, so the
    guard refuses a body declared too large without waiting for it (daphne read it all
    first), and closes the connection, whose unread body cannot be skipped."""
    live.env["REQUEST_MAX_BYTES"] = "65536"
    live.start_web()
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        )
        sock.settimeout(10)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"request_too_large" in answer


def live_shell(live, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=live.env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return result.stdout


def test_a_worker_runs_the_scheduled_cleanup(live):
    media = live.tmp / "data" / "media"
    orphan = media / "videos" / "7" / "lost.mp4"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x" * 1234)
    old = time.time() - 48 * 3600
    os.utime(orphan, (old, old))
    live.start_redis_if_embedded()
    live.start_worker()

    # The scheduler's own pass, as the cluster makes it every 30 s: due schedules go to the
    # broker, and the worker runs them.
    live_shell(
        live,
        "from django.utils import timezone; from django_q.models import Schedule;"
        "from django_q.brokers import get_broker; from django_q.scheduler import scheduler;"
        "Schedule.objects.filter(func__startswith='pipeline.engine.tasks.')"
        ".update(next_run=timezone.now());"
        "scheduler(broker=get_broker())",
    )
    wait_for(lambda: not orphan.exists(), 60, "the orphan sweep to remove the file")

    def results():
        out = live_shell(
            live,
            "import json; from django_q.models import Success;"
            "print(json.dumps({t.func: t.result for t in Success.objects.filter("
            "func__in=['pipeline.engine.tasks.sweep_orphans',"
            " 'pipeline.engine.tasks.expire_old_files'])}))",
        )
        found = json.loads(out.strip().splitlines()[-1])
        return found if len(found) == 2 else None

    found = wait_for(results, 30, "both clean-up tasks to be recorded", interval=1)
    assert found["pipeline.engine.tasks.sweep_orphans"]["orphan_files"] == {
        "count": 1,
        "bytes": 1234,
    }
    assert found["pipeline.engine.tasks.expire_old_files"]["videos_expired"] == {
        "count": 0,
        "bytes": 0,
    }
