"""Where one `GET /api/v1/jobs/<id>` spends its time, on the real stack (`manage.py serve`).

Each part is timed on its own, many times, median per request:
- the whole request through the real server (one kept-alive connection, one request at a
  time) and the bare view (bench/urls.py) the same way: what the server and middleware cost;
- the same two requests through the ASGI application in this process (no server, no socket);
- inside the view: the token lookup, opening a database connection, the job's query, the
  serializer and the JSON rendering;
- a request thread: a new one per request (Django's ASGI handler) against a kept one.
"""

import asyncio
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

ROUNDS = 2000


def per_call_us(fn, rounds=ROUNDS) -> float:
    """Median microseconds of `fn()` over a few batches."""
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds // 5):
            fn()
        batches.append((time.perf_counter() - started) / (rounds // 5) * 1e6)
    return statistics.median(batches)


def over_socket_us(port: int, path: str, token: str | None, rounds=ROUNDS) -> float:
    auth = f"Authorization: Token {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")

        def one():
            sock.sendall(request)
            status = reader.readline()
            assert b" 200 " in status, status
            length = 0
            while (line := reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            reader.read(length)

        for _ in range(50):
            one()
        return per_call_us(one, rounds)


async def _one_request(application, scope) -> list[dict]:
    sent = []
    done = asyncio.Event()
    body = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if body:
            return body.pop()
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await application(scope, receive, send)
    return sent


def in_process_us(path: str, token: str | None, rounds=ROUNDS // 2) -> float:
    from videogen.asgi import application

    headers = [(b"host", b"127.0.0.1")]
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def run(n):
        for _ in range(n):
            sent = await _one_request(application, scope)
            assert sent[0]["status"] == 200, sent

    loop = asyncio.new_event_loop()
    loop.run_until_complete(run(50))
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        loop.run_until_complete(run(rounds // 5))
        batches.append((time.perf_counter() - started) / (rounds // 5) * 1e6)
    loop.close()
    return statistics.median(batches)


def thread_us() -> tuple[float, float]:
    from concurrent.futures import ThreadPoolExecutor

    def fresh():
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()

    kept = ThreadPoolExecutor(max_workers=1)
    return per_call_us(fresh), per_call_us(lambda: kept.submit(lambda: None).result())


def main():
    stack = start_stack()
    try:
        stack.start_serve()
        client = stack.register("profile@example.com")
        job_id = client.post(
            "/api/v1/jobs", json={"kind": "demo", "prompt": "Profile.", "options": {"cards": 1}}
        ).json()["id"]
        stack.follow(client, job_id, timeout=120)
        path = f"/api/v1/jobs/{job_id}"

        from django.db import connection
        from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication
        from rest_framework.renderers import JSONRenderer

        from accounts.authentication import TokenAuthentication
        from pipeline.models import Job
        from pipeline.serializers import JobSerializer
        from studio.selectors import job_visible_to

        auth, drf_auth = TokenAuthentication(), DRFTokenAuthentication()
        user, _ = auth.authenticate_credentials(client.token)
        job = job_visible_to(user, job_id)
        data = JobSerializer(job).data

        def reconnect():
            connection.close()
            connection.ensure_connection()

        parts = {
            "server: GET jobs/<id>": over_socket_us(stack.port, path, client.token),
            "server: bare view": over_socket_us(stack.port, "/bench/bare", None),
            "in process: GET jobs/<id>": in_process_us(path, client.token),
            "in process: bare view": in_process_us("/bench/bare", None),
            "token lookup (prepared query)": per_call_us(
                lambda: auth.authenticate_credentials(client.token)
            ),
            "token lookup (DRF's, a queryset)": per_call_us(
                lambda: drf_auth.authenticate_credentials(client.token)
            ),
            "database connection opened": per_call_us(reconnect, 500),
            "job query (prepared)": per_call_us(lambda: job_visible_to(user, job_id)),
            "job query (a queryset)": per_call_us(
                lambda: Job.objects.select_related("result").filter(owner=user).get(pk=job_id)
            ),
            "JobSerializer(job).data": per_call_us(lambda: JobSerializer(job).data),
            "JSON rendering": per_call_us(lambda: JSONRenderer().render(data)),
        }
        parts["new thread"], parts["kept thread (hop)"] = thread_us()
        width = max(map(len, parts))
        print("GET /api/v1/jobs/<id>, median microseconds per request, one at a time:")
        for name, us in parts.items():
            print(f"  {name:<{width}}  {us:8.0f} us")
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
