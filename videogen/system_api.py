"""Health and statistics: what an operator looks at."""

import asyncio
import os
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from gallery.models import Video
from pipeline.generators import all_generators
from pipeline.models import Job


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check() or {}
        ok = True
    except Exception as exc:
        detail, ok = {"error": f"{type(exc).__name__}: {exc}"}, False
    return {"ok": ok, "latency_ms": round((time.perf_counter() - started) * 1000, 2), **detail}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _broker():
    from django_q.brokers import get_broker

    broker = get_broker()
    return {"name": type(broker).__name__, "queued": broker.queue_size()}


def _workers():
    from django_q.status import Stat

    clusters = [s for s in Stat.get_all() if s.status]
    return {"clusters": len(clusters), "workers": sum(len(s.workers) for s in clusters)}


# A dependency that does not answer must not hold the health check (or the load balancer
# asking it) for long.
CHECK_TIMEOUT_SECONDS = 3.0


def _channel_layer():
    layer = get_channel_layer()

    async def roundtrip():
        channel = await layer.new_channel("health.")
        await layer.send(channel, {"type": "health.ping"})
        return await layer.receive(channel)

    async def bounded():
        try:
            return await asyncio.wait_for(roundtrip(), CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            raise RuntimeError(f"no answer within {CHECK_TIMEOUT_SECONDS:g} s") from None

    message = async_to_sync(bounded)()
    if message.get("type") != "health.ping":
        raise RuntimeError("the layer returned a different message")
    return {"backend": type(layer).__name__}


def _cache():
    from django.core.cache import caches

    cache = caches["default"]
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not give back what was stored")
    finally:
        cache.delete(key)
    return {"backend": type(cache).__name__}


# The storage check writes a file (three requests on S3): anonymous callers polling health
# reuse a result younger than HEALTH_STORAGE_CHECK_SECONDS instead of writing on every call.
_storage_checked: dict = {}


def _storage():
    """Stores, reads and deletes a few bytes: proves the storage (local or S3) is writable."""
    from django.core.files.storage import storages

    storage = storages["default"]
    last = _storage_checked.get("last")
    fresh = last and time.monotonic() - last[1] < settings.HEALTH_STORAGE_CHECK_SECONDS
    if fresh and last[0] is storage:
        if last[2] is not None:
            raise RuntimeError(last[2])
        return {"backend": type(storage).__name__, "reused": True}
    try:
        _storage_roundtrip(storage)
    except Exception as exc:
        _storage_checked["last"] = (storage, time.monotonic(), f"{type(exc).__name__}: {exc}")
        raise
    _storage_checked["last"] = (storage, time.monotonic(), None)
    return {"backend": type(storage).__name__}


def _storage_roundtrip(storage) -> None:
    from django.core.files.base import ContentFile

    content = uuid.uuid4().hex.encode()
    name = storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(content))
    try:
        with storage.open(name, "rb") as stored:
            if stored.read() != content:
                raise RuntimeError("the storage did not give back what was stored")
    finally:
        storage.delete(name)


def _ffmpeg():
    from pipeline.media.ffmpeg import ffmpeg_exe

    path = ffmpeg_exe()
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not executable")
    return {"path": path}


HEALTH_SHAPE = inline_serializer(
    "Health",
    {
        "ok": serializers.BooleanField(),
        "checks": serializers.DictField(child=serializers.DictField()),
        "generators": serializers.DictField(child=serializers.DictField()),
    },
)


def _providers():
    from pipeline.providers import ROLES, provider_describe

    report = {role: provider_describe(role) for role in ROLES}
    if not report["tts"]["available"]:
        raise RuntimeError(f"narration is unavailable: {report['tts']['reason']}")
    return {"roles": report}


def _manim():
    import importlib.util

    from pipeline.manim_scenes import latex_available

    if importlib.util.find_spec("manim") is None:
        raise RuntimeError("Manim is not installed")
    latex = latex_available()
    if latex:
        formulas = "MathTex"
    elif importlib.util.find_spec("matplotlib") is not None:
        formulas = "mathtext (no LaTeX installed: formulas are typeset by matplotlib)"
    else:
        formulas = "text (no LaTeX or matplotlib installed: formulas are drawn as Unicode text)"
    return {"latex": latex, "formulas": formulas}


class HealthView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: HEALTH_SHAPE, 503: HEALTH_SHAPE},
    )
    def get(self, request):
        """Each dependency with its status and latency; 503 when the database or the queue
        is down (workers, the channel layer, the cache, the storage, Manim, the providers
        and generators only report)."""
        checks = {
            "database": _timed(_database),
            "broker": _timed(_broker),
            "workers": _timed(_workers),
            "channel_layer": _timed(_channel_layer),
            "cache": _timed(_cache),
            "storage": _timed(_storage),
            "ffmpeg": _timed(_ffmpeg),
            "manim": _timed(_manim),
            "providers": _timed(_providers),
        }
        generators = {}
        for kind, generator in all_generators().items():
            availability = generator.availability()
            generators[kind] = {"available": availability.available, "reason": availability.reason}
        ok = checks["database"]["ok"] and checks["broker"]["ok"]
        return Response(
            {"ok": ok, "checks": checks, "generators": generators},
            status=status.HTTP_200_OK if ok else status.HTTP_503_SERVICE_UNAVAILABLE,
        )


class StatsView(APIView):
    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        responses=inline_serializer(
            "Stats",
            {
                "jobs": serializers.DictField(),
                "videos": serializers.DictField(),
            },
        )
    )
    def get(self, request):
        """Jobs by status and kind, and what the videos take up (staff only)."""
        by_status = dict(Job.objects.values_list("status").annotate(n=Count("id")))
        by_kind = dict(Job.objects.values_list("kind").annotate(n=Count("id")))
        videos = Video.objects.aggregate(count=Count("id"), bytes=Sum("size"))
        return Response(
            {
                "jobs": {"by_status": by_status, "by_kind": by_kind},
                "videos": {"count": videos["count"], "bytes": videos["bytes"] or 0},
            }
        )
