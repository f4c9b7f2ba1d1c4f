"""API authentication: `Authorization: Token <key>`, looked up with a prepared query."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.prepared import Param, PreparedQuery

# Read on every API request: compiled once per request thread, not per request. The row is
# read each time, so a token deleted or a person deactivated is refused at once.
TOKEN_WITH_USER = PreparedQuery(
    Token.objects.select_related("user").filter(key=Param("key", Token._meta.get_field("key")))
)


def token_user(key: str):
    """The token with this key and its user, or None."""
    return TOKEN_WITH_USER.first(key=key)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (same header, answers and errors), one query a request."""

    def authenticate_credentials(self, key):
        token = token_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
