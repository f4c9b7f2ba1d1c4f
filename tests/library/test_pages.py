"""The Library page, server-rendered for its owner."""

import pytest

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
