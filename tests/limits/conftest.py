import pytest

from tests.factories import VideoFactory


@pytest.fixture
def video_for(db, alice):
    """A stored, playable video of alice's (by default), with captions and a poster."""

    def make(owner=None, **fields):
        return VideoFactory(owner=owner or alice, with_captions=True, with_poster=True, **fields)

    return make


def stored_files(root) -> list:
    """Every file under a folder, relative to it (sorted)."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
