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
    """The whole body of a plain or streaming response. The test client closes a streaming
    response (and the file behind it) once it has been read to the end; closing it again
    here would also close the test's database connection on PostgreSQL."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
