"""Retention, the orphan sweep, their schedules and `POST api/v1/cleanup`."""

import os
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_q.models import Schedule, Task
from django_q.tasks import async_task

from gallery.models import Video
from pipeline.cleanup import cleanup_run, orphans_sweep, retention_run, work_dirs_sweep
from pipeline.engine.artifacts import artifact_name
from pipeline.engine.runner import job_workdir
from pipeline.models import Job, Upload

# Video deletion removes files after commit.
pytestmark = pytest.mark.django_db(transaction=True)

DAY = timedelta(days=1)


def media(name):
    return django_settings.MEDIA_ROOT / name


def age(path, *, hours):
    """Back-dates a file or folder, as if written `hours` ago."""
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def video_files(video):
    return [f.name for f in (video.file, video.poster, video.captions_vtt, video.captions_srt)]


def work_dir(job_id, *, hours_old=0):
    path = job_workdir(job_id)
    path.mkdir(parents=True)
    (path / "frames.bin").write_bytes(b"x" * 1000)
    if hours_old:
        age(path / "frames.bin", hours=hours_old)
        age(path, hours=hours_old)
    return path


def finished(job, *, days_ago, status=Job.Status.FAILED):
    Job.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now() - days_ago * DAY)


# --- retention --------------------------------------------------------------------------------


def test_retention_deletes_old_videos_with_their_files_and_keeps_new_ones(video_for, settings):
    settings.VIDEO_RETENTION_DAYS = 30
    old = video_for(created_at=timezone.now() - 31 * DAY)
    new = video_for(created_at=timezone.now() - 29 * DAY)
    old_files = video_files(old)
    assert all(default_storage.exists(n) for n in old_files)
    old_bytes = sum(default_storage.size(n) for n in old_files)

    report = retention_run()

    assert list(Video.objects.values_list("pk", flat=True)) == [new.pk]
    assert not any(default_storage.exists(n) for n in old_files)
    assert all(default_storage.exists(n) for n in video_files(new))
    assert report.videos_expired.count == 1 and report.videos_expired.bytes == old_bytes


def test_no_retention_keeps_every_video(video_for, settings):
    settings.VIDEO_RETENTION_DAYS = 0
    video_for(created_at=timezone.now() - 3650 * DAY)
    assert retention_run().videos_expired.count == 0
    assert Video.objects.count() == 1


def test_work_folders_of_long_finished_jobs_go_and_active_ones_stay(make_job, settings):
    settings.JOB_WORK_RETENTION_DAYS = 7
    settings.MAX_ACTIVE_JOBS_PER_USER = 10
    old_failed, recent, old_stopped, running = (make_job() for _ in range(4))
    for job in (old_failed, recent, old_stopped, running):
        work_dir(job.id)
    finished(old_failed, days_ago=8)
    finished(recent, days_ago=6)
    finished(old_stopped, days_ago=8, status=Job.Status.SUCCEEDED)
    # Running for a long time, started long ago: an active job's folder is never touched.
    Job.objects.filter(pk=running.pk).update(
        status=Job.Status.RUNNING, started_at=timezone.now() - 30 * DAY
    )

    report = work_dirs_sweep()

    assert not job_workdir(old_failed.id).exists()
    assert not job_workdir(old_stopped.id).exists()
    assert job_workdir(recent.id).exists() and job_workdir(running.id).exists()
    assert (report.work_dirs_expired.count, report.work_dirs_expired.bytes) == (2, 2000)
    assert Job.objects.count() == 4  # only the folders go


def stored_artifact(job_id, path="plan.json", size=100, hours_old=0):
    name = default_storage.save(artifact_name(job_id, path), ContentFile(b"p" * size))
    if hours_old:
        age(media(name), hours=hours_old)
    return name


def test_stored_artifacts_of_long_finished_jobs_go_and_others_stay(make_job, settings):
    settings.JOB_WORK_RETENTION_DAYS = 7
    settings.MAX_ACTIVE_JOBS_PER_USER = 10
    old, recent, paused = (make_job() for _ in range(3))
    names = {job.pk: stored_artifact(job.pk) for job in (old, recent, paused)}
    files = [{"path": "plan.json", "size": 100, "name": names[old.pk]}]
    Job.objects.filter(pk=old.pk).update(
        manifest={"stages": {"plan": {"finished_at": "x", "files": files}}}
    )
    finished(old, days_ago=8)
    finished(recent, days_ago=6)
    # Paused long ago: a draft waiting for its owner, never expired.
    finished(paused, days_ago=30, status=Job.Status.PAUSED)

    report = retention_run()

    assert not default_storage.exists(names[old.pk])
    assert default_storage.exists(names[recent.pk]) and default_storage.exists(names[paused.pk])
    assert (report.artifacts_expired.count, report.artifacts_expired.bytes) == (1, 100)
    # The manifest no longer offers files that are gone.
    assert "files" not in Job.objects.get(pk=old.pk).manifest["stages"]["plan"]


def test_the_sweep_removes_stored_artifacts_whose_job_is_gone(make_job, settings):
    settings.ORPHAN_GRACE_HOURS = 24
    kept = stored_artifact(make_job().pk, hours_old=48)
    gone = stored_artifact(uuid.uuid4(), "stills/00.png", size=30, hours_old=48)
    young = stored_artifact(uuid.uuid4())

    report = orphans_sweep()

    assert not default_storage.exists(gone)
    assert default_storage.exists(kept) and default_storage.exists(young)
    assert (report.orphan_artifacts.count, report.orphan_artifacts.bytes) == (1, 30)


# --- orphans ----------------------------------------------------------------------------------


def test_the_sweep_removes_old_unreferenced_files_and_keeps_referenced_and_fresh_ones(
    alice, video_for, settings
):
    settings.ORPHAN_GRACE_HOURS = 24
    video = video_for()
    upload = Upload.objects.create(owner=alice, format="PNG", width=1, height=1, size=3)
    upload.file.save("ref.png", ContentFile(b"png"), save=True)
    alice.avatar.save("a.png", ContentFile(b"avatar"), save=True)
    orphans = [
        default_storage.save(f"videos/{alice.pk}/{uuid.uuid4().hex}.mp4", ContentFile(b"o" * 100)),
        default_storage.save(f"uploads/{alice.pk}/{uuid.uuid4().hex}.png", ContentFile(b"u" * 20)),
        default_storage.save(f"avatars/{alice.pk}/{uuid.uuid4().hex}.png", ContentFile(b"a" * 7)),
        default_storage.save("videos/stray.mp4", ContentFile(b"s" * 3)),
    ]
    fresh = default_storage.save(f"videos/{alice.pk}/being-written.mp4", ContentFile(b"f"))
    outside = default_storage.save("elsewhere/old.bin", ContentFile(b"e"))
    referenced = [*video_files(video), upload.file.name, alice.avatar.name]
    for name in [*orphans, *referenced, outside]:
        age(media(name), hours=48)

    report = orphans_sweep()

    assert not any(default_storage.exists(n) for n in orphans)
    assert all(default_storage.exists(n) for n in referenced)
    assert default_storage.exists(fresh), "a file younger than the grace period stays"
    assert default_storage.exists(outside), "only the app's folders are swept"
    assert (report.orphan_files.count, report.orphan_files.bytes) == (4, 130)


def test_the_sweep_removes_work_folders_whose_job_is_gone(make_job, settings):
    settings.ORPHAN_GRACE_HOURS = 24
    job = make_job()
    kept = work_dir(job.id, hours_old=48)
    gone = work_dir(uuid.uuid4(), hours_old=48)
    young = work_dir(uuid.uuid4())
    not_a_job = job_workdir("notes")
    not_a_job.mkdir(parents=True)
    age(not_a_job, hours=48)

    report = work_dirs_sweep()

    assert not gone.exists()
    assert kept.exists() and young.exists() and not_a_job.exists()
    assert (report.orphan_work_dirs.count, report.orphan_work_dirs.bytes) == (1, 1000)


# --- schedules ----------------------------------------------------------------------------------


CLEANUP_TASKS = ["pipeline.engine.tasks.expire_old_files", "pipeline.engine.tasks.sweep_orphans"]
# The schedules are rows a migration writes. Tests in a transaction run before the others
# (which empty the tables after them), so these see the database as migrated.
migrated = pytest.mark.django_db


@migrated
def test_the_schedules_exist_after_migrate():
    funcs = dict(Schedule.objects.values_list("func", "schedule_type"))
    assert funcs["pipeline.engine.tasks.expire_old_files"] == Schedule.HOURLY
    assert funcs["pipeline.engine.tasks.sweep_orphans"] == Schedule.DAILY
    assert funcs["pipeline.engine.tasks.reap_jobs"] == Schedule.MINUTES


@migrated
def test_the_scheduled_tasks_do_the_work_through_django_q(
    video_for, settings, django_capture_on_commit_callbacks
):
    settings.VIDEO_RETENTION_DAYS = 1
    old = video_for(created_at=timezone.now() - 2 * DAY)
    old_files = video_files(old)
    orphan = default_storage.save("videos/lost.mp4", ContentFile(b"z" * 9))
    age(media(orphan), hours=48)

    scheduled = Schedule.objects.filter(func__in=CLEANUP_TASKS)
    assert scheduled.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        for schedule in scheduled:
            async_task(schedule.func, sync=True, task_name=schedule.name)

    results = dict(Task.objects.values_list("func", "result"))
    assert results["pipeline.engine.tasks.expire_old_files"]["videos_expired"]["count"] == 1
    assert results["pipeline.engine.tasks.sweep_orphans"]["orphan_files"] == {
        "count": 1,
        "bytes": 9,
    }
    assert not Video.objects.exists()
    assert not any(default_storage.exists(n) for n in [*old_files, orphan])


# --- POST api/v1/cleanup --------------------------------------------------------------------------


def test_cleanup_is_for_staff_only(api_for, alice, charlie):
    assert api_for().post("/api/v1/cleanup").status_code == 401
    assert api_for(alice).post("/api/v1/cleanup").status_code == 403
    assert api_for(charlie).post("/api/v1/cleanup").status_code == 200


def test_cleanup_runs_retention_and_the_sweep_and_says_what_it_removed(
    api_for, charlie, video_for, settings
):
    settings.VIDEO_RETENTION_DAYS = 10
    old = video_for(created_at=timezone.now() - 11 * DAY)
    old_bytes = sum(default_storage.size(n) for n in video_files(old))
    orphan = default_storage.save("avatars/9/x.png", ContentFile(b"q" * 11))
    age(media(orphan), hours=48)
    gone = work_dir(uuid.uuid4(), hours_old=48)

    response = api_for(charlie).post("/api/v1/cleanup")

    assert response.status_code == 200
    body = response.json()
    assert body["videos_expired"] == {"count": 1, "bytes": old_bytes}
    assert body["orphan_files"] == {"count": 1, "bytes": 11}
    assert body["orphan_work_dirs"] == {"count": 1, "bytes": 1000}
    assert body["work_dirs_expired"] == {"count": 0, "bytes": 0}
    assert body["orphan_artifacts"] == body["artifacts_expired"] == {"count": 0, "bytes": 0}
    assert body["total"] == {"count": 3, "bytes": old_bytes + 11 + 1000}
    assert not gone.exists() and not Video.objects.exists()


def test_cleanup_with_nothing_to_do_reports_zero(settings):
    settings.VIDEO_RETENTION_DAYS = 0
    assert cleanup_run().as_dict()["total"] == {"count": 0, "bytes": 0}
