"""One web process: uvicorn serving the ASGI application (HTTP and WebSockets).

uvicorn with uvloop and httptools answers a plain request in a fraction of what daphne's
Twisted stack took, and Channels' consumers run on it unchanged. `manage.py serve` starts one
or several of these; run it yourself to put web processes on ports of your own.
"""

import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Seconds a stopping process waits for open requests and sockets before closing them (less
# than the 15 s `serve` gives its children).
GRACEFUL_STOP_SECONDS = 10
KEEP_ALIVE_SECONDS = 75


class Command(BaseCommand):
    help = "Run one web process (uvicorn: HTTP and WebSockets) on a port or an inherited socket."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--fd", type=int, help="Accept on this inherited listening socket instead."
        )

    def handle(self, *args, host, port, fd, **options):
        try:
            import uvicorn
        except ImportError as exc:  # pragma: no cover - a broken install
            raise CommandError(f"uvicorn is not installed: {exc}")
        config = uvicorn.Config(
            "videogen.asgi:application",
            host=host,
            port=port,
            loop="uvloop",
            http="httptools",
            ws="websockets-sansio",
            lifespan="off",
            # Django's LOGGING (plain or JSON) formats uvicorn's lines too.
            log_config=None,
            # In JSON mode the application writes the access log (videogen.logs).
            access_log=settings.LOG_FORMAT != "json",
            # The peer is the client's address; throttles apply NUM_PROXIES to
            # X-Forwarded-For themselves, so the server must not rewrite it first.
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
            # uvicorn's 5 s closes a poller's idle connection just as it sends on it again
            # (errors seen under load); nginx keeps idle connections 75 s.
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        # uvicorn's own --fd takes the descriptor for a Unix socket, and so leaves Nagle's
        # algorithm on for TCP: a response then waits ~40 ms for the client's delayed ACK.
        # A socket object made from the descriptor knows it is TCP, and gets TCP_NODELAY.
        sockets = [socket.socket(fileno=fd)] if fd is not None else None
        uvicorn.Server(config).run(sockets=sockets)
