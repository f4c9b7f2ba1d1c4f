"""Guards in front of the application: the request body size limit and the site-wide API key.

RequestSizeGuard wraps the ASGI HTTP application, because Django's ASGI handler reads the
whole body (into a temporary file) before any middleware runs: a body declared larger than
REQUEST_MAX_BYTES is answered 413 without reading it, and a body sent without a length
(chunked) is cut off with 413 as soon as it passes the limit.

With API_KEY_REQUIRED, every /api/ request must carry `X-API-Key: <one of API_KEYS>` besides
its own credentials; health and the schema and documentation pages are open. The studio's own
pages call the API with the browser's session (and DRF checks their CSRF token), so requests
authenticated by the session cookie, without an Authorization header, need no key. WebSocket
clients that authenticate with a token send the key as the `X-API-Key` header or the
`api_key` query parameter; browsers on the session are let through as on HTTP.
"""

import hmac
import json
from urllib.parse import parse_qs

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse

API_KEY_HEADER = "X-API-Key"
# URL names of the /api/ pages anyone may open without the key.
API_KEY_EXEMPT_URLS = ("api-health", "schema", "swagger-ui", "redoc")


def _too_large_body(limit: int) -> bytes:
    return json.dumps(
        {
            "detail": f"The request body is larger than the limit of {limit} bytes "
            "(REQUEST_MAX_BYTES).",
            "code": "request_too_large",
            "limit": limit,
        }
    ).encode()


async def _send_too_large(send, limit: int) -> None:
    body = _too_large_body(limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is never read, so the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestSizeGuard:
    """ASGI middleware: 413 for request bodies over REQUEST_MAX_BYTES, before they are read."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.REQUEST_MAX_BYTES
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    break
                if declared > limit:
                    return await _send_too_large(send, limit)
                break

        # Without a declared length (or one that understates), count what arrives and end the
        # read with a disconnect once it passes the limit; Django then drops the request.
        received = 0
        tripped = False
        started = False

        async def counted_receive():
            nonlocal received, tripped
            if tripped:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    tripped = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted_receive, tracked_send)
        if tripped and not started:
            await _send_too_large(send, limit)


def api_key_valid(key: str | None) -> bool:
    if not key:
        return False
    # Compared in constant time against each key, so the answer's timing gives nothing away.
    return any(hmac.compare_digest(key.encode(), k.encode()) for k in settings.API_KEYS)


def _exempt_paths() -> set[str]:
    return {reverse(name) for name in API_KEY_EXEMPT_URLS}


def _api_key_refusal(key: str | None) -> dict:
    if key:
        return {
            "detail": f"The {API_KEY_HEADER} header names no valid API key.",
            "code": "api_key_invalid",
        }
    return {
        "detail": f"This API needs an API key: send it in the {API_KEY_HEADER} header "
        "(besides your token).",
        "code": "api_key_required",
    }


class ApiKeyMiddleware:
    """Django middleware: the site-wide API key on /api/ (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.API_KEY_REQUIRED
            and request.path.startswith("/api/")
            and request.path not in _exempt_paths()
        ):
            key = request.headers.get(API_KEY_HEADER)
            if not (api_key_valid(key) or self._session_request(request)):
                response = JsonResponse(_api_key_refusal(key), status=401)
                response["WWW-Authenticate"] = f'ApiKey header="{API_KEY_HEADER}"'
                return response
        return self.get_response(request)

    @staticmethod
    def _session_request(request) -> bool:
        # A browser on our own pages: signed in by its session cookie, no other credential.
        return "Authorization" not in request.headers and request.user.is_authenticated


class WebSocketApiKeyGuard:
    """Channels middleware, inside the session middleware: the API key for /ws/ clients that
    authenticate with a token. Without the key the handshake is refused."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and settings.API_KEY_REQUIRED:
            headers = dict(scope.get("headers", ()))
            key = headers.get(API_KEY_HEADER.lower().encode(), b"").decode("latin1")
            if not key:
                query = parse_qs(scope.get("query_string", b"").decode("latin1"))
                key = (query.get("api_key") or [""])[0]
            user = scope.get("user")
            session = b"authorization" not in headers and user is not None and user.is_authenticated
            if not (session or api_key_valid(key)):
                denier = WebsocketDenier()
                return await denier(scope, receive, send)
        return await self.app(scope, receive, send)
