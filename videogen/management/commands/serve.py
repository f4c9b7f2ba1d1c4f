"""Runs the whole studio on one machine: web server, worker cluster and, unless REDIS_URL is
set, an embedded Redis for the channel layer. Ctrl-C or SIGTERM stops all of them cleanly.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from pipeline.engine.context import die_with_parent
from videogen.embedded_redis import embedded_redis_command

STOP_GRACE_SECONDS = 15


def _child_setup():
    # Own session: a terminal's Ctrl-C reaches only us, and we stop each child the way it
    # wants (django-q2's cluster hangs when its whole process group gets SIGTERM).
    os.setsid()
    die_with_parent()


class Command(BaseCommand):
    help = "Run the web server, the worker cluster and (without REDIS_URL) an embedded Redis."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--no-worker", action="store_true", help="Web server only.")
        parser.add_argument(
            "--web-processes",
            type=int,
            default=settings.WEB_PROCESSES,
            help="Web processes sharing the port (one uses one CPU core at most).",
        )

    def handle(self, *args, **options):
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        try:
            self._start_redis()
            self._start_web(options["host"], options["port"], options["web_processes"])
            if not options["no_worker"]:
                for name in self._workers():
                    self._start_worker(name)
            self.stdout.write(
                f"videogen is running on http://{options['host']}:{options['port']}/ "
                "(Ctrl-C to stop)"
            )
            self._watch()
        finally:
            self._stop_all()

    # --- children -------------------------------------------------------------------------
    def _start(self, name: str, args: list[str], env: dict | None = None, pass_fds=()) -> None:
        self.children[name] = subprocess.Popen(
            args,
            cwd=settings.BASE_DIR,
            preexec_fn=_child_setup,
            env=env or os.environ.copy(),
            pass_fds=pass_fds,
        )

    def _start_web(self, host: str, port: int, processes: int) -> None:
        """One web process (`manage.py web`) on host:port, or several accepting on one shared
        socket (the kernel hands each new connection to one of them)."""
        web = [sys.executable, "manage.py", "web"]
        if processes <= 1:
            self._start("web", [*web, "--host", host, "--port", str(port)])
            return
        listener = socket.create_server((host, port), backlog=2048)
        listener.setblocking(False)
        fd = listener.fileno()
        for n in range(1, processes + 1):
            self._start(f"web-{n}", [*web, "--fd", str(fd)], pass_fds=(fd,))
        listener.close()  # the children hold it now

    @staticmethod
    def _workers() -> dict[str, str | None]:
        """Worker clusters to run: the default one, and the GPU one when GPU_CLUSTER is set."""
        workers = {"worker": None}
        if settings.GPU_CLUSTER:
            workers["gpu-worker"] = settings.GPU_CLUSTER
        return workers

    def _start_worker(self, name: str) -> None:
        env = os.environ.copy()
        env.pop("Q_CLUSTER_NAME", None)
        if cluster := self._workers()[name]:
            env["Q_CLUSTER_NAME"] = cluster
        self._start(name, [sys.executable, "manage.py", "qcluster"], env)

    def _start_redis(self) -> None:
        if settings.REDIS_URL or not settings.CHANNEL_LAYER_URL.startswith("unix://"):
            return
        socket_path = Path(settings.CHANNEL_LAYER_URL.removeprefix("unix://"))
        socket_path.parent.mkdir(parents=True, exist_ok=True)
        socket_path.unlink(missing_ok=True)
        self._start("redis", embedded_redis_command(socket_path))
        deadline = time.monotonic() + 10
        while not socket_path.exists():
            if self.children["redis"].poll() is not None or time.monotonic() > deadline:
                raise CommandError("the embedded Redis server did not start")
            time.sleep(0.05)

    def _watch(self) -> None:
        restarts: list[float] = []
        while not self.stopping:
            time.sleep(0.5)
            for name, proc in list(self.children.items()):
                if self.stopping or proc.poll() is None:
                    continue
                if name in self._workers():
                    # The worker may die (out of memory, say); jobs survive in the database,
                    # so bring it back, unless it keeps dying.
                    now = time.monotonic()
                    restarts = [t for t in restarts if now - t < 60] + [now]
                    if len(restarts) <= 5:
                        self.stderr.write(f"{name} exited; starting it again")
                        self._start_worker(name)
                        continue
                raise CommandError(f"{name} exited with code {proc.returncode}")

    def _on_signal(self, signum, frame):
        self.stopping = True

    def _stop_all(self) -> None:
        self.stopping = True
        # The web server and the worker first, Redis last: they talk to it while stopping.
        order = [n for n in self.children if n != "redis"] + (
            ["redis"] if "redis" in self.children else []
        )
        for group in ([n for n in order if n != "redis"], ["redis"]):
            for name in group:
                proc = self.children.get(name)
                if proc and proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            for name in group:
                proc = self.children.get(name)
                if not proc:
                    continue
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.stderr.write(f"{name} did not stop in time; killing it")
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
