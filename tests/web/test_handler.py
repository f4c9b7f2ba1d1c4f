"""The ASGI handler runs requests in threads it keeps, so their database connections serve
one request after another; requests beyond them wait for one, and a streamed response gives
its thread back while it streams."""

import asyncio
import json
import threading

import pytest
from django.db import connections

from tests.web import urls
from videogen.asgi import SyncChainASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)

SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/where",
    "raw_path": b"/where",
    "query_string": b"",
    "headers": [(b"host", b"127.0.0.1")],
    "client": ("127.0.0.1", 40000),
    "server": ("127.0.0.1", 8000),
}


async def request(handler, path="/where", sent=None) -> dict:
    sent = [] if sent is None else sent
    answered = asyncio.Event()
    body = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if body:
            return body.pop()
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    await handler({**SCOPE, "path": path, "raw_path": path.encode()}, receive, send)
    assert sent[0]["status"] == 200, sent
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return json.loads(body) if path == "/where" else body


@pytest.fixture
def handler_with(settings):
    settings.ROOT_URLCONF = "tests.web.urls"
    urls.served_by.clear()
    made = []

    def make(threads):
        handler = SyncChainASGIHandler(threads=threads)
        made.append(handler)
        return handler

    yield make
    for handler in made:
        handler.close_connections()
        for executor in handler._idle_threads:
            executor.shutdown()


def test_requests_one_after_another_share_a_thread_and_its_connection(handler_with):
    handler = handler_with(threads=2)

    async def three():
        return [await request(handler) for _ in range(3)]

    answers = asyncio.run(three())
    assert len({a["thread"] for a in answers}) == 1
    assert len({a["connection"] for a in answers}) == 1
    assert urls.served_by[-1].connection is not None  # kept open for the next request


def test_requests_beyond_the_kept_threads_wait_for_one(handler_with):
    handler = handler_with(threads=1)

    async def together():
        return await asyncio.gather(*(request(handler) for _ in range(4)))

    answers = asyncio.run(together())
    assert len({a["thread"] for a in answers}) == 1
    assert len({a["connection"] for a in answers}) == 1


def test_a_streamed_response_does_not_hold_its_thread(handler_with):
    handler = handler_with(threads=1)

    async def scenario():
        urls.stream_may_end = asyncio.Event()
        streamed = []
        streaming = asyncio.create_task(request(handler, "/stream", streamed))
        while not any(m.get("body") == b"first " for m in streamed):
            await asyncio.sleep(0.01)
        # The only kept thread is free again while the stream is open.
        answer = await asyncio.wait_for(request(handler), timeout=10)
        urls.stream_may_end.set()
        return answer, await asyncio.wait_for(streaming, timeout=10)

    answer, body = asyncio.run(scenario())
    assert answer["connection"]
    assert body == b"first last"


def test_a_request_makes_one_trip_to_its_thread(handler_with):
    """The request_started signal, the view and the response's close (request_finished) run
    in one call on the request's thread: each hand-over costs about what a small view does."""
    from django.core import signals

    handler = handler_with(threads=1)
    (executor,) = handler._idle_threads
    trips, signalled = [], []
    submit = executor.submit

    def counted(fn, *args, **kwargs):
        trips.append(fn)
        return submit(fn, *args, **kwargs)

    executor.submit = counted

    def started(**kwargs):
        signalled.append(("started", threading.get_ident()))

    def finished(**kwargs):
        signalled.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        answer = asyncio.run(request(handler))
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert len(trips) == 1
    assert signalled == [("started", answer["thread"]), ("finished", answer["thread"])]


def test_a_streamed_response_is_closed_once_sent(handler_with):
    from django.core import signals

    handler = handler_with(threads=1)
    finished = []

    def note(**kwargs):
        finished.append(True)

    async def scenario():
        urls.stream_may_end = asyncio.Event()
        urls.stream_may_end.set()
        return await asyncio.wait_for(request(handler, "/stream"), timeout=10)

    signals.request_finished.connect(note)
    try:
        body = asyncio.run(scenario())
    finally:
        signals.request_finished.disconnect(note)
    assert body == b"first last"
    assert finished == [True]


def test_close_connections_closes_what_each_request_thread_keeps_open(handler_with):
    handler = handler_with(threads=2)

    asyncio.run(request(handler))

    def is_open():
        return connections["default"].connection is not None

    assert [t.submit(is_open).result() for t in handler._idle_threads].count(True) == 1
    handler.close_connections()
    assert [t.submit(is_open).result() for t in handler._idle_threads] == [False, False]
