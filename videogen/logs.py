"""Log formats and the request context of log lines.

LOG_FORMAT=plain writes lines for people; LOG_FORMAT=json writes one JSON object per line for
log collectors: time, level, logger, message, the job's id when the line is about a job (the
`job_id` given as `extra`, or the job the runner is running), the request's method and path
when it is logged while a request is served, any other `extra` fields, and the exception.
"""

import json
import logging
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from pipeline.engine.logcontext import current_job_id

# (method, path) of the HTTP request being served, set by RequestLogContext.
current_request: ContextVar[tuple[str, str] | None] = ContextVar("videogen_request", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colours
}

access_logger = logging.getLogger("videogen.request")


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        job_id = getattr(record, "job_id", None) or current_job_id.get()
        if job_id:
            entry["job_id"] = str(job_id)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            # django.request passes the HttpRequest along with 4xx and 5xx responses.
            entry["method"], entry["path"] = request.method, request.path
        elif (served := current_request.get()) is not None:
            entry["method"], entry["path"] = served
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and key != "request":
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestLogContext:
    """ASGI middleware: log lines written while a request is served name its method and path.

    With LOG_FORMAT=json it also writes the access log, one `videogen.request` line per
    response (method, path, status, duration, client), in place of the server's plain-text
    one (`manage.py web` turns that off in JSON mode).
    """

    def __init__(self, app):
        from django.conf import settings

        self.app = app
        self.access_log = settings.LOG_FORMAT == "json"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method, path = scope.get("method", ""), scope.get("path", "")
        token = current_request.set((method, path))
        started = time.perf_counter()
        status = None

        async def send_and_note(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if self.access_log:
                client = scope.get("client") or ("", 0)
                access_logger.info(
                    "%s %s %s",
                    method,
                    path,
                    status,
                    extra={
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "client": client[0],
                    },
                )
            current_request.reset(token)
