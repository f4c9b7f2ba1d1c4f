from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from pipeline.errors import GeneratorError
from pipeline.providers.fakes import FakeImages
from pipeline.providers.images.diffusion import DiffusersImages
from pipeline.providers.images.procedural import ProceduralImages


def test_procedural_draws_a_still_of_the_requested_size(tmp_path):
    progress = []
    path = ProceduralImages().generate(
        prompt="a lighthouse in a storm",
        size=(320, 180),
        out_path=tmp_path / "scene.png",
        seed=7,
        palette="warm",
        text="One winter a storm broke the lamp.",
        on_progress=lambda f, m: progress.append(f),
    )
    assert path == tmp_path / "scene.png"
    with Image.open(path) as image:
        assert image.size == (320, 180) and image.format == "PNG"
    assert progress[-1] == 1.0


def test_procedural_is_deterministic_and_accepts_any_style_name(tmp_path):
    def draw(name, seed):
        return (
            ProceduralImages()
            .generate(
                prompt="forest",
                size=(64, 64),
                out_path=tmp_path / name,
                seed=seed,
                palette="cinematic",
            )
            .read_bytes()
        )

    assert draw("a.png", 1) == draw("b.png", 1)
    assert draw("c.png", 2) != draw("a.png", 1)


def test_diffusers_without_a_model_is_unavailable_with_the_setting(tmp_path):
    images = DiffusersImages()
    status = images.available()
    assert not status.available
    assert status.setting == "IMAGES_MODEL_PATH"
    assert status.reason == "No text-to-image model is configured."
    with pytest.raises(GeneratorError) as caught:
        images.generate(prompt="cat", size=(64, 64), out_path=tmp_path / "cat.png")
    assert caught.value.permanent and "IMAGES_MODEL_PATH" in caught.value.hint


def test_diffusers_model_path_must_be_a_model_folder(tmp_path):
    assert (
        "is not a folder" in DiffusersImages(model_path=str(tmp_path / "nope")).available().reason
    )
    reason = DiffusersImages(model_path=str(tmp_path)).available().reason
    assert "no model_index.json" in reason


def test_diffusers_option_values_are_checked():
    with pytest.raises(ImproperlyConfigured, match="device"):
        DiffusersImages(device="gpu")
    with pytest.raises(ImproperlyConfigured, match="steps"):
        DiffusersImages(steps=0)


@pytest.mark.parametrize("size", [(0, 10), (5000, 100), ("wide", 3), (10,)])
def test_sizes_outside_the_limits_are_refused(tmp_path, size):
    with pytest.raises(GeneratorError, match="size"):
        FakeImages().generate(prompt="x", size=size, out_path=tmp_path / "x.png")


def test_fake_images_writes_a_png_that_depends_on_prompt_and_seed(tmp_path):
    fake = FakeImages()
    a = fake.generate(prompt="cat", size=(40, 30), out_path=tmp_path / "nested" / "a.png")
    b = fake.generate(prompt="cat", size=(40, 30), out_path=tmp_path / "b.png", seed=1)
    with Image.open(a) as image:
        assert image.size == (40, 30)
    assert Path(a).read_bytes() != Path(b).read_bytes()
    assert [call["seed"] for call in fake.calls] == [0, 1]


def test_key_words_name_the_subject_not_the_style():
    from pipeline.providers.images.procedural import key_words

    assert key_words("Lighthouse keepers on the stairs, soft watercolor illustration") == (
        "LIGHTHOUSE KEEPERS STAIRS"
    )
    assert key_words("Illustration of a fox in the snow") == "FOX SNOW"
    assert key_words("...") == ""


def test_procedural_without_text_or_anything_to_draw_writes_the_scene_key_words_large(tmp_path):
    from pipeline.media.visuals import PALETTES

    def text_pixels(prompt):
        path = ProceduralImages().generate(
            prompt=prompt, size=(320, 180), out_path=tmp_path / "k.png", seed=3, palette="warm"
        )
        with Image.open(path) as image:
            middle = image.convert("RGB").crop((40, 50, 280, 130))
        color = PALETTES["warm"].text
        return sum(
            1
            for p in middle.getdata()
            if sum(abs(a - b) for a, b in zip(p, color, strict=True)) < 30
        )

    assert text_pixels("Quarterly results, soft watercolor illustration") > 200
    assert text_pixels("...") < 50  # no words: the background alone


def test_procedural_draws_an_illustration_when_the_prompt_names_something_it_can_draw(tmp_path):
    from pipeline.media.visuals import render_still
    from pipeline.providers.images.procedural import key_words

    def pixels(path):
        with Image.open(path) as image:
            return list(image.convert("RGB").getdata())

    def procedural(prompt):
        return pixels(ProceduralImages().generate(
            prompt=prompt, size=(160, 90), out_path=tmp_path / "p.png", seed=3, palette="warm"
        ))  # fmt: skip

    def still(prompt, **kwargs):
        return pixels(render_still(prompt=prompt, size=(160, 90), palette="warm", seed=3,
                                   path=tmp_path / "s.png", **kwargs))  # fmt: skip

    drawable = "A fox found a lantern in the snow"
    assert procedural(drawable) == still(drawable, text="")
    assert procedural(drawable) != still(drawable, text=key_words(drawable), kind="title")
    nothing = "The committee discussed quarterly results"
    assert procedural(nothing) == still(nothing, text=key_words(nothing), kind="title")


def test_procedural_pictures_cached_by_earlier_versions_are_drawn_again():
    from pipeline.providers.base import Provider

    identity = ProceduralImages().identity()
    assert identity["version"] == ProceduralImages.output_version > Provider.output_version
    # Backends whose output has not changed keep the keys their outputs are cached under.
    assert "version" not in FakeImages().identity()
    assert "version" not in DiffusersImages().identity()
