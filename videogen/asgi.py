"""ASGI entry point: Django for HTTP, Channels consumers for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")

import asyncio  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from contextvars import ContextVar  # noqa: E402

import django  # noqa: E402
from asgiref.sync import ThreadSensitiveContext, sync_to_async  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.exceptions import RequestAborted  # noqa: E402
from django.core.handlers.asgi import ASGIHandler, get_script_prefix  # noqa: E402
from django.db import connections  # noqa: E402
from django.http import FileResponse  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402

# Threads a web process keeps for requests, each with its own database connection.
REQUEST_THREADS = 16


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, running the middleware chain and the view as one synchronous
    call in a request thread kept for the life of the process.

    Every view and middleware here is synchronous. Django's async chain would hop from the
    event loop to a thread for the middleware, back to the loop, and to a thread again for
    the view; one hop each way halves what a request costs.

    Django also starts a new thread for every request, which then opens a database
    connection of its own and closes it at the end; under a burst it starts as many threads
    as there are requests waiting, and they all fight over one core. Here a request borrows
    one of a few threads that live as long as the process, so their connections live on
    between requests (CONN_MAX_AGE, with CONN_HEALTH_CHECKS), and when all of them are busy
    it waits for one, as in a threaded WSGI server. A streamed response (a video, say) gives
    its thread back once the view has returned: its chunks are read in other threads
    (gallery/streaming.py), so long downloads never keep other requests waiting.

    A request makes one trip to its thread, not three: the request_started signal, the
    middleware chain and the view, and for a response that is not streamed its close (the
    request_finished signal), run in one synchronous call. Each trip is a hand-over between
    the event loop and a thread, which costs about what a small view does.
    """

    def __init__(self, threads: int = REQUEST_THREADS):
        super().__init__()
        self._idle_threads = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="request") for _ in range(threads)
        ]
        self._free_threads = asyncio.Semaphore(threads)

    def close_connections(self) -> None:
        """Closes the database connections the idle request threads keep (each thread's own)."""
        for executor in list(self._idle_threads):
            executor.submit(connections.close_all).result()

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP only, not {scope['type']}.")
        await self._free_threads.acquire()
        # The thread used last first: its connection is the most likely to be warm.
        executor = self._idle_threads.pop()
        given_back = False

        def give_back():
            nonlocal given_back
            if not given_back:
                given_back = True
                self._idle_threads.append(executor)
                self._free_threads.release()

        token = _give_back_thread.set(give_back)
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            _give_back_thread.reset(token)
            give_back()

    async def handle(self, scope, receive, send):
        """Django's ASGIHandler.handle with one trip to the request's thread (see above)."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            body_file.close()
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return
        response = await sync_to_async(self._respond, thread_sensitive=True)(scope, request)
        if not response.streaming:
            await self.send_response(response, send)
            body_file.close()
            return
        # As Django does: stop streaming when the client goes away, then close.
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(self.send_response(response, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if not task.done():
                task.cancel()
            try:
                await task
            except (asyncio.CancelledError, RequestAborted):
                pass
        await sync_to_async(response.close)()
        body_file.close()

    def _respond(self, scope, request):
        signals.request_started.send(sender=self.__class__, scope=scope)
        response = self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            # Its body is built; closing it now ends the request (request_finished) here.
            response.close()
        return response

    async def send_response(self, response, send):
        if response.streaming:
            # The view is done; what is left for this thread (closing the response) may wait
            # behind the next request's view.
            _give_back_thread.get()()
        await super().send_response(response, send)


# How the request being served gives its thread back early (see send_response).
_give_back_thread: ContextVar = ContextVar("give_back_thread", default=lambda: None)


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
