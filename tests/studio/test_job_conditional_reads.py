"""`GET jobs/<id>` answers with an ETag, and 304 with no body to a poller that sends it back,
until anything the body shows changes (whoever changed it)."""

import pytest
from django.db import transaction
from rest_framework import serializers

from gallery.services import video_rename
from pipeline.models import Job
from pipeline.serializers import JobSerializer
from pipeline.services import job_cancel
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


def read(client, job, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(f"/api/v1/jobs/{job.id}", **headers)


def test_a_poller_with_the_current_etag_gets_304_without_a_body(api_for, alice, make_job):
    job = make_job()
    client = api_for(alice)
    first = read(client, job)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]

    again = read(client, job, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert read(client, job, '"something-else"').status_code == 200


def test_the_etag_changes_when_the_job_does(api_for, alice, make_job):
    job = make_job()
    client = api_for(alice)
    etag = read(client, job)["ETag"]
    job_cancel(job=job, by=alice)

    changed = read(client, job, etag)
    assert changed.status_code == 200
    assert changed.json()["status"] == "canceled"
    assert changed["ETag"] != etag


def test_the_etag_follows_the_jobs_video_and_writes_that_skip_save(api_for, alice, make_job):
    job = make_job()
    client = api_for(alice)
    etag = read(client, job)["ETag"]
    video = VideoFactory(owner=alice, job_id=job.id)
    # A conditional update, as the runner writes: no save(), no updated_at.
    Job.objects.filter(pk=job.pk).update(result=video)
    with_video = read(client, job, etag)
    assert with_video.status_code == 200 and with_video.json()["video"]["title"] == video.title

    video_rename(video=video, title="A new name")
    renamed = read(client, job, with_video["ETag"])
    assert renamed.status_code == 200
    assert renamed.json()["video"]["title"] == "A new name"


def test_another_users_etag_guess_still_gets_404(api_for, alice, bob, charlie, make_job):
    job = make_job()
    etag = read(api_for(alice), job)["ETag"]
    assert read(api_for(bob), job, etag).status_code == 404
    assert read(api_for(None), job, etag).status_code == 401
    # Staff see the same body, so the same ETag holds for them.
    assert read(api_for(charlie), job, etag).status_code == 304


def _fields_output(job) -> dict:
    """What DRF's declared fields give, without the serializer's direct path."""
    return serializers.ModelSerializer.to_representation(JobSerializer(), job)


def test_the_direct_job_shape_is_what_the_declared_fields_give(alice, make_job):
    queued = make_job()
    Job.objects.filter(pk=queued.pk).update(title="Queued")
    running = make_job()
    Job.objects.filter(pk=running.pk).update(
        status=Job.Status.RUNNING, stage="frames", step=2, steps=4, progress=40,
        message="Drawing", attempts=1, until="encode",
    )  # fmt: skip
    failed = make_job()
    with transaction.atomic():
        job_cancel(job=failed, by=alice)
    Job.objects.filter(pk=failed.pk).update(
        status=Job.Status.FAILED, error_type="GeneratorError", error_message="No.",
        error_hint="Try again.",
    )  # fmt: skip
    done = make_job()
    video = VideoFactory(owner=alice, job_id=done.id, with_captions=True)
    Job.objects.filter(pk=done.pk).update(status=Job.Status.SUCCEEDED, result=video)

    jobs = Job.objects.select_related("result")
    assert len(jobs) == 4
    for job in jobs:
        assert JobSerializer(job).data == _fields_output(job)
    assert JobSerializer(Job.objects.get(pk=done.pk)).data["video"]["captions_vtt"]
