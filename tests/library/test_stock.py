"""The Pexels and Pixabay clients against a local server answering in their documented shapes."""

import pytest

from pipeline.library.stock import (
    PexelsClient,
    PixabayClient,
    StockError,
    stock_clients,
    stock_keep,
)
from pipeline.models import MediaItem
from tests.accounts.imagefiles import image_bytes
from tests.library.clipfiles import clip_bytes
from tests.library.stockshapes import pexels_photos, pexels_videos, pixabay_images, pixabay_videos


def pexels(server):
    return PexelsClient(api_key="pexels-test-key", base_url=server.url, timeout=5)


def pixabay(server):
    return PixabayClient(api_key="pixabay-test-key", base_url=server.url, timeout=5)


def test_off_without_keys(settings):
    settings.PEXELS_API_KEY = settings.PIXABAY_API_KEY = ""
    assert stock_clients() == []


def test_on_with_keys(stock_server):
    assert [c.name for c in stock_clients()] == ["pexels", "pixabay"]


def test_pexels_photos_send_the_key_header(stock_server):
    stock_server.routes["/v1/search"] = (200, pexels_photos(stock_server.url))
    [hit] = pexels(stock_server).search("Lighthouse  Keeper", kind="image", per_page=5)
    [request] = stock_server.searches()
    assert request["headers"]["Authorization"] == "pexels-test-key"
    assert request["params"] == {"query": "lighthouse keeper", "per_page": "5"}
    assert (hit.provider, hit.id, hit.kind) == ("pexels", "2014422", "image")
    assert hit.author == "Joey Farina" and hit.license == "Pexels License"
    assert hit.page_url == "https://www.pexels.com/photo/lighthouse-2014422/"
    assert "lighthouse" in hit.tags


def test_pexels_videos_pick_the_hd_mp4(stock_server):
    stock_server.routes["/videos/search"] = (200, pexels_videos(stock_server.url))
    [hit] = pexels(stock_server).search("waves", kind="video")
    assert stock_server.searches()[0]["path"] == "/videos/search"
    assert hit.download_url.endswith("/files/1448735.mp4") and (hit.width, hit.height) == (
        1280,
        720,
    )
    assert hit.duration == 32 and hit.author == "Ruvim Miksanskiy"


def test_pixabay_sends_the_key_param(stock_server):
    stock_server.routes["/api/"] = (200, pixabay_images(stock_server.url))
    stock_server.routes["/api/videos/"] = (200, pixabay_videos(stock_server.url))
    [image] = pixabay(stock_server).search("lighthouse", kind="image")
    [video] = pixabay(stock_server).search("flowers", kind="video")
    first, second = stock_server.searches()
    assert first["params"]["key"] == second["params"]["key"] == "pixabay-test-key"
    assert first["params"]["q"] == "lighthouse" and first["params"]["image_type"] == "photo"
    assert second["path"] == "/api/videos/"
    assert image.tags == ["lighthouse", "sea", "storm"] and image.author == "Josch13"
    assert image.license == "Pixabay Content License"
    assert image.author_url == "https://pixabay.com/users/Josch13-48777/"
    assert video.download_url.endswith("125-medium.mp4") and video.duration == 12


def test_searches_are_cached(stock_server):
    stock_server.routes["/v1/search"] = (200, pexels_photos(stock_server.url))
    first = pexels(stock_server).search("lighthouse", kind="image")
    again = pexels(stock_server)  # a new client, as a re-render in another worker builds
    assert again.search("Lighthouse", kind="image") == first
    assert len(stock_server.searches()) == 1 and again.requests == 0
    stock_server.routes["/videos/search"] = (200, pexels_videos(stock_server.url))
    pexels(stock_server).search("lighthouse", kind="video")
    assert len(stock_server.searches()) == 2  # the kind is part of the key


def test_errors_are_stock_errors(stock_server):
    stock_server.routes["/v1/search"] = (429, {"error": "Rate limit exceeded"})
    with pytest.raises(StockError, match="429"):
        pexels(stock_server).search("lighthouse", kind="image")
    stock_server.routes["/v1/search"] = (200, {"unexpected": True})
    with pytest.raises(StockError):
        pexels(stock_server).search("sea", kind="image")


@pytest.mark.django_db
def test_kept_once_with_licence_and_author(stock_server, alice):
    stock_server.routes["/v1/search"] = (200, pexels_photos(stock_server.url))
    stock_server.routes["/files/2014422.png"] = (200, image_bytes("PNG"))
    client = pexels(stock_server)
    [hit] = client.search("lighthouse", kind="image")
    item, added = stock_keep(owner=alice, hit=hit, client=client)
    assert added
    assert (item.source, item.source_id, item.kind) == ("pexels", "2014422", "image")
    assert item.author == "Joey Farina" and item.license == "Pexels License"
    assert item.source_url == hit.page_url
    assert item.credit == "Image by Joey Farina on Pexels"
    assert stock_keep(owner=alice, hit=hit, client=client) == (item, False)
    downloads = [r for r in stock_server.requests if r["path"].startswith("/files/")]
    assert len(downloads) == 1 and MediaItem.objects.count() == 1


@pytest.mark.django_db
def test_stock_clip_is_validated_like_an_upload(stock_server, alice):
    stock_server.routes["/videos/search"] = (200, pexels_videos(stock_server.url))
    client = pexels(stock_server)
    [hit] = client.search("waves", kind="video")
    stock_server.routes["/files/1448735.mp4"] = (200, b"<html>not a video</html>")
    with pytest.raises(StockError, match="refused"):
        stock_keep(owner=alice, hit=hit, client=client)
    stock_server.routes["/files/1448735.mp4"] = (200, clip_bytes(1.0))
    item, _added = stock_keep(owner=alice, hit=hit, client=client)
    assert item.kind == "video" and item.credit == "Video clip by Ruvim Miksanskiy on Pexels"
