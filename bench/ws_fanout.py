"""Fan-out: how long one job event takes to reach 200 WebSocket subscribers of that job.

200 clients (in a process of their own) follow one job on a real web server through the
real channel layer; this process publishes events the way a worker does, and each event is
timed from the moment it is published until the last of the 200 clients has it.
Goal: every event delivered to all within 100 ms.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

SUBSCRIBERS = 200
EVENTS = 30

# Runs in the client process: connect everyone, say "ready", then report when each event
# reached its last subscriber (CLOCK_MONOTONIC is shared by all processes on Linux).
CLIENTS = r"""
import asyncio, json, sys, time
from websockets.asyncio.client import connect

url, token, count, events = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

async def main():
    sockets = []
    for _ in range(count):
        ws = await connect(url, additional_headers={"Authorization": f"Token {token}"},
                           open_timeout=30, max_queue=None)
        await ws.recv(); await ws.recv()  # connected, snapshot
        sockets.append(ws)
    last = {}
    seen = {}

    async def listen(ws):
        for _ in range(events):
            seq = json.loads(await ws.recv())["seq"]
            last[seq] = time.monotonic()
            seen[seq] = seen.get(seq, 0) + 1

    tasks = [asyncio.create_task(listen(ws)) for ws in sockets]
    print("ready", flush=True)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    print(json.dumps({"last": last, "seen": seen}), flush=True)

asyncio.run(main())
"""


def main():
    stack = start_stack()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from pipeline.engine.events import event_publish
    from pipeline.services import job_submit

    try:
        stack.start_web()
        user = get_user_model().objects.create_user("fanout@example.com", "bench-password-1")
        token = Token.objects.create(user=user).key
        with transaction.atomic():
            job = job_submit(owner=user, kind="noop", prompt="nothing", options={})
        url = f"ws://127.0.0.1:{stack.port}/ws/jobs/{job.id}/?after={job.last_seq}"
        clients = subprocess.Popen(
            [sys.executable, "-c", CLIENTS, url, token, str(SUBSCRIBERS), str(EVENTS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert clients.stdout.readline().strip() == "ready"
        published = {}
        for _ in range(EVENTS):
            started = time.monotonic()
            event = event_publish(job_id=job.id, type="progress", progress=50, force=True)
            published[event.seq] = started
            time.sleep(0.1)
        report = json.loads(clients.stdout.readline())
        clients.wait(timeout=30)
        missing = {s for s in published if report["seen"].get(str(s)) != SUBSCRIBERS}
        if missing:
            raise SystemExit(f"events {sorted(missing)} did not reach every subscriber")
        ms = sorted((report["last"][str(s)] - t) * 1000 for s, t in published.items())
        verdict = "meets" if ms[-1] <= 100 else "misses"
        print(
            f"fan-out to {SUBSCRIBERS} WebSocket subscribers over {EVENTS} events: "
            f"p50 {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, "
            f"max {ms[-1]:.1f} ms ({verdict} the 100 ms goal)"
        )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
