"""WebSocket authentication: the browser's session cookie, or `Authorization: Token <key>`."""

import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from rest_framework.authtoken.models import Token

from accounts.authentication import token_user

logger = logging.getLogger(__name__)


@database_sync_to_async
def _user_for_token(key):
    token = token_user(key)
    return token.user if token is not None and token.user.is_active else AnonymousUser()


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
                    # Remembered so an open socket can check later that it still holds.
                    scope["auth_token"] = key.strip()
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


def account_group(user_id) -> str:
    """The group of every open socket a user signed in to (by session or token)."""
    return f"account.{user_id}"


def sockets_recheck(user_id) -> None:
    """Asks the user's open sockets to check their credential again, after a password change
    or a token revocation: those whose session or token no longer holds close."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(account_group(user_id), {"type": "account.recheck"})
    except Exception as exc:  # the change is made; sockets then end at their next connect
        logger.warning("could not ask the sockets of user %s to sign in again: %s", user_id, exc)


@database_sync_to_async
def credential_holds(scope) -> bool:
    """Whether the token or session a socket was opened with is still good."""
    from accounts.models import User

    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return False
    if key := scope.get("auth_token"):
        return Token.objects.filter(key=key, user_id=user.pk, user__is_active=True).exists()
    fresh = User.objects.filter(pk=user.pk, is_active=True).first()
    session = scope.get("session")
    if fresh is None or session is None:
        return False
    # The session keeps the password hash it was opened with; a new password changes it.
    stored = session.get(HASH_SESSION_KEY) or ""
    return constant_time_compare(stored, fresh.get_session_auth_hash())
