import pytest

from pipeline.checks import check_providers
from tests.providers.conftest import FAKES


def ids(settings, value) -> list[str]:
    settings.VIDEOGEN_PROVIDERS = value
    return [error.id for error in check_providers()]


def with_role(role: str, config) -> dict:
    return {**FAKES, role: config}


def test_fakes_and_offline_defaults_pass(settings):
    assert ids(settings, FAKES) == []
    assert ids(settings, None) == []


def test_setting_that_is_not_a_dict(settings):
    assert ids(settings, ["llm"]) == ["videogen.E001"]


def test_unknown_role(settings):
    assert ids(settings, {**FAKES, "music": {"BACKEND": "x.Y"}}) == ["videogen.E002"]


def test_missing_role(settings):
    assert ids(settings, {k: v for k, v in FAKES.items() if k != "images"}) == ["videogen.E009"]


def test_missing_backend(settings):
    assert ids(settings, with_role("tts", {"OPTIONS": {}})) == ["videogen.E003"]


def test_bad_import_path(settings):
    config = {"BACKEND": "pipeline.providers.tts.nothing.Voice"}
    assert ids(settings, with_role("tts", config)) == ["videogen.E004"]


def test_backend_for_another_role(settings):
    config = {"BACKEND": "pipeline.providers.fakes.FakeImages"}
    assert ids(settings, with_role("tts", config)) == ["videogen.E005"]


def test_unknown_option_is_named(settings):
    settings.VIDEOGEN_PROVIDERS = with_role(
        "tts", {"BACKEND": "pipeline.providers.tts.piper.PiperTTS", "OPTIONS": {"volume": 2}}
    )
    [error] = check_providers()
    assert error.id == "videogen.E006"
    assert "volume" in error.msg
    assert "voice_path" in error.hint


def test_options_must_be_a_dict(settings):
    config = {"BACKEND": "pipeline.providers.fakes.FakeTTS", "OPTIONS": ["rate"]}
    assert ids(settings, with_role("tts", config)) == ["videogen.E007"]


def test_unknown_key_beside_backend(settings):
    config = {"BACKEND": "pipeline.providers.fakes.FakeTTS", "OPTION": {}}
    assert ids(settings, with_role("tts", config)) == ["videogen.E008"]


def test_invalid_option_value(settings):
    config = {"BACKEND": "pipeline.providers.images.diffusion.DiffusersImages",
              "OPTIONS": {"device": "gpu"}}  # fmt: skip
    assert ids(settings, with_role("images", config)) == ["videogen.E010"]


@pytest.mark.parametrize(
    ("role", "backend", "setting"),
    [
        ("llm", "pipeline.providers.llm.gemini.GeminiPlanner", "GEMINI_API_KEY"),
        ("llm", "pipeline.providers.llm.openai_compat.OpenAICompatiblePlanner", "OPENAI_API_KEY"),
        ("tts", "pipeline.providers.tts.azure_speech.AzureTTS", "AZURE_SPEECH_KEY"),
    ],
)
def test_cloud_backend_without_key(settings, role, backend, setting):
    settings.VIDEOGEN_PROVIDERS = with_role(role, {"BACKEND": backend, "OPTIONS": {}})
    errors = check_providers()
    assert errors and {e.id for e in errors} == {"videogen.E011"}
    assert setting in errors[0].msg


def test_self_hosted_openai_endpoint_needs_no_key(settings):
    config = {
        "BACKEND": "pipeline.providers.llm.openai_compat.OpenAICompatiblePlanner",
        "OPTIONS": {"base_url": "http://127.0.0.1:11434/v1", "model": "llama3.2"},
    }
    assert ids(settings, with_role("llm", config)) == []


def test_runs_within_djangos_check_framework(settings):
    from django.core import checks

    settings.VIDEOGEN_PROVIDERS = with_role("tts", {"OPTIONS": {}})
    assert "videogen.E003" in [e.id for e in checks.run_checks()]
