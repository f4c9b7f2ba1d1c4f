"""The moderation desk: the video and report admins, through the same services."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from gallery import services
from gallery.models import Report, Video
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIDEOS = reverse("admin:gallery_video_changelist")
REPORTS = reverse("admin:gallery_report_changelist")


def act(admin_client, action, videos, **extra):
    return admin_client.post(
        VIDEOS, {"action": action, "_selected_action": [str(v.pk) for v in videos], **extra}
    )


def test_video_list_shows_thumbnails_owner_and_counts(admin_client, video_for, alice):
    video = video_for(title="Reported one", report_count=2)

    html = admin_client.get(VIDEOS).content.decode()

    assert "Reported one" in html and alice.email in html
    assert reverse("api-video-thumbnail", args=[video.pk]) in html


def test_staff_can_load_the_thumbnail_of_a_private_video(admin_client, video_for):
    video = video_for(visibility="private")

    response = admin_client.get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize(
    ("query", "shown", "not_shown"),
    [
        ({"moderation": "hidden"}, "Taken down", "Fine one"),
        ({"visibility": "public"}, "Fine one", "Taken down"),
        ({"reported": "yes"}, "Taken down", "Fine one"),
        ({"reported": "no"}, "Fine one", "Taken down"),
        ({"q": "bob@example"}, "Fine one", "Taken down"),
        ({"q": "taken"}, "Taken down", "Fine one"),
    ],
)
def test_video_list_filters_and_searches(admin_client, video_for, bob, query, shown, not_shown):
    video_for(title="Taken down", moderation="hidden", report_count=1, visibility="unlisted")
    video_for(owner=bob, title="Fine one", visibility="public")

    html = admin_client.get(VIDEOS, query).content.decode()

    assert shown in html and not_shown not in html


def test_hide_asks_for_a_reason_first(admin_client, video_for):
    video = video_for(title="Suspicious", visibility="public")

    response = act(admin_client, "hide_videos", [video])

    assert response.status_code == 200
    html = response.content.decode()
    assert "Suspicious" in html and 'name="reason"' in html and "Hidden by a moderator" in html
    assert Video.objects.get(pk=video.pk).moderation == "visible"


def test_hide_with_a_reason_hides_through_the_service(admin_client, admin_user, video_for):
    first, second = video_for(visibility="public"), video_for(visibility="unlisted")

    response = act(admin_client, "hide_videos", [first, second], apply="Hide", reason="Spam")

    assert response.status_code == 302
    for video in (first, second):
        video.refresh_from_db()
        assert (video.moderation, video.hidden_reason, video.hidden_by) == (
            "hidden",
            "Spam",
            admin_user,
        )


def test_hidden_video_disappears_for_others_but_not_its_owner(
    admin_client, api_for, alice, bob, video_for
):
    video = video_for(visibility="public")

    act(admin_client, "hide_videos", [video], apply="Hide", reason="")

    detail = reverse("api-video", args=[video.pk])
    assert api_for(bob).get(detail).status_code == 404
    assert api_for().get(reverse("api-videos-explore")).json()["count"] == 0
    body = api_for(alice).get(detail).json()
    assert body["hidden_reason"] == "Hidden by a moderator"


def test_unhide_puts_videos_back(admin_client, video_for, admin_user):
    video = video_for(visibility="public")
    services.video_hide(video=video, by=admin_user, reason="Oops")

    response = act(admin_client, "unhide_videos", [video])

    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.moderation, video.hidden_reason, video.reviewed) == ("visible", "", True)


def test_delete_action_deletes_videos_and_their_files(
    admin_client, video_for, django_capture_on_commit_callbacks
):
    video = video_for(with_poster=True)
    names = [video.file.name, video.poster.name, video.captions_vtt.name]

    confirm = act(admin_client, "delete_selected", [video])
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        act(admin_client, "delete_selected", [video], post="yes")

    assert not Video.objects.filter(pk=video.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


def test_delete_from_a_video_page_removes_its_files(
    admin_client, video_for, django_capture_on_commit_callbacks
):
    video = video_for()
    name = video.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:gallery_video_delete", args=[video.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not default_storage.exists(name)


def test_video_page_shows_the_player_and_its_reports_read_only(admin_client, video_for, bob):
    video = video_for(visibility="public")
    services.video_report(video=video, reporter=bob, reason="spam", text="Buy now ads")

    response = admin_client.get(reverse("admin:gallery_video_change", args=[video.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("api-video-stream", args=[video.pk]) in html
    assert "Buy now ads" in html and bob.email in html
    assert 'name="_save"' not in html


def test_reports_auto_hide_shows_up_on_the_desk(admin_client, video_for, settings):
    settings.REPORTS_AUTO_HIDE_THRESHOLD = 2
    video = video_for(title="Brigaded", visibility="public")
    for reporter in UserFactory.create_batch(2):
        services.video_report(video=video, reporter=reporter, reason="spam")

    pending = admin_client.get(VIDEOS, {"moderation": "pending"}).content.decode()

    assert "Brigaded" in pending
    act(admin_client, "unhide_videos", [video])
    video.refresh_from_db()
    assert video.moderation == "visible" and video.report_count == 2


def test_report_list_links_to_the_video_and_filters_by_reason(admin_client, video_for, bob):
    spam = video_for(title="Spammy", visibility="public")
    rude = video_for(title="Rude one", visibility="public")
    services.video_report(video=spam, reporter=bob, reason="spam")
    services.video_report(video=rude, reporter=bob, reason="harassment")

    everything = admin_client.get(REPORTS).content.decode()
    only_spam = admin_client.get(REPORTS, {"reason": "spam"}).content.decode()

    assert reverse("admin:gallery_video_change", args=[spam.pk]) in everything
    assert "Spammy" in only_spam and "Rude one" not in only_spam


def test_reports_cannot_be_added_or_edited(admin_client, video_for, bob):
    video = video_for(visibility="public")
    report = services.video_report(video=video, reporter=bob, reason="spam")

    assert admin_client.get(reverse("admin:gallery_report_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:gallery_report_change", args=[report.pk]), {"reason": "other"}
    )
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).reason == "spam"


def test_deactivating_a_user_in_the_user_admin_takes_their_videos_off_explore(
    admin_client, client, alice, video_for
):
    video = video_for(title="Public work", visibility="public")
    change = reverse("admin:accounts_user_change", args=[alice.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(is_active="", groups=[], user_permissions=[])

    response = admin_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_active
    assert "Public work" not in client.get(reverse("gallery:explore")).content.decode()
    assert client.get(reverse("gallery:video", args=[video.pk])).status_code == 404


def test_video_page_shows_loudness_and_what_the_check_found(admin_client, video_for):
    found = [{"code": "black", "level": "warning", "message": "The picture is black from 1 s."}]
    video = video_for(checks=found, loudness={"integrated": -14.2, "true_peak": -1.6, "range": 2})

    html = admin_client.get(reverse("admin:gallery_video_change", args=[video.pk])).content.decode()
    listing = admin_client.get(VIDEOS).content.decode()

    assert "-14.2 LUFS integrated, true peak -1.6 dBTP" in html
    assert "warning: The picture is black from 1 s." in html
    assert "1 warning(s)" in listing
