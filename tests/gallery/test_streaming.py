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


@pytest.mark.parametrize("header", ["bytes=0-9,20-29", "bytes=326-6186,-524"])
def test_stream_sends_the_whole_file_for_several_ranges(stream, header):
    # Several ranges would need a multipart/byteranges answer; the whole file is allowed.
    response, body = stream(header)

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


def test_a_video_is_stored_with_its_poster_a_real_frame(api_for, alice, video_for):
    video = video_for()
    assert video.poster.name.startswith(f"videos/{alice.pk}/")
    assert default_storage.exists(video.poster.name)

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    image = Image.open(io.BytesIO(body_of(response)))
    assert (image.format, image.size) == ("JPEG", (160, 90))
    # testsrc is colourful: a frame, not a blank picture.
    assert len(set(image.getdata())) > 50


def test_a_stored_poster_is_served_as_it_is(api_for, alice, video_for):
    video = video_for(with_poster=True)

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert body_of(response) == (sample_media() / "poster.jpg").read_bytes()


def test_a_poster_whose_file_went_missing_is_404_not_made_in_the_web_process(
    api_for, alice, video_for
):
    video = video_for(with_poster=True)
    default_storage.delete(video.poster.name)

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 404
    assert Video.objects.get(pk=video.pk).poster.name == video.poster.name


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


def test_a_video_without_pictures_has_no_poster_and_its_thumbnail_is_404(api_for, alice, tmp_path):
    import subprocess

    import imageio_ffmpeg

    from gallery.services import video_create

    audio = tmp_path / "tone.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=0.2", "-c:a", "aac"),
            str(audio),
        ],
        check=True,
    )
    video = video_create(owner=alice, job_id=None, title="Tone", video_path=audio)
    assert not video.poster

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 404
    assert response.json() == {"detail": "This video has no picture."}
