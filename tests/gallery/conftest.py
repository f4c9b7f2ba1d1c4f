import pytest

from tests.factories import VideoFactory


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
