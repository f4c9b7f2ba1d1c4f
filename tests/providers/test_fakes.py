"""The fakes, chosen through settings exactly as the generators will see them."""

import wave

import pytest
from PIL import Image

from pipeline.errors import GeneratorError
from pipeline.providers import get_provider
from pipeline.providers.fakes import FAKE_MANIM_CODE


def test_fake_planner_returns_a_valid_plan_through_the_shared_flow(fake_providers):
    planner = get_provider("llm")
    plan = planner.plan(kind="youtube", prompt="Tides and the moon. Why two a day?")
    assert plan.title == "Tides and the moon"
    assert len(plan.scenes) == 3
    assert [s.visual["type"] for s in plan.scenes] == ["title", "bullets", "formula"]
    assert [c.start_scene for c in plan.youtube.chapters] == [0, 1, 2]
    assert [c["method"] for c in planner.calls] == ["plan", "complete"]
    assert planner.calls[0]["prompt"] == "Tides and the moon. Why two a day?"


def test_fake_planner_honours_max_scenes(fake_providers):
    fake_providers["llm"]["OPTIONS"] = {"scenes": 8}
    plan = get_provider("llm").plan(kind="story", prompt="A story.", options={"max_scenes": 6})
    assert len(plan.scenes) == 6
    assert {s.visual["type"] for s in plan.scenes} == {
        "title", "bullets", "formula", "graph", "shapes", "image",
    }  # fmt: skip


def test_fake_planner_writes_code(fake_providers):
    assert get_provider("llm").generate_code("system", "user") == FAKE_MANIM_CODE.strip()


@pytest.mark.parametrize(("fail", "permanent"), [("transient", False), ("permanent", True)])
def test_fake_planner_can_fail(settings, fake_providers, fail, permanent):
    settings.VIDEOGEN_PROVIDERS = {
        **fake_providers,
        "llm": {"BACKEND": "pipeline.providers.fakes.FakePlanner", "OPTIONS": {"fail": fail}},
    }
    with pytest.raises(GeneratorError) as caught:
        get_provider("llm").plan(kind="explainer", prompt="Sky")
    assert caught.value.permanent is permanent


def test_fake_planner_invalid_answers_exhaust_the_repairs(settings, fake_providers):
    settings.VIDEOGEN_PROVIDERS = {
        **fake_providers,
        "llm": {
            "BACKEND": "pipeline.providers.fakes.FakePlanner",
            "OPTIONS": {"fail": "invalid", "max_repairs": 1},
        },
    }
    planner = get_provider("llm")
    with pytest.raises(GeneratorError, match="invalid plan 2 time"):
        planner.plan(kind="explainer", prompt="Sky")
    assert [c["method"] for c in planner.calls] == ["plan", "complete", "complete"]


def test_fake_tts_through_settings(fake_providers, tmp_path):
    tts = get_provider("tts")
    speech = tts.synthesize(text="One two three. Four five.", out_dir=tmp_path, voice="fake-alt")
    with wave.open(str(speech.audio_path)) as wav:
        assert wav.getnframes() > 0
    assert [w.text for w in speech.words] == ["One", "two", "three.", "Four", "five."]
    assert tts.calls[0]["voice"] == "fake-alt"
    with pytest.raises(GeneratorError, match="no voice"):
        tts.synthesize(text="Hi.", out_dir=tmp_path, voice="joe")


def test_fake_images_through_settings(fake_providers, tmp_path):
    path = get_provider("images").generate(prompt="sea", size=(32, 18), out_path=tmp_path / "s.png")
    with Image.open(path) as image:
        assert image.size == (32, 18)


def test_unknown_failure_mode_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    from pipeline.providers.fakes import FakeTTS

    with pytest.raises(ImproperlyConfigured, match="fail"):
        FakeTTS(fail="sometimes")
