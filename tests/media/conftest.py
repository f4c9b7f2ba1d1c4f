import pytest

from tests.media.mediafiles import still


@pytest.fixture
def stills(tmp_path):
    """A red and a blue picture, 4:3, so the 16:9 frame has to crop them."""
    return [still(tmp_path / "red.png", (200, 30, 30)), still(tmp_path / "blue.png", (30, 30, 200))]
