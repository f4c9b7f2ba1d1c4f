import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import VideoFactory


@pytest.fixture
def api_for():
    """An API client authenticated with the user's token (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def video_for(db, alice):
    """A stored video of alice's (by default), with captions."""

    def make(owner=None, **fields):
        fields.setdefault("with_captions", True)
        return VideoFactory(owner=owner or alice, **fields)

    return make


def body_of(response) -> bytes:
    """The whole body of a plain or streaming response (closing the file behind it)."""
    if response.streaming:
        try:
            return b"".join(response.streaming_content)
        finally:
            response.close()
    return response.content
