"""Storage quota, site-wide storage cap and the active-job cap: refused before any work, and
a finished video that would not fit fails its job without storing anything."""

import io

import pytest
from django.conf import settings as django_settings
from PIL import Image

from gallery.models import Video
from pipeline.engine.runner import job_run, job_workdir
from pipeline.models import Job, Upload
from tests.limits.conftest import stored_files

# Some tests run jobs, whose heartbeat reads them on a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)


def create(client, **body):
    body.setdefault("kind", "demo")
    body.setdefault("prompt", "A tiny clip. With two cards.")
    body.setdefault("options", {"cards": 1})
    return client.post("/api/v1/jobs", body, format="json")


def stop_after_plan(client):
    response = create(client, until="plan")
    assert response.status_code == 202, response.content
    job_run(job_id=response.json()["id"])
    return Job.objects.get(pk=response.json()["id"])


# --- refused before any work ------------------------------------------------------------------


def test_job_creation_over_the_storage_quota_is_refused_naming_used_and_limit(
    api_for, alice, video_for, settings
):
    video = video_for()
    settings.USER_STORAGE_QUOTA_BYTES = video.size  # full to the byte

    response = create(api_for(alice))

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "storage_quota_exceeded" and body["quota"] == "user"
    assert body["used"] == video.size and body["limit"] == video.size
    assert f"{video.size} bytes" in body["detail"]
    assert "USER_STORAGE_QUOTA_MB" in body["detail"]
    assert not Job.objects.exists()


def test_room_left_under_the_quota_still_allows_a_job(api_for, alice, video_for, settings):
    video = video_for()
    settings.USER_STORAGE_QUOTA_BYTES = video.size + 1
    assert create(api_for(alice)).status_code == 202


def test_a_quota_of_zero_means_unlimited(api_for, alice, video_for, settings):
    video_for()
    settings.USER_STORAGE_QUOTA_BYTES = 0
    assert create(api_for(alice)).status_code == 202


def test_uploads_count_towards_the_quota(api_for, alice, settings):
    Upload.objects.create(owner=alice, file="uploads/x.png", format="PNG", width=1, height=1,
                          size=5000)  # fmt: skip
    settings.USER_STORAGE_QUOTA_BYTES = 5000
    response = create(api_for(alice))
    assert response.status_code == 403 and response.json()["used"] == 5000


def test_the_site_storage_cap_refuses_everyone_once_reached(
    api_for, alice, bob, video_for, settings
):
    video = video_for(owner=bob)
    settings.USER_STORAGE_QUOTA_BYTES = 0
    settings.STORAGE_CAP_BYTES = video.size

    response = create(api_for(alice))

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "storage_cap_exceeded" and body["quota"] == "site"
    assert (body["used"], body["limit"]) == (video.size, video.size)
    assert "STORAGE_CAP_MB" in body["detail"]
    assert not Job.objects.exists()


def test_the_studio_form_is_refused_with_the_same_message(client, alice, video_for, settings):
    video = video_for()
    settings.USER_STORAGE_QUOTA_BYTES = video.size
    client.force_login(alice)

    response = client.post("/studio/", {"kind": "demo", "demo-prompt": "One card."})

    assert response.status_code == 403
    assert f"{video.size} bytes" in response.content.decode()
    assert not Job.objects.exists()


def test_retry_and_continue_are_refused_over_the_quota(api_for, alice, video_for, settings):
    client = api_for(alice)
    stopped = stop_after_plan(client)
    failed = stop_after_plan(client)
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED, paused_after="")
    video = video_for()
    settings.USER_STORAGE_QUOTA_BYTES = video.size

    retry = client.post(f"/api/v1/jobs/{failed.id}/retry")
    resume = client.post(f"/api/v1/jobs/{stopped.id}/continue", {}, format="json")

    assert retry.status_code == 403 and retry.json()["code"] == "storage_quota_exceeded"
    assert resume.status_code == 403 and resume.json()["code"] == "storage_quota_exceeded"
    assert Job.objects.get(pk=failed.pk).status == Job.Status.FAILED
    assert Job.objects.get(pk=stopped.pk).paused_after == "plan"


def test_a_job_in_the_wrong_state_still_answers_409_over_the_quota(
    api_for, alice, make_job, video_for, settings
):
    job = make_job()  # queued: cannot be retried
    settings.USER_STORAGE_QUOTA_BYTES = video_for().size
    assert api_for(alice).post(f"/api/v1/jobs/{job.id}/retry").status_code == 409


def test_the_active_job_cap_answers_429_naming_active_and_limit(api_for, alice, settings):
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    client = api_for(alice)
    assert create(client).status_code == 202

    response = create(client)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "too_many_active_jobs" and body["quota"] == "active_jobs"
    assert (body["used"], body["limit"]) == (1, 1)
    assert "1 active jobs" in body["detail"] and "MAX_ACTIVE_JOBS_PER_USER" in body["detail"]


def test_retry_counts_against_the_active_job_cap(api_for, alice, settings):
    client = api_for(alice)
    failed = stop_after_plan(client)
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED, paused_after="")
    settings.MAX_ACTIVE_JOBS_PER_USER = 1
    assert create(client).status_code == 202

    response = client.post(f"/api/v1/jobs/{failed.id}/retry")

    assert response.status_code == 429 and response.json()["code"] == "too_many_active_jobs"
    assert Job.objects.get(pk=failed.pk).status == Job.Status.FAILED


def test_an_upload_that_would_pass_the_quota_is_refused(api_for, alice, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "ref.png"
    settings.USER_STORAGE_QUOTA_BYTES = 10

    response = api_for(alice).post("/api/v1/uploads", {"image": buffer}, format="multipart")

    assert response.status_code == 403
    assert response.json()["code"] == "storage_quota_exceeded"
    assert not Upload.objects.exists()
    assert stored_files(django_settings.MEDIA_ROOT) == []


# --- when the finished video is stored ----------------------------------------------------------


@pytest.mark.parametrize(
    "quota, cap, setting",
    [(1000, 0, "USER_STORAGE_QUOTA_MB"), (0, 1000, "STORAGE_CAP_MB")],
)
def test_a_video_that_would_not_fit_fails_its_job_and_stores_nothing(
    make_job, settings, quota, cap, setting
):
    settings.USER_STORAGE_QUOTA_BYTES = quota
    settings.STORAGE_CAP_BYTES = cap
    job = make_job()  # nothing stored yet: creation is allowed

    assert job_run(job_id=job.id) == Job.Status.FAILED

    job.refresh_from_db()
    assert job.error["type"] == "StorageQuotaError"
    assert "1000 bytes" in job.error["message"] and setting in job.error["message"]
    assert job.error["hint"]
    assert job.result is None and not Video.objects.exists()
    # No video, poster or captions; only the stage artifacts a retry resumes from.
    stored = stored_files(django_settings.MEDIA_ROOT)
    assert stored and all(name.startswith(f"jobs/{job.id}/") for name in stored)
    # The work folder stays, so a retry after freeing space resumes at the last stage.
    assert job_workdir(job.id).exists()
    assert set(job.manifest["stages"]) == {"plan", "frames", "encode"}


def test_a_video_that_fits_is_stored(make_job, settings):
    settings.USER_STORAGE_QUOTA_BYTES = 50 * 1024 * 1024
    job = make_job()
    assert job_run(job_id=job.id) == Job.Status.SUCCEEDED
    assert Video.objects.filter(owner=job.owner).count() == 1


# --- shown to the person ----------------------------------------------------------------------


def test_the_profile_page_shows_storage_and_active_jobs(client, alice, make_job, video_for,
                                                         settings):  # fmt: skip
    video = video_for()
    make_job()
    settings.USER_STORAGE_QUOTA_BYTES = 2 * 1024 * 1024
    settings.MAX_ACTIVE_JOBS_PER_USER = 4
    client.force_login(alice)

    response = client.get("/accounts/profile/")

    assert response.context["usage"] == {
        "storage_used": video.size,
        "storage_quota": 2 * 1024 * 1024,
        "active_jobs": 1,
        "active_jobs_limit": 4,
    }
    body = response.content.decode()
    assert "of 2.0\xa0MB" in body
    assert "1 of 4 at once" in body


def test_me_reports_usage_and_limits(api_for, alice, bob, video_for, settings):
    video = video_for()
    video_for(owner=bob)  # someone else's storage is not counted
    settings.USER_STORAGE_QUOTA_BYTES = 0

    usage = api_for(alice).get("/api/v1/auth/me").json()["usage"]

    assert usage == {
        "storage_used": video.size,
        "storage_quota": None,
        "active_jobs": 0,
        "active_jobs_limit": django_settings.MAX_ACTIVE_JOBS_PER_USER,
    }


def test_the_schema_documents_usage_and_the_limit_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    me = schema["components"]["schemas"]["Me"]
    assert "usage" in me["properties"]
    usage = schema["components"]["schemas"]["Usage"]
    assert set(usage["properties"]) == {
        "storage_used",
        "storage_quota",
        "active_jobs",
        "active_jobs_limit",
    }
    create_answers = schema["paths"]["/api/v1/jobs"]["post"]["responses"]
    assert {"202", "403", "429"} <= set(create_answers)
    cleanup = schema["paths"]["/api/v1/cleanup"]["post"]["responses"]
    assert {"200", "401", "403"} <= set(cleanup)
