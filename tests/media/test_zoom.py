"""The slow zoom lays every plane of every frame where the zoom curve says, to a tenth of a
pixel: what is at a point of the picture moves away from the centre as the zoom goes in."""

import math

import numpy as np
import pytest
from PIL import Image

from pipeline.media.frames import MOTION_SECONDS, MOTION_ZOOM, _MovingStill
from pipeline.media.yuv import _planes

SIZE, FPS = (320, 180), 10
BIG = (352, 198)  # the still is covered at MOTION_ZOOM times the frame's size


def centroid(plane: np.ndarray, background: int) -> tuple[float, float]:
    """Where the plane's brightness above its background lies, in continuous coordinates
    (pixel i covers [i, i + 1])."""
    weight = np.abs(plane.astype(float) - background)
    rows, columns = np.indices(plane.shape)
    total = weight.sum()
    return (weight * (columns + 0.5)).sum() / total, (weight * (rows + 0.5)).sum() / total


def zoom_at(seconds: float, zoom_in: bool) -> float:
    gone = 1 - math.exp(-seconds / MOTION_SECONDS)
    return 1 + (MOTION_ZOOM - 1) * (gone if zoom_in else 1 - gone)


@pytest.fixture
def red_square(tmp_path):
    image = Image.new("RGB", BIG)
    image.paste((255, 0, 0), (230, 120, 262, 152))  # right of and below the centre
    image.save(tmp_path / "square.png")
    return tmp_path / "square.png"


@pytest.mark.parametrize("zoom_in", [True, False])
def test_each_frame_shows_the_picture_where_the_zoom_puts_it(red_square, zoom_in):
    still = _MovingStill(red_square, SIZE, FPS, zoom_in)
    sources = [centroid(p, 16 if i == 0 else 128) for i, p in enumerate(still.planes)]
    places = []
    for n in (0, 1, 2, 3, 15, 16, 31, 90):
        picture = still.frame(n / FPS)
        assert picture.shape == (SIZE[1] * 3 // 2, SIZE[0]) and picture.dtype == np.uint8
        zoom = zoom_at(n / FPS, zoom_in)
        for index, (plane, source, into) in enumerate(
            zip(still.planes, sources, _planes(picture, SIZE[1]), strict=True)
        ):
            (rows, columns), (out_rows, out_columns) = plane.shape, into.shape
            # The box of plane / zoom around the centre, stretched to the output.
            expected = (
                (source[0] - columns * (1 - 1 / zoom) / 2) * out_columns * zoom / columns,
                (source[1] - rows * (1 - 1 / zoom) / 2) * out_rows * zoom / rows,
            )
            found = centroid(into, 16 if index == 0 else 128)
            assert found == pytest.approx(expected, abs=0.1), (n, index)
        places.append(centroid(_planes(picture, SIZE[1])[0], 16)[0])
    moving = np.diff(places)
    assert (moving > 0).all() if zoom_in else (moving < 0).all(), places
