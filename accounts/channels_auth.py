"""WebSocket authentication: the browser's session cookie, or `Authorization: Token <key>`."""

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.authtoken.models import Token


@database_sync_to_async
def _user_for_token(key):
    try:
        token = Token.objects.select_related("user").get(key=key)
    except Token.DoesNotExist:
        return AnonymousUser()
    return token.user if token.user.is_active else AnonymousUser()


class TokenAuthMiddleware(BaseMiddleware):
    """Replaces the session user when the client sends a token header.

    A header that names no valid token leaves the connection anonymous, even if a session
    cookie came along: a client that presents a bad credential gets nothing.
    """

    async def __call__(self, scope, receive, send):
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, key = value.decode("latin1").partition(" ")
                if scheme.lower() == "token" and key.strip():
                    scope["user"] = await _user_for_token(key.strip())
                else:
                    scope["user"] = AnonymousUser()
                break
        return await super().__call__(scope, receive, send)


class BrowserOriginValidator(OriginValidator):
    """Checks the Origin of browser connections against ALLOWED_HOSTS.

    Browsers always send Origin, and it is what stops another site from opening a socket with
    a visitor's cookie. API clients send none and authenticate with a token instead.
    """

    def __init__(self, application):
        super().__init__(application, settings.ALLOWED_HOSTS)

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)
