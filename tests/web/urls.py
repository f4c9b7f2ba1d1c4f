"""A view that tells which thread and which database connection served it."""

import asyncio
import threading

from django.db import connections
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path

from accounts.models import User

# The connection wrappers that served requests, to look at after the request.
served_by = []


def where(request):
    User.objects.exists()
    # The wrapper of this thread (`django.db.connection` is a proxy that would resolve to
    # whichever thread looks at it later).
    wrapper = connections["default"]
    served_by.append(wrapper)
    return JsonResponse({"thread": threading.get_ident(), "connection": id(wrapper.connection)})


# Set by the test to let the streamed response finish.
stream_may_end: asyncio.Event | None = None


def stream(request):
    async def chunks():
        yield b"first "
        await stream_may_end.wait()
        yield b"last"

    return StreamingHttpResponse(chunks())


urlpatterns = [path("where", where), path("stream", stream)]
