"""Load: `GET /api/v1/jobs/<id>` at a fixed 200 requests a second for 30 s, on loopback.

The real stack runs (daphne and a worker); one finished job is read over and over with a
token, as a polling client does. The load is open-loop: request n is sent at t0 + n/rate
whether or not earlier ones have answered, and its latency is counted from that planned
moment, so a slow server cannot lower the rate it is measured at.
Goal: p99 <= 30 ms, 0 errors. (The fan-out to 200 WebSocket subscribers is bench/ws_fanout.py.)
"""

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

# `python bench/load_jobs.py [rate] [seconds]`; the goal is for the defaults.
RATE = int(sys.argv[1]) if len(sys.argv) > 1 else 200
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
# As `make run` would run them on this machine: one daphne process per core, one port.
WEB_PROCESSES = int(os.environ.get("WEB_PROCESSES", os.cpu_count() or 1))


async def _exchange(reader, writer, request: bytes) -> int:
    """One HTTP/1.1 request on a kept-alive connection; returns the status."""
    writer.write(request)
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status.split()[1])


async def drive(port: int, path: str, token: str) -> tuple[list[float], int, float, int]:
    """A lean client (raw asyncio streams, so that it takes little of the CPU the server
    needs): each request takes an idle kept-alive connection or opens one."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Token {token}\r\n\r\n"
    ).encode()
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
            if await _exchange(*connection, request) != 200:
                errors += 1
            idle.append(connection)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            errors += 1
        latencies.append(time.monotonic() - planned)

    tasks = []
    start = time.monotonic() + 0.1
    for n in range(RATE * SECONDS):
        planned = start + n / RATE
        delay = planned - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(planned)))
    sent_over = time.monotonic() - start
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return latencies, errors, sent_over, opened


def main():
    stack = start_stack()
    try:
        stack.env["WEB_PROCESSES"] = str(WEB_PROCESSES)
        stack.start_serve()
        client = stack.register("load@example.com")
        job_id = client.post(
            "/api/v1/jobs", json={"kind": "demo", "prompt": "Load.", "options": {"cards": 1}}
        ).json()["id"]
        stack.follow(client, job_id, timeout=120)
        path = f"/api/v1/jobs/{job_id}"
        assert client.get(path).json()["status"] == "succeeded"

        latencies, errors, sent_over, opened = asyncio.run(drive(stack.port, path, client.token))
        ms = sorted(x * 1000 for x in latencies)
        p99 = ms[int(len(ms) * 0.99) - 1]
        verdict = "meets" if p99 <= 30 and errors == 0 else "misses"
        print(
            f"GET /api/v1/jobs/<id> open-loop at {RATE}/s for {SECONDS} s "
            f"({WEB_PROCESSES} web processes, {opened} connections): "
            f"{len(ms)} requests sent at {len(ms) / sent_over:.1f}/s, "
            f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms, "
            f"{errors} errors ({verdict} the goal of p99 <= 30 ms and 0 errors)"
        )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
