"""Burned-in captions: their styles, the font size and place that fit a cue in the frame, the
cue drawn with Pillow, and laid over a picture in YUV (only over the rows it covers).
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from pipeline.media.captions import Cue
from pipeline.media.visuals import font
from pipeline.media.yuv import _even, _planes, _yuv


@dataclass
class CaptionStyle:
    size: int = 0  # 0: a size that suits the frame
    position: str = "bottom"  # bottom | middle | top
    outline: int = 3
    color: tuple[int, int, int] = (255, 255, 255)
    outline_color: tuple[int, int, int] = (0, 0, 0)
    box: bool = False  # a translucent dark panel behind the text
    highlight: tuple[int, int, int] | None = None  # the spoken word's colour (karaoke)
    preset: str = "plain"

    @classmethod
    def from_preset(cls, preset: str, *, size: int, position: str = "bottom") -> "CaptionStyle":
        """One of CAPTION_PRESETS at a font size (pixels): `plain` white with a thin outline,
        `boxed` on a dark panel, `bold-outline` with a heavy outline, `karaoke` like it with
        the word being spoken in yellow."""
        thin = max(2, round(size / 14))
        styles = {
            "plain": {"outline": thin},
            "boxed": {"outline": 0, "box": True},
            "bold-outline": {"outline": thin * 2},
            "karaoke": {"outline": thin * 2, "highlight": (255, 214, 10)},
        }
        if preset not in styles:
            raise ValueError(f"unknown caption preset {preset!r}: use one of {CAPTION_PRESETS}")
        return cls(size=size, position=position, preset=preset, **styles[preset])

    def side_room(self, font_size: int) -> int:
        """Pixels the outline or the panel's padding add on each side of the text."""
        return _box_padding(font_size) if self.box else self.outline


CAPTION_PRESETS = ("plain", "boxed", "karaoke", "bold-outline")


@dataclass(frozen=True)
class CaptionLayout:
    font_size: int
    box: tuple[int, int, int, int]  # the text's bounding box as drawn at (0, 0)
    width: int  # of the drawn caption, before any cut
    height: int
    cut: bool  # too big for the frame even at the smallest size: its edges are cut off


def is_tall(size: tuple[int, int]) -> bool:
    """A portrait frame (9:16), as phones play full screen."""
    return size[1] > size[0] * 1.5


def caption_margins(size: tuple[int, int]) -> tuple[float, float]:
    """Space kept clear above and below captions: a tall (9:16) frame keeps its bottom fifth
    clear, where phone players put their controls and titles."""
    height = size[1]
    return height * 0.07, height * (0.2 if is_tall(size) else 0.07)


def caption_layout(cue: Cue, size: tuple[int, int], style: CaptionStyle) -> CaptionLayout:
    """The font size that fits the cue across the frame, and how much room it takes. A line
    too wide for the frame (a long word) shrinks the font instead of running off the edge."""
    width, height = size
    font_size = style.size or max(14, round(min(width, height) / 16))
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    while True:
        box = measure.multiline_textbbox(
            (0, 0), cue.text, font=font(font_size), stroke_width=style.outline,
            align="center", spacing=font_size // 5,
        )  # fmt: skip
        padding = 2 * _box_padding(font_size) if style.box else 0  # the outline is in `box`
        if box[2] - box[0] + padding <= width * 0.94 or font_size <= 10:
            break
        font_size = int(font_size * 0.9)
    pad = _box_padding(font_size) if style.box else 2
    w, h = _even(box[2] - box[0] + 2 * pad), _even(box[3] - box[1] + 2 * pad)
    return CaptionLayout(font_size, box, w, h, cut=w > width or h > height)


def _box_padding(font_size: int) -> int:
    return max(4, font_size // 3)


def caption_image(
    cue: Cue, size: tuple[int, int], style: CaptionStyle, spoken: int | None = None
) -> tuple[Image.Image, tuple[int, int]]:
    """The cue drawn with an outline (or on a panel) on a transparent image, and where its
    top-left corner goes; with `spoken`, that word (by index in the cue) in the highlight
    colour.

    Size and position are even so the overlay lines up with 4:2:0 chroma.
    """
    width, height = size
    layout = caption_layout(cue, size, style)
    w, h, box = layout.width, layout.height, layout.box
    face, spacing = font(layout.font_size), layout.font_size // 5
    image = Image.new("RGBA", (w, h), (*style.outline_color, 0))
    draw = ImageDraw.Draw(image)
    if style.box:
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=layout.font_size // 4,
                               fill=(0, 0, 0, 170))  # fmt: skip
    stroke = {"stroke_width": style.outline, "stroke_fill": style.outline_color}
    top = (h - (box[3] - box[1])) / 2 - box[1]
    # Pillow's own spacing of multiline text, which `box` was measured with.
    line_height = draw.textbbox((0, 0), "A", font=face, stroke_width=style.outline)[3]
    line_height += style.outline + spacing
    words = iter(range(len(cue.words)))
    for row, line in enumerate(cue.lines):
        y = top + row * line_height
        x = (w - draw.textlength(line, font=face)) / 2
        draw.text((x, y), line, font=face, fill=style.color, **stroke)
        if spoken is None or style.highlight is None:
            continue
        prefix = ""
        for token in line.split():
            if next(words, None) == spoken:
                draw.text((x + draw.textlength(prefix, font=face), y), token, font=face,
                          fill=style.highlight, **stroke)  # fmt: skip
            prefix += token + " "
    if layout.cut:  # a word too long even at the smallest size: keep its middle
        left, top = max(0, (w - width) // 2 // 2 * 2), max(0, (h - height) // 2 // 2 * 2)
        w, h = min(w, width), min(h, height)
        image = image.crop((left, top, left + w, top + h))
    top_margin, bottom_margin = caption_margins(size)
    y = {"top": top_margin, "middle": (height - h) / 2}.get(
        style.position, height - bottom_margin - h
    )
    y = max(0, min(y, height - h))
    return image, ((width - w) // 2 // 2 * 2, int(y) // 2 * 2)


class _Overlay:
    """A caption in YUV with its coverage, laid over only the rows and columns it covers."""

    def __init__(self, cue: Cue, size: tuple[int, int], style: CaptionStyle, spoken=None):
        image, (self.x, self.y) = caption_image(cue, size, style, spoken)
        self.w, self.h = image.size
        alpha = np.asarray(image.getchannel("A"), np.uint16)
        chroma = alpha.reshape(self.h // 2, 2, self.w // 2, 2).mean((1, 3)).astype(np.uint16)
        self.alpha = [alpha, chroma]
        self.planes = [p.astype(np.uint16) for p in _planes(_yuv(image), self.h)]

    def over(self, picture: np.ndarray, height: int) -> np.ndarray:
        picture = picture.copy()
        for index, plane in enumerate(_planes(picture, height)):
            scale = 1 if index == 0 else 2
            alpha = self.alpha[min(index, 1)]
            rows = slice(self.y // scale, (self.y + self.h) // scale)
            cols = slice(self.x // scale, (self.x + self.w) // scale)
            below = plane[rows, cols].astype(np.uint16)
            plane[rows, cols] = (below * (255 - alpha) + self.planes[index] * alpha + 127) // 255
        return picture
