"""What the ai_video generator accepts, refuses and reports, without running a model."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from rest_framework import serializers

from pipeline.generators import get_generator
from tests.ai_video.conftest import DIFFUSERS, TINY, use_t2v

pytestmark = pytest.mark.django_db


def create(client, **options):
    body = {"kind": "ai_video", "prompt": "A lighthouse at dusk.", "options": options}
    return client.post("/api/v1/jobs", body, format="json")


def test_a_valid_request_is_accepted_with_defaults_filled_in(api_for, alice, fake_t2v):
    fake_t2v()
    response = create(api_for(alice), **TINY)
    assert response.status_code == 202, response.content
    options = response.json()["options"]
    assert options["narration"] is False and options["seed"] is None
    assert options["negative_prompt"]


def test_an_unknown_voice_is_refused_as_for_every_narrated_generator(api_for, alice, fake_t2v):
    fake_t2v()
    response = create(api_for(alice), **{**TINY, "narration": True, "voice": "nobody"})
    assert response.status_code == 400
    message = response.json()["options"]["voice"][0]
    assert "Unknown voice 'nobody'" in message and "GET /api/v1/voices" in message


def test_width_not_a_multiple_of_32_is_refused_naming_the_field(api_for, alice, fake_t2v):
    fake_t2v()
    response = create(api_for(alice), **{**TINY, "width": 100})
    assert response.status_code == 400
    errors = response.json()["options"]
    assert list(errors) == ["width"]
    assert "multiple of 32" in errors["width"][0] and "96 or 128" in errors["width"][0]


def test_frame_count_not_8n_plus_1_is_refused_naming_the_rule(api_for, alice, fake_t2v):
    fake_t2v()
    response = create(api_for(alice), **{**TINY, "num_frames": 10})
    assert response.status_code == 400
    [message] = response.json()["options"]["num_frames"]
    assert "8n+1" in message and "try 9 or 17" in message


def test_limits_come_from_the_settings(api_for, alice, fake_t2v, settings):
    fake_t2v()
    settings.T2V_MAX_SHOTS = 2
    settings.T2V_MAX_WIDTH = 256
    response = create(api_for(alice), **{**TINY, "max_shots": 3, "width": 288})
    assert response.status_code == 400
    assert set(response.json()["options"]) == {"max_shots", "width"}
    described = {o["name"]: o for o in get_generator("ai_video").describe_options()}
    assert described["max_shots"]["max"] == 2 and described["width"]["max"] == 256


def test_a_malformed_reference_image_id_is_refused(api_for, alice, fake_t2v):
    fake_t2v()
    response = create(api_for(alice), **{**TINY, "reference_image": "not-an-id"})
    assert response.status_code == 400
    assert "reference_image" in response.json()["options"]


def test_without_a_model_the_generator_is_unavailable_and_says_what_to_set(
    api_for, alice, settings
):
    use_t2v(settings, DIFFUSERS, model="")
    client = api_for(alice)

    response = create(client, **TINY)

    assert response.status_code == 400
    [message] = response.json()["kind"]
    assert "No text-to-video model is configured" in message
    assert "VIDEOGEN_T2V_MODEL" in message
    listed = next(g for g in client.get("/api/v1/generators").json() if g["kind"] == "ai_video")
    assert listed["available"] is False
    assert listed["reason"] == "No text-to-video model is configured"
    assert listed["setting"] == "VIDEOGEN_T2V_MODEL"


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache of our own."""
    import huggingface_hub.constants

    folder = tmp_path / "hf"
    folder.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(folder))
    return folder


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("/nowhere/ltx-video", "does not exist"),
        ("Lightricks/LTX-Video-0.9.7-distilled", "not in the Hugging Face cache"),
    ],
)
def test_a_model_missing_from_disk_is_reported_without_loading_anything(
    settings, hf_cache, model, reason
):
    provider = use_t2v(settings, DIFFUSERS, model=model)
    availability = get_generator("ai_video").availability()
    assert availability.available is False
    assert reason in availability.reason
    assert availability.setting == "VIDEOGEN_T2V_MODEL"
    assert provider.status()["status"] == "not_configured"


def test_a_folder_without_model_index_is_not_a_model(settings, tmp_path):
    use_t2v(settings, DIFFUSERS, model=str(tmp_path))
    assert "model_index.json" in get_generator("ai_video").availability().reason


def test_a_repo_id_in_the_local_hf_cache_counts_as_configured(settings, hf_cache):
    snapshot = hf_cache / "models--Lightricks--LTX-Video" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "model_index.json").write_text("{}")
    (hf_cache / "models--Lightricks--LTX-Video" / "refs").mkdir()
    (hf_cache / "models--Lightricks--LTX-Video" / "refs" / "main").write_text("0" * 40)
    provider = use_t2v(settings, DIFFUSERS, model="Lightricks/LTX-Video")
    assert provider.available().available is True


def test_another_persons_upload_is_refused_by_the_user_check(alice, bob, upload_image):
    bobs = upload_image(bob)
    generator = get_generator("ai_video")
    _prompt, options = generator.validate(prompt="x", options={**TINY, "reference_image": bobs})
    with pytest.raises(serializers.ValidationError) as caught:
        generator.validate_for_user(user=alice, options=options)
    assert "reference_image" in caught.value.detail["options"]
    assert generator.validate_for_user(user=bob, options=options) == options


def test_another_persons_upload_is_refused_when_the_job_is_created(
    api_for, alice, bob, upload_image, fake_t2v
):
    fake_t2v()
    bobs = upload_image(bob)
    response = api_for(alice).post(
        "/api/v1/jobs",
        {"kind": "ai_video", "prompt": "A cat", "options": {**TINY, "reference_image": bobs}},
        format="json",
    )
    assert response.status_code == 400
    assert "reference_image" in response.json()["options"]


def test_a_picture_of_ones_own_library_is_accepted_as_the_reference(
    api_for, alice, library_item, fake_t2v
):
    fake_t2v()
    picture = library_item(alice)
    response = create(api_for(alice), **{**TINY, "reference_image": picture})
    assert response.status_code == 202, response.content
    assert response.json()["options"]["reference_image"] == picture


def test_another_persons_library_picture_is_refused_when_the_job_is_created(
    api_for, alice, bob, library_item, fake_t2v
):
    fake_t2v()
    bobs = library_item(bob)
    response = create(api_for(alice), **{**TINY, "reference_image": bobs})
    assert response.status_code == 400
    assert response.json()["options"]["reference_image"] == [
        "You have no upload or library picture with this id."
    ]
    assert create(api_for(bob), **{**TINY, "reference_image": bobs}).status_code == 202


def test_a_library_clip_is_refused_as_the_reference_naming_the_option(
    api_for, alice, library_item, fake_t2v
):
    fake_t2v()
    clip = library_item(alice, clip=True)
    response = create(api_for(alice), **{**TINY, "reference_image": clip})
    assert response.status_code == 400
    assert response.json()["options"]["reference_image"] == [
        "This is a clip in your library; reference_image takes a picture."
    ]


def test_the_web_process_never_imports_torch(model_folder, tmp_path):
    """Listing generators and models reads the disk only (nor is OpenCV, which only draws
    the slow zoom, imported)."""
    code = f"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "videogen.settings"
os.environ["VIDEOGEN_DATA_DIR"] = {str(tmp_path)!r}
os.environ["VIDEOGEN_T2V_MODEL"] = {str(model_folder)!r}
import django
django.setup()
from pipeline.generators import all_generators
from studio.models_api import models_list
assert all_generators()["ai_video"].availability().available
assert [m["status"] for m in models_list()][0] == "not_loaded"
print(sorted(m for m in ("torch", "diffusers", "transformers", "cv2") if m in sys.modules))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
