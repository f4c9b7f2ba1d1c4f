"""A video made by a real (demo) job shows up in the gallery like any other."""

import pytest
from django.urls import reverse

from pipeline.engine.runner import job_run
from pipeline.models import Job
from tests.gallery.conftest import body_of

# The runner's heartbeat reads the job on a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_finished_job_lands_in_the_owners_gallery(api_for, client, alice, bob, make_job):
    job = make_job(cards=1)
    job_run(job_id=job.id)
    video = Job.objects.get(pk=job.pk).result
    assert video is not None

    body = api_for(alice).get(reverse("api-videos")).json()["results"]
    assert [v["id"] for v in body] == [str(video.pk)]
    assert body[0]["job"] == str(job.id) and body[0]["visibility"] == "private"
    thumbnail = api_for(alice).get(body[0]["urls"]["thumbnail"])
    assert thumbnail.status_code == 200 and body_of(thumbnail)[:3] == b"\xff\xd8\xff"
    assert api_for(bob).get(reverse("api-video", args=[video.pk])).status_code == 404

    client.force_login(alice)
    assert video.title in client.get(reverse("gallery:list")).content.decode()


def test_deleting_the_video_keeps_the_job(api_for, alice, make_job):
    job = make_job(cards=1)
    job_run(job_id=job.id)
    video = Job.objects.get(pk=job.pk).result

    assert api_for(alice).delete(reverse("api-video", args=[video.pk])).status_code == 204

    job.refresh_from_db()
    assert job.status == "succeeded" and job.result is None
