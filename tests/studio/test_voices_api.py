"""The voices API and the studio's voice list, on the fake voice of the test settings."""

import pytest

from pipeline.providers import get_provider

pytestmark = pytest.mark.django_db

VOICES = "/api/v1/voices"


def test_voices_lists_the_backends_voices_with_samples_and_the_rate_limits(api_for, alice):
    body = api_for(alice).get(VOICES).json()

    assert (body["backend"], body["available"], body["default"]) == ("fake", True, "fake")
    assert [v["id"] for v in body["voices"]] == ["fake", "fake-alt"]
    assert body["voices"][0]["sample"] == f"{VOICES}/fake/sample"
    assert set(body["voices"][0]) >= {"name", "language", "quality", "speakers", "speaker"}
    assert body["speaking_rate"] == {"min": 0.5, "max": 2.0, "default": 1.0}


def test_voices_need_a_signed_in_person(api_for):
    assert api_for().get(VOICES).status_code in (401, 403)
    assert api_for().get(f"{VOICES}/fake/sample").status_code in (401, 403)


def test_a_sample_is_made_on_first_request_and_kept(api_for, alice):
    client, tts = api_for(alice), get_provider("tts")
    before = len(tts.calls)

    first = client.get(f"{VOICES}/fake-alt/sample")
    second = client.get(f"{VOICES}/fake-alt/sample")

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "audio/wav"
    audio = b"".join(first.streaming_content)
    assert audio[:4] == b"RIFF" and audio == b"".join(second.streaming_content)
    made = tts.calls[before:]
    assert len(made) == 1 and made[0]["voice"] == "fake-alt"


def test_a_sample_of_an_unknown_voice_is_404_naming_the_list(api_for, alice):
    response = api_for(alice).get(f"{VOICES}/nobody/sample")

    assert response.status_code == 404
    assert "GET /api/v1/voices" in response.json()["detail"]


def test_a_job_with_an_unknown_voice_is_refused_naming_the_list(api_for, alice):
    response = api_for(alice).post(
        "/api/v1/jobs",
        {"kind": "story", "prompt": "A fox.", "options": {"voice": "nobody"}},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["options"]["voice"][0]
    assert "Unknown voice 'nobody'" in message and "GET /api/v1/voices" in message


@pytest.mark.parametrize("rate", [0.2, 3])
def test_a_speaking_rate_outside_its_limits_is_refused(api_for, alice, rate):
    response = api_for(alice).post("/api/v1/jobs", {"kind": "story", "prompt": "A fox.",
                                                    "options": {"speaking_rate": rate}},
                                   format="json")  # fmt: skip
    assert response.status_code == 400 and "speaking_rate" in response.json()["options"]


def test_the_studio_offers_the_voices_as_a_list_with_samples(client, alice):
    client.force_login(alice)
    body = client.get("/studio/?kind=story").content.decode()

    select = body.split('name="story-opt_voice"', 1)[1].split("</select>", 1)[0]
    assert 'data-voice-samples="/api/v1/voices"' in body
    assert '<option value="" selected>Default (fake)</option>' in select
    assert '<option value="fake-alt">fake-alt</option>' in select
