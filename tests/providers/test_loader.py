import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pipeline.providers import build_provider, get_provider, reset_providers
from pipeline.providers.fakes import FakePlanner, FakeTTS
from pipeline.providers.llm.local import LocalPlanner
from pipeline.providers.tts.piper import PiperTTS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["torch", "diffusers", "onnxruntime", "onnx", "piper", "manim", "google.genai", "azure"]


def test_get_provider_builds_the_configured_backend_once(fake_providers):
    planner = get_provider("llm")
    assert isinstance(planner, FakePlanner)
    assert get_provider("llm") is planner
    assert isinstance(get_provider("tts"), FakeTTS)


def test_changing_the_setting_drops_cached_instances(settings, fake_providers):
    before = get_provider("tts")
    settings.VIDEOGEN_PROVIDERS = {
        **fake_providers,
        "tts": {"BACKEND": "pipeline.providers.fakes.FakeTTS", "OPTIONS": {"rate": 2.0}},
    }
    after = get_provider("tts")
    assert after is not before
    assert after.options["rate"] == 2.0


def test_reset_providers_builds_a_new_instance(fake_providers):
    first = get_provider("images")
    reset_providers()
    assert get_provider("images") is not first


def test_defaults_are_offline_backends(settings):
    settings.VIDEOGEN_PROVIDERS = None
    assert isinstance(build_provider("llm"), LocalPlanner)
    assert isinstance(build_provider("tts"), PiperTTS)


def test_unknown_role_is_refused(fake_providers):
    with pytest.raises(ImproperlyConfigured, match="Unknown provider role 'video'"):
        get_provider("video")


def test_unknown_options_key_is_named(settings, fake_providers):
    settings.VIDEOGEN_PROVIDERS = {
        **fake_providers,
        "tts": {"BACKEND": "pipeline.providers.fakes.FakeTTS", "OPTIONS": {"speed": 2}},
    }
    with pytest.raises(ImproperlyConfigured, match="unknown OPTIONS key.*'?speed"):
        get_provider("tts")


def test_constructor_rejects_unknown_keys_and_bad_values():
    with pytest.raises(ImproperlyConfigured, match="colour"):
        PiperTTS(colour="blue")
    with pytest.raises(ImproperlyConfigured, match="rate"):
        PiperTTS(rate=0)


def test_bad_import_path_says_which_role(settings):
    settings.VIDEOGEN_PROVIDERS = {"llm": {"BACKEND": "pipeline.providers.nope.Planner"}}
    with pytest.raises(ImproperlyConfigured, match=r"\['llm'\]\['BACKEND'\].*cannot be imported"):
        build_provider("llm")


def test_backend_of_the_wrong_role_is_refused(settings):
    settings.VIDEOGEN_PROVIDERS = {"llm": {"BACKEND": "pipeline.providers.fakes.FakeTTS"}}
    with pytest.raises(ImproperlyConfigured, match="is not a Planner"):
        build_provider("llm")


def test_describe_reports_availability(fake_providers):
    assert get_provider("llm").describe() == {
        "role": "llm",
        "backend": "fake",
        "label": "Fake planner",
        "available": True,
        "reason": "",
        "setting": "",
    }


def _python(code: str, settings_module: str = "videogen.settings_test", **env):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIDEOGEN_", "GEMINI_"))},
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_loader_checks_and_backend_modules_import_no_heavy_library():
    code = f"""
import json, sys
import django
django.setup()
import pipeline.providers, pipeline.checks, pipeline.plan
from pipeline.providers import get_provider
for module in [
    "pipeline.providers.fakes",
    "pipeline.providers.llm.local", "pipeline.providers.llm.gemini",
    "pipeline.providers.llm.openai_compat", "pipeline.providers.tts.piper",
    "pipeline.providers.tts.espeak", "pipeline.providers.tts.azure_speech",
    "pipeline.providers.images.procedural", "pipeline.providers.images.diffusion",
]:
    __import__(module)
assert pipeline.checks.check_providers() == [], pipeline.checks.check_providers()
for role in ("llm", "tts", "images"):
    get_provider(role).available()
heavy = {HEAVY!r}
print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".")
                                                      for h in heavy))))
"""
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_settings_build_providers_from_short_names():
    code = """
import json
from django.conf import settings
print(json.dumps(settings.VIDEOGEN_PROVIDERS))
"""
    result = _python(
        code,
        "videogen.settings",
        VIDEOGEN_LLM="gemini",
        GEMINI_API_KEY="k-123",
        VIDEOGEN_TTS="espeak",
        TTS_RATE="1.25",
        VIDEOGEN_IMAGES="diffusers",
        IMAGES_MODEL_PATH="/models/sd",
    )
    assert result.returncode == 0, result.stderr
    providers = json.loads(result.stdout)
    assert providers["llm"]["BACKEND"] == "pipeline.providers.llm.gemini.GeminiPlanner"
    assert providers["llm"]["OPTIONS"]["api_key"] == "k-123"
    assert providers["llm"]["OPTIONS"]["model"] == "gemini-2.5-flash"
    assert providers["tts"] == {
        "BACKEND": "pipeline.providers.tts.espeak.EspeakTTS",
        "OPTIONS": {
            "rate": 1.25,
            "sentence_pause": 0.25,
            "voice": "en-us",
            "binary": "espeak-ng",
        },
    }
    assert providers["images"]["OPTIONS"]["model_path"] == "/models/sd"
    assert providers["images"]["OPTIONS"]["device"] == "auto"


def test_unknown_short_name_stops_start_up_with_the_choices():
    result = _python(
        "from django.conf import settings; settings.VIDEOGEN_PROVIDERS", VIDEOGEN_TTS="festival"
    )
    assert result.returncode != 0
    assert "VIDEOGEN_TTS='festival' is not a known tts backend" in result.stderr
    assert "piper, azure, espeak" in result.stderr


# --- built-in backends: each declares its short name, options and variables once ---------------


def _builtin_backends():
    from django.utils.module_loading import import_string

    from pipeline.providers.loader import BACKENDS

    return [(role, import_string(path)) for role, paths in BACKENDS.items() for path in paths]


@pytest.mark.parametrize(("role", "backend"), _builtin_backends())
def test_each_builtin_backend_declares_its_variables_once_and_the_docs_list_them(role, backend):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    documented = (root / ".env.example").read_text() + (root / "README.md").read_text()
    assert backend.name and backend.choice_setting, backend
    assert set(backend.option_settings) <= set(backend.option_defaults), backend
    for variable in [backend.choice_setting, *backend.option_settings.values()]:
        assert variable in documented, variable


def test_settings_build_each_role_from_the_chosen_backends_declaration(monkeypatch):
    from videogen.settings import _providers_from_environment

    monkeypatch.setenv("VIDEOGEN_LLM", "openai")
    monkeypatch.setenv("OPENAI_MODEL", "llama3.2")
    monkeypatch.setenv("OPENAI_JSON_MODE", "false")
    monkeypatch.setenv("LLM_TIMEOUT", "12.5")
    monkeypatch.setenv("VIDEOGEN_TTS", "ESPEAK")
    monkeypatch.setenv("VIDEOGEN_T2V_STEPS", "20")

    providers = _providers_from_environment()

    llm = providers["llm"]
    assert llm["BACKEND"] == "pipeline.providers.llm.openai_compat.OpenAICompatiblePlanner"
    assert (llm["OPTIONS"]["model"], llm["OPTIONS"]["json_mode"]) == ("llama3.2", False)
    assert llm["OPTIONS"]["timeout"] == 12.5 and llm["OPTIONS"]["max_repairs"] == 2
    assert providers["tts"]["BACKEND"] == "pipeline.providers.tts.espeak.EspeakTTS"
    assert providers["images"]["BACKEND"].endswith("ProceduralImages")
    assert providers["t2v"]["OPTIONS"]["steps"] == 20


def test_an_unknown_backend_name_names_the_variable_and_the_choices(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from videogen.settings import _providers_from_environment

    monkeypatch.setenv("VIDEOGEN_IMAGES", "dalle")
    with pytest.raises(
        ImproperlyConfigured, match="VIDEOGEN_IMAGES='dalle'.*procedural, diffusers"
    ):
        _providers_from_environment()


@pytest.mark.django_db
def test_generators_list_the_providers_their_stages_use(api_for, alice):
    listing = {g["kind"]: g for g in api_for(alice).get("/api/v1/generators").json()}

    story = listing["story"]["providers"]
    assert [p["role"] for p in story] == ["llm", "tts", "images"]
    assert set(story[0]) == {"role", "backend", "label", "available", "reason", "setting"}
    t2v = next(p for p in listing["ai_video"]["providers"] if p["role"] == "t2v")
    assert {"model", "capabilities", "status", "memory_needs"} <= set(t2v)
