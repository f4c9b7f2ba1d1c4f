"""GET /api/v1/health: the cache and the storage are checked too, but only report.

The database and the broker really going down (503) is in test_live.py.
"""

import pytest

from tests.live.stack import free_port


def health(api_for):
    response = api_for().get("/api/v1/health")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_health_checks_the_cache_and_the_storage_with_their_latency(api_for):
    status, body = health(api_for)
    assert status == 200 and body["ok"] is True
    for name in ("cache", "storage"):
        check = body["checks"][name]
        assert check["ok"] is True, check
        assert check["latency_ms"] >= 0
    assert body["checks"]["storage"]["backend"] == "FileSystemStorage"


@pytest.mark.django_db
def test_health_leaves_no_file_behind(api_for, settings):
    health(api_for)
    assert settings.MEDIA_ROOT.exists(), "the check wrote there"
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_the_storage_is_written_at_most_once_per_few_seconds(api_for, settings, tmp_path):
    """Anonymous callers polling health do not write a file each time."""
    settings.HEALTH_STORAGE_CHECK_SECONDS = 10.0
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    _, first = health(api_for)
    assert first["checks"]["storage"]["ok"] and "reused" not in first["checks"]["storage"]
    media.chmod(0o500)  # a write now would fail
    try:
        _, second = health(api_for)
    finally:
        media.chmod(0o700)
    assert second["checks"]["storage"] == {
        **second["checks"]["storage"],
        "ok": True,
        "reused": True,
    }


@pytest.mark.django_db
def test_a_storage_that_cannot_be_written_is_named_but_is_not_an_outage(
    api_for, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    status, body = health(api_for)
    assert status == 200 and body["ok"] is True
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["error"]


@pytest.mark.django_db
def test_a_cache_server_that_is_down_is_named_but_is_not_an_outage(api_for, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }
    status, body = health(api_for)
    assert status == 200 and body["ok"] is True
    check = body["checks"]["cache"]
    assert check["ok"] is False and "ConnectionError" in check["error"]
