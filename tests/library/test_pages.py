"""The Library page, server-rendered for its owner."""

import pytest
from django.urls import reverse

from pipeline.library.services import media_create
from tests.accounts.imagefiles import image_bytes
from tests.library.clipfiles import clip_bytes, upload

pytestmark = pytest.mark.django_db


def test_library_lists_own_items_with_thumbnails_and_tags(client, alice, bob):
    clip = media_create(owner=alice, file=upload(clip_bytes(1.0), "harbour.mp4"), tags="sea")
    media_create(owner=bob, file=upload(image_bytes(), "bobs.png", "image/png"))
    client.force_login(alice)
    page = client.get("/library/").content.decode()
    assert f'src="/api/v1/media/{clip.id}/thumbnail"' in page
    assert "harbour.mp4" in page and "#sea" in page and "bobs.png" not in page
    assert 'href="/library/" aria-current="page"' in page  # the nav link
    assert "js/library.js" in page and 'id="library-upload"' in page


def test_library_search(client, alice):
    media_create(owner=alice, file=upload(clip_bytes(1.0), "harbour.mp4"), tags="sea")
    media_create(owner=alice, file=upload(image_bytes(), "keeper.png", "image/png"), tags="man")
    client.force_login(alice)
    page = client.get("/library/?q=keep").content.decode()
    assert "keeper.png" in page and "harbour.mp4" not in page
    page = client.get("/library/?tag=sea").content.decode()
    assert "harbour.mp4" in page and "keeper.png" not in page


def test_empty_library_says_what_happens(client, alice):
    client.force_login(alice)
    assert "Your library is empty" in client.get("/library/").content.decode()


def test_library_needs_a_login(client):
    response = client.get("/library/")
    assert response.status_code == 302 and "/login" in response["Location"]


def _video_with_sources(owner):
    from pipeline.models import Job
    from tests.factories import VideoFactory

    video = VideoFactory(owner=owner, title="Keeper", visibility="public")
    stock = {
        "item": "11", "source": "stock", "kind": "video", "origin": "pexels",
        "author": "Ruvim Miksanskiy", "author_url": "https://www.pexels.com/@digitech",
        "license": "Pexels License", "source_url": "https://www.pexels.com/video/waves-1448735/",
        "name": "pexels-1448735.mp4",
    }  # fmt: skip
    own = {"item": "22", "source": "library", "kind": "image", "origin": "upload",
           "name": "my-secret-lamp.png"}  # fmt: skip
    visuals = [
        {**stock, "scene": 0}, {**own, "scene": 1}, {**stock, "scene": 2},
        {"scene": 3, "source": "procedural", "item": None},
    ]  # fmt: skip
    Job.objects.create(
        owner=owner, kind="story", prompt="x", status="succeeded", result=video,
        manifest={"stages": {"visuals": {"outputs": {"visuals": visuals}}}},
    )  # fmt: skip
    return video


def test_video_page_credits_stock_for_everyone(client, alice, bob):
    video = _video_with_sources(alice)
    client.force_login(bob)
    page = client.get(reverse("gallery:video", args=[video.pk])).content.decode()
    assert "Scenes 1, 3: Video by" in page and "Ruvim Miksanskiy" in page
    assert "(Pexels License)" in page and "https://www.pexels.com/video/waves-1448735/" in page
    assert "my-secret-lamp.png" not in page  # the owner's own files are hers to know


def test_video_page_lists_own_library_items_to_the_owner(client, alice):
    video = _video_with_sources(alice)
    client.force_login(alice)
    page = client.get(reverse("gallery:video", args=[video.pk])).content.decode()
    assert "Scene 2: my-secret-lamp.png from your library" in page
    assert "Scene 4" not in page  # drawn scenes need no credit


def test_video_without_a_job_has_no_sources_section(client, alice):
    from tests.factories import VideoFactory

    video = VideoFactory(owner=alice, visibility="public")
    client.force_login(alice)
    page = client.get(reverse("gallery:video", args=[video.pk])).content.decode()
    assert "Pictures and footage" not in page
