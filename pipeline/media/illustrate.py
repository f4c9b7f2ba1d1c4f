"""Flat-vector illustrations of what a scene talks about, drawn with Pillow: no model.

A prompt's words are looked up in a small vocabulary of things that can be drawn (a
lighthouse, a ship, a fox, bread, a lantern) and of settings (night, a storm, the sea, a city,
a kitchen). What is found decides the sky, the ground, and up to three things on it: the first
thing named is drawn large, the next two smaller, placed with a little seeded variation. A
prompt with nothing drawable gets no illustration, and the caller draws its key words.

Everything is drawn at twice the frame's size and averaged down, for smooth edges, and every
colour is graded toward the style's palette, so a style still changes the look.
"""

import colorsys
import math
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from pipeline.media.visuals import Palette

RGB = tuple[int, int, int]
_SCALE = 2  # drawn at twice the size, then scaled down (Pillow draws without antialiasing)


# --- the vocabulary -------------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """Something a prompt can name. `kind` is `sky` (the time of day or the weather), `land`
    (the ground and what stands far off on it) or `thing` (drawn in front). A thing stands on
    the `ground`, floats on `water`, flies in the `air` or sits on a `table`; `height` is its
    height as the main subject (in frame heights, or widths in a tall frame), `half` its
    half-width in its own heights."""

    name: str
    kind: str
    words: tuple[str, ...]
    place: str = ""
    height: float = 0.0
    half: float = 0.5


def _sky(name: str, words: str) -> Subject:
    return Subject(name, "sky", tuple(words.split()))


def _land(name: str, words: str) -> Subject:
    return Subject(name, "land", tuple(words.split()))


def _thing(name: str, place: str, height: float, half: float, words: str) -> Subject:
    return Subject(name, "thing", tuple(words.split()), place, height, half)


# Plurals ending in "s" are found from the singular (the normaliser drops the "s"); others
# ("loaves", "children", "foxes", which it makes "foxe") are listed. Words that say too often
# something else ("light", "note", "watch", "story", "time", "rose") are left out.
# fmt: off
SUBJECTS: tuple[Subject, ...] = (
    _sky("night", "night midnight dark darkness nighttime tonight"),
    _sky("stars", "star starry starlight"),
    _sky("moon", "moon moonlight moonlit"),
    _sky("dusk", "sunset sunrise dawn dusk evening morning twilight woke wake"),
    _sky("sun", "sun sunny sunshine sunlight summer"),
    _sky("storm", "storm stormy thunder lightning gale wind windy tempest"),
    _sky("rain", "rain rainy raining rained rainfall drizzle"),
    _sky("snow", "snow snowy snowing snowfall snowflake winter frost frozen ice"),
    _sky("cloud", "cloud cloudy fog foggy mist misty"),
    _land("sea", "sea ocean wave tide shore coast beach harbour harbor bay lake river"),
    _land("jetty", "jetty jetties pier dock wharf quay"),
    _land("island", "island isle"),
    _land("mountain", "mountain peak summit alps"),
    _land("forest", "forest woods woodland jungle"),
    _land("city", "city cities town street building skyscraper downtown"),
    _land("village", "village"),
    _land("garden", "garden meadow field park grass"),
    _land("desert", "desert sand dune"),
    _land("road", "road path highway"),
    _land("space", "space galaxy galaxies universe orbit cosmos"),
    _land("room", "kitchen room table desk indoors inside office bedroom classroom shelf"),
    _thing("lighthouse", "ground", 0.7, 0.2, "lighthouse beacon"),
    _thing("ship", "water", 0.55, 0.5, "ship boat sail sailboat yacht vessel ferry sailor"),
    _thing("house", "ground", 0.5, 0.5, "house home cottage cabin hut farmhouse farm"),
    _thing("tree", "ground", 0.62, 0.36, "tree oak pine"),
    _thing("flower", "ground", 0.5, 0.3, "flower tulip blossom bloom petal"),
    _thing("bridge", "ground", 0.34, 1.4, "bridge"),
    _thing("car", "ground", 0.28, 0.95, "car taxi truck van bus buses traffic"),
    _thing("train", "ground", 0.26, 1.7, "train railway railroad locomotive station tram"),
    _thing("bicycle", "ground", 0.34, 0.85, "bicycle bike cyclist cycling"),
    _thing("lantern", "table", 0.46, 0.24, "lantern lamp torch"),
    _thing("candle", "table", 0.44, 0.2, "candle candlelight"),
    _thing("fire", "ground", 0.36, 0.4, "fire campfire bonfire flame fireplace hearth"),
    _thing("book", "table", 0.22, 1.0, "book library novel page diary notebook"),
    _thing("letter", "table", 0.3, 0.75, "letter envelope mail postcard"),
    _thing("clock", "table", 0.4, 0.42, "clock hour alarm hourglass"),
    _thing("key", "table", 0.16, 1.3, "key"),
    _thing("door", "ground", 0.58, 0.34, "door doorway gate"),
    _thing("window", "ground", 0.46, 0.4, "window"),
    _thing("bread", "table", 0.2, 1.0, "bread loaf loaves baker bakery baguette"),
    _thing("basket", "table", 0.36, 0.62, "basket"),
    _thing("cup", "table", 0.32, 0.5, "cup mug coffee tea teacup"),
    _thing("fox", "ground", 0.42, 0.45, "fox foxes"),
    _thing("cat", "ground", 0.38, 0.34, "cat kitten"),
    _thing("dog", "ground", 0.36, 0.62, "dog puppy puppies hound"),
    _thing("bird", "air", 0.26, 0.6, "bird gull seagull crow sparrow robin pigeon"),
    _thing("fish", "water", 0.2, 0.9, "fish fishes salmon trout"),
    _thing("horse", "ground", 0.5, 0.6, "horse pony ponies"),
    _thing("heart", "air", 0.4, 0.55, "heart love"),
    _thing("coin", "table", 0.34, 0.75, "coin money cash gold dollar price"),
    _thing("computer", "table", 0.4, 0.85, "computer laptop software code coding programming "
                                           "algorithm"),
    _thing("phone", "table", 0.46, 0.26, "phone smartphone mobile app"),
    _thing("rocket", "air", 0.58, 0.22, "rocket spaceship spacecraft astronaut"),
    _thing("planet", "air", 0.42, 0.85, "planet saturn jupiter mars"),
    _thing("earth", "air", 0.46, 0.5, "earth globe"),
    _thing("bee", "air", 0.26, 0.7, "bee bumblebee"),
    _thing("hive", "ground", 0.38, 0.5, "hive beehive"),
    _thing("honey", "table", 0.34, 0.4, "honey"),
    _thing("apple", "table", 0.3, 0.5, "apple fruit orchard"),
    _thing("bulb", "air", 0.44, 0.3, "idea lightbulb bulb invention"),
    _thing("person", "ground", 0.5, 0.26, "person people man men woman women child children kid "
                                          "boy girl keeper father mother dad mum mom friend "
                                          "family fisherman farmer teacher student traveller "
                                          "traveler stranger crowd"),
)
# fmt: on
_BY_NAME = {subject.name: subject for subject in SUBJECTS}

# Words of how a picture is made, not of what it shows: a prompt's trailing parts made only of
# these ("soft golden light", "dark palette") are its style, not its subject.
_STYLE_WORDS = frozenset(
    "illustration illustrations image picture photo photograph style render painting drawing "
    "art artwork watercolor watercolour cinematic scene part digital soft flat vector detailed "
    "detail high natural light lighting golden warm storybook moody deep shadow dark palette "
    "clean color colour simple shape dramatic rich vibrant pastel minimal minimalist muted "
    "bright tone toned realistic composition".split()
)


@cache
def _lookup() -> dict[str, str]:
    from pipeline.library.choose import words

    return {
        word: subject.name
        for subject in SUBJECTS
        for phrase in subject.words
        for word in words(phrase)
    }


def _subject_text(prompt: str) -> str:
    """The prompt without its trailing style ("..., cinematic digital painting, rich detail")."""
    from pipeline.library.choose import words

    parts = prompt.split(",")
    while len(parts) > 1:
        last = words(parts[-1])
        if last and (last[-1] == "style" or all(word in _STYLE_WORDS for word in last)):
            parts.pop()
        else:
            break
    return ",".join(parts)


def subjects(prompt: str) -> tuple[str, ...]:
    """The names of the subjects a prompt mentions, in the order it first mentions them."""
    from pipeline.library.choose import words

    lookup = _lookup()
    found: list[str] = []
    for word in words(_subject_text(prompt)):
        name = lookup.get(word)
        if name and name not in found:
            found.append(name)
    return tuple(found)


# --- what the picture shows -----------------------------------------------------------------
@dataclass(frozen=True)
class Composition:
    """What to draw. `time` is day, dusk or night; `ground` one of sea, hills, snow, desert,
    street, room or space; `far` what stands on the horizon; `main` the large thing (or none,
    when the prompt names only a setting) and `extras` up to two smaller ones."""

    time: str
    storm: bool
    rain: bool
    snow: bool
    ground: str
    far: tuple[str, ...] = ()
    main: str = ""
    extras: tuple[str, ...] = ()
    sky: frozenset[str] = field(default_factory=frozenset)  # sun, moon, stars, cloud

    @property
    def night(self) -> bool:
        return self.time == "night"

    @property
    def things(self) -> tuple[str, ...]:
        return (self.main, *self.extras) if self.main else ()


_OUTDOOR_THINGS = frozenset(
    "lighthouse ship house tree bridge car train bicycle horse fire rocket planet earth".split()
)


def compose(prompt: str) -> Composition | None:
    """The composition for a prompt, or None when it names nothing that can be drawn."""
    found = subjects(prompt)
    if not found:
        return None
    has = set(found).__contains__
    things = [name for name in found if _BY_NAME[name].kind == "thing"]
    # A person is the least specific thing: the lantern they carry says more.
    things.sort(key=lambda name: name == "person")
    places = {_BY_NAME[name].place for name in things}

    if has("night") or has("stars") or has("moon"):
        time = "night"
    elif has("dusk"):
        time = "dusk"
    else:
        time = "day"
    storm, rain = has("storm"), has("rain") or has("storm")

    # Small things alone (a book, a cup) are on a table indoors; the weather is in the window.
    indoors = has("room") or (
        bool(things) and places <= {"table"} and not any(_BY_NAME[n].kind == "land" for n in found)
    )
    if indoors and not _OUTDOOR_THINGS & set(things):
        ground = "room"
    elif has("sea") or has("island") or has("jetty") or "water" in places or has("lighthouse"):
        ground = "sea"
    elif has("city"):
        ground = "street"
    elif has("desert"):
        ground = "desert"
    elif has("space") or (places == {"air"} and (has("rocket") or has("planet") or has("earth"))):
        ground = "space"
    elif has("snow"):
        ground = "snow"
    else:
        ground = "hills"

    if ground != "room":
        # Outdoors, a door or a window is part of a house.
        things = ["house" if name in ("door", "window") else name for name in things]
        things = list(dict.fromkeys(things))
    far = tuple(
        name
        for name in ("mountain", "forest", "village", "city", "island", "road", "garden", "jetty")
        if has(name) and not (name == "city" and ground == "street")
    )
    sky = set()
    if time == "night" and not storm:
        sky.add("stars")
    if has("moon") or (time == "night" and not storm and not has("stars")):
        sky.add("moon")
    if time != "night" and not storm and not rain and (has("sun") or time == "dusk"):
        sky.add("sun")
    if has("cloud") or rain or storm or (time == "day" and ground != "space"):
        sky.add("cloud")
    return Composition(
        time=time,
        storm=storm,
        rain=rain,
        snow=has("snow"),
        ground=ground,
        far=far,
        main=things[0] if things else "",
        extras=tuple(things[1:3]),
        sky=frozenset(sky),
    )


# --- colours --------------------------------------------------------------------------------
_NATURAL: dict[str, RGB] = {
    "white": (246, 244, 238),
    "ink": (44, 40, 52),
    "red": (204, 66, 58),
    "wood": (158, 104, 62),
    "darkwood": (106, 66, 42),
    "stone": (168, 164, 160),
    "rock": (118, 110, 106),
    "grass": (118, 176, 86),
    "leaf": (70, 146, 78),
    "pine": (42, 110, 74),
    "sea": (44, 118, 178),
    "deepsea": (24, 72, 132),
    "sand": (232, 204, 146),
    "snow": (238, 243, 250),
    "glow": (255, 216, 112),
    "flame": (255, 150, 44),
    "orange": (232, 118, 44),
    "yellow": (248, 202, 62),
    "skin": (238, 192, 152),
    "metal": (128, 134, 148),
    "glass": (186, 222, 240),
    "paper": (250, 246, 232),
    "bread": (216, 150, 80),
    "crust": (176, 106, 52),
    "honey": (236, 158, 32),
    "pink": (236, 122, 150),
    "blue": (62, 112, 200),
    "green": (74, 162, 96),
    "purple": (132, 92, 182),
    "brown": (126, 82, 52),
    "gold": (242, 192, 62),
    "gray": (124, 124, 132),
    "black": (32, 32, 38),
    "wall": (234, 218, 192),
    "asphalt": (78, 80, 90),
    "mountain": (112, 128, 160),
    "cream": (252, 238, 210),
}


class Look:
    """Natural colours graded toward a palette: a hue tint from the palette's average colour,
    its saturation (none for a grey palette) and its lightness (a light palette lifts them)."""

    def __init__(self, palette: "Palette"):
        colours = np.array([*palette.background, *palette.accents], np.float32) / 255
        mean = colours.mean(axis=0)
        self.tint = 1 + 0.35 * (mean / max(float(mean.mean()), 1e-3) - 1)
        saturation = np.mean([colorsys.rgb_to_hsv(*c)[1] for c in colours[2:]])
        self.saturation = float(np.clip(saturation / 0.67, 0, 1.25))
        background = np.array(palette.background, np.float32).mean() / 255
        self.lift = float(max(0.0, background - 0.45) * 0.8)
        if saturation > 0.1:  # a light palette keeps its colours, softened
            self.saturation = max(self.saturation, min(1.0, 0.4 + self.lift * 1.2))
        self._cache: dict = {}

    def __call__(self, colour: str | RGB, shade: float = 0.0, alpha: int | None = None):
        """A graded colour; `shade` < 0 darkens, > 0 lightens; `alpha` makes it RGBA."""
        key = (colour, shade)
        if key not in self._cache:
            rgb = np.array(_NATURAL[colour] if isinstance(colour, str) else colour, np.float32)
            rgb = rgb / 255 * self.tint
            grey = float(rgb @ np.array([0.3, 0.59, 0.11], np.float32))
            rgb = grey + (rgb - grey) * self.saturation
            rgb = rgb + (1 - rgb) * self.lift
            rgb = rgb * (1 + shade) if shade < 0 else rgb + (1 - rgb) * shade
            self._cache[key] = tuple(int(v) for v in np.clip(rgb * 255, 0, 255).round())
        rgb = self._cache[key]
        return rgb if alpha is None else (*rgb, alpha)


# --- drawing helpers ------------------------------------------------------------------------
class Pen:
    """Draws a shape in its own units: x across from its centre, y up from its base, 1 being
    its height on the canvas; `flip` mirrors it, `turn` (radians) tilts it."""

    def __init__(
        self,
        draw: ImageDraw.ImageDraw,
        x: float,
        y: float,
        height: float,
        *,
        flip: bool = False,
        turn: float = 0.0,
    ):
        self.draw, self.x, self.y, self.h = draw, x, y, height
        self.sign = -1 if flip else 1
        self.cos, self.sin = math.cos(turn), math.sin(turn)

    def p(self, x: float, y: float) -> tuple[float, float]:
        x *= self.sign
        x, y = x * self.cos - y * self.sin, x * self.sin + y * self.cos
        return (self.x + x * self.h, self.y - y * self.h)

    def poly(self, points, fill) -> None:
        self.draw.polygon([self.p(x, y) for x, y in points], fill=fill)

    def rect(self, x0, y0, x1, y1, fill) -> None:
        self.poly([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill)

    def oval(self, x, y, rx, ry, fill, *, tilt: float = 0.0, start=0.0, end=360.0) -> None:
        """An ellipse (or a part of one, from `start` to `end` degrees, counter-clockwise)."""
        steps = max(8, int(abs(end - start) / 8))
        c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
        points = []
        for i in range(steps + 1):
            a = math.radians(start + (end - start) * i / steps)
            dx, dy = rx * math.cos(a), ry * math.sin(a)
            points.append((x + dx * c - dy * s, y + dx * s + dy * c))
        if end - start < 360:
            points.append((x, y))
        self.poly(points, fill)

    def circle(self, x, y, r, fill) -> None:
        cx, cy = self.p(x, y)
        r *= self.h
        self.draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)

    def ring(self, x, y, r, fill, width) -> None:
        cx, cy = self.p(x, y)
        r *= self.h
        self.draw.ellipse(
            [cx - r, cy - r, cx + r, cy + r], outline=fill, width=max(1, round(width * self.h))
        )

    def line(self, points, fill, width) -> None:
        self.draw.line(
            [self.p(x, y) for x, y in points],
            fill=fill,
            width=max(1, round(width * self.h)),
            joint="curve",
        )

    def rounded(self, x0, y0, x1, y1, radius, fill) -> None:
        (a, b), (c, d) = self.p(x0, y0), self.p(x1, y1)
        box = [min(a, c), min(b, d), max(a, c), max(b, d)]
        self.draw.rounded_rectangle(box, radius=radius * self.h, fill=fill)


@lru_cache(maxsize=32)
def _falloff(radius: int, strength: int) -> Image.Image:
    across = np.linspace(-1, 1, 2 * radius, dtype=np.float32)
    distance = np.sqrt(across[None, :] ** 2 + across[:, None] ** 2)
    return Image.fromarray((np.clip(1 - distance, 0, 1) ** 2 * strength).astype(np.uint8))


def _glow(draw, x, y, radius, colour, strength: int = 60) -> None:
    """A soft halo fading out from (x, y)."""
    r = max(2, int(radius) // 8 * 8)  # a few sizes only, for the cache
    draw.bitmap((int(x - r), int(y - r)), _falloff(r, min(255, strength * 2)), fill=colour)


def _shadow(draw, x, y, half_width, look: Look, *, strength: int = 44) -> None:
    """A soft contact shadow under a thing standing at (x, y)."""
    for step in (1.0, 0.8, 0.6):
        rx, ry = half_width * step * 1.1, half_width * step * 0.12
        draw.ellipse([x - rx, y - ry, x + rx, y + ry], fill=look("ink", alpha=strength // 3))


def _gradient(image: Image.Image, box, stops) -> None:
    """Fills `box` with a vertical gradient through the (position, colour) stops."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    if x1 <= x0 or y1 <= y0:
        return
    positions = np.linspace(0, 1, y1 - y0, dtype=np.float32)
    where = [s[0] for s in stops]
    column = np.stack(
        [np.interp(positions, where, [s[1][i] for s in stops]) for i in range(3)], axis=-1
    )
    strip = Image.fromarray(column[:, None, :].clip(0, 255).astype(np.uint8))
    image.paste(strip.resize((x1 - x0, y1 - y0), Image.Resampling.NEAREST), (x0, y0))


def _wave_line(x0, x1, y, amplitude, length, phase) -> list[tuple[float, float]]:
    xs = np.linspace(x0, x1, max(8, int((x1 - x0) / (length / 8))))
    return [
        (float(x), float(y + amplitude * math.sin(x / length * 2 * math.pi + phase))) for x in xs
    ]


# --- things ---------------------------------------------------------------------------------
# Each draws one thing with a Pen: x from its centre, y up from its base, 1 being its height.
def _lighthouse(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    white, red = ink("white"), ink("red")
    pen.poly([(-0.15, 0), (0.15, 0), (0.09, 0.7), (-0.09, 0.7)], white)
    for low, high in ((0.12, 0.26), (0.4, 0.54)):
        wl, wh = 0.15 - 0.06 * low / 0.7, 0.15 - 0.06 * high / 0.7
        pen.poly([(-wl, low), (wl, low), (wh, high), (-wh, high)], red)
    pen.poly([(0.0, 0), (0.15, 0), (0.09, 0.7), (0.0, 0.7)], ink("ink", alpha=36))  # shade
    pen.rounded(-0.035, 0.0, 0.035, 0.09, 0.03, ink("darkwood"))
    pen.rect(-0.13, 0.7, 0.13, 0.735, ink("ink"))
    pen.line([(-0.12, 0.78), (0.12, 0.78)], ink("ink"), 0.008)
    lit = scene.night or scene.storm
    pen.rect(-0.07, 0.735, 0.07, 0.86, ink("glow") if lit else ink("glass"))
    pen.rect(-0.012, 0.735, 0.012, 0.86, ink("ink"))
    pen.poly([(-0.1, 0.86), (0.1, 0.86), (0.0, 0.98)], red)
    pen.circle(0.0, 0.985, 0.015, ink("ink"))
    if lit:
        x, y = pen.p(0, 0.8)
        _glow(pen.draw, x, y, 0.3 * pen.h, ink("glow"), 110)
        for side in (-1, 1):
            far = 2.4 * side
            pen.poly([(0.05 * side, 0.8), (far, 0.9), (far, 0.66)], ink("glow", alpha=34))
            pen.poly([(0.05 * side, 0.8), (far, 0.85), (far, 0.73)], ink("glow", alpha=40))


def _ship(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    hull = ink("red") if rng.random() < 0.5 else ink("darkwood")
    pen.line([(0.0, 0.14), (0.0, 1.0)], ink("darkwood"), 0.018)
    pen.poly([(0.03, 0.24), (0.03, 0.95), (0.44, 0.24)], ink("white"))
    pen.poly([(0.03, 0.24), (0.03, 0.95), (0.2, 0.24)], ink("ink", alpha=18))
    pen.poly([(-0.03, 0.26), (-0.03, 0.84), (-0.34, 0.26)], ink("cream"))
    pen.poly([(0.0, 1.0), (0.0, 0.92), (0.12, 0.96)], ink("red"))
    pen.poly([(-0.5, 0.2), (0.52, 0.2), (0.4, -0.06), (-0.4, -0.06)], hull)
    pen.poly([(-0.5, 0.2), (0.52, 0.2), (0.5, 0.15), (-0.48, 0.15)], ink("white"))
    for x in (-0.22, -0.05, 0.12, 0.29):
        pen.circle(x, 0.07, 0.025, ink("glow") if scene.night else ink("cream"))


def _house(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    walls = ink(("cream", "white", "sand")[int(rng.integers(3))])
    pen.rect(0.3, 0.5, 0.4, 0.85, ink("darkwood"))  # chimney
    pen.rect(-0.4, 0, 0.4, 0.55, walls)
    pen.rect(0.0, 0, 0.4, 0.55, ink("ink", alpha=22))
    pen.poly([(-0.5, 0.52), (0.5, 0.52), (0.0, 0.95)], ink("red", -0.1))
    pen.poly([(0.0, 0.95), (0.5, 0.52), (0.0, 0.52)], ink("ink", alpha=30))
    pen.rounded(-0.08, 0.0, 0.08, 0.3, 0.02, ink("darkwood"))
    pen.circle(0.05, 0.15, 0.012, ink("gold"))
    pane = ink("glow") if scene.night or scene.time == "dusk" else ink("glass")
    for x in (-0.28, 0.2):
        pen.rect(x, 0.26, x + 0.12, 0.42, pane)
        pen.line([(x + 0.06, 0.26), (x + 0.06, 0.42)], walls, 0.012)
        pen.line([(x, 0.34), (x + 0.12, 0.34)], walls, 0.012)


def _tree(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.poly([(-0.06, 0), (0.06, 0), (0.04, 0.45), (-0.04, 0.45)], ink("darkwood"))
    leaf = ink("leaf") if not scene.snow else ink("pine")
    for x, y, r in ((-0.16, 0.5, 0.2), (0.16, 0.52, 0.19), (0.0, 0.72, 0.26), (0.0, 0.5, 0.2)):
        pen.circle(x, y, r, leaf)
    pen.circle(0.1, 0.62, 0.2, ink("ink", alpha=26))
    pen.circle(-0.08, 0.8, 0.1, ink("white", alpha=30))
    if scene.snow:
        pen.oval(0.0, 0.92, 0.14, 0.05, ink("snow"))


def _flower(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    petal = ink(("pink", "red", "yellow", "purple")[int(rng.integers(4))])
    pen.line([(0.0, 0.0), (0.02, 0.7)], ink("leaf"), 0.03)
    pen.oval(0.1, 0.3, 0.12, 0.04, ink("leaf"), tilt=30)
    pen.oval(-0.09, 0.42, 0.11, 0.035, ink("leaf"), tilt=-30)
    for i in range(6):
        a = i * math.pi / 3
        pen.circle(0.02 + 0.12 * math.cos(a), 0.78 + 0.12 * math.sin(a), 0.09, petal)
    pen.circle(0.02, 0.78, 0.08, ink("yellow", -0.1))


def _bridge(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.oval(0.0, -0.02, 1.5, 0.12, ink("sea"), end=180)
    stone = ink("stone")
    points = [(-1.4, 0.0), (-1.4, 0.72)]
    points += [(x, 0.72 + 0.12 * (1 - (x / 1.4) ** 2)) for x in np.linspace(-1.4, 1.4, 16)]
    points += [(1.4, 0.72), (1.4, 0.0)]
    points += [(0.8 * math.cos(a), 0.55 * math.sin(a)) for a in np.linspace(0, math.pi, 18)]
    pen.poly(points, stone)
    pen.line(
        [(x, 0.86 + 0.12 * (1 - (x / 1.4) ** 2)) for x in np.linspace(-1.4, 1.4, 16)],
        ink("stone", -0.3),
        0.04,
    )
    for x in np.linspace(-1.3, 1.3, 12):
        pen.line(
            [(x, 0.74 + 0.12 * (1 - (x / 1.4) ** 2)), (x, 0.86 + 0.12 * (1 - (x / 1.4) ** 2))],
            ink("stone", -0.3),
            0.025,
        )
    pen.oval(0.0, 0.0, 0.8, 0.55, ink("ink", alpha=30), end=180)


def _car(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("red", "blue", "yellow", "green")[int(rng.integers(4))])
    pen.poly([(-0.55, 0.5), (-0.38, 0.9), (0.3, 0.9), (0.52, 0.5)], body)
    pen.poly([(-0.46, 0.52), (-0.33, 0.82), (-0.04, 0.82), (-0.04, 0.52)], ink("glass"))
    pen.poly([(0.04, 0.52), (0.04, 0.82), (0.26, 0.82), (0.42, 0.52)], ink("glass"))
    pen.rounded(-0.95, 0.14, 0.95, 0.56, 0.12, body)
    pen.rect(-0.95, 0.14, 0.95, 0.24, ink("ink", alpha=40))
    pen.oval(0.86, 0.4, 0.06, 0.05, ink("glow"))
    for x in (-0.55, 0.55):
        pen.circle(x, 0.16, 0.17, ink("black"))
        pen.circle(x, 0.16, 0.07, ink("metal", 0.3))


def _train(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("red", "blue", "green")[int(rng.integers(3))])
    pen.rect(-1.75, -0.02, 1.75, 0.04, ink("metal", -0.3))
    window = ink("glow") if scene.night else ink("glass")
    for left in (-1.7, -0.75):  # carriages
        pen.rounded(left, 0.12, left + 0.9, 0.82, 0.06, body)
        pen.rect(left, 0.12, left + 0.9, 0.22, ink("ink", alpha=40))
        for x in (0.1, 0.35, 0.6):
            pen.rounded(left + x, 0.42, left + x + 0.2, 0.68, 0.03, window)
        for x in (0.18, 0.72):
            pen.circle(left + x, 0.1, 0.1, ink("black"))
    pen.rounded(0.25, 0.12, 1.45, 0.62, 0.1, body)  # boiler
    pen.rounded(0.2, 0.12, 0.7, 0.98, 0.05, body)  # cab
    pen.rect(0.15, 0.94, 0.75, 1.0, ink("black"))
    pen.rounded(0.3, 0.56, 0.6, 0.82, 0.03, window)
    pen.rect(1.1, 0.62, 1.26, 0.9, ink("black"))
    pen.poly([(1.45, 0.12), (1.7, 0.12), (1.45, 0.38)], ink("metal"))
    pen.circle(1.46, 0.44, 0.06, ink("glow"))
    for x in (0.45, 0.85, 1.22):
        pen.circle(x, 0.13, 0.13, ink("black"))
        pen.circle(x, 0.13, 0.05, ink("metal", 0.3))
    for i, (x, y, r) in enumerate(((1.2, 1.1, 0.1), (1.0, 1.25, 0.13), (0.7, 1.38, 0.16))):
        pen.circle(x, y, r, ink("white", alpha=200 - 40 * i))


def _bicycle(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    frame = ink(("red", "blue", "green")[int(rng.integers(3))])
    for x in (-0.5, 0.5):
        pen.ring(x, 0.33, 0.33, ink("black"), 0.05)
        pen.circle(x, 0.33, 0.04, ink("metal"))
    w = 0.06
    pen.line([(-0.5, 0.33), (-0.05, 0.33), (0.36, 0.72), (-0.15, 0.72), (-0.05, 0.33)], frame, w)
    pen.line([(-0.5, 0.33), (-0.15, 0.72)], frame, w)
    pen.line([(0.5, 0.33), (0.34, 0.82), (0.24, 0.9)], frame, w)
    pen.line([(-0.17, 0.72), (-0.2, 0.84)], frame, w)
    pen.rounded(-0.33, 0.83, -0.06, 0.9, 0.03, ink("black"))
    pen.circle(-0.05, 0.33, 0.07, ink("metal", -0.2))


def _lantern(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    metal = ink("ink", 0.15)
    x, y = pen.p(0, 0.45)
    _glow(pen.draw, x, y, (0.9 if scene.night or scene.storm else 0.55) * pen.h, ink("glow"), 80)
    pen.ring(0.0, 0.9, 0.09, metal, 0.03)
    pen.rounded(-0.2, 0.0, 0.2, 0.08, 0.02, metal)
    pen.rect(-0.15, 0.08, 0.15, 0.68, ink("glow", 0.3))
    pen.oval(0.0, 0.34, 0.06, 0.11, ink("flame"))
    pen.oval(0.0, 0.31, 0.03, 0.06, ink("white"))
    for bar in (-0.15, 0.0, 0.15):
        pen.line([(bar, 0.08), (bar, 0.68)], metal, 0.025)
    pen.poly([(-0.2, 0.68), (0.2, 0.68), (0.09, 0.8), (-0.09, 0.8)], metal)
    pen.rect(-0.04, 0.8, 0.04, 0.84, metal)


def _candle(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    x, y = pen.p(0, 0.8)
    _glow(pen.draw, x, y, 0.6 * pen.h, ink("glow"), 90)
    pen.oval(0.0, 0.03, 0.2, 0.04, ink("gold", -0.1))
    pen.rect(-0.2, 0.0, 0.2, 0.03, ink("gold", -0.1))
    pen.rounded(-0.09, 0.03, 0.09, 0.68, 0.02, ink("cream"))
    pen.rect(0.02, 0.03, 0.09, 0.68, ink("ink", alpha=24))
    pen.line([(0.0, 0.68), (0.0, 0.73)], ink("ink"), 0.012)
    pen.poly([(-0.05, 0.8), (0.0, 0.98), (0.05, 0.8)], ink("flame"))
    pen.circle(0.0, 0.79, 0.05, ink("flame"))
    pen.circle(0.0, 0.78, 0.025, ink("glow", 0.4))


def _fire(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    x, y = pen.p(0, 0.35)
    _glow(pen.draw, x, y, 1.0 * pen.h, ink("glow"), 80)
    for tilt in (14, -14):
        pen.oval(0.0, 0.07, 0.42, 0.06, ink("darkwood"), tilt=tilt)
    for scale, colour in ((1.0, "red"), (0.75, "flame"), (0.45, "glow")):
        s = scale
        pen.poly(
            [
                (-0.3 * s, 0.1),
                (-0.25 * s, 0.5 * s),
                (-0.12 * s, 0.34 * s + 0.1),
                (0.0, 0.9 * s + 0.1),
                (0.1 * s, 0.38 * s + 0.1),
                (0.22 * s, 0.62 * s + 0.1),
                (0.3 * s, 0.1),
            ],
            ink(colour),
        )
        pen.oval(0.0, 0.16, 0.3 * s, 0.12 * s, ink(colour))


def _book(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    cover = ink(("red", "blue", "green", "purple")[int(rng.integers(4))])
    pen.poly([(-1.0, 0.0), (0.0, 0.12), (1.0, 0.0), (1.0, 0.16), (0.0, 0.26), (-1.0, 0.16)], cover)
    for side in (-1, 1):
        edge = [(0.0, 0.2), (0.45 * side, 0.26), (0.94 * side, 0.16)]
        top = [(0.94 * side, 0.9), (0.45 * side, 1.0), (0.0, 0.92)]
        pen.poly(edge + top, ink("paper") if side < 0 else ink("paper", -0.06))
        for i in range(6):
            y = 0.36 + i * 0.09
            pen.line(
                [(0.12 * side, y + 0.05), (0.45 * side, y + 0.09), (0.8 * side, y + 0.01)],
                ink("gray", 0.35),
                0.025,
            )
    pen.line([(0.0, 0.2), (0.0, 0.92)], ink("ink", alpha=50), 0.02)


def _letter(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    paper = ink("paper")
    pen.rect(-0.62, 0.3, 0.5, 1.05, ink("white"))  # a page half out
    for i in range(4):
        pen.line([(-0.5, 0.9 - 0.1 * i), (0.35, 0.9 - 0.1 * i)], ink("gray", 0.3), 0.025)
    pen.rect(-0.75, 0.0, 0.75, 0.7, paper)
    pen.poly([(-0.75, 0.0), (0.0, 0.4), (0.75, 0.0)], ink("paper", -0.06))
    pen.poly([(-0.75, 0.7), (0.0, 0.3), (0.75, 0.7)], ink("paper", -0.1))
    pen.circle(0.0, 0.32, 0.09, ink("red"))
    pen.rect(0.46, 0.48, 0.66, 0.66, ink("blue", 0.2))


def _clock(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("red", "blue", "green")[int(rng.integers(3))])
    for side in (-1, 1):
        pen.line([(0.22 * side, 0.1), (0.3 * side, 0.0)], ink("ink"), 0.04)
        pen.oval(0.26 * side, 0.86, 0.12, 0.08, body, tilt=-30 * side)
    pen.circle(0.0, 0.47, 0.4, body)
    pen.circle(0.0, 0.47, 0.32, ink("white"))
    for i in range(12):
        a = i * math.pi / 6
        inner = 0.25 if i % 3 else 0.22
        pen.line(
            [
                (inner * math.cos(a), 0.47 + inner * math.sin(a)),
                (0.29 * math.cos(a), 0.47 + 0.29 * math.sin(a)),
            ],
            ink("ink"),
            0.02,
        )
    hour = rng.uniform(0, 2 * math.pi)
    pen.line([(0.0, 0.47), (0.15 * math.cos(hour), 0.47 + 0.15 * math.sin(hour))], ink("ink"), 0.04)
    pen.line([(0.0, 0.47), (0.0, 0.72)], ink("ink"), 0.03)
    pen.circle(0.0, 0.47, 0.03, ink("red"))


def _key(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    gold = ink("gold")
    pen.rect(-0.5, 0.4, 1.2, 0.6, gold)
    pen.rect(0.85, 0.0, 0.98, 0.4, gold)
    pen.rect(1.06, 0.1, 1.2, 0.4, gold)
    pen.circle(-0.85, 0.5, 0.48, gold)
    pen.circle(-0.85, 0.5, 0.24, ink("gold", -0.45))
    pen.rect(-0.5, 0.4, 1.2, 0.47, ink("ink", alpha=36))


def _door(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.rect(-0.36, 0.0, 0.36, 0.86, ink("stone"))
    pen.oval(0.0, 0.86, 0.36, 0.14, ink("stone"), end=180)
    wood = ink(("darkwood", "blue", "red", "green")[int(rng.integers(4))])
    pen.rect(-0.28, 0.0, 0.28, 0.8, wood)
    pen.oval(0.0, 0.8, 0.28, 0.11, wood, end=180)
    for x in (-0.14, 0.0, 0.14):
        pen.line([(x, 0.02), (x, 0.84)], ink("ink", alpha=50), 0.012)
    pen.circle(0.2, 0.42, 0.03, ink("gold"))
    pen.rect(-0.4, 0.0, 0.4, 0.03, ink("stone", -0.2))


def _window(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    frame = ink("white")
    pen.rect(-0.4, 0.0, 0.4, 1.0, frame)
    sky = _sky_stops(scene, ink)
    pen.rect(-0.34, 0.06, 0.34, 0.94, sky[0][1])
    pen.rect(-0.34, 0.06, 0.34, 0.5, sky[-1][1])
    if scene.night and not scene.rain:
        pen.circle(0.18, 0.78, 0.08, ink("cream"))
    for _ in range(24 if scene.rain or scene.snow else 0):
        x, y = rng.uniform(-0.32, 0.28), rng.uniform(0.12, 0.92)
        if scene.rain:
            pen.line([(x, y), (x + 0.03, y - 0.1)], ink("glass", alpha=150), 0.012)
        else:
            pen.circle(x, y, 0.012, ink("snow"))
    pen.line([(0.0, 0.06), (0.0, 0.94)], frame, 0.04)
    pen.line([(-0.34, 0.5), (0.34, 0.5)], frame, 0.04)
    curtain = ink(("red", "blue", "green")[int(rng.integers(3))], -0.1)
    for side in (-1, 1):
        pen.poly(
            [(0.48 * side, 1.06), (0.3 * side, 1.06), (0.4 * side, 0.5), (0.5 * side, -0.04)],
            curtain,
        )
    pen.rect(-0.48, -0.04, 0.48, 0.02, ink("wood"))


def _bread(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.oval(0.0, 0.0, 0.95, 0.95, ink("bread"), end=180)
    pen.oval(0.0, 0.0, 0.95, 0.95, ink("crust", alpha=120), start=0, end=90)
    for x in (-0.45, -0.1, 0.25):
        pen.oval(x, 0.62, 0.16, 0.06, ink("cream"), tilt=55)
    pen.rect(-0.95, 0.0, 0.95, 0.08, ink("crust"))


def _basket(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    weave = ink("wood", 0.1)
    handle = [(0.46 * math.cos(a), 0.6 + 0.46 * math.sin(a)) for a in np.linspace(0, math.pi, 24)]
    pen.line(handle, ink("wood", -0.1), 0.07)
    for x, tilt in ((-0.24, 25), (0.22, -20), (0.0, 0)):  # loaves inside
        pen.oval(x, 0.7, 0.22, 0.15, ink("bread"), tilt=tilt)
        pen.oval(x + 0.02, 0.76, 0.1, 0.03, ink("cream"), tilt=tilt + 40)
    pen.poly([(-0.6, 0.62), (0.6, 0.62), (0.46, 0.0), (-0.46, 0.0)], weave)
    for i in range(1, 6):
        y = 0.62 * i / 6
        half = 0.46 + 0.14 * y / 0.62
        pen.line([(-half, y), (half, y)], ink("darkwood", alpha=90), 0.02)
    for x in np.linspace(-0.5, 0.5, 8):
        pen.line([(x * 0.92, 0.0), (x * 1.2, 0.62)], ink("darkwood", alpha=60), 0.015)
    pen.rounded(-0.64, 0.58, 0.64, 0.68, 0.04, ink("wood", -0.15))


def _cup(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("white", "red", "blue", "yellow")[int(rng.integers(4))])
    pen.oval(0.0, 0.02, 0.5, 0.06, ink("white", -0.1))
    pen.ring(0.36, 0.38, 0.14, body, 0.06)
    pen.poly([(-0.34, 0.64), (0.34, 0.64), (0.26, 0.04), (-0.26, 0.04)], body)
    pen.oval(0.0, 0.64, 0.34, 0.06, ink("brown", -0.2))
    pen.poly([(0.0, 0.64), (0.34, 0.64), (0.26, 0.04), (0.0, 0.04)], ink("ink", alpha=20))
    for x in (-0.12, 0.08):
        pen.line(
            [(x, 0.72), (x + 0.06, 0.8), (x - 0.02, 0.9), (x + 0.05, 0.98)],
            ink("white", alpha=150),
            0.03,
        )


def _fox(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    fur, dark, white = ink("orange"), ink("darkwood"), ink("white")
    pen.oval(-0.26, 0.14, 0.3, 0.12, fur, tilt=18)  # tail
    pen.oval(-0.5, 0.06, 0.1, 0.07, white, tilt=18)
    pen.poly(
        [
            (-0.22, 0.0),
            (0.2, 0.0),
            (0.22, 0.2),
            (0.16, 0.5),
            (0.06, 0.64),
            (-0.08, 0.6),
            (-0.22, 0.28),
        ],
        fur,
    )
    pen.poly([(0.04, 0.2), (0.2, 0.22), (0.15, 0.5), (0.05, 0.62)], white)
    pen.oval(-0.08, 0.14, 0.16, 0.15, ink("orange", -0.07))  # the haunch
    for x in (0.05, 0.13):
        pen.rect(x, 0.04, x + 0.055, 0.3, fur)
        pen.oval(x + 0.035, 0.03, 0.045, 0.03, dark)
    pen.poly([(-0.06, 0.56), (0.12, 0.56), (0.36, 0.66), (0.14, 0.82), (-0.06, 0.8)], fur)
    pen.poly([(0.1, 0.6), (0.36, 0.66), (0.14, 0.66)], white)
    pen.poly([(-0.05, 0.78), (0.0, 0.98), (0.07, 0.8)], fur)
    pen.poly([(0.04, 0.8), (0.14, 0.98), (0.16, 0.78)], fur)
    pen.poly([(0.07, 0.82), (0.13, 0.93), (0.14, 0.81)], dark)
    pen.circle(0.355, 0.665, 0.022, ink("black"))
    pen.circle(0.16, 0.73, 0.018, ink("black"))


def _cat(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    fur = ink(("gray", "black", "orange")[int(rng.integers(3))])
    pen.line([(-0.1, 0.04), (-0.32, 0.04), (-0.4, 0.14), (-0.38, 0.3)], fur, 0.06)
    pen.poly([(-0.24, 0.0), (0.24, 0.0), (0.2, 0.3), (0.1, 0.56), (-0.1, 0.56), (-0.2, 0.3)], fur)
    pen.circle(0.0, 0.68, 0.17, fur)
    pen.poly([(-0.16, 0.72), (-0.14, 0.95), (-0.03, 0.82)], fur)
    pen.poly([(0.16, 0.72), (0.14, 0.95), (0.03, 0.82)], fur)
    for side in (-1, 1):
        pen.oval(0.065 * side, 0.7, 0.035, 0.045, ink("yellow", 0.2))
        pen.oval(0.065 * side, 0.7, 0.012, 0.035, ink("black"))
        pen.line([(0.08 * side, 0.62), (0.28 * side, 0.66)], ink("white", alpha=150), 0.008)
    pen.poly([(-0.025, 0.64), (0.025, 0.64), (0.0, 0.61)], ink("pink"))


def _dog(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    fur = ink(("brown", "sand", "black")[int(rng.integers(3))])
    ear = ink("darkwood")
    pen.line([(-0.5, 0.55), (-0.64, 0.8)], fur, 0.07)
    for x in (-0.42, -0.28, 0.22, 0.36):
        pen.rounded(x, 0.0, x + 0.1, 0.4, 0.04, fur)
    pen.rounded(-0.55, 0.3, 0.5, 0.66, 0.16, fur)
    pen.poly([(0.3, 0.5), (0.5, 0.5), (0.56, 0.82), (0.36, 0.8)], fur)
    pen.circle(0.5, 0.84, 0.16, fur)
    pen.rounded(0.52, 0.7, 0.8, 0.86, 0.06, fur)
    pen.circle(0.79, 0.84, 0.04, ink("black"))
    pen.oval(0.4, 0.78, 0.07, 0.15, ear, tilt=-15)
    pen.circle(0.56, 0.9, 0.025, ink("black"))
    pen.rect(0.3, 0.62, 0.5, 0.68, ink("red"))


def _bird(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("blue", "red", "yellow")[int(rng.integers(3))])
    pen.poly([(-0.36, 0.45), (-0.62, 0.62), (-0.56, 0.4)], body)
    pen.oval(0.0, 0.44, 0.4, 0.3, body)
    pen.oval(0.1, 0.36, 0.26, 0.18, ink("cream"))
    pen.circle(0.3, 0.74, 0.2, body)
    pen.poly([(0.48, 0.78), (0.66, 0.72), (0.48, 0.68)], ink("orange"))
    pen.circle(0.36, 0.78, 0.035, ink("black"))
    pen.oval(-0.1, 0.52, 0.28, 0.14, ink(body, -0.25), tilt=-18)
    pen.line([(0.0, 0.16), (-0.02, 0.0)], ink("orange"), 0.03)
    pen.line([(0.12, 0.16), (0.12, 0.0)], ink("orange"), 0.03)


def _fish(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("orange", "blue", "yellow")[int(rng.integers(3))])
    pen.poly([(-0.55, 0.5), (-0.9, 0.85), (-0.9, 0.15)], body)
    pen.oval(0.0, 0.5, 0.62, 0.38, body)
    pen.poly([(-0.1, 0.84), (0.2, 0.84), (-0.2, 1.0)], ink(body, -0.2))
    pen.oval(0.05, 0.36, 0.4, 0.14, ink("white", alpha=70))
    pen.circle(0.34, 0.58, 0.07, ink("white"))
    pen.circle(0.36, 0.58, 0.035, ink("black"))
    pen.line([(0.18, 0.3), (0.14, 0.5), (0.18, 0.7)], ink(body, -0.25), 0.025)


def _horse(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    coat = ink(("brown", "darkwood", "white")[int(rng.integers(3))])
    mane = ink("ink", 0.1)
    pen.poly([(-0.42, 0.6), (-0.62, 0.25), (-0.5, 0.24), (-0.38, 0.5)], mane)
    for x in (-0.38, -0.26, 0.24, 0.36):
        pen.rect(x, 0.0, x + 0.08, 0.42, coat)
        pen.rect(x, 0.0, x + 0.08, 0.04, mane)
    pen.rounded(-0.46, 0.36, 0.48, 0.7, 0.17, coat)
    pen.poly([(0.22, 0.56), (0.46, 0.62), (0.6, 0.92), (0.44, 0.98)], coat)
    pen.poly([(0.44, 0.98), (0.58, 0.94), (0.78, 0.74), (0.72, 0.68), (0.52, 0.78)], coat)
    pen.poly([(0.26, 0.62), (0.44, 0.98), (0.36, 0.96), (0.2, 0.64)], mane)
    pen.poly([(0.44, 0.96), (0.5, 1.04), (0.52, 0.95)], coat)
    pen.circle(0.56, 0.88, 0.025, ink("black"))


def _heart(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    red = ink("red")
    pen.circle(-0.25, 0.68, 0.27, red)
    pen.circle(0.25, 0.68, 0.27, red)
    pen.poly([(-0.5, 0.6), (0.5, 0.6), (0.0, 0.0)], red)
    pen.circle(-0.3, 0.76, 0.08, ink("white", alpha=120))


def _coin(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    gold = ink("gold")
    for i in range(5):
        pen.oval(0.35, 0.05 + i * 0.08, 0.34, 0.08, ink("gold", -0.25))
        pen.oval(0.35, 0.09 + i * 0.08, 0.34, 0.08, gold)
    pen.circle(-0.32, 0.42, 0.42, ink("gold", -0.25))
    pen.circle(-0.3, 0.44, 0.4, gold)
    pen.circle(-0.3, 0.44, 0.3, ink("gold", 0.2))
    face = ImageFont.load_default(size=max(8, int(0.5 * pen.h)))
    pen.draw.text(pen.p(-0.3, 0.44), "$", font=face, anchor="mm", fill=ink("gold", -0.3))


def _computer(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.rounded(-0.62, 0.12, 0.62, 0.92, 0.04, ink("ink", 0.15))
    pen.rect(-0.55, 0.19, 0.55, 0.86, ink("deepsea", -0.3))
    colours = ("green", "yellow", "pink", "glass")
    for i in range(7):
        indent = 0.06 * int(rng.integers(0, 3))
        length = rng.uniform(0.2, 0.6)
        pen.line(
            [(-0.48 + indent, 0.78 - i * 0.085), (-0.48 + indent + length, 0.78 - i * 0.085)],
            ink(colours[i % 4]),
            0.03,
        )
    pen.poly([(-0.72, 0.12), (0.72, 0.12), (0.85, 0.0), (-0.85, 0.0)], ink("metal", 0.3))
    pen.rect(-0.12, 0.03, 0.12, 0.06, ink("metal"))


def _phone(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.rounded(-0.26, 0.0, 0.26, 1.0, 0.06, ink("black"))
    pen.rounded(-0.23, 0.05, 0.23, 0.95, 0.04, ink("blue", 0.1))
    colours = ("red", "yellow", "green", "pink", "white", "orange")
    for i in range(9):
        x, y = -0.13 + 0.13 * (i % 3), 0.8 - 0.15 * (i // 3)
        pen.rounded(x - 0.05, y - 0.05, x + 0.05, y + 0.05, 0.02, ink(colours[i % 6]))
    pen.rect(-0.06, 0.93, 0.06, 0.94, ink("black"))


def _rocket(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body, red = ink("white"), ink("red")
    pen.poly([(-0.06, 0.12), (0.06, 0.12), (0.0, -0.2)], ink("glow"))
    pen.poly([(-0.1, 0.12), (0.1, 0.12), (0.0, -0.08)], ink("flame"))
    pen.poly([(-0.13, 0.3), (-0.24, 0.08), (-0.24, 0.2), (-0.13, 0.5)], red)
    pen.poly([(0.13, 0.3), (0.24, 0.08), (0.24, 0.2), (0.13, 0.5)], red)
    pen.poly(
        [
            (-0.13, 0.14),
            (0.13, 0.14),
            (0.15, 0.5),
            (0.13, 0.75),
            (0.0, 1.0),
            (-0.13, 0.75),
            (-0.15, 0.5),
        ],
        body,
    )
    pen.poly(
        [(0.0, 0.14), (0.13, 0.14), (0.15, 0.5), (0.13, 0.75), (0.0, 1.0)], ink("ink", alpha=24)
    )
    pen.poly([(-0.11, 0.8), (0.11, 0.8), (0.0, 1.0)], red)
    pen.circle(0.0, 0.58, 0.075, ink("metal", -0.2))
    pen.circle(0.0, 0.58, 0.055, ink("glass"))


def _planet(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    body = ink(("orange", "purple", "sand")[int(rng.integers(3))])
    pen.oval(0.0, 0.5, 0.85, 0.16, ink("cream", -0.1), tilt=-12, start=180, end=360)
    pen.circle(0.0, 0.5, 0.42, body)
    pen.oval(0.0, 0.62, 0.4, 0.05, ink(body, 0.2), tilt=-12)
    pen.oval(0.0, 0.42, 0.4, 0.05, ink(body, -0.15), tilt=-12)
    pen.oval(0.16, 0.4, 0.3, 0.3, ink("ink", alpha=40), start=-100, end=60)
    pen.oval(0.0, 0.5, 0.85, 0.16, ink("cream", -0.1), tilt=-12, start=0, end=180)
    pen.oval(0.0, 0.5, 0.62, 0.1, (0, 0, 0, 0), tilt=-12, start=0, end=180)


def _earth(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.circle(0.0, 0.5, 0.5, ink("sea"))
    green = ink("green")
    pen.poly(
        [
            (-0.3, 0.85),
            (-0.05, 0.9),
            (0.0, 0.7),
            (-0.15, 0.55),
            (-0.1, 0.35),
            (-0.3, 0.4),
            (-0.42, 0.62),
        ],
        green,
    )
    pen.poly([(0.12, 0.6), (0.38, 0.7), (0.44, 0.45), (0.3, 0.2), (0.15, 0.3)], green)
    pen.oval(-0.08, 0.12, 0.18, 0.05, ink("white"))
    pen.circle(0.16, 0.42, 0.42, ink("ink", alpha=36))
    pen.circle(-0.2, 0.7, 0.1, ink("white", alpha=60))


def _bee(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.oval(-0.06, 0.78, 0.2, 0.26, ink("white", alpha=150), tilt=-20)
    pen.oval(0.14, 0.76, 0.16, 0.22, ink("white", alpha=150), tilt=20)
    pen.oval(0.0, 0.4, 0.5, 0.3, ink("yellow"))

    def half(x):  # of the body, at x
        return 0.3 * math.sqrt(max(0.0, 1 - (x / 0.5) ** 2)) * 0.98

    for x in (-0.3, -0.08, 0.14):
        pen.poly(
            [
                (x, 0.4 - half(x)),
                (x + 0.11, 0.4 - half(x + 0.11)),
                (x + 0.11, 0.4 + half(x + 0.11)),
                (x, 0.4 + half(x)),
            ],
            ink("black"),
        )
    pen.poly([(-0.48, 0.44), (-0.64, 0.4), (-0.48, 0.34)], ink("black"))
    pen.circle(0.48, 0.44, 0.17, ink("black"))
    pen.circle(0.58, 0.5, 0.04, ink("white"))
    pen.line([(0.56, 0.6), (0.62, 0.78), (0.7, 0.82)], ink("black"), 0.02)
    pen.line([(0.5, 0.6), (0.5, 0.8), (0.56, 0.86)], ink("black"), 0.02)


def _hive(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    straw = ink("honey", 0.15)
    pen.rect(-0.46, 0.0, 0.46, 0.06, ink("darkwood"))
    rows = 6
    for i in range(rows):
        y = 0.06 + i * 0.14
        half = 0.42 * math.sqrt(max(0.05, 1 - (i / rows) ** 2))
        pen.rounded(-half, y, half, y + 0.16, 0.07, straw if i % 2 else ink("honey", 0.05))
    pen.circle(0.0, 0.92, 0.06, ink("honey", 0.05))
    pen.oval(0.0, 0.12, 0.1, 0.07, ink("black"), end=180)
    pen.rect(0.0, 0.06, 0.42, 0.9, ink("ink", alpha=20))


def _honey(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    pen.rounded(-0.34, 0.0, 0.34, 0.74, 0.1, ink("honey"))
    pen.rounded(-0.3, 0.6, 0.3, 0.7, 0.03, ink("honey", 0.2))
    pen.rounded(-0.26, 0.2, 0.26, 0.5, 0.04, ink("cream"))
    for i in range(3):  # a comb on the label
        pen.circle(-0.1 + i * 0.1, 0.35, 0.045, ink("honey", -0.1))
    pen.rounded(-0.38, 0.74, 0.38, 0.9, 0.03, ink("red"))
    pen.poly([(-0.32, 0.74), (-0.36, 0.58), (-0.3, 0.56), (-0.26, 0.74)], ink("honey", -0.15))
    pen.rect(0.14, 0.05, 0.3, 0.6, ink("white", alpha=50))


def _apple(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    skin = ink(("red", "green")[int(rng.integers(2))])
    pen.circle(-0.2, 0.45, 0.38, skin)
    pen.circle(0.2, 0.45, 0.38, skin)
    pen.oval(0.0, 0.18, 0.32, 0.18, skin)
    pen.line([(0.0, 0.78), (0.05, 0.98)], ink("darkwood"), 0.05)
    pen.oval(0.2, 0.92, 0.16, 0.06, ink("leaf"), tilt=25)
    pen.oval(-0.2, 0.6, 0.07, 0.12, ink("white", alpha=110), tilt=-20)


def _bulb(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    x, y = pen.p(0, 0.62)
    _glow(pen.draw, x, y, 0.7 * pen.h, ink("glow"), 90)
    pen.circle(0.0, 0.62, 0.34, ink("glow", 0.3))
    pen.poly([(-0.2, 0.36), (0.2, 0.36), (0.14, 0.2), (-0.14, 0.2)], ink("glow", 0.3))
    for i in range(3):
        pen.rounded(-0.15, 0.04 + i * 0.06, 0.15, 0.09 + i * 0.06, 0.02, ink("metal", 0.1 * i))
    pen.line(
        [(-0.08, 0.24), (-0.08, 0.6), (0.0, 0.7), (0.08, 0.6), (0.08, 0.24)], ink("flame"), 0.02
    )
    pen.circle(-0.14, 0.74, 0.07, ink("white", alpha=160))


def _person(pen: Pen, ink: Look, scene: Composition, rng) -> None:
    coat = ink(("blue", "red", "green", "purple", "brown")[int(rng.integers(5))])
    skin = ink(("skin", "bread", "brown")[int(rng.integers(3))])
    hair = ink(("ink", "gold", "orange", "stone")[int(rng.integers(4))], -0.25)
    pen.rounded(-0.1, 0.0, -0.02, 0.34, 0.03, ink("ink", 0.1))
    pen.rounded(0.02, 0.0, 0.1, 0.34, 0.03, ink("ink", 0.1))
    pen.line([(-0.15, 0.68), (-0.22, 0.42)], coat, 0.07)
    pen.line([(0.15, 0.68), (0.22, 0.42)], coat, 0.07)
    pen.circle(-0.22, 0.4, 0.04, skin)
    pen.circle(0.22, 0.4, 0.04, skin)
    pen.poly(
        [(-0.17, 0.26), (0.17, 0.26), (0.14, 0.7), (0.06, 0.74), (-0.06, 0.74), (-0.14, 0.7)], coat
    )
    pen.poly(
        [(0.0, 0.26), (0.17, 0.26), (0.14, 0.7), (0.06, 0.74), (0.0, 0.74)], ink("ink", alpha=26)
    )
    pen.rect(-0.035, 0.72, 0.035, 0.78, skin)
    long = rng.random() < 0.5
    if long:
        pen.rounded(-0.125, 0.78, 0.125, 0.92, 0.04, hair)
    pen.circle(0.0, 0.86, 0.1, skin)
    pen.oval(0.0, 0.875, 0.112, 0.1, hair, start=-5, end=185)
    pen.circle(-0.035, 0.85, 0.012, ink("ink"))
    pen.circle(0.035, 0.85, 0.012, ink("ink"))


_DRAW = {
    "lighthouse": _lighthouse,
    "ship": _ship,
    "house": _house,
    "tree": _tree,
    "flower": _flower,
    "bridge": _bridge,
    "car": _car,
    "train": _train,
    "bicycle": _bicycle,
    "lantern": _lantern,
    "candle": _candle,
    "fire": _fire,
    "book": _book,
    "letter": _letter,
    "clock": _clock,
    "key": _key,
    "door": _door,
    "window": _window,
    "bread": _bread,
    "basket": _basket,
    "cup": _cup,
    "fox": _fox,
    "cat": _cat,
    "dog": _dog,
    "bird": _bird,
    "fish": _fish,
    "horse": _horse,
    "heart": _heart,
    "coin": _coin,
    "computer": _computer,
    "phone": _phone,
    "rocket": _rocket,
    "planet": _planet,
    "earth": _earth,
    "bee": _bee,
    "hive": _hive,
    "honey": _honey,
    "apple": _apple,
    "bulb": _bulb,
    "person": _person,
}


# --- the scene ------------------------------------------------------------------------------
def _sky_stops(scene: Composition, ink: Look) -> list[tuple[float, RGB]]:
    if scene.ground == "space":
        stops = [(0, (4, 6, 20)), (1, (26, 20, 60))]
    elif scene.storm or scene.rain:
        stops = (
            [(0, (16, 20, 32)), (1, (50, 58, 76))]
            if scene.night
            else [(0, (62, 70, 86)), (1, (142, 148, 158))]
        )
    elif scene.night:
        stops = [(0, (8, 12, 36)), (0.7, (24, 34, 80)), (1, (48, 60, 110))]
    elif scene.time == "dusk":
        stops = [(0, (84, 78, 156)), (0.55, (236, 132, 122)), (1, (255, 200, 120))]
    else:
        stops = [(0, (84, 152, 216)), (1, (200, 228, 244))]
    return [(at, ink(colour)) for at, colour in stops]


_SPARKLE = [(0, 1), (0.2, 0.2), (1, 0), (0.2, -0.2), (0, -1), (-0.2, -0.2), (-1, 0), (-0.2, 0.2)]
_HORIZON = {
    "sea": 0.56,
    "hills": 0.6,
    "snow": 0.6,
    "desert": 0.62,
    "street": 0.68,
    "room": 0.66,
    "space": 1.0,
}


class _Canvas:
    def __init__(self, size, palette, scene: Composition, rng, headroom: float):
        self.width, self.height = size[0] * _SCALE, size[1] * _SCALE
        self.unit = min(self.height, self.width * 0.9)  # what sizes are fractions of
        self.scene, self.rng, self.ink = scene, rng, Look(palette)
        self.headroom = headroom * self.height
        self.horizon = self.height * (_HORIZON[scene.ground] + rng.uniform(-0.03, 0.03))
        self.image = Image.new("RGB", (self.width, self.height))
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        self.light_x = self.width / 2  # under the sun or the moon, for its path on the sea
        self.jetty_top: float | None = None

    def paint(self) -> Image.Image:
        scene = self.scene
        placed = self.layout()
        if scene.ground == "room":
            self.room()
            # People stand behind the table; the rest is on it.
            behind = [item for item in placed if item[0] == "person"]
            for item in behind:
                self.thing(*item)
            self.table()
            placed = [item for item in placed if item not in behind]
        else:
            self.sky()
            for name in ("mountain", "forest", "city"):
                if name in scene.far:
                    getattr(self, f"far_{name}")()
            getattr(self, f"ground_{scene.ground}")()
            for name in ("village", "island"):
                if name in scene.far:
                    getattr(self, f"far_{name}")()
        for item in placed:
            self.thing(*item)
        self.weather()
        return self.image

    # sky and weather -----------------------------------------------------------------------
    def sky(self) -> None:
        scene, ink, rng, w, h = self.scene, self.ink, self.rng, self.width, self.height
        _gradient(self.image, (0, 0, w, h), _sky_stops(scene, ink))
        if "stars" in scene.sky or scene.ground == "space":
            count = 260 if scene.ground == "space" else 150
            for _ in range(count):
                x, y = rng.uniform(0, w), rng.uniform(0, self.horizon * 0.85) ** 1.1
                r = rng.choice([1.5, 2.0, 2.5, 4.0], p=[0.45, 0.3, 0.17, 0.08]) * _SCALE
                self.draw.ellipse(
                    [x - r, y - r, x + r, y + r],
                    fill=ink("white", alpha=int(rng.uniform(150, 255))),
                )
            for _ in range(5):
                x, y, r = rng.uniform(0, w), rng.uniform(0, self.horizon * 0.6), self.unit * 0.012
                Pen(self.draw, x, y, r).poly(_SPARKLE, ink("cream"))
        if "moon" in scene.sky:
            x, y, r = (
                w * rng.uniform(0.6, 0.85),
                self.horizon * rng.uniform(0.2, 0.35),
                self.unit * 0.07,
            )
            self.light_x = x
            _glow(self.draw, x, y, r * 3, ink("cream"), 50)
            self.draw.ellipse([x - r, y - r, x + r, y + r], fill=ink("cream"))
            for dx, dy, dr in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.15), (0.35, -0.35, 0.1)):
                c = (x + dx * r, y + dy * r)
                self.draw.ellipse(
                    [c[0] - dr * r, c[1] - dr * r, c[0] + dr * r, c[1] + dr * r],
                    fill=ink("cream", -0.12),
                )
        if "sun" in scene.sky:
            if scene.time == "dusk":
                x, y, r = (
                    w * rng.uniform(0.25, 0.75),
                    self.horizon - self.unit * 0.02,
                    self.unit * 0.13,
                )
            else:
                x, y, r = w * rng.uniform(0.65, 0.88), self.horizon * 0.28, self.unit * 0.075
            self.light_x = x
            _glow(self.draw, x, y, r * 3.2, ink("glow"), 70)
            self.draw.ellipse([x - r, y - r, x + r, y + r], fill=ink("glow", 0.25))
        if "cloud" in scene.sky:
            dark = scene.storm or scene.rain
            count = 7 if dark else int(rng.integers(2, 4))
            for i in range(count):
                x = w * (i + rng.uniform(0.1, 0.9)) / count
                y = self.horizon * (rng.uniform(0.05, 0.3) if dark else rng.uniform(0.12, 0.45))
                size = self.unit * (rng.uniform(0.22, 0.34) if dark else rng.uniform(0.12, 0.2))
                colour = ink("gray", -0.45 if scene.night else -0.1) if dark else ink("white")
                self.cloud(x, y, size, colour, alpha=235 if dark else 215)

    def cloud(self, x, y, size, colour, alpha) -> None:
        pen = Pen(self.draw, x, y, size)
        fill = (*colour, alpha)
        pen.rounded(-0.9, -0.05, 0.9, 0.28, 0.16, fill)
        pen.circle(-0.4, 0.3, 0.3, fill)
        pen.circle(0.15, 0.42, 0.4, fill)
        pen.circle(0.58, 0.26, 0.24, fill)

    def weather(self) -> None:
        scene, ink, rng, draw = self.scene, self.ink, self.rng, self.draw
        w, h = self.width, self.height
        if scene.ground == "room":
            return
        if scene.rain:
            slant = rng.uniform(0.15, 0.35) * (1 if scene.storm else 0.5)
            length = self.unit * 0.06
            for _ in range(260 if scene.storm else 180):
                x, y = rng.uniform(-0.2 * w, w), rng.uniform(0, h)
                draw.line(
                    [(x, y), (x + slant * length, y + length)],
                    fill=ink("glass", alpha=int(rng.uniform(60, 130))),
                    width=2 * _SCALE,
                )
        if scene.storm:
            x, y = w * rng.uniform(0.15, 0.85), self.horizon * 0.2
            points = [(x, y)]
            for _ in range(5):
                x += rng.uniform(-0.04, 0.04) * self.unit
                y += self.horizon * 0.12
                points.append((x, y))
            draw.line(points, fill=ink("glow", 0.4, alpha=110), width=int(self.unit * 0.02))
            draw.line(points, fill=ink("white"), width=int(self.unit * 0.006))
        if scene.snow:
            for _ in range(220):
                x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(1.5, 4.5) * _SCALE
                draw.ellipse([x - r, y - r, x + r, y + r], fill=ink("snow", alpha=220))

    # far away ------------------------------------------------------------------------------
    def far_mountain(self) -> None:
        ink, rng, w, y = self.ink, self.rng, self.width, self.horizon
        big = not self.scene.main
        count = int(rng.integers(3, 5))
        for i in range(count):
            x = w * (i + rng.uniform(0.2, 0.8)) / count
            peak = self.unit * (rng.uniform(0.32, 0.46) if big else rng.uniform(0.16, 0.28))
            half = peak * rng.uniform(1.1, 1.5)
            colour = ink("mountain", -0.1 * (i % 2) - (0.45 if self.scene.night else 0))
            self.draw.polygon([(x - half, y + 2), (x, y - peak), (x + half, y + 2)], fill=colour)
            self.draw.polygon(
                [(x, y - peak), (x + half, y + 2), (x, y + 2)], fill=ink("ink", alpha=30)
            )
            # The snow cap, in the peak's own units: x in half-widths, y in heights.
            pen = Pen(self.draw, x, y, peak)
            cap = [(0, 1), (0.28, 0.72), (0.11, 0.8), (0, 0.72), (-0.14, 0.79), (-0.28, 0.72)]
            pen.poly([(cx * half / peak, cy) for cx, cy in cap], ink("snow"))

    def far_forest(self) -> None:
        ink, rng, w, y = self.ink, self.rng, self.width, self.horizon
        big = not self.scene.main
        shade = -0.45 if self.scene.night else 0.0
        for row in range(2):
            x = -rng.uniform(0, 40)
            while x < w + 40:
                tall = self.unit * (rng.uniform(0.16, 0.3) if big else rng.uniform(0.08, 0.15))
                tall *= 1 - 0.25 * row
                pen = Pen(self.draw, x, y + row * self.unit * 0.03, tall)
                colour = ink("pine", shade + (0.15 if row == 0 else 0))
                pen.poly([(-0.28, 0.2), (0.28, 0.2), (0.0, 1.0)], colour)
                pen.rect(-0.04, 0.0, 0.04, 0.2, ink("darkwood", shade))
                if self.scene.snow:
                    pen.poly([(-0.09, 0.75), (0.09, 0.75), (0.0, 1.0)], ink("snow"))
                x += tall * rng.uniform(0.3, 0.5)

    def far_village(self) -> None:
        rng = self.rng
        for _ in range(int(rng.integers(3, 6))):
            x = self.width * rng.uniform(0.05, 0.95)
            pen = Pen(
                self.draw, x, self.horizon + self.unit * 0.01, self.unit * rng.uniform(0.06, 0.09)
            )
            _house(pen, self.ink, self.scene, rng)

    def far_city(self) -> None:
        if self.scene.main:  # a town in the distance
            start = self.width * self.rng.uniform(0.05, 0.6)
            self.skyline(self.horizon + 2, self.unit * 0.09, start, start + self.width * 0.3, 0.4)
        else:
            self.skyline(self.horizon + 2, self.unit * 0.35, 0, self.width, 1.0)

    def skyline(self, base, tallest, start, end, scale) -> None:
        ink, rng, night = self.ink, self.rng, self.scene.night
        x = start - rng.uniform(0, 60) * scale
        window = ink("glow") if night else ink("glass", 0.2)
        while x < end:
            bw = self.unit * rng.uniform(0.07, 0.14) * scale
            bh = tallest * rng.uniform(0.45, 1.0)
            colour = ink(
                ("stone", "mountain", "sand", "gray")[int(rng.integers(4))],
                -0.5 if night else -0.05,
            )
            self.draw.rectangle([x, base - bh, x + bw, base], fill=colour)
            self.draw.rectangle([x + bw * 0.7, base - bh, x + bw, base], fill=ink("ink", alpha=30))
            step = max(5.0 * _SCALE, bw / 5)
            for wy in np.arange(base - bh + step, base - step, step * 1.4):
                for wx in np.arange(x + step * 0.6, x + bw - step * 0.8, step):
                    if rng.random() < (0.55 if night else 0.8):
                        self.draw.rectangle([wx, wy, wx + step * 0.5, wy + step * 0.7], fill=window)
            x += bw + rng.uniform(0, 0.02) * self.unit * scale

    def far_island(self) -> None:
        if self.scene.main and _BY_NAME[self.scene.main].place == "ground":
            return  # the main thing stands on it
        x = self.width * self.rng.uniform(0.2, 0.8)
        self.mound(
            x, self.horizon + self.unit * 0.02, self.unit * (0.4 if not self.scene.main else 0.25)
        )

    # ground -------------------------------------------------------------------------------
    def hills(self, colours, *, far_colours) -> None:
        rng, w, h, y = self.rng, self.width, self.height, self.horizon
        for i, colour in enumerate((far_colours, colours)):
            amplitude = self.unit * (0.04 if i == 0 else 0.03)
            base = y + i * self.unit * 0.06
            points = [(0, h)]
            phase, phase2 = rng.uniform(0, 6.3), rng.uniform(0, 6.3)
            for x in np.linspace(0, w, 48):
                t = x / w
                points.append(
                    (
                        x,
                        base
                        - amplitude * (1 + math.sin(t * 5 + phase))
                        - amplitude * 0.5 * math.sin(t * 11 + phase2),
                    )
                )
            points.append((w, h))
            self.draw.polygon(points, fill=colour)
        if "road" in self.scene.far:
            top = (w * rng.uniform(0.4, 0.6), y + self.unit * 0.04)
            self.draw.polygon(
                [(top[0] - 6, top[1]), (top[0] + 6, top[1]), (w * 0.62, h), (w * 0.3, h)],
                fill=self.ink("sand" if self.scene.ground != "snow" else "stone", -0.1),
            )

    def ground_hills(self) -> None:
        ink = self.ink
        shade = -0.45 if self.scene.night else -0.25 if self.scene.storm or self.scene.rain else 0
        self.hills(ink("grass", shade), far_colours=ink("leaf", shade + 0.1))
        blooming = {"flower", "bee", "hive", "honey"} & set(self.scene.things)
        if "garden" in self.scene.far or blooming:
            rng = self.rng
            for _ in range(60):
                x = rng.uniform(0, self.width)
                y = rng.uniform(self.horizon + self.unit * 0.1, self.height)
                r = self.unit * 0.008 * (0.6 + (y - self.horizon) / self.unit)
                colour = ink(("pink", "yellow", "white", "purple")[int(rng.integers(4))], shade)
                self.draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)

    def ground_snow(self) -> None:
        shade = -0.35 if self.scene.night else 0
        self.hills(self.ink("snow", shade), far_colours=self.ink("glass", shade))

    def ground_desert(self) -> None:
        shade = -0.45 if self.scene.night else 0
        self.hills(self.ink("sand", shade), far_colours=self.ink("sand", shade - 0.12))

    def ground_space(self) -> None:
        """None: the stars fill the frame."""

    def ground_street(self) -> None:
        ink, w, h, y = self.ink, self.width, self.height, self.horizon
        self.skyline(y, self.unit * 0.5, 0, w, 1.0)
        night = -0.4 if self.scene.night else 0
        self.draw.rectangle([0, y, w, y + self.unit * 0.05], fill=ink("stone", night))
        self.draw.rectangle([0, y + self.unit * 0.05, w, h], fill=ink("asphalt", night))
        mid = (y + self.unit * 0.05 + h) / 2
        for x in np.arange(-self.rng.uniform(0, 200), w, self.unit * 0.16):
            self.draw.rectangle(
                [x, mid - 4 * _SCALE, x + self.unit * 0.08, mid + 4 * _SCALE],
                fill=ink("white", night, alpha=200),
            )

    def ground_sea(self) -> None:
        scene, ink, rng = self.scene, self.ink, self.rng
        w, h, y = self.width, self.height, self.horizon
        shade = -0.5 if scene.night else -0.3 if scene.storm or scene.rain else 0
        _gradient(
            self.image, (0, y, w, h), [(0, ink("sea", shade + 0.1)), (1, ink("deepsea", shade))]
        )
        self.draw.line([(0, y), (w, y)], fill=ink("white", alpha=60), width=_SCALE * 2)
        if "sun" in scene.sky or "moon" in scene.sky:
            for i in range(14):
                yy = y + (h - y) * (i + 1) / 16
                half = self.unit * 0.05 * (1 + i * 0.1) * rng.uniform(0.5, 1.2)
                x = self.light_x
                self.draw.line(
                    [(x - half, yy), (x + half, yy)], fill=ink("glow", alpha=90), width=_SCALE * 3
                )
        rows = 12
        rough = 1.8 if scene.storm else 1.0
        for i in range(rows):
            t = (i + 1) / (rows + 1)
            yy = y + (h - y) * t**1.3
            length = self.unit * (0.04 + 0.12 * t)
            amplitude = self.unit * 0.006 * rough * (0.5 + t)
            x0 = -rng.uniform(0, length)
            self.draw.line(
                _wave_line(x0, w + length, yy, amplitude, length, rng.uniform(0, 6.3)),
                fill=ink("white", alpha=int(40 + 50 * t * rough)),
                width=int(_SCALE * (1 + 2 * t)),
            )

    def mound(self, x, top, half) -> None:
        """An island: rock under a cap of grass (or snow), its foot in the water."""
        ink, draw = self.ink, self.draw
        shade = -0.45 if self.scene.night else -0.2 if self.scene.storm else 0
        foot = top + half * 0.35
        pen = Pen(draw, x, top, half)  # in half-widths, from the top of the rock
        ridge = [(-0.7, -0.06), (-0.3, 0.03), (0.35, 0.02), (0.75, -0.08)]
        pen.poly([(-1.0, -0.35), *ridge, (1.0, -0.35)], ink("rock", shade))
        pen.poly([(0.0, -0.35), *ridge[2:], (1.0, -0.35)], ink("ink", alpha=40))
        cap = ink("snow" if self.scene.snow else "grass", shade)
        pen.poly([*ridge, (0.4, -0.05), (-0.4, -0.05)], cap)
        draw.line(
            _wave_line(x - half * 1.1, x + half * 1.1, foot, 4, self.unit * 0.05, 0),
            fill=ink("white", alpha=140),
            width=3 * _SCALE,
        )

    def jetty(self, top) -> None:
        ink, draw, w, h = self.ink, self.draw, self.width, self.height
        shade = -0.4 if self.scene.night else 0
        for x in np.linspace(60, w - 60, 7):  # the posts
            post = [x - 8 * _SCALE, top, x + 8 * _SCALE, h]
            draw.rectangle(post, fill=ink("darkwood", shade - 0.2))
        draw.rectangle([0, top, w, top + self.unit * 0.05], fill=ink("wood", shade))
        for x in np.arange(0, w, self.unit * 0.06):
            draw.line(
                [(x, top), (x, top + self.unit * 0.05)],
                fill=ink("darkwood", shade, alpha=120),
                width=_SCALE,
            )

    def room(self) -> None:
        scene, ink, rng, w, h = self.scene, self.ink, self.rng, self.width, self.height
        shade = -0.45 if scene.night else -0.15 if scene.time == "dusk" else 0
        _gradient(
            self.image, (0, 0, w, h), [(0, ink("wall", shade - 0.08)), (1, ink("wall", shade))]
        )
        if "window" not in scene.things:
            x = w * (0.18 if rng.random() < 0.5 else 0.82)
            _window(
                Pen(self.draw, x, self.horizon - self.unit * 0.1, self.unit * 0.36), ink, scene, rng
            )

    def table(self) -> None:
        ink, w, h, top = self.ink, self.width, self.height, self.horizon
        shade = -0.45 if self.scene.night else -0.15 if self.scene.time == "dusk" else 0
        self.draw.rectangle([0, top, w, h], fill=ink("wood", shade))
        self.draw.rectangle([0, top, w, top + self.unit * 0.02], fill=ink("wood", shade + 0.15))
        for i in range(1, 5):
            yy = top + (h - top) * i / 5
            self.draw.line([(0, yy), (w, yy)], fill=ink("darkwood", shade, alpha=50), width=_SCALE)

    # things -------------------------------------------------------------------------------
    def layout(self) -> list[tuple[str, float, float, bool]]:
        """(name, x, scale, main) of each thing, the extras first so the main one is in front."""
        scene, rng, w = self.scene, self.rng, self.width
        if not scene.main:
            return []
        main_x = (0.32, 0.5, 0.68)[int(rng.integers(3))] + rng.uniform(-0.03, 0.03)
        placed = [(scene.main, main_x * w, rng.uniform(0.9, 1.06), True)]
        # One on each side of a main thing in the middle, else both on its open side.
        if abs(main_x - 0.5) < 0.1:
            sides = [0.13, 0.87]
        else:
            sides = [0.84, 0.11] if main_x < 0.5 else [0.16, 0.89]
        for name, side in zip(scene.extras, sides, strict=False):
            placed.append((name, (side + rng.uniform(-0.03, 0.03)) * w, 0.55, False))
        return placed[1:] + placed[:1]

    def thing(self, name: str, x: float, scale: float, main: bool) -> None:
        """Stands a thing where its place and the ground say: on the table of a room, floating
        on the sea or on a rock or a jetty in it, in the air, or on the ground."""
        subject, scene, h, y = _BY_NAME[name], self.scene, self.height, self.horizon
        if name == "bird" and not main:
            self.flock(x)
            return
        height = subject.height * self.unit * scale
        if subject.half * height * 2 > self.width * 0.92:
            height = self.width * 0.92 / (subject.half * 2)
        flip = bool(self.rng.random() < 0.5) and name not in ("book", "computer", "key", "clock")
        place, shadow = subject.place, True
        if scene.ground == "space":
            base, shadow = h * 0.5 + height * 0.5, False
        elif place == "air":
            if scene.ground == "room":
                base = y + self.unit * 0.06
            else:
                base, shadow = h * (0.72 if main else 0.4), False
        elif scene.ground == "room":
            base = y + (h - y) * (0.55 if main else 0.3)
            height *= 1.3 if main else 1.0  # the table is near: what is on it looks larger
            if name == "person":  # behind the table, seen from the waist up
                height = self.unit * (0.8 if main else 0.64)
                base = y + height * 0.36
            elif name in ("door", "window"):  # on the wall
                base, height, flip, shadow = y - self.unit * 0.02, height * 1.1, False, False
        elif scene.ground == "sea" and place == "water":
            base, shadow = y + (h - y) * (0.55 if main else 0.2), False
            height *= 1.0 if main else 0.7
        elif scene.ground == "sea" and ("jetty" in scene.far or place == "table"):
            base = y + (h - y) * (0.62 if main else 0.5)
            if self.jetty_top is None:
                self.jetty_top = base - self.unit * 0.03
                self.jetty(self.jetty_top)
            base = max(base, self.jetty_top + self.unit * 0.05)
        elif scene.ground == "sea":  # on a rock of its own
            base = y + (h - y) * (0.55 if main else 0.25)
        else:
            base = y + (h - y) * (0.82 if main else 0.45)
            height *= 1.1 if place == "table" and main else 1.0
        # Below the text, if any, and inside the frame.
        if self.headroom and name != "person":
            height = max(height * 0.5, min(height, (base - self.headroom) / 1.08))
        half = subject.half * height
        x = min(max(x, half + self.width * 0.04), self.width * 0.96 - half)
        if scene.ground == "sea" and place == "ground" and "jetty" not in scene.far:
            self.mound(x, base, max(half * 1.8, self.unit * (0.3 if main else 0.16)))
        if shadow:
            _shadow(self.draw, x, base, half, self.ink)
        pen = Pen(self.draw, x, base, height, flip=flip)
        _DRAW[name](pen, self.ink, scene, self.rng)
        if scene.ground == "sea" and place == "water" and name != "fish":
            self.draw.line(
                _wave_line(x - half * 1.3, x + half * 1.3, base, 5, self.unit * 0.04, 0),
                fill=self.ink("white", alpha=170),
                width=3 * _SCALE,
            )

    def flock(self, x) -> None:
        ink, rng = self.ink, self.rng
        colour = ink("ink", 0.1) if not self.scene.night else ink("white", -0.3)
        for _ in range(int(rng.integers(3, 6))):
            bx, by = x + rng.uniform(-0.1, 0.1) * self.unit, self.horizon * rng.uniform(0.2, 0.6)
            span = self.unit * rng.uniform(0.018, 0.03)
            self.draw.line(
                [
                    (bx - span, by - span * 0.4),
                    (bx - span * 0.4, by - span * 0.6),
                    (bx, by),
                    (bx + span * 0.4, by - span * 0.6),
                    (bx + span, by - span * 0.4),
                ],
                fill=colour,
                width=int(span * 0.18),
                joint="curve",
            )


def illustrate(
    prompt: str, size: tuple[int, int], palette: "Palette", rng, *, headroom: float = 0.0
) -> Image.Image | None:
    """A flat illustration of what `prompt` names, or None when it names nothing drawable.
    The things drawn keep below `headroom` (a fraction of the height), where text will go."""
    scene = compose(prompt)
    if scene is None:
        return None
    image = _Canvas(size, palette, scene, rng, headroom).paint()
    # Averaging each 2x2 block is the supersampled edge; LANCZOS looks the same at 2:1 and
    # takes ten times as long (60 ms at 1280x720).
    return image.reduce(_SCALE)
