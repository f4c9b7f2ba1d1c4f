"""Retention, the orphan sweep and the health storage check on S3-compatible storage (moto's
server on 127.0.0.1): what they remove and keep is read back from the bucket itself."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from gallery.models import Video
from pipeline.cleanup import orphans_sweep, retention_run
from pipeline.engine.artifacts import artifact_name
from tests.factories import VideoFactory
from tests.live.stack import wait_for
from videogen import system_api

# Video deletion removes its objects after commit.
pytestmark = pytest.mark.django_db(transaction=True)

DAY = timedelta(days=1)


def stored(video) -> list[str]:
    fields = (video.file, video.poster, video.captions_vtt, video.captions_srt)
    return sorted(f.name for f in fields if f)


def test_retention_removes_old_videos_objects_from_the_bucket(s3, alice, settings):
    settings.VIDEO_RETENTION_DAYS = 30
    old = VideoFactory(owner=alice, with_captions=True, with_poster=True)
    Video.objects.filter(pk=old.pk).update(created_at=timezone.now() - 31 * DAY)
    new = VideoFactory(owner=alice, with_captions=True)
    old_keys = stored(old)
    old_bytes = sum(len(s3.body(k)) for k in old_keys)
    assert set(old_keys) <= set(s3.keys())

    report = retention_run()

    assert list(Video.objects.values_list("pk", flat=True)) == [new.pk]
    assert s3.keys() == stored(new)
    assert report.videos_expired.count == 1 and report.videos_expired.bytes == old_bytes


def test_the_orphan_sweep_removes_unreferenced_objects_and_keeps_the_rest(s3, alice, settings):
    settings.ORPHAN_GRACE_HOURS = 24
    video = VideoFactory(owner=alice, with_captions=True)
    orphans = [
        default_storage.save(f"videos/{alice.pk}/{uuid.uuid4().hex}.mp4", ContentFile(b"o" * 100)),
        default_storage.save(f"uploads/{alice.pk}/{uuid.uuid4().hex}.png", ContentFile(b"u" * 20)),
        default_storage.save("videos/stray.mp4", ContentFile(b"s" * 3)),
    ]
    orphan_artifact = default_storage.save(
        artifact_name(uuid.uuid4(), "plan/plan.json"), ContentFile(b"{}" * 5)
    )
    outside = default_storage.save("elsewhere/old.bin", ContentFile(b"e"))
    assert set(orphans) | {orphan_artifact, outside} <= set(s3.keys())

    # Objects cannot be back-dated on S3: the sweep runs two days from now instead.
    report = orphans_sweep(now=timezone.now() + 2 * DAY)

    assert s3.keys() == sorted([*stored(video), outside])
    assert (report.orphan_files.count, report.orphan_files.bytes) == (3, 123)
    assert (report.orphan_artifacts.count, report.orphan_artifacts.bytes) == (1, 10)


def test_the_orphan_sweep_leaves_objects_younger_than_the_grace_period(s3, alice, settings):
    settings.ORPHAN_GRACE_HOURS = 24
    young = default_storage.save(f"videos/{alice.pk}/being-written.mp4", ContentFile(b"f"))

    report = orphans_sweep()

    assert s3.keys() == [young] and report.orphan_files.count == 0


@pytest.fixture
def fresh_storage_check():
    system_api._storage_checked.clear()
    yield
    system_api._storage_checked.clear()


def test_health_writes_reads_and_deletes_an_object_in_the_bucket(s3, api_for, fresh_storage_check):
    mark = s3.server.log_mark()

    check = api_for().get("/api/v1/health").json()["checks"]["storage"]

    assert check["ok"] is True and check["backend"] == "MediaS3Storage"

    def methods():
        requests = s3.server.requests_since(mark)
        return {m for m, path, _ in requests if path.startswith(f"/{s3.name}/health/")}

    # The server logs each request just after answering it.
    wait_for(lambda: {"PUT", "GET", "DELETE"} <= methods(), 30, "the check's requests")
    assert s3.keys() == [], "the check leaves nothing behind"


def test_health_reports_a_bucket_that_is_gone(s3, api_for, fresh_storage_check):
    s3.server.client.delete_bucket(Bucket=s3.name)

    response = api_for().get("/api/v1/health")

    check = response.json()["checks"]["storage"]
    assert check["ok"] is False and "NoSuchBucket" in check["error"]
    # The storage only reports: the site is still up if its database and broker are.
    assert response.status_code == 200
