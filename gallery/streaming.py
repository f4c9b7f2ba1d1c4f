"""Serving stored files with HTTP Range support, through the storage API (local disk or S3).

Only the requested bytes are read: a local file is opened and seeked, an S3 object is read
with one ranged GET (never downloaded whole first). Under ASGI the body is an async iterator
that reads a chunk at a time in a thread, so a long video never sits in memory.
"""

import dataclasses
import mimetypes
import re
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _parse_range(header: str, size: int):
    """Returns (start, end) inclusive, None for no usable range, or "invalid" for a 416."""
    if "," in header:  # several ranges: the whole file instead, as RFC 9110 allows
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return "invalid" if header.strip().startswith("bytes=") else None
    first, last = match.groups()
    if first == "" and last == "":
        return "invalid"
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            return "invalid"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return "invalid"
    return start, min(end, size - 1)


def _open_at(storage, name: str, start: int, length: int):
    """A readable stream positioned at `start`, with at least `length` bytes to read."""
    open_range = getattr(storage, "open_range", None)
    if open_range is not None:
        return open_range(name, start, length)
    fh = storage.open(name, "rb")
    fh.seek(start)
    return fh


def _iter_range(fh, length: int):
    try:
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


async def _aiter_range(fh, length: int):
    read = sync_to_async(fh.read, thread_sensitive=False)
    try:
        remaining = length
        while remaining > 0:
            chunk = await read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        await sync_to_async(fh.close, thread_sensitive=False)()


def _is_asgi(request) -> bool:
    # A DRF Request wraps Django's; the ASGI handler streams async iterators chunk by chunk
    # (a sync one it would first read whole into a list), the test client wants sync ones.
    return isinstance(getattr(request, "_request", request), ASGIRequest)


def _disposition(download_name: str | None) -> str | None:
    if not download_name:
        return None
    return f"attachment; filename*=UTF-8''{quote(download_name)}"


@dataclasses.dataclass(frozen=True)
class StoredName:
    """A file in storage known by its name alone (not a model's FieldFile)."""

    name: str
    storage: object = dataclasses.field(default_factory=lambda: default_storage)


def stored_file_response(
    request,
    field,
    *,
    download_name: str | None = None,
    content_type=None,
    redirect: bool = False,
):
    """Streams a FieldFile (or a StoredName), answering Range requests with 206 (or 416 for
    a bad range).

    Call it only after the permission check. With `redirect` (for videos), S3 storage and
    S3_REDIRECT on, the answer is a redirect to a presigned link valid S3_REDIRECT_SECONDS,
    which serves the same bytes, type and file name without passing through this process.
    A file missing from storage is a 404."""
    storage = field.storage
    content_type = content_type or mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    disposition = _disposition(download_name)
    signed_url = getattr(storage, "signed_url", None)
    if redirect and signed_url is not None and settings.S3_REDIRECT:
        response = HttpResponseRedirect(
            signed_url(
                field.name,
                expire=settings.S3_REDIRECT_SECONDS,
                content_type=content_type,
                disposition=disposition,
            )
        )
        # The link expires: nobody may keep the redirect.
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        size = storage.size(field.name)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.")
    header = request.headers.get("Range", "")
    byte_range = _parse_range(header, size) if header else None
    if byte_range == "invalid":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1
    if length <= 0:
        body = iter(())
    else:
        try:
            fh = _open_at(storage, field.name, start, length)
        except FileNotFoundError:
            raise Http404("The file is missing from storage.")
        body = _aiter_range(fh, length) if _is_asgi(request) else _iter_range(fh, length)
    response = StreamingHttpResponse(
        body, status=206 if byte_range else 200, content_type=content_type
    )
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    if disposition:
        response["Content-Disposition"] = disposition
    return response


def download_name(title: str, ext: str) -> str:
    """A friendly file name from a title: letters, digits, spaces and dashes only."""
    cleaned = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip() or "video"
    cleaned = re.sub(r"\s+", " ", cleaned)[:80]
    return f"{cleaned}.{ext}"
