"""ASGI entry point: Django for HTTP, Channels consumers for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import django  # noqa: E402
from asgiref.sync import ThreadSensitiveContext, sync_to_async  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.db import connections  # noqa: E402

# Threads a web process keeps for requests, each with its own database connection. Enough
# that a burst rarely runs out: a request that finds none free pays for a new thread and a
# new connection (measured here: a third of the throughput with 4 kept, at 8 connections).
REQUEST_THREADS = 16


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, running the middleware chain and the view as one synchronous
    call in a request thread kept for the life of the process.

    Every view and middleware here is synchronous. Django's async chain would hop from the
    event loop to a thread for the middleware, back to the loop, and to a thread again for
    the view; one hop each way halves what a request costs.

    Django also starts a new thread for every request, which then opens a database
    connection of its own and closes it at the end. Here a request borrows one of a few
    threads that live as long as the process, so their connections live on between requests
    (CONN_MAX_AGE, with CONN_HEALTH_CHECKS). When all of them are busy (slow uploads, say)
    the request gets a thread of its own, as Django would give it, and its connection is
    closed when it ends.
    """

    def __init__(self, threads: int = REQUEST_THREADS):
        super().__init__()
        self._idle_threads = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="request") for _ in range(threads)
        ]

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP only, not {scope['type']}.")
        if not self._idle_threads:
            async with ThreadSensitiveContext():
                try:
                    await self.handle(scope, receive, send)
                finally:
                    # The thread ends with the request: its connection must not outlive it.
                    await sync_to_async(connections.close_all)()
            return
        # The thread used last first: its connection is the most likely to be warm.
        executor = self._idle_threads.pop()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._idle_threads.append(executor)


django.setup(set_prefix=False)
django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.channels_auth import BrowserOriginValidator, TokenAuthMiddleware  # noqa: E402
from studio.routing import websocket_urlpatterns  # noqa: E402
from videogen.limits import RequestSizeGuard, WebSocketApiKeyGuard  # noqa: E402
from videogen.logs import RequestLogContext  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": RequestLogContext(RequestSizeGuard(django_asgi_app)),
        "websocket": BrowserOriginValidator(
            AuthMiddlewareStack(
                WebSocketApiKeyGuard(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
