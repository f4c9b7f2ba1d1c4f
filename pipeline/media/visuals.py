"""Procedural stills drawn with Pillow and numpy: title cards and scene backgrounds.

They need no model, so every generator can show something on screen in milliseconds, and a
prompt with a seed always draws the same picture (a retried job renders the same video).
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from pipeline.media.illustrate import illustrate

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Palette:
    background: tuple[RGB, RGB]  # gradient from one corner to the other
    accents: tuple[RGB, ...]  # soft shapes and highlights
    text: RGB
    panel: RGBA  # behind on-screen text, so it reads on any background


PALETTES: dict[str, Palette] = {
    "default": Palette(
        ((12, 18, 48), (18, 92, 110)),
        ((64, 200, 220), (140, 96, 230), (250, 180, 70)),
        (255, 255, 255),
        (8, 12, 30, 170),
    ),
    "warm": Palette(
        ((70, 14, 28), (214, 98, 40)),
        ((255, 196, 80), (255, 120, 90), (240, 90, 130)),
        (255, 248, 236),
        (40, 10, 8, 170),
    ),
    "cool": Palette(
        ((8, 16, 40), (50, 96, 150)),
        ((170, 220, 255), (60, 190, 180), (150, 140, 230)),
        (240, 248, 255),
        (6, 14, 30, 170),
    ),
    "mono": Palette(
        ((14, 14, 16), (92, 92, 98)),
        ((220, 220, 220), (150, 150, 155), (250, 250, 250)),
        (255, 255, 255),
        (0, 0, 0, 170),
    ),
    "vivid": Palette(
        ((120, 0, 110), (20, 60, 230)),
        ((180, 255, 60), (255, 230, 40), (40, 240, 255)),
        (255, 255, 255),
        (20, 0, 40, 170),
    ),
    "pastel": Palette(
        ((250, 214, 226), (196, 222, 250)),
        ((180, 240, 210), (255, 210, 170), (210, 190, 250)),
        (40, 40, 64),
        (255, 255, 255, 180),
    ),
}

# Backgrounds are drawn small and scaled up: they are soft anyway, and it keeps a 1280x720
# still well under 100 ms.
_DOWNSCALE = 4
_GRAIN_BIAS = 8  # keeps the signed grain in uint8 for ImageChops.add
# Over an illustration, text sits near the top (its middle at this fraction of the height),
# leaving the subject below it in view.
_TEXT_TOP = 0.13
# JPEG saves a 1280x720 still in ~10 ms; PNG's zlib takes ~70 ms even at its fastest level.
_SAVE_OPTIONS = {".png": {"compress_level": 1}, ".jpg": {"quality": 92}, ".jpeg": {"quality": 92}}


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled FreeType font, so text renders the same on any host, fonts or not."""
    return ImageFont.load_default(size=size)


def wrap_text(text: str, face: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap by rendered width; a word wider than the line keeps a line to itself."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and face.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return [line for line in lines if line] or [""]


def render_still(
    *,
    text: str,
    prompt: str,
    size: tuple[int, int],
    palette: str,
    seed: int,
    path: Path,
    kind: str = "scene",
) -> Path:
    """Draws a still and saves it in the format `path`'s suffix names.

    `kind="title"` is a big centred title card; `kind="scene"` is an illustration of what
    `prompt` names (see `illustrate`), or where it names nothing drawable a background derived
    from `prompt` and `seed`, with `text` (if any) on a translucent panel: in the middle of a
    background, near the top of an illustration, to leave its subject in view.
    """
    if kind not in ("title", "scene"):
        raise ValueError(f"unknown still kind {kind!r}")
    colors = PALETTES[palette]
    rng = np.random.default_rng(_seed_for(prompt, seed))
    headroom = _TEXT_TOP * 2 if text.strip() else 0.0
    picture = illustrate(prompt, size, colors, rng, headroom=headroom) if kind == "scene" else None
    # An illustration is mostly flat colour and goes without grain, which would triple the
    # time PNG takes to save it.
    image = picture or _background(size, colors, rng, shapes=4 if kind == "title" else 12)
    if kind == "title":
        _draw_title(image, text, colors)
    elif text.strip():
        if picture is None:
            _draw_panel_text(image, text, colors)
        else:  # larger, as the picture around it is busier than a background
            _draw_panel_text(image, text, colors, middle=_TEXT_TOP, font_size=size[1] // 14)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **_SAVE_OPTIONS.get(path.suffix.lower(), {}))
    return path


def _seed_for(prompt: str, seed: int) -> int:
    digest = hashlib.sha256(f"{seed}\0{prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _background(size: tuple[int, int], colors: Palette, rng, *, shapes: int) -> Image.Image:
    """Gradient at a random angle, a glow, blurred bokeh discs, a vignette and a little grain."""
    width, height = size
    small = (max(2, width // _DOWNSCALE), max(2, height // _DOWNSCALE))
    ys, xs = np.mgrid[0 : small[1], 0 : small[0]].astype(np.float32)
    xs /= small[0]
    ys /= small[1]

    angle = rng.uniform(0, 2 * np.pi)
    ramp = (xs - 0.5) * np.cos(angle) + (ys - 0.5) * np.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    start, end = (np.array(c, np.float32) for c in colors.background)
    pixels = start + ramp[..., None] * (end - start)

    glow_x, glow_y = rng.uniform(0.2, 0.8, 2)
    glow = np.exp(-((xs - glow_x) ** 2 + (ys - glow_y) ** 2) / rng.uniform(0.04, 0.12))
    glow_color = np.array(colors.accents[rng.integers(len(colors.accents))], np.float32)
    pixels += glow[..., None] * (glow_color - pixels) * 0.35

    vignette = 1.0 - 0.35 * ((xs - 0.5) ** 2 + (ys - 0.5) ** 2) * 2
    pixels *= vignette[..., None]

    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).convert("RGBA")
    image.alpha_composite(_bokeh(small, colors, rng, shapes))
    image = image.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    # Grain breaks up the banding that smooth 8-bit gradients show once encoded.
    return ImageChops.add(image, _grain(size), offset=-_GRAIN_BIAS)


@cache
def _grain(size: tuple[int, int]) -> Image.Image:
    """Fixed noise per frame size, added in C: drawing fresh noise per still costs more."""
    noise = np.random.default_rng(0).integers(-2, 3, (size[1], size[0], 1), dtype=np.int16)
    return Image.fromarray(np.repeat(noise + _GRAIN_BIAS, 3, axis=2).astype(np.uint8))


def _bokeh(size: tuple[int, int], colors: Palette, rng, count: int) -> Image.Image:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    short = min(size)
    for _ in range(count):
        radius = rng.uniform(0.04, 0.22) * short
        x, y = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        color = colors.accents[rng.integers(len(colors.accents))]
        alpha = int(rng.uniform(40, 110))
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=(*color, alpha))
    return layer.filter(ImageFilter.GaussianBlur(max(1.0, short / 60)))


def _fit_title(text: str, size: tuple[int, int]) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (down to a floor) whose wrapped lines fit the safe area."""
    width, height = size
    font_size = height // 7
    while True:
        face = font(font_size)
        lines = wrap_text(text, face, width * 0.84)
        fits = len(lines) * font_size * 1.25 <= height * 0.6
        if fits or font_size <= height // 24:
            return face, lines
        font_size = int(font_size * 0.88)


def _draw_title(image: Image.Image, text: str, colors: Palette) -> None:
    width, height = image.size
    face, lines = _fit_title(text, image.size)
    body = "\n".join(lines)
    spacing = face.size // 4
    center = (width / 2, height / 2)
    draw = ImageDraw.Draw(image, "RGBA")
    shadow = max(2, face.size // 24)
    draw.multiline_text(
        (center[0] + shadow, center[1] + shadow), body, font=face, anchor="mm",
        align="center", spacing=spacing, fill=(0, 0, 0, 120),
    )  # fmt: skip
    draw.multiline_text(
        center, body, font=face, anchor="mm", align="center", spacing=spacing, fill=colors.text
    )
    box = draw.multiline_textbbox(
        center, body, font=face, anchor="mm", align="center", spacing=spacing
    )
    rule_y = box[3] + face.size // 2
    rule_half = min(width * 0.15, (box[2] - box[0]) / 2)
    draw.rounded_rectangle(
        [center[0] - rule_half, rule_y, center[0] + rule_half, rule_y + max(3, height // 120)],
        radius=3,
        fill=colors.accents[0],
    )


def _draw_panel_text(
    image: Image.Image, text: str, colors: Palette, *, middle=0.5, font_size: int = 0
) -> None:
    """`text` on a translucent panel centred at `middle` of the height (its top kept inside)."""
    width, height = image.size
    face = font(max(12, font_size or height // 18))
    body = "\n".join(wrap_text(text, face, width * 0.7))
    draw = ImageDraw.Draw(image, "RGBA")
    spacing = face.size // 4
    center = (width / 2, height / 2)
    if middle != 0.5:
        box = draw.multiline_textbbox(
            center, body, font=face, anchor="mm", align="center", spacing=spacing
        )
        center = (width / 2, max(height * middle, (box[3] - box[1]) / 2 + face.size * 1.2))
    box = draw.multiline_textbbox(
        center, body, font=face, anchor="mm", align="center", spacing=spacing
    )
    pad = face.size * 0.6
    draw.rounded_rectangle(
        [box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad],
        radius=int(pad),
        fill=colors.panel,
    )
    draw.multiline_text(
        center, body, font=face, anchor="mm", align="center", spacing=spacing, fill=colors.text
    )
