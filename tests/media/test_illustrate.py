import numpy as np
import pytest
from PIL import Image

from pipeline.media.illustrate import SUBJECTS, compose, illustrate, subjects
from pipeline.media.visuals import PALETTES, render_still

SMALL = (320, 180)


def draw(tmp_path, prompt, *, seed=1, palette="default", size=SMALL, text="", name="s.png"):
    path = render_still(text=text, prompt=prompt, size=size, palette=palette, seed=seed,
                        path=tmp_path / name)  # fmt: skip
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def test_subjects_are_found_by_their_synonyms_and_plurals_in_the_order_named():
    assert subjects("Ships passed safely in the dark, and nobody ever thanked her") == (
        "ship",
        "night",
    )
    assert subjects("Two foxes chased the puppies under the oak trees") == ("fox", "dog", "tree")
    assert subjects("The keeper's cottage by the harbour") == ("person", "house", "sea")
    assert subjects("A lantern and a fox") == ("lantern", "fox")
    assert subjects("A fox and a lantern, then another fox") == ("fox", "lantern")


def test_the_style_at_the_end_of_a_prompt_is_not_a_subject():
    assert subjects("Ada kept the lighthouse, warm storybook illustration, soft golden light") == (
        "lighthouse",
    )
    assert subjects("A quiet morning, moody illustration, deep shadows, dark palette") == ("dusk",)
    assert subjects("Bread on the table, watercolour style") == ("bread", "room")
    # Inside the sentence itself, "dark" is what the scene shows.
    assert subjects("Ships passed in the dark, cinematic digital painting") == ("ship", "night")


def test_a_prompt_that_names_nothing_drawable_has_no_subjects():
    prompt = "The committee discussed quarterly results, clean flat vector illustration"
    assert subjects(prompt) == ()
    assert compose(prompt) is None
    assert illustrate(prompt, SMALL, PALETTES["default"], np.random.default_rng(0)) is None
    assert subjects("") == ()


def test_every_word_of_the_vocabulary_finds_its_subject():
    for subject in SUBJECTS:
        for word in subject.words:
            assert subjects(f"There was a {word} here") == (subject.name,), word


@pytest.mark.parametrize(
    "prompt, ground, main, extras",
    [
        ("Ada kept the lighthouse on a small rocky island", "sea", "lighthouse", ()),
        ("Ada wrapped herself in her father's coat, took the lantern from the kitchen", "room",
         "lantern", ("person",)),
        ("The next Sunday, a basket of fresh bread was waiting at the jetty", "sea", "basket",
         ("bread",)),
        ("A fox found a lantern in the snow", "snow", "fox", ("lantern",)),
        ("Bees carry nectar back to the hive and turn it into honey", "hills", "bee",
         ("hive", "honey")),
        ("The city woke up as the first train left the station", "street", "train", ()),
        ("She read a book while the rain fell", "room", "book", ()),
        ("The rocket rose into space", "space", "rocket", ()),  # "rose", the verb
        ("Snow fell on the mountains", "snow", "", ()),
    ],
)  # fmt: skip
def test_the_composition_follows_what_the_prompt_names(prompt, ground, main, extras):
    scene = compose(prompt)
    assert (scene.ground, scene.main, scene.extras) == (ground, main, extras)


def test_the_sky_follows_the_time_and_the_weather_named():
    night = compose("Ships passed safely in the dark")
    assert night.time == "night" and {"stars", "moon"} <= night.sky
    storm = compose("One night a storm came in from the sea")
    assert storm.night and storm.storm and storm.rain and "stars" not in storm.sky
    assert compose("A boat at sunset").time == "dusk"
    assert compose("A boat").time == "day"
    # Outdoors a door is part of a house; indoors it is on the wall.
    assert compose("She opened the door").main == "house"
    assert compose("The door of the kitchen").main == "door"


def test_a_night_sky_is_dark_at_the_top_and_a_day_sky_light(tmp_path):
    night = draw(tmp_path, "Ships passed safely in the dark")
    day = draw(tmp_path, "Ships passed safely in the afternoon")
    assert night[:40].mean() < 50
    assert day[:40].mean() > 120


def test_a_sea_scene_is_blue_in_its_lower_third(tmp_path):
    pixels = draw(tmp_path, "Ada kept the lighthouse on a small rocky island")
    red, green, blue = pixels[-60:].mean(axis=(0, 1))
    assert blue > red + 50 and blue > green


def test_a_storm_is_darker_than_a_fine_day(tmp_path):
    storm = draw(tmp_path, "A boat in a storm")
    fine = draw(tmp_path, "A boat")
    assert storm[:100].mean() < fine[:100].mean() - 40


def test_the_same_prompt_and_seed_draw_the_same_illustration_and_other_seeds_others(tmp_path):
    prompt = "The next Sunday, a basket of fresh bread was waiting at the jetty"
    first = draw(tmp_path, prompt, seed=1, name="a.png")
    assert np.array_equal(first, draw(tmp_path, prompt, seed=1, name="b.png"))
    others = [draw(tmp_path, prompt, seed=seed, name=f"{seed}.png") for seed in range(2, 6)]
    assert all(np.abs(first - other).mean() > 4 for other in others)


@pytest.mark.parametrize("palette", sorted(PALETTES))
def test_every_palette_draws_an_illustration_in_its_own_colours(tmp_path, palette):
    prompt = "A fox found a lantern in the snow"
    pixels = draw(tmp_path, prompt, palette=palette)
    assert pixels.std(axis=(0, 1)).mean() > 8
    if palette != "default":
        assert np.abs(pixels - draw(tmp_path, prompt, name="default.png")).mean() > 3
    if palette == "mono":
        assert np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max() < 8


@pytest.mark.parametrize("subject", [s.name for s in SUBJECTS])
def test_every_subject_draws_in_a_wide_and_a_tall_frame(tmp_path, subject):
    word = next(s.words[0] for s in SUBJECTS if s.name == subject)
    for size in ((160, 90), (90, 160)):
        pixels = draw(tmp_path, f"A {word}", size=size)
        assert pixels.shape == (size[1], size[0], 3)
        assert pixels.std(axis=(0, 1)).mean() > 4


def test_a_title_is_drawn_on_a_panel_above_the_illustration(tmp_path):
    prompt = "Ada kept the lighthouse on a small rocky island"
    plain = draw(tmp_path, prompt, name="plain.png")
    titled = draw(tmp_path, prompt, text="The Keeper", name="titled.png")
    difference = np.abs(plain - titled).sum(axis=2)
    assert difference[10:40, 120:200].mean() > 40  # the panel, near the top
