"""GET /api/v1/models: the model-backed providers, for signed-in people only."""

import pytest

from pipeline.checks import check_providers
from tests.ai_video.conftest import DIFFUSERS, use_t2v

pytestmark = pytest.mark.django_db


def test_models_need_a_signed_in_person(client):
    assert client.get("/api/v1/models").status_code in (401, 403)
    assert client.get("/api/v1/models/t2v").status_code in (401, 403)


def test_unconfigured_text_to_video_is_listed_with_what_to_set(api_for, alice, settings):
    use_t2v(settings, DIFFUSERS, model="")

    [t2v, images] = api_for(alice).get("/api/v1/models").json()

    assert (t2v["id"], t2v["role"], t2v["backend"]) == ("t2v", "t2v", "diffusers")
    assert (t2v["status"], t2v["available"]) == ("not_configured", False)
    assert t2v["setting"] == "VIDEOGEN_T2V_MODEL"
    assert t2v["memory_needs"] is None and t2v["memory_in_use_bytes"] is None
    assert t2v["constraints"]["max_frames"] == settings.T2V_MAX_FRAMES
    assert images["capabilities"] == ["text-to-image"]


def test_rough_memory_needs_are_known_for_ltx_video_by_name(api_for, alice, settings):
    use_t2v(settings, DIFFUSERS, model="Lightricks/LTX-Video")
    body = api_for(alice).get("/api/v1/models/t2v").json()
    assert body["memory_needs"]["gpu_gb"] == [8, 10]
    assert body["memory_needs"]["parameters"] is None  # not on this machine


def test_images_without_a_model_backend_say_how_to_get_one(api_for, alice, settings):
    settings.VIDEOGEN_PROVIDERS = {
        **settings.VIDEOGEN_PROVIDERS,
        "images": {"BACKEND": "pipeline.providers.images.procedural.ProceduralImages"},
    }
    body = api_for(alice).get("/api/v1/models/images").json()
    assert body["status"] == "not_configured" and body["setting"] == "VIDEOGEN_IMAGES"


def test_a_configured_text_to_video_model_is_described_from_the_disk(
    api_for, alice, settings, model_folder
):
    use_t2v(settings, DIFFUSERS, model=str(model_folder))
    body = api_for(alice).get("/api/v1/models/t2v").json()
    assert (body["status"], body["available"], body["device"]) == ("not_loaded", True, None)
    assert body["capabilities"] == ["text-to-video", "image-to-video"]
    assert body["memory_needs"]["parameters"] == 6
    assert body["memory_needs"]["weights_bytes_bf16"] == 12


def test_a_configured_diffusers_image_model_is_described(api_for, alice, settings, model_folder):
    settings.VIDEOGEN_PROVIDERS = {
        **settings.VIDEOGEN_PROVIDERS,
        "images": {
            "BACKEND": "pipeline.providers.images.diffusion.DiffusersImages",
            "OPTIONS": {"model_path": str(model_folder)},
        },
    }
    body = api_for(alice).get("/api/v1/models/images").json()
    assert (body["status"], body["available"], body["model"]) == (
        "not_loaded", True, str(model_folder),
    )  # fmt: skip
    assert body["memory_needs"]["parameters"] == 6


def test_an_unknown_model_is_404(api_for, alice):
    assert api_for(alice).get("/api/v1/models/sora").status_code == 404


def test_the_openapi_schema_lists_the_models_routes(api_for, alice):
    paths = api_for(alice).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"/api/v1/models", "/api/v1/models/{model_id}"} <= set(paths)


def test_the_t2v_role_may_be_left_out_of_the_setting(settings):
    settings.VIDEOGEN_PROVIDERS = {
        role: config for role, config in settings.VIDEOGEN_PROVIDERS.items() if role != "t2v"
    }
    assert check_providers() == []


@pytest.mark.parametrize(
    ("options", "code"),
    [({"steps": 0}, "videogen.E010"), ({"device": "gpu"}, "videogen.E010"),
     ({"size": 3}, "videogen.E006")],
)  # fmt: skip
def test_bad_t2v_options_stop_start_up(settings, options, code):
    settings.VIDEOGEN_PROVIDERS = {
        **settings.VIDEOGEN_PROVIDERS,
        "t2v": {"BACKEND": DIFFUSERS, "OPTIONS": options},
    }
    assert [error.id for error in check_providers()] == [code]
