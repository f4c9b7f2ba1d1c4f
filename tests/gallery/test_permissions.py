"""Who may do what, on every gallery route, for every kind of video.

What someone may not see does not exist for them: 404, never 403. Someone who can see a
video but does not own it gets 403 when they try to change it."""

import pytest
from django.test import Client
from django.urls import reverse

from gallery.models import Report, Video
from tests.gallery.conftest import body_of

pytestmark = pytest.mark.django_db

# How each kind of video is made, and who may see it (besides staff, who see everything).
STATES = {
    "private": ({"visibility": "private"}, {"owner"}),
    "unlisted": ({"visibility": "unlisted"}, {"owner", "other", "anonymous"}),
    "public": ({"visibility": "public"}, {"owner", "other", "anonymous"}),
    "hidden": (
        {"visibility": "public", "moderation": "hidden", "hidden_reason": "Spam"},
        {"owner"},
    ),
    "pending": ({"visibility": "unlisted", "moderation": "pending"}, {"owner"}),
    # The owner of a deactivated account cannot sign in, so there is no "owner" case.
    "inactive_owner": ({"visibility": "public"}, set()),
}
ACTORS = ["owner", "other", "staff", "anonymous"]
CASES = [
    (state, actor)
    for state in STATES
    for actor in ACTORS
    if not (state == "inactive_owner" and actor == "owner")
]

READ_ROUTES = [
    "api-video",
    "api-video-stream",
    "api-video-download",
    "api-video-thumbnail",
    "api-video-captions-vtt",
    "api-video-captions-srt",
    "gallery:video",
]


@pytest.fixture
def people(alice, bob, charlie):
    return {"owner": alice, "other": bob, "staff": charlie, "anonymous": None}


@pytest.fixture
def make_state(video_for, alice):
    def make(state):
        fields, _ = STATES[state]
        video = video_for(**fields)
        if state == "inactive_owner":
            alice.is_active = False
            alice.save(update_fields=["is_active"])
        return video

    return make


def sees(state, actor) -> bool:
    return actor == "staff" or actor in STATES[state][1]


def page_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("state", "actor"), CASES)
def test_read_routes_answer_200_to_those_who_may_see_and_404_to_the_rest(
    state, actor, people, make_state, api_for
):
    video = make_state(state)
    user = people[actor]
    api, page = api_for(user), page_client(user)

    answers = {}
    for name in READ_ROUTES:
        client = page if name.startswith("gallery:") else api
        response = client.get(reverse(name, args=[video.pk]))
        body_of(response)
        answers[name] = response.status_code

    expected = 200 if sees(state, actor) else 404
    assert answers == dict.fromkeys(READ_ROUTES, expected)


def _expected_change(state, actor, success):
    if actor == "anonymous":
        return 401
    if actor == "owner":
        return success
    return 403 if sees(state, actor) else 404


@pytest.mark.parametrize(("state", "actor"), CASES)
def test_only_the_owner_may_rename_or_change_visibility(state, actor, people, make_state, api_for):
    video = make_state(state)

    response = api_for(people[actor]).patch(
        reverse("api-video", args=[video.pk]),
        {"title": "Changed", "visibility": "public"},
        format="json",
    )

    assert response.status_code == _expected_change(state, actor, 200)
    video.refresh_from_db()
    changed = response.status_code == 200
    assert (video.title == "Changed") is changed


@pytest.mark.parametrize(("state", "actor"), CASES)
def test_only_the_owner_may_delete(state, actor, people, make_state, api_for):
    video = make_state(state)

    response = api_for(people[actor]).delete(reverse("api-video", args=[video.pk]))

    assert response.status_code == _expected_change(state, actor, 204)
    assert Video.objects.filter(pk=video.pk).exists() is (response.status_code != 204)


@pytest.mark.parametrize(("state", "actor"), CASES)
def test_anyone_signed_in_who_sees_a_video_may_report_it_but_not_its_owner(
    state, actor, people, make_state, api_for
):
    video = make_state(state)

    response = api_for(people[actor]).post(
        reverse("api-video-report", args=[video.pk]), {"reason": "spam"}, format="json"
    )

    if actor == "anonymous":
        expected = 401
    elif not sees(state, actor):
        expected = 404
    else:
        expected = 400 if actor == "owner" else 201
    assert response.status_code == expected
    assert Report.objects.filter(video=video).exists() is (response.status_code == 201)


def test_gallery_page_asks_strangers_to_log_in(client):
    response = client.get(reverse("gallery:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_video_list_api_needs_a_sign_in_and_explore_does_not(api_for):
    assert api_for().get(reverse("api-videos")).status_code == 401
    assert api_for().get(reverse("api-videos-explore")).status_code == 200
    assert Client().get(reverse("gallery:explore")).status_code == 200


def test_unknown_video_is_404_everywhere(api_for, alice):
    missing = "00000000-0000-4000-8000-000000000000"
    for name in READ_ROUTES:
        client = page_client(alice) if name.startswith("gallery:") else api_for(alice)
        assert client.get(reverse(name, args=[missing])).status_code == 404, name
