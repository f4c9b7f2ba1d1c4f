"""Pictures as the encoder takes them: yuv420p arrays of shape (height * 3 / 2, width), in
BT.709 at limited range, converted from RGB once and then handled as arrays (blended, laid
over, held) with no colour conversion per frame.
"""

import av
import numpy as np
from av.video.reformatter import Colorspace
from PIL import Image

_BT709 = 1  # H.264 VUI code for BT.709 primaries, transfer and matrix


def _yuv(image: Image.Image) -> np.ndarray:
    frame = av.VideoFrame.from_ndarray(np.asarray(image.convert("RGB")), format="rgb24")
    return frame.reformat(format="yuv420p", dst_colorspace=Colorspace.ITU709).to_ndarray()


def _planes(picture: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes inside a yuv420p array (the chroma planes need not start
    on a row of it: with height / 2 odd they do not)."""
    width = picture.shape[1]
    flat = picture.reshape(-1)
    luma, chroma = width * height, width * height // 4
    u = flat[luma : luma + chroma].reshape(height // 2, width // 2)
    v = flat[luma + chroma :].reshape(height // 2, width // 2)
    return picture[:height], u, v


def _black(size: tuple[int, int]) -> np.ndarray:
    width, height = size
    picture = np.full((height * 3 // 2, width), 128, np.uint8)
    picture[:height] = 16
    return picture


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _blend(a: np.ndarray, b: np.ndarray, weight: int) -> np.ndarray:
    """`weight`/256 of b over a. Blending YUV equals blending RGB: the conversion is affine."""
    mixed = a.astype(np.uint16) * (256 - weight) + b.astype(np.uint16) * weight
    return (mixed >> 8).astype(np.uint8)
