"""Load on the web tier, on loopback, with the real stack (`manage.py serve`: its default web
processes, and a worker); one finished job is read over and over with a token, as a polling
client does. Three measurements in one run:

1. Side by side, as many requests as the server answers (8 connections, back to back, 10 s
   each): a bare Django view (bench/urls.py: the same server and middleware, no
   authentication, no database) and `GET /api/v1/jobs/<id>`; the ratio is the project's own
   cost per request over the server's.
2. `GET /api/v1/jobs/<id>` open-loop at 400 requests a second for 30 s. Goal: p99 <= 30 ms,
   0 errors.
3. The same with the ETag of the last answer in `If-None-Match` (a poller whose job has not
   changed: 304, no body) at 1,000 requests a second. Goal: the same. Then the bare view at
   that rate, open-loop too: what the server and the client alone make of it, on the same
   cores, so that what the 304 path adds is seen apart.

Open loop: request n is sent at t0 + n/rate whether or not earlier ones have answered, and
its latency is counted from that planned moment, so a slow server cannot lower the rate it
is measured at. The client runs on the same cores as the server.
"""

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

# `python bench/load_jobs.py [rate] [seconds] [rate of the 304 path]`; the goals are for the
# defaults.
RATE = int(sys.argv[1]) if len(sys.argv) > 1 else 400
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
RATE_304 = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
CAPACITY_CONNECTIONS = 8
CAPACITY_SECONDS = 10


async def _exchange(reader, writer, request: bytes) -> int:
    """One HTTP/1.1 request on a kept-alive connection; returns the status."""
    writer.write(request)
    status = await reader.readline()
    if not status:
        raise ConnectionResetError("the server closed the connection")
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status.split()[1])


def _request(port: int, path: str, **headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def open_loop(port: int, request: bytes, expect: int, rate: int, seconds: int):
    """A lean client (raw asyncio streams, so that it takes little of the CPU the server
    needs): each request takes an idle kept-alive connection or opens one."""
    idle: list = []
    latencies: list[float] = []
    errors = opened = 0

    async def one(planned: float):
        nonlocal errors, opened
        connection = idle.pop() if idle else None
        try:
            if connection is None:
                connection = await asyncio.open_connection("127.0.0.1", port)
                opened += 1
            if await _exchange(*connection, request) != expect:
                errors += 1
            idle.append(connection)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            errors += 1
        latencies.append(time.monotonic() - planned)

    tasks = []
    start = time.monotonic() + 0.1
    for n in range(rate * seconds):
        planned = start + n / rate
        delay = planned - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(planned)))
    sent_over = time.monotonic() - start
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return latencies, errors, sent_over, opened


async def closed_loop(port: int, request: bytes, expect: int) -> tuple[float, int]:
    """Requests per second answered by CAPACITY_CONNECTIONS connections sending back to
    back for CAPACITY_SECONDS, and the errors."""
    done = errors = 0
    deadline = time.monotonic() + CAPACITY_SECONDS

    async def connection():
        nonlocal done, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < deadline:
            if await _exchange(reader, writer, request) == expect:
                done += 1
            else:
                errors += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(CAPACITY_CONNECTIONS)))
    return done / (time.monotonic() - started), errors


def report(what: str, rate: int, result) -> None:
    latencies, errors, sent_over, opened = result
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[int(len(ms) * 0.99) - 1]
    verdict = "meets" if p99 <= 30 and errors == 0 else "misses"
    print(
        f"{what} open-loop at {rate}/s for {SECONDS} s ({opened} connections): "
        f"{len(ms)} requests sent at {len(ms) / sent_over:.1f}/s, "
        f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms, "
        f"{errors} errors ({verdict} the goal of p99 <= 30 ms and 0 errors)"
    )


def main():
    stack = start_stack()
    try:
        from django.conf import settings

        stack.start_serve()
        client = stack.register("load@example.com")
        job_id = client.post(
            "/api/v1/jobs", json={"kind": "demo", "prompt": "Load.", "options": {"cards": 1}}
        ).json()["id"]
        stack.follow(client, job_id, timeout=120)
        path = f"/api/v1/jobs/{job_id}"
        answer = client.get(path)
        assert answer.json()["status"] == "succeeded"
        etag = answer.headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

        port = stack.port
        job = _request(port, path, Authorization=f"Token {client.token}")
        unchanged = _request(port, path, Authorization=f"Token {client.token}",
                             If_None_Match=etag)  # fmt: skip
        print(f"{settings.WEB_PROCESSES} web processes (WEB_PROCESSES), {os.cpu_count()} cores")
        bare_request = _request(port, "/bench/bare")
        bare, bare_errors = asyncio.run(closed_loop(port, bare_request, 200))
        jobs, jobs_errors = asyncio.run(closed_loop(port, job, 200))
        print(
            f"capacity, {CAPACITY_CONNECTIONS} connections back to back for "
            f"{CAPACITY_SECONDS} s each: bare view {bare:.0f}/s ({bare_errors} errors), "
            f"GET /api/v1/jobs/<id> {jobs:.0f}/s ({jobs_errors} errors), "
            f"ratio {jobs / bare:.2f}"
        )
        report("GET /api/v1/jobs/<id>", RATE, asyncio.run(open_loop(port, job, 200, RATE, SECONDS)))
        report(
            "GET /api/v1/jobs/<id> with If-None-Match (304)",
            RATE_304,
            asyncio.run(open_loop(port, unchanged, 304, RATE_304, SECONDS)),
        )
        report(
            "the bare view, for comparison,",
            RATE_304,
            asyncio.run(open_loop(port, bare_request, 200, RATE_304, SECONDS)),
        )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
