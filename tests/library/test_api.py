"""POST/GET/DELETE /api/v1/media, with an owner, a stranger and staff."""

import pytest

from pipeline.library.services import media_create
from pipeline.models import MediaItem
from tests.accounts.imagefiles import image_bytes
from tests.library.clipfiles import clip_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_clip(alice):
    return media_create(owner=alice, file=upload(clip_bytes(1.0), "harbour.mp4"), tags="sea")


def test_upload_with_tags(api_for, alice):
    response = api_for(alice).post(
        "/api/v1/media",
        {"file": upload(clip_bytes(1.0), "Lighthouse at dusk.mp4"), "tags": "lighthouse, sea"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "video" and body["tags"] == ["lighthouse", "sea"]
    assert body["original_name"] == "Lighthouse at dusk.mp4" and body["source"] == "upload"
    assert MediaItem.objects.get(pk=body["id"]).owner == alice


def test_hostile_upload_names_the_field(api_for, alice):
    response = api_for(alice).post(
        "/api/v1/media", {"file": upload(b"<html></html>", "x.mp4")}, format="multipart"
    )
    assert response.status_code == 400
    assert "not one" in response.json()["file"][0]
    response = api_for(alice).post(
        "/api/v1/media",
        {
            "file": upload(image_bytes(), "a.png", "image/png"),
            "tags": ",".join(["t"] * 2 + ["x" * 50]),
        },
        format="multipart",
    )
    assert response.status_code == 400 and "tags" in response.json()
    assert not MediaItem.objects.exists()


def test_upload_over_quota_is_403_with_the_numbers(api_for, alice, settings):
    settings.USER_STORAGE_QUOTA_BYTES = 100
    response = api_for(alice).post(
        "/api/v1/media", {"file": upload(clip_bytes(1.0))}, format="multipart"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "storage_quota_exceeded"


def test_list_is_yours_and_filters(api_for, alice, bob, alices_clip):
    media_create(owner=alice, file=upload(image_bytes(), "keeper.png", "image/png"), tags="man")
    media_create(owner=bob, file=upload(image_bytes(), "bobs.png", "image/png"), tags="sea")
    names = lambda r: sorted(i["original_name"] for i in r.json())  # noqa: E731
    client = api_for(alice)
    assert names(client.get("/api/v1/media")) == ["harbour.mp4", "keeper.png"]
    assert names(client.get("/api/v1/media?tag=sea")) == ["harbour.mp4"]
    assert names(client.get("/api/v1/media?q=keep")) == ["keeper.png"]
    assert names(client.get("/api/v1/media?kind=video")) == ["harbour.mp4"]
    assert names(api_for(bob).get("/api/v1/media")) == ["bobs.png"]


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_strangers_and_staff_get_404(api_for, request, who, alices_clip):
    client = api_for(request.getfixturevalue(who))
    for suffix in ("", "/file", "/thumbnail"):
        assert client.get(f"/api/v1/media/{alices_clip.id}{suffix}").status_code == 404
    assert client.delete(f"/api/v1/media/{alices_clip.id}").status_code == 404
    assert MediaItem.objects.filter(pk=alices_clip.id).exists()


def test_anonymous_is_refused(api_for, alices_clip):
    assert api_for().get("/api/v1/media").status_code in (401, 403)
    assert api_for().delete(f"/api/v1/media/{alices_clip.id}").status_code in (401, 403)


def test_owner_reads_files_and_deletes(api_for, alice, alices_clip):
    client = api_for(alice)
    response = client.get(f"/api/v1/media/{alices_clip.id}/file")
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    thumb = client.get(f"/api/v1/media/{alices_clip.id}/thumbnail")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert client.delete(f"/api/v1/media/{alices_clip.id}").status_code == 204
    assert not MediaItem.objects.exists()
    assert client.get(f"/api/v1/media/{alices_clip.id}").status_code == 404
