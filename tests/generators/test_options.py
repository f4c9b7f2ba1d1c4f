"""Bad options for the narrated generators get a 400 that names the field; nothing is queued."""

import pytest

from pipeline.models import Job

pytestmark = pytest.mark.django_db


def create(client, kind="story", prompt="A short story. It ends well.", **options):
    return client.post(
        "/api/v1/jobs", {"kind": kind, "prompt": prompt, "options": options}, format="json"
    )


@pytest.mark.parametrize("kind", ["story", "youtube", "explainer"])
def test_unknown_voice_is_refused_with_the_choices(api_for, alice, kind):
    response = create(api_for(alice), kind, voice="nobody")
    assert response.status_code == 400
    message = response.json()["options"]["voice"][0]
    assert "Unknown voice 'nobody'" in message and "fake" in message


def test_resolution_over_the_limit_is_refused(api_for, alice, settings):
    settings.VIDEO_MAX_HEIGHT = 720
    response = create(api_for(alice), quality=1080)
    assert response.status_code == 400
    assert "quality" in response.json()["options"]
    assert create(api_for(alice), quality=720).status_code == 202


@pytest.mark.parametrize(
    ("prompt", "fragment"), [("", "blank"), ("   \n ", "blank"), ("x" * 100_000, "20000")]
)
def test_empty_or_huge_text_is_refused(api_for, alice, prompt, fragment):
    response = create(api_for(alice), prompt=prompt)
    assert response.status_code == 400
    assert fragment in response.json()["prompt"][0].replace(",", "")
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"aspect": "4:3"}, "aspect"),
        ({"max_scenes": 0}, "max_scenes"),
        ({"crossfade": 9}, "crossfade"),
        ({"music": "loud"}, "music"),
        ({"caption_size": "huge"}, "caption_size"),
        ({"fps": 1000}, "fps"),
    ],
)
def test_each_bad_option_is_named(api_for, alice, options, field):
    response = create(api_for(alice), **options)
    assert response.status_code == 400
    assert field in response.json()["options"]


def test_generators_list_the_narrated_kinds_with_their_limits(api_for, alice, settings):
    settings.VIDEO_MAX_HEIGHT = 720
    listing = {g["kind"]: g for g in api_for(alice).get("/api/v1/generators").json()}
    assert {"story", "youtube", "explainer"} <= set(listing)
    story = {o["name"]: o for o in listing["story"]["options"]}
    assert story["quality"]["choices"] == ["480", "720"]
    assert story["voice"]["type"] == "string"
    assert listing["youtube"]["stages"] == [
        "ideation", "script", "images", "voices", "assembly", "captions",
    ]  # fmt: skip
