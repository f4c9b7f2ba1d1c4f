"""Where each text-to-video model stands (not loaded, loading, loaded, error), for the API.

The model lives in a worker process while the API answers from the web process, so a worker
also writes its model's status to the Django cache (shared by the web server and the workers,
see CACHES), where the web process reads it. A record left by a worker that has since died
on this host is ignored, so a restarted worker does not look loaded. Records from other hosts
expire after STATUS_TTL seconds without news (every shot refreshes them).
"""

import hashlib
import logging
import os
import socket
import threading
import time

import psutil

logger = logging.getLogger(__name__)

STATUS_TTL = 6 * 3600
STATES = ("not_configured", "not_loaded", "loading", "loaded", "error")

_HOST = socket.gethostname()
_local: dict[str, dict] = {}
_lock = threading.Lock()


def status_set(
    model: str,
    *,
    status: str,
    device: str | None = None,
    memory_bytes: int | None = None,
    error: str = "",
) -> dict:
    """Records this process's state for `model` and shares it with the other processes."""
    if status not in STATES:
        raise ValueError(f"unknown model status {status!r}")
    record = {
        "status": status,
        "device": device,
        "memory_bytes": memory_bytes,
        "error": error[:500],
        "updated_at": time.time(),
        "host": _HOST,
        "pid": os.getpid(),
        "pid_started": _started(os.getpid()),
    }
    with _lock:
        _local[model] = record
    _share(model, record)
    return record


def status_get(model: str) -> dict | None:
    """This process's record for `model`, else a live worker's, else None."""
    with _lock:
        record = _local.get(model)
    if record is not None:
        return dict(record)
    shared = _read_shared(model)
    if shared and _holder_alive(shared):
        return shared
    return None


def status_forget(model: str) -> None:
    """This process no longer holds `model` (it was unloaded)."""
    with _lock:
        mine = _local.pop(model, None)
    if mine is None:
        return
    shared = _read_shared(model)
    if shared and (shared.get("host"), shared.get("pid")) == (_HOST, os.getpid()):
        _share(model, None)


def _key(model: str) -> str:
    return "videogen:t2v-status:" + hashlib.sha1(model.encode()).hexdigest()[:16]


def _cache():
    """The Django cache when settings are configured (not in a standalone script)."""
    from django.conf import settings

    if not settings.configured:
        return None
    from django.core.cache import cache

    return cache


def _share(model: str, record: dict | None) -> None:
    # The status is informative: a cache that is down must never fail a shot.
    try:
        cache = _cache()
        if cache is None:
            return
        if record is None:
            cache.delete(_key(model))
        else:
            cache.set(_key(model), record, STATUS_TTL)
    except Exception as exc:
        logger.warning("could not share the text-to-video model status: %s", exc)


def _read_shared(model: str) -> dict | None:
    try:
        cache = _cache()
        return cache.get(_key(model)) if cache is not None else None
    except Exception as exc:
        logger.warning("could not read the text-to-video model status: %s", exc)
        return None


def _started(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _holder_alive(record: dict) -> bool:
    if record.get("host") != _HOST:
        return True  # another machine: trust it until the record expires
    started = _started(int(record.get("pid") or 0))
    return started is not None and started == record.get("pid_started")
