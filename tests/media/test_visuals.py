import numpy as np
import pytest
from PIL import Image

from pipeline.media.visuals import PALETTES, font, render_still, wrap_text


@pytest.mark.parametrize("palette", sorted(PALETTES))
@pytest.mark.parametrize("kind", ["scene", "title"])
def test_every_palette_draws_a_picture_that_is_not_blank(tmp_path, palette, kind):
    path = render_still(text="A quiet harbour at dawn", prompt="harbour", size=(320, 180),
                        palette=palette, seed=1, path=tmp_path / "s.png", kind=kind)  # fmt: skip
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    assert pixels.shape == (180, 320, 3)
    assert pixels.std(axis=(0, 1)).mean() > 8


def test_the_palettes_are_named_once_for_pictures_animations_and_the_style_option():
    from pipeline import manim_scenes
    from pipeline.generators.shared.options import NarratedOptions

    assert {"default", "warm", "cool", "mono", "vivid", "pastel"} <= set(PALETTES)
    assert list(manim_scenes.PALETTES) == list(PALETTES)
    assert list(NarratedOptions().fields["style"].choices) == list(PALETTES)


def test_the_same_prompt_and_seed_draw_the_same_picture(tmp_path):
    def draw(name, prompt="a forest", seed=7):
        path = render_still(text="", prompt=prompt, size=(160, 90), palette="warm", seed=seed,
                            path=tmp_path / name)  # fmt: skip
        return np.asarray(Image.open(path), dtype=int)

    first = draw("a.png")
    assert np.array_equal(first, draw("b.png"))
    assert np.abs(first - draw("c.png", seed=8)).mean() > 2
    assert np.abs(first - draw("d.png", prompt="a desert")).mean() > 2


def test_on_screen_text_sits_on_a_readable_panel(tmp_path):
    kwargs = dict(prompt="p", size=(320, 180), palette="default", seed=3)
    plain = render_still(text="", path=tmp_path / "plain.png", **kwargs)
    text = render_still(text="Words on screen", path=tmp_path / "text.png", **kwargs)
    difference = np.abs(
        np.asarray(Image.open(plain), dtype=int) - np.asarray(Image.open(text), dtype=int)
    ).sum(axis=2)
    assert difference[70:110, 100:220].mean() > 20  # the middle, where the panel is
    assert difference[:30].mean() == 0 and difference[-30:].mean() == 0


def test_text_wraps_to_the_width_it_is_given():
    face = font(24)
    lines = wrap_text("the keeper climbed the stairs and lit the lamp once more", face, 200)
    assert len(lines) > 1
    assert all(face.getlength(line) <= 200 for line in lines)
    assert wrap_text("Unbreakablewordthatistoolongforit", face, 50) == [
        "Unbreakablewordthatistoolongforit"
    ]


def test_a_long_title_shrinks_to_stay_inside_the_frame(tmp_path):
    title = "A very long title for a story " * 4
    path = render_still(text=title, prompt="p", size=(320, 180), palette="mono", seed=1,
                        path=tmp_path / "t.png", kind="title")  # fmt: skip
    pixels = np.asarray(Image.open(path).convert("L"), dtype=int)
    assert pixels[:, :8].max() < 200 and pixels[:, -8:].max() < 200  # no white text at the edges


def test_unknown_kinds_are_refused(tmp_path):
    with pytest.raises(ValueError):
        render_still(text="", prompt="", size=(64, 64), palette="default", seed=0,
                     path=tmp_path / "x.png", kind="video")  # fmt: skip
