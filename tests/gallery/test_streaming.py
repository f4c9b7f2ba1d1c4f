"""Streaming, downloading, posters and captions: the bytes behind a video."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from gallery.models import Video
from tests.factories import SAMPLE_SRT, SAMPLE_VTT, sample_media
from tests.gallery.conftest import body_of

pytestmark = pytest.mark.django_db

CLIP = (sample_media() / "clip.mp4").read_bytes()
SIZE = len(CLIP)


@pytest.fixture
def stream(api_for, alice, video_for):
    video = video_for()
    client = api_for(alice)

    def get(range_header=None, name="api-video-stream"):
        headers = {"HTTP_RANGE": range_header} if range_header else {}
        response = client.get(reverse(name, args=[video.pk]), **headers)
        return response, body_of(response)

    return get


def test_stream_without_range_sends_the_whole_file(stream):
    response, body = stream()

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)
    assert body == CLIP


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=100-199", 100, 199),
        ("bytes=-10", SIZE - 10, SIZE - 1),
        (f"bytes={SIZE - 25}-", SIZE - 25, SIZE - 1),
        ("bytes=0-", 0, SIZE - 1),
        (f"bytes=10-{SIZE + 1000}", 10, SIZE - 1),
        (f"bytes=-{SIZE * 2}", 0, SIZE - 1),
    ],
    ids=["first", "middle", "suffix", "open-ended", "all", "past-the-end", "long-suffix"],
)
def test_stream_answers_a_range_with_206_and_exactly_those_bytes(stream, header, start, end):
    response, body = stream(header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert body == CLIP[start : end + 1]


@pytest.mark.parametrize(
    "header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 9}", "bytes=9-3", "bytes=-0", "bytes=x"]
)
def test_stream_answers_an_unsatisfiable_range_with_416(stream, header):
    response, body = stream(header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response["Accept-Ranges"] == "bytes"
    assert body == b""


def test_stream_ignores_a_range_in_another_unit(stream):
    response, body = stream("items=0-1")

    assert response.status_code == 200
    assert body == CLIP


def test_stream_ignores_what_a_player_accepts(api_for, alice, video_for):
    video = video_for()

    response = api_for(alice).get(
        reverse("api-video-stream", args=[video.pk]), HTTP_ACCEPT="video/webm,video/*;q=0.9"
    )

    assert response.status_code == 200
    body_of(response)


def test_download_is_an_attachment_named_after_the_title(api_for, alice, video_for):
    video = video_for(title="Café: a tour / part 1")

    response = api_for(alice).get(reverse("api-video-download", args=[video.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''Caf%C3%A9%20a%20tour%20part%201.mp4"
    )
    assert body_of(response) == CLIP


def test_download_resumes_with_a_range(stream):
    response, body = stream("bytes=-10", name="api-video-download")

    assert response.status_code == 206
    assert response["Content-Disposition"].startswith("attachment;")
    assert body == CLIP[-10:]


def test_thumbnail_is_made_on_first_request_as_a_real_jpeg(api_for, alice, video_for):
    video = video_for()
    assert not video.poster

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    image = Image.open(io.BytesIO(body_of(response)))
    assert image.format == "JPEG"
    assert image.size == (160, 90)
    video.refresh_from_db()
    assert video.poster.name.startswith(f"videos/{alice.pk}/")
    assert default_storage.exists(video.poster.name)


def test_thumbnail_is_made_once_and_then_reused(api_for, alice, video_for):
    video = video_for()
    url = reverse("api-video-thumbnail", args=[video.pk])
    first = body_of(api_for(alice).get(url))
    name = Video.objects.get(pk=video.pk).poster.name

    second = body_of(api_for(alice).get(url))

    assert first == second
    assert Video.objects.get(pk=video.pk).poster.name == name


def test_a_stored_poster_is_served_as_it_is(api_for, alice, video_for):
    video = video_for(with_poster=True)

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert body_of(response) == (sample_media() / "poster.jpg").read_bytes()


def test_a_poster_whose_file_went_missing_is_made_again(api_for, alice, video_for):
    video = video_for(with_poster=True)
    lost = video.poster.name
    default_storage.delete(lost)

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 200
    assert Image.open(io.BytesIO(body_of(response))).format == "JPEG"
    video.refresh_from_db()
    assert video.poster.name != lost


def test_captions_are_served_in_both_formats(api_for, alice, video_for):
    video = video_for(title="Talk")
    client = api_for(alice)

    vtt = client.get(reverse("api-video-captions-vtt", args=[video.pk]))
    srt = client.get(reverse("api-video-captions-srt", args=[video.pk]))

    assert vtt.status_code == 200 and srt.status_code == 200
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert body_of(vtt).decode() == SAMPLE_VTT
    assert srt["Content-Type"] == "application/x-subrip; charset=utf-8"
    assert srt["Content-Disposition"] == "attachment; filename*=UTF-8''Talk.srt"
    assert body_of(srt).decode() == SAMPLE_SRT


@pytest.mark.parametrize("name", ["api-video-captions-vtt", "api-video-captions-srt"])
def test_captions_are_404_when_the_video_has_none(api_for, alice, video_for, name):
    video = video_for(with_captions=False)

    response = api_for(alice).get(reverse(name, args=[video.pk]))

    assert response.status_code == 404
    assert response.json() == {"detail": "This video has no captions."}


def test_thumbnail_of_a_file_that_does_not_decode_is_404(api_for, alice, video_for):
    from django.core.files.base import ContentFile

    video = video_for()
    default_storage.delete(video.file.name)
    assert default_storage.save(video.file.name, ContentFile(b"not a video" * 100)) == (
        video.file.name
    )

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 404
    assert response.json() == {"detail": "This video has no picture."}
    assert not Video.objects.get(pk=video.pk).poster
