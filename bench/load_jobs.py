"""Load: `GET /api/v1/jobs/<id>` at a fixed 200 requests a second for 30 s, on loopback.

The real stack runs (daphne and a worker); one finished job is read over and over with a
token, as a polling client does. The load is open-loop: request n is sent at t0 + n/rate
whether or not earlier ones have answered, and its latency is counted from that planned
moment, so a slow server cannot lower the rate it is measured at.
Goal: p99 <= 30 ms, 0 errors. (The fan-out to 200 WebSocket subscribers is bench/ws_fanout.py.)
"""

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench._setup import start_stack  # noqa: E402

RATE = 200
SECONDS = 30


async def drive(base: str, path: str, token: str) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Token {token}"}, limits=limits, timeout=10
    ) as client:
        await client.get(path)  # warm the connection and the server

        async def one(planned: float):
            nonlocal errors
            try:
                response = await client.get(path)
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.monotonic() - planned)

        tasks = []
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1
        for n in range(RATE * SECONDS):
            planned = start + n / RATE
            delay = planned - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(planned)))
        sent_over = loop.time() - start
        await asyncio.gather(*tasks)
    return latencies, errors, sent_over


def main():
    stack = start_stack()
    try:
        stack.start_web()
        stack.start_worker()
        client = stack.register("load@example.com")
        job_id = client.post(
            "/api/v1/jobs", json={"kind": "demo", "prompt": "Load.", "options": {"cards": 1}}
        ).json()["id"]
        stack.follow(client, job_id, timeout=120)
        path = f"/api/v1/jobs/{job_id}"
        assert client.get(path).json()["status"] == "succeeded"

        latencies, errors, sent_over = asyncio.run(drive(stack.base, path, client.token))
        ms = sorted(x * 1000 for x in latencies)
        p99 = ms[int(len(ms) * 0.99) - 1]
        verdict = "meets" if p99 <= 30 and errors == 0 else "misses"
        print(
            f"GET /api/v1/jobs/<id> open-loop at {RATE}/s for {SECONDS} s: "
            f"{len(ms)} requests sent at {len(ms) / sent_over:.1f}/s, "
            f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms, "
            f"{errors} errors ({verdict} the goal of p99 <= 30 ms and 0 errors)"
        )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
