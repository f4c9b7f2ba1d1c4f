"""The videos API: listing, the JSON shape, changes, reports and explore."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gallery.models import Report, Video
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIDEOS = reverse("api-videos")
EXPLORE = reverse("api-videos-explore")


def detail(video):
    return reverse("api-video", args=[video.pk])


def titles(response):
    return [v["title"] for v in response.json()["results"]]


def test_video_json_has_everything_a_client_needs(api_for, alice, video_for):
    video = video_for(title="Tour", visibility="unlisted")

    body = api_for(alice).get(detail(video)).json()

    assert set(body) == {
        "id", "job", "title", "owner", "duration", "width", "height", "fps", "size",
        "has_audio", "captions_burned", "loudness", "checks", "visibility", "moderation",
        "hidden_reason", "report_count", "created_at", "updated_at", "revised_at", "urls",
    }  # fmt: skip
    assert body["id"] == str(video.pk) and body["job"] is None
    assert (body["width"], body["height"], body["fps"], body["duration"]) == (160, 90, 25.0, 1.0)
    assert body["has_audio"] is True and body["size"] == video.size
    assert body["owner"] == {
        "id": alice.pk,
        "display_name": alice.display_name,
        "avatar_small_url": None,
    }
    assert (body["visibility"], body["moderation"]) == ("unlisted", "visible")
    assert (body["hidden_reason"], body["report_count"]) == ("", 0)
    base = f"http://testserver/api/v1/videos/{video.pk}"
    assert body["urls"] == {
        "stream": f"{base}/stream",
        "download": f"{base}/download",
        "thumbnail": f"{base}/thumbnail",
        "captions_vtt": f"{base}/captions.vtt",
        "captions_srt": f"{base}/captions.srt",
        "page": f"http://testserver/v/{video.pk}/",
    }


def test_video_json_names_the_job_that_made_it(api_for, alice, video_for):
    import uuid

    job_id = uuid.uuid4()
    video = video_for(job_id=job_id)

    assert api_for(alice).get(detail(video)).json()["job"] == str(job_id)


def test_caption_urls_are_null_without_captions(api_for, alice, video_for):
    video = video_for(with_captions=False)

    urls = api_for(alice).get(detail(video)).json()["urls"]

    assert urls["captions_vtt"] is None and urls["captions_srt"] is None


def test_moderation_details_are_for_the_owner_and_staff_only(
    api_for, alice, bob, charlie, video_for
):
    video = video_for(visibility="public", report_count=2)

    assert api_for(alice).get(detail(video)).json()["report_count"] == 2
    assert api_for(charlie).get(detail(video)).json()["report_count"] == 2
    for client in (api_for(bob), api_for()):
        body = client.get(detail(video)).json()
        assert body["report_count"] is None and body["hidden_reason"] is None


def test_owner_sees_why_a_video_was_hidden(api_for, alice, video_for):
    video = video_for(visibility="public", moderation="hidden", hidden_reason="Copyright claim")

    body = api_for(alice).get(detail(video)).json()

    assert (body["moderation"], body["hidden_reason"]) == ("hidden", "Copyright claim")


# --- list ---------------------------------------------------------------------------------


def test_list_is_only_your_own_videos_newest_first(api_for, alice, bob, charlie, video_for):
    now = timezone.now()
    video_for(title="Old", created_at=now - timedelta(days=2))
    video_for(title="New", created_at=now)
    video_for(owner=bob, title="Bob's", visibility="public")

    assert titles(api_for(alice).get(VIDEOS)) == ["New", "Old"]
    # Staff too: the list is a person's gallery, not the moderation desk.
    assert titles(api_for(charlie).get(VIDEOS)) == []


def test_list_filters_by_visibility_and_title(api_for, alice, video_for):
    video_for(title="Beach day", visibility="public")
    video_for(title="Beach night", visibility="private")
    video_for(title="Mountains", visibility="public")
    client = api_for(alice)

    assert sorted(titles(client.get(VIDEOS, {"visibility": "public"}))) == [
        "Beach day",
        "Mountains",
    ]
    assert sorted(titles(client.get(VIDEOS, {"q": "beach"}))) == ["Beach day", "Beach night"]
    assert titles(client.get(VIDEOS, {"q": "beach", "visibility": "private"})) == ["Beach night"]


def test_list_refuses_an_unknown_visibility(api_for, alice):
    response = api_for(alice).get(VIDEOS, {"visibility": "friends"})

    assert response.status_code == 400
    assert "visibility" in response.json()


def test_list_is_paginated(api_for, alice, video_for):
    for n in range(3):
        video_for(title=f"V{n}")
    client = api_for(alice)

    first = client.get(VIDEOS, {"page_size": 2}).json()
    second = client.get(VIDEOS, {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert len(second["results"]) == 1 and second["next"] is None


# --- changes ------------------------------------------------------------------------------


def test_owner_renames_and_changes_visibility_in_one_patch(api_for, alice, video_for):
    video = video_for()

    response = api_for(alice).patch(
        detail(video), {"title": " New name ", "visibility": "unlisted"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["visibility"]) == ("New name", "unlisted")
    video.refresh_from_db()
    assert (video.title, video.visibility) == ("New name", "unlisted")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "visibility": "public"}, "title"),
        ({"title": "x" * 201, "visibility": "public"}, "title"),
        ({"title": "a\x00b", "visibility": "public"}, "title"),
        ({"title": "a\nb", "visibility": "public"}, "title"),
        ({"title": "New", "visibility": "friends"}, "visibility"),
    ],
)
def test_bad_changes_get_400_naming_the_field_and_change_nothing(
    api_for, alice, video_for, body, field
):
    video = video_for(title="Kept")

    response = api_for(alice).patch(detail(video), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    video.refresh_from_db()
    assert (video.title, video.visibility) == ("Kept", "private")


def test_a_path_like_title_is_just_a_title(api_for, alice, video_for):
    video = video_for()
    file_name = video.file.name

    response = api_for(alice).patch(detail(video), {"title": "../../etc/passwd"}, format="json")

    assert response.status_code == 200
    video.refresh_from_db()
    assert video.title == "../../etc/passwd" and video.file.name == file_name
    download = api_for(alice).get(reverse("api-video-download", args=[video.pk]))
    assert download["Content-Disposition"] == "attachment; filename*=UTF-8''etcpasswd.mp4"
    download.close()


def test_delete_answers_204_and_removes_the_files(
    api_for, alice, video_for, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    video = video_for(with_poster=True)
    names = [video.file.name, video.poster.name, video.captions_vtt.name, video.captions_srt.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).delete(detail(video))

    assert response.status_code == 204
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


def test_switching_to_private_takes_a_video_away_from_others(api_for, alice, bob, video_for):
    video = video_for(visibility="public")
    assert api_for(bob).get(detail(video)).status_code == 200

    api_for(alice).patch(detail(video), {"visibility": "private"}, format="json")

    assert api_for(bob).get(detail(video)).status_code == 404
    assert api_for().get(reverse("api-video-stream", args=[video.pk])).status_code == 404


# --- reports ------------------------------------------------------------------------------


def report(client, video, **body):
    body.setdefault("reason", "spam")
    return client.post(reverse("api-video-report", args=[video.pk]), body, format="json")


def test_report_answers_201_with_the_report(api_for, bob, video_for):
    video = video_for(visibility="public")

    response = report(api_for(bob), video, reason="hateful", text="Slurs at 0:10")

    assert response.status_code == 201
    body = response.json()
    assert (body["video"], body["reason"], body["text"]) == (
        str(video.pk),
        "hateful",
        "Slurs at 0:10",
    )
    assert Report.objects.get().reporter == bob


def test_a_second_report_by_the_same_person_is_409(api_for, bob, video_for):
    video = video_for(visibility="public")
    client = api_for(bob)
    report(client, video)

    response = report(client, video, reason="other")

    assert response.status_code == 409
    assert response.json() == {"detail": "You have already reported this video."}
    assert Video.objects.get(pk=video.pk).report_count == 1


def test_owner_reporting_their_own_video_is_400(api_for, alice, video_for):
    video = video_for(visibility="public")

    response = report(api_for(alice), video)

    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot report your own video."}


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": "boring"}, "reason"), ({"text": "x" * 501}, "text"), ({"reason": ""}, "reason")],
)
def test_report_with_bad_input_is_400_naming_the_field(api_for, bob, video_for, body, field):
    video = video_for(visibility="public")

    response = report(api_for(bob), video, **body)

    assert response.status_code == 400
    assert field in response.json()


def test_reports_hide_a_video_from_everyone_but_its_owner_and_staff(
    api_for, alice, charlie, video_for, settings
):
    settings.REPORTS_AUTO_HIDE_THRESHOLD = 2
    video = video_for(visibility="public")
    reporters = UserFactory.create_batch(2)
    for reporter in reporters:
        assert report(api_for(reporter), video).status_code == 201

    assert api_for(reporters[0]).get(detail(video)).status_code == 404
    assert api_for().get(detail(video)).status_code == 404
    assert titles(api_for().get(EXPLORE)) == []
    owner_view = api_for(alice).get(detail(video)).json()
    assert (owner_view["moderation"], owner_view["report_count"]) == ("pending", 2)
    assert api_for(charlie).get(detail(video)).status_code == 200


# --- explore ------------------------------------------------------------------------------


def test_explore_lists_public_visible_videos_of_active_people_newest_first(
    api_for, alice, bob, video_for
):
    now = timezone.now()
    video_for(title="Public old", visibility="public", created_at=now - timedelta(hours=1))
    video_for(title="Public new", visibility="public", created_at=now)
    video_for(title="Unlisted", visibility="unlisted")
    video_for(title="Private", visibility="private")
    video_for(title="Hidden", visibility="public", moderation="hidden")
    video_for(title="Pending", visibility="public", moderation="pending")
    gone = UserFactory(is_active=False)
    video_for(owner=gone, title="Deactivated", visibility="public")

    for client in (api_for(), api_for(bob), api_for(alice)):
        assert titles(client.get(EXPLORE)) == ["Public new", "Public old"]


def test_explore_hides_no_detail_from_moderation_to_strangers(api_for, video_for):
    video_for(visibility="public", report_count=1)

    body = api_for().get(EXPLORE).json()["results"][0]

    assert body["report_count"] is None and body["hidden_reason"] is None


def test_explore_searches_titles_and_is_paginated(api_for, video_for):
    for n in range(3):
        video_for(title=f"Cat {n}", visibility="public")
    video_for(title="Dog", visibility="public")

    found = api_for().get(EXPLORE, {"q": "cat", "page_size": 2}).json()

    assert found["count"] == 3 and len(found["results"]) == 2


def test_deactivating_an_owner_takes_their_videos_off_public_routes(
    api_for, alice, charlie, video_for
):
    video = video_for(visibility="public")
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert titles(api_for().get(EXPLORE)) == []
    assert api_for().get(detail(video)).status_code == 404
    assert api_for(charlie).get(detail(video)).status_code == 200


# --- schema -------------------------------------------------------------------------------


def test_the_schema_describes_every_video_route():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    base = "/api/v1/videos/{video_id}"
    assert set(paths["/api/v1/videos"]) >= {"get"}
    assert set(paths[base]) >= {"get", "patch", "delete"}
    for suffix in ["stream", "download", "thumbnail", "captions.vtt", "captions.srt"]:
        assert "get" in paths[f"{base}/{suffix}"], suffix
    assert "post" in paths[f"{base}/report"]
    assert paths["/api/v1/explore"]["get"]["tags"] == ["videos"]
    stream = paths[f"{base}/stream"]["get"]["responses"]
    assert {"200", "206", "416"} <= set(stream)


def test_loudness_and_checks_travel_with_the_video(api_for, alice, bob, video_for):
    found = [{"code": "frozen", "level": "warning", "message": "The picture stands still."}]
    video = video_for(visibility="public", captions_burned=True, checks=found,
                      loudness={"integrated": -14.1, "true_peak": -1.8, "range": 3.2})  # fmt: skip

    body = api_for(alice).get(detail(video)).json()

    assert body["loudness"] == {"integrated": -14.1, "true_peak": -1.8, "range": 3.2}
    assert body["checks"] == found and body["captions_burned"] is True
    assert api_for(bob).get(detail(video)).json()["checks"] is None
