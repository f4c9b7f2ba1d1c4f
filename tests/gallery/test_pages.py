"""The gallery, video and explore pages."""

import pytest
from django.urls import reverse

from gallery.models import Report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GALLERY = reverse("gallery:list")
EXPLORE = reverse("gallery:explore")


def page(video):
    return reverse("gallery:video", args=[video.pk])


def test_urls_are_where_people_expect_them(video_for):
    video = video_for()

    assert (GALLERY, EXPLORE) == ("/gallery/", "/explore/")
    assert page(video) == f"/v/{video.pk}/"


def test_gallery_shows_only_your_videos_with_their_controls(client, alice, bob, video_for):
    mine = video_for(title="Mine", visibility="unlisted")
    video_for(owner=bob, title="Bob's public", visibility="public")
    client.force_login(alice)

    response = client.get(GALLERY)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in html and "Bob's public" not in html
    assert reverse("api-video-thumbnail", args=[mine.pk]) in html
    assert reverse("api-video-download", args=[mine.pk]) in html
    assert f'data-api="{reverse("api-video", args=[mine.pk])}"' in html
    assert f'data-page="{page(mine)}"' in html
    assert "0:01" in html and "badge-unlisted" in html
    assert 'id="delete-dialog"' in html
    assert "css/gallery.css" in html and "js/gallery.js" in html
    assert 'data-csrf="' in html


def test_gallery_shows_a_hidden_video_with_its_reason(client, alice, video_for):
    video_for(title="Taken down", moderation="hidden", hidden_reason="Copyright claim")
    client.force_login(alice)

    html = client.get(GALLERY).content.decode()

    assert "Hidden by a moderator" in html and "Copyright claim" in html


def test_gallery_filters_and_pages(client, alice, video_for):
    for n in range(25):
        video_for(title=f"Clip number {n}", visibility="public" if n == 0 else "private")
    client.force_login(alice)

    first = client.get(GALLERY).content.decode()
    public = client.get(GALLERY, {"visibility": "public"}).content.decode()

    assert "Page 1 of 2" in first
    assert "Clip number 0" in public and "Clip number 1<" not in public


def test_gallery_without_videos_points_to_the_studio(client, alice):
    client.force_login(alice)

    assert "No videos yet" in client.get(GALLERY).content.decode()


def test_unlisted_video_page_works_for_anonymous_visitors(client, video_for):
    video = video_for(title="Shared clip", visibility="unlisted")

    response = client.get(page(video))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Shared clip" in html
    assert '<video controls preload="metadata"' in html
    assert reverse("api-video-stream", args=[video.pk]) in html
    assert f'poster="{reverse("api-video-thumbnail", args=[video.pk])}"' in html
    assert (
        f'<track kind="captions" src="{reverse("api-video-captions-vtt", args=[video.pk])}"' in html
    )
    assert " default>" in html
    # Unlisted means reachable by its link, not found by search engines.
    assert '<meta name="robots" content="noindex">' in html
    assert "Report" not in html


def test_public_page_may_be_indexed(client, video_for):
    video = video_for(visibility="public")

    assert 'name="robots"' not in client.get(page(video)).content.decode()


def test_page_without_captions_has_no_track(client, video_for):
    video = video_for(visibility="public", with_captions=False)

    assert "<track" not in client.get(page(video)).content.decode()


def test_page_names_the_owner_but_never_their_email(client, alice, video_for):
    nameless = UserFactory(email="secret.person@example.com", display_name="")
    video = video_for(owner=nameless, visibility="public")

    html = client.get(page(video)).content.decode()

    assert "secret.person" not in html and "Someone" in html


def test_private_page_is_404_for_strangers_and_visible_to_its_owner(client, alice, bob, video_for):
    video = video_for(visibility="private")

    assert client.get(page(video)).status_code == 404
    client.force_login(bob)
    assert client.get(page(video)).status_code == 404
    client.force_login(alice)
    response = client.get(page(video))
    assert response.status_code == 200
    assert "only you can see it" in response.content.decode()


def test_signed_in_visitors_get_a_report_form(client, bob, video_for):
    video = video_for(visibility="public")
    client.force_login(bob)

    html = client.get(page(video)).content.decode()

    assert 'id="report-form"' in html and 'data-action="report"' in html
    assert f'data-report-url="{reverse("api-video-report", args=[video.pk])}"' in html
    assert 'value="spam"' in html and 'maxlength="500"' in html
    assert "js/video.js" in html


def test_the_owner_gets_no_report_button(client, alice, video_for):
    video = video_for(visibility="public")
    client.force_login(alice)

    html = client.get(page(video)).content.decode()

    assert 'id="report-form"' not in html and "Manage in your gallery" in html


def test_someone_who_reported_is_thanked_instead_of_asked_again(client, bob, video_for):
    video = video_for(visibility="public")
    Report.objects.create(video=video, reporter=bob, reason="spam")
    client.force_login(bob)

    html = client.get(page(video)).content.decode()

    assert 'id="report-form"' not in html and "You reported this video" in html


def test_the_page_report_form_posts_with_the_session(client, bob, video_for):
    """What video.js does: a JSON POST with the session cookie and the page's CSRF token."""
    from django.test import Client

    video = video_for(visibility="public")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)
    html = browser.get(page(video)).content.decode()
    token = html.split('data-csrf="', 1)[1].split('"', 1)[0]
    url = reverse("api-video-report", args=[video.pk])

    refused = browser.post(url, {"reason": "spam"}, content_type="application/json")
    accepted = browser.post(
        url, {"reason": "spam"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201


def test_hidden_video_page_tells_the_owner_why(client, alice, video_for):
    video = video_for(visibility="public", moderation="hidden", hidden_reason="Copyright claim")
    client.force_login(alice)

    html = client.get(page(video)).content.decode()

    assert "Hidden by a moderator." in html and "Copyright claim" in html


def test_staff_get_a_link_to_the_moderation_desk(client, charlie, video_for):
    video = video_for(visibility="private")
    client.force_login(charlie)

    html = client.get(page(video)).content.decode()

    assert reverse("admin:gallery_video_change", args=[video.pk]) in html


def test_explore_shows_public_videos_to_everyone(client, alice, video_for):
    video = video_for(title="For everyone", visibility="public")
    video_for(title="Just a link", visibility="unlisted")
    video_for(title="Only me", visibility="private")

    html = client.get(EXPLORE).content.decode()

    assert "For everyone" in html and "Just a link" not in html and "Only me" not in html
    assert page(video) in html and reverse("api-video-thumbnail", args=[video.pk]) in html


def test_explore_leaves_out_videos_of_deactivated_people(client, alice, video_for):
    video = video_for(title="Gone soon", visibility="public")
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert "Gone soon" not in client.get(EXPLORE).content.decode()
    assert client.get(page(video)).status_code == 404


def test_explore_searches_titles(client, video_for):
    video_for(title="Cats at play", visibility="public")
    video_for(title="Dogs at rest", visibility="public")

    html = client.get(EXPLORE, {"q": "cats"}).content.decode()

    assert "Cats at play" in html and "Dogs at rest" not in html


def test_titles_are_escaped(client, video_for):
    video_for(title="<script>alert(1)</script>", visibility="public")

    html = client.get(EXPLORE).content.decode()

    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_burned_captions_keep_the_track_selectable_but_off(client, video_for):
    burned = client.get(page(video_for(visibility="public", captions_burned=True))).content
    plain = client.get(page(video_for(visibility="public"))).content

    burned_track = burned.decode().split("<track", 1)[1].split(">", 1)[0]
    assert " default" not in burned_track and "also in the picture" in burned_track
    assert "drawn into the picture" in burned.decode()
    assert " default" in plain.decode().split("<track", 1)[1].split(">", 1)[0]
    assert "drawn into the picture" not in plain.decode()


def test_the_owner_sees_what_the_check_before_delivery_found(client, alice, bob, video_for):
    found = [{"code": "frozen", "level": "warning", "message": "The picture stands still."}]
    video = video_for(
        visibility="public", checks=found, loudness={"integrated": -14.0, "true_peak": -1.5}
    )
    client.force_login(alice)
    html = client.get(page(video)).content.decode()
    assert "check-warn" in html and "The picture stands still." in html
    assert "-14.0 LUFS" in html
    client.force_login(bob)
    assert "The picture stands still." not in client.get(page(video)).content.decode()


def test_a_video_that_passed_shows_a_tick_to_its_owner(client, alice, video_for):
    client.force_login(alice)
    html = client.get(page(video_for())).content.decode()
    assert "check-ok" in html and "Passed the check" in html
