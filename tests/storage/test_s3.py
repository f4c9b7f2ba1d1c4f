"""Every storage code path on S3-compatible storage (moto's server on 127.0.0.1): publishing,
streaming with ranges, downloads, posters, captions, avatars, uploads, rename and delete."""

import io

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import transaction
from django.test import AsyncClient
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from gallery.models import Video
from pipeline.providers import reset_providers
from studio.services import job_create
from tests.ai_video.conftest import FAKE, TINY, use_t2v
from tests.factories import SAMPLE_SRT, SAMPLE_VTT, VideoFactory, sample_media
from tests.gallery.conftest import body_of
from tests.storage.conftest import local_media_files

pytestmark = pytest.mark.django_db

CLIP = (sample_media() / "clip.mp4").read_bytes()


def stored_names(video) -> list[str]:
    fields = ("file", "poster", "captions_vtt", "captions_srt")
    return sorted(getattr(video, f).name for f in fields if getattr(video, f))


def png(size=(120, 80), color=(30, 160, 90)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "picture.png"
    return buffer


def test_a_published_video_its_poster_and_captions_are_objects_in_the_bucket(s3, alice, settings):
    video = VideoFactory(owner=alice, with_captions=True, with_poster=True)

    assert s3.keys() == stored_names(video)
    assert len(s3.keys()) == 4
    assert s3.body(video.file.name) == CLIP
    assert s3.body(video.captions_vtt.name).decode() == SAMPLE_VTT
    assert local_media_files(settings) == []


def test_a_range_is_one_ranged_read_of_the_object(s3, alice, api_for):
    video = VideoFactory(owner=alice)
    mark = s3.server.log_mark()

    response = api_for(alice).get(
        reverse("api-video-stream", args=[video.pk]), HTTP_RANGE="bytes=100-199"
    )

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(CLIP)}"
    assert body_of(response) == CLIP[100:200]
    # Never the whole object: one GET, answered by the server with a range.
    assert s3.reads_of(video.file.name, mark) == [206]


def test_a_whole_stream_and_a_named_download_come_from_the_bucket(s3, alice, api_for):
    video = VideoFactory(owner=alice, title="Night walk")
    client = api_for(alice)

    stream = client.get(reverse("api-video-stream", args=[video.pk]))
    download = client.get(reverse("api-video-download", args=[video.pk]))

    assert stream.status_code == 200 and stream["Content-Type"] == "video/mp4"
    assert stream["Content-Length"] == str(len(CLIP))
    assert body_of(stream) == CLIP
    assert download["Content-Disposition"] == "attachment; filename*=UTF-8''Night%20walk.mp4"
    assert body_of(download) == CLIP


def test_under_asgi_the_body_streams_chunk_by_chunk_from_the_bucket(s3, alice):
    video = VideoFactory(owner=alice)
    token = Token.objects.create(user=alice).key

    async def fetch():
        response = await AsyncClient().get(
            reverse("api-video-stream", args=[video.pk]),
            headers={"Authorization": f"Token {token}", "Range": "bytes=10-"},
        )
        assert response.is_async, "an async iterator, not a body read whole into a list"
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, body = async_to_sync(fetch)()

    assert response.status_code == 206
    assert body == CLIP[10:]


def test_the_job_video_endpoint_reads_the_bucket(s3, alice, api_for, make_job):
    job = make_job()
    video = VideoFactory(owner=alice, job_id=job.id)
    job.result = video
    job.save(update_fields=["result"])

    response = api_for(alice).get(f"/api/v1/jobs/{job.id}/video", HTTP_RANGE="bytes=-50")

    assert response.status_code == 206
    assert body_of(response) == CLIP[-50:]


def test_a_video_is_stored_with_its_poster_in_the_bucket(s3, alice, api_for):
    video = VideoFactory(owner=alice)
    assert video.poster.name in s3.keys()

    response = api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = body_of(response)
    assert body == s3.body(video.poster.name)
    assert Image.open(io.BytesIO(body)).size == (160, 90)


@pytest.mark.django_db(transaction=True)
def test_stage_artifacts_live_in_the_bucket_and_outlive_the_work_folder(
    s3, alice, api_for, settings
):
    import shutil

    from pipeline.engine.runner import job_run, job_workdir
    from pipeline.models import Job

    client = api_for(alice)
    job_id = client.post(
        "/api/v1/jobs", {"kind": "demo", "prompt": "One. Two.", "until": "frames"}, format="json"
    ).json()["id"]
    job_run(job_id=job_id)
    shutil.rmtree(job_workdir(job_id))  # as if the job moved to a worker on another host

    artifacts = client.get(f"/api/v1/jobs/{job_id}/artifacts").json()
    paths = {f["path"]: f for f in artifacts["files"]}
    assert {"plan.json", "cards/00.png", "cards/01.png"} <= set(paths)
    assert f"jobs/{job_id}/cards/00.png" in s3.keys()
    response = client.get(paths["cards/00.png"]["url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert body_of(response) == s3.body(f"jobs/{job_id}/cards/00.png")

    frames_done = Job.objects.get(pk=job_id).manifest["stages"]["frames"]["finished_at"]
    assert client.post(f"/api/v1/jobs/{job_id}/continue").status_code == 202
    assert job_run(job_id=job_id) == "succeeded"
    job = Job.objects.get(pk=job_id)
    # The cards came back from the bucket: drawing them again was not needed.
    assert job.manifest["stages"]["frames"]["finished_at"] == frames_done
    assert job.result.file.name in s3.keys()


def test_captions_are_served_from_the_bucket(s3, alice, api_for):
    video = VideoFactory(owner=alice, with_captions=True)
    client = api_for(alice)

    vtt = client.get(reverse("api-video-captions-vtt", args=[video.pk]))
    srt = client.get(reverse("api-video-captions-srt", args=[video.pk]))

    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert body_of(vtt).decode() == SAMPLE_VTT
    assert body_of(srt).decode() == SAMPLE_SRT


def test_an_object_missing_from_the_bucket_is_a_404(s3, alice, api_for):
    video = VideoFactory(owner=alice)
    s3.remove(video.file.name)

    response = api_for(alice).get(reverse("api-video-stream", args=[video.pk]))

    assert response.status_code == 404


def test_rename_changes_the_title_and_leaves_the_objects_alone(s3, alice, api_for):
    video = VideoFactory(owner=alice, with_captions=True)
    before = s3.keys()

    response = api_for(alice).patch(
        reverse("api-video", args=[video.pk]), {"title": "../../etc/passwd"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Video.objects.get(pk=video.pk).title == "../../etc/passwd"
    assert s3.keys() == before


def test_delete_removes_every_object_of_the_video(
    s3, alice, api_for, django_capture_on_commit_callbacks
):
    video = VideoFactory(owner=alice, with_captions=True, with_poster=True)
    other = VideoFactory(owner=alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).delete(reverse("api-video", args=[video.pk]))

    assert response.status_code == 204
    assert s3.keys() == sorted([other.file.name, other.poster.name])


def test_avatars_are_stored_served_and_removed_in_the_bucket(
    s3, alice, bob, api_for, client, django_capture_on_commit_callbacks, settings
):
    response = api_for(alice).put("/api/v1/auth/avatar", {"image": png()}, format="multipart")
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert s3.keys() == sorted([alice.avatar.name, alice.avatar_small.name])

    client.force_login(bob)
    served = client.get(reverse("accounts:avatar", args=[alice.pk, 64]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    picture = body_of(served)
    assert picture == s3.body(alice.avatar_small.name)
    assert Image.open(io.BytesIO(picture)).size == (64, 64)

    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(alice).delete("/api/v1/auth/avatar").status_code == 204
    assert s3.keys() == []
    assert local_media_files(settings) == []


def test_with_redirect_a_video_is_a_short_lived_signed_link_given_after_the_check(
    s3, alice, bob, api_for, settings
):
    settings.S3_REDIRECT = True
    settings.S3_REDIRECT_SECONDS = 60
    video = VideoFactory(owner=alice, title="Sea")
    url = reverse("api-video-download", args=[video.pk])

    refused = api_for(bob).get(url)
    response = api_for(alice).get(url)

    assert refused.status_code == 404 and "Location" not in refused
    assert response.status_code == 302
    assert response["Cache-Control"].startswith("private")
    assert "no-store" in response["Cache-Control"]
    signed = httpx.get(response["Location"], headers={"Range": "bytes=0-99"})
    assert signed.status_code == 206
    assert signed.content == CLIP[:100]
    assert signed.headers["Content-Type"] == "video/mp4"
    assert signed.headers["Content-Disposition"] == "attachment; filename*=UTF-8''Sea.mp4"
    # Thumbnails and captions still come through the web process.
    assert api_for(alice).get(reverse("api-video-thumbnail", args=[video.pk])).status_code == 200


def test_storage_init_creates_a_missing_bucket_once(s3, settings):
    from tests.storage.conftest import s3_storages

    settings.STORAGES = s3_storages(s3.server, s3.name + "-new")
    out = io.StringIO()

    call_command("storage_init", stdout=out)
    call_command("storage_init", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines.count(f"Created bucket '{s3.name}-new'.") == 1
    assert lines.count(f"Media storage is ready (bucket '{s3.name}-new').") == 2
    assert s3.server.client.list_objects_v2(Bucket=s3.name + "-new").get("KeyCount") == 0


@pytest.mark.django_db(transaction=True)
def test_an_upload_in_the_bucket_feeds_an_ai_video_job_published_to_the_bucket(
    s3, alice, api_for, settings
):
    t2v = use_t2v(settings, FAKE)
    try:
        response = api_for(alice).post(
            "/api/v1/uploads", {"image": png(size=(120, 80))}, format="multipart"
        )
        assert response.status_code == 201, response.content
        upload_key = s3.keys()[0]
        with transaction.atomic():
            job = job_create(
                user=alice,
                kind="ai_video",
                prompt="A fox runs through snow. It stops on a hill.",
                options={**TINY, "seed": 7, "reference_image": response.json()["id"]},
            )
        from pipeline.engine.runner import job_run

        assert job_run(job_id=job.id) == "succeeded"
    finally:
        reset_providers()

    job.refresh_from_db()
    video = job.result
    assert t2v.calls[0]["image_size"] == (120, 80)
    artifacts = [k for k in s3.keys() if k.startswith(f"jobs/{job.id}/")]
    assert f"jobs/{job.id}/shots/00.mp4" in artifacts
    assert sorted(set(s3.keys()) - set(artifacts)) == sorted([upload_key, *stored_names(video)])
    assert video.poster.name in s3.keys()
    assert s3.body(video.file.name)[4:8] == b"ftyp"
    assert local_media_files(settings) == []
