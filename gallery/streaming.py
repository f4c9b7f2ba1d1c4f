"""Serving stored files with HTTP Range support, through the storage API (local disk or S3)."""

import mimetypes
import re
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _parse_range(header: str, size: int):
    """Returns (start, end) inclusive, None for no usable range, or "invalid" for a 416."""
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


def _iter_range(fh, start: int, length: int):
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def stored_file_response(request, field, *, download_name: str | None = None, content_type=None):
    """Streams a FieldFile, answering Range requests with 206 (or 416 for a bad range)."""
    storage = field.storage
    size = storage.size(field.name)
    content_type = content_type or mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    header = request.headers.get("Range", "")
    byte_range = _parse_range(header, size) if header else None
    if byte_range == "invalid":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    fh = storage.open(field.name, "rb")
    if byte_range is None:
        response = FileResponse(fh, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range
        length = end - start + 1
        response = StreamingHttpResponse(
            _iter_range(fh, start, length), status=206, content_type=content_type
        )
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    if download_name:
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(download_name)}"
    return response


def download_name(title: str, ext: str) -> str:
    """A friendly file name from a title: letters, digits, spaces and dashes only."""
    cleaned = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip() or "video"
    cleaned = re.sub(r"\s+", " ", cleaned)[:80]
    return f"{cleaned}.{ext}"
