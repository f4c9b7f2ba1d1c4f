"""`GET videos/<id>` answers with an ETag, and 304 with no body to a client that sends it
back, until anything the body shows to that person changes."""

import pytest

from accounts.services import user_update
from gallery.models import Video
from gallery.services import video_rename

pytestmark = pytest.mark.django_db


def read(client, video, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(f"/api/v1/videos/{video.id}", **headers)


def test_the_current_etag_gets_304_and_a_rename_a_new_body(api_for, alice, video_for):
    video = video_for()
    client = api_for(alice)
    first = read(client, video)
    assert first.status_code == 200
    etag = first["ETag"]
    unchanged = read(client, video, etag)
    assert unchanged.status_code == 304 and unchanged.content == b""

    video_rename(video=video, title="Renamed")
    renamed = read(client, video, etag)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Renamed"
    assert renamed["ETag"] != etag


def test_reports_counted_without_save_and_the_owners_name_change_the_etag(
    api_for, alice, video_for
):
    video = video_for()
    client = api_for(alice)
    etag = read(client, video)["ETag"]
    Video.objects.filter(pk=video.pk).update(report_count=2)
    counted = read(client, video, etag)
    assert counted.status_code == 200 and counted.json()["report_count"] == 2

    user_update(user=alice, display_name="Alice Liddell")
    renamed_owner = read(client, video, counted["ETag"])
    assert renamed_owner.status_code == 200
    assert renamed_owner.json()["owner"]["display_name"] == "Alice Liddell"


def test_what_one_person_sees_is_not_another_persons_etag(api_for, alice, bob, video_for):
    video = video_for(visibility="public")
    owners = read(api_for(alice), video)
    assert owners.json()["report_count"] == 0
    strangers = read(api_for(bob), video, owners["ETag"])
    # Moderation figures are the owner's alone: bob's body differs, so he gets it whole.
    assert strangers.status_code == 200 and strangers.json()["report_count"] is None
    assert read(api_for(None), video, strangers["ETag"]).status_code == 200


def test_a_private_video_is_404_whatever_the_etag(api_for, alice, bob, video_for):
    video = video_for()
    etag = read(api_for(alice), video)["ETag"]
    assert read(api_for(bob), video, etag).status_code == 404
