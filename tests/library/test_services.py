"""The media library's services: what is kept of an upload, what is refused and why."""

import io
import os
import time
import zipfile

import av
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from pipeline.cleanup import orphans_sweep
from pipeline.library.services import media_create, media_delete, tags_clean
from pipeline.models import MediaItem
from pipeline.quotas import StorageQuotaExceeded, storage_used_by
from tests.accounts.imagefiles import image_bytes, png_claiming
from tests.library.clipfiles import audio_only_bytes, clip_bytes, upload

pytestmark = pytest.mark.django_db


def refused(owner, data, name="clip.mp4", **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        media_create(owner=owner, file=upload(data, name), **kwargs)
    return " ".join(caught.value.message_dict["file"])


def test_clip_is_remuxed_to_a_fresh_mp4_with_the_video_stream_alone(alice):
    item = media_create(owner=alice, file=upload(clip_bytes(2.0)), tags="Sea, waves ,sea")
    assert item.kind == "video" and item.format == "MP4"
    assert item.tags == ["sea", "waves"]
    assert item.original_name == "clip.mp4"
    assert (item.width, item.height) == (160, 120)
    assert item.duration == pytest.approx(2.0, abs=0.15)
    with default_storage.open(item.file.name) as stored:
        data = stored.read()
    with av.open(io.BytesIO(data)) as container:
        assert [s.type for s in container.streams] == ["video"]  # the sound is gone
        assert container.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in container.decode(video=0)) == 20
    assert item.size == len(data) + item.thumbnail.size
    with default_storage.open(item.thumbnail.name) as thumb, Image.open(thumb) as poster:
        assert poster.format == "JPEG" and poster.getpixel((5, 5))[0] > 150  # red first frame


def test_picture_is_decoded_and_reencoded(alice):
    item = media_create(
        owner=alice, file=upload(image_bytes("PNG"), "Lighthouse.png", "image/png"), tags=[]
    )
    assert (item.kind, item.format, item.width, item.height) == ("image", "PNG", 320, 200)
    assert item.duration is None and item.original_name == "Lighthouse.png"


def test_html_named_mp4_is_refused(alice):
    message = refused(alice, b"<!doctype html><html><script>alert(1)</script></html>")
    assert "not one" in message
    assert not MediaItem.objects.exists()


def test_truncated_mp4_is_refused(alice):
    data = clip_bytes(3.0, faststart=True)  # the index first, so the cut hits the frames
    message = refused(alice, data[: len(data) // 2])
    assert "damaged or cut short" in message


def test_mp4_missing_its_index_is_refused(alice):
    data = clip_bytes(3.0)  # index at the end: cutting the end loses it
    assert "not one" in refused(alice, data[: len(data) // 2])


def test_sound_only_file_is_refused(alice):
    assert "no picture" in refused(alice, audio_only_bytes(), "song.mp4")


def test_overlong_clip_is_refused(alice, settings):
    settings.MEDIA_CLIP_MAX_SECONDS = 1
    assert "the limit is 1 s" in refused(alice, clip_bytes(2.0))


def test_other_codecs_are_refused_with_what_to_upload(alice):
    data = clip_bytes(1.0, codec="libvpx-vp9", fmt="webm", audio=False)
    assert "upload H.264" in refused(alice, data, "clip.webm")


def test_picture_declaring_billions_of_pixels_is_refused_from_its_header(alice):
    assert "too many pixels" in refused(alice, png_claiming(100_000, 100_000), "bomb.png")
    assert "8000×8000 pixels" in refused(alice, png_claiming(8000, 8000), "big.png")


def test_zip_named_mp4_is_refused(alice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.bin", b"\0" * 5_000_000)
    assert "not one" in refused(alice, buffer.getvalue())


def test_oversized_clip_is_refused_before_probing(alice, settings):
    settings.MEDIA_CLIP_MAX_BYTES = 1000
    assert "too large" in refused(alice, clip_bytes(1.0))


def test_tags_are_checked_by_name():
    with pytest.raises(ValidationError) as caught:
        tags_clean(["x" * 41])
    assert "tags" in caught.value.message_dict
    with pytest.raises(ValidationError):
        tags_clean([f"t{n}" for n in range(21)])


def test_library_counts_in_the_quota(alice, bob, settings):
    item = media_create(owner=alice, file=upload(clip_bytes(1.0)))
    assert storage_used_by(user=alice) == item.size > 0
    assert storage_used_by(user=bob) == 0
    settings.USER_STORAGE_QUOTA_BYTES = item.size + 10
    with pytest.raises(StorageQuotaExceeded):
        media_create(owner=alice, file=upload(clip_bytes(1.0)))
    assert MediaItem.objects.count() == 1


def test_delete_removes_the_files_after_commit(alice, django_capture_on_commit_callbacks):
    item = media_create(owner=alice, file=upload(clip_bytes(1.0)))
    names = [item.file.name, item.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        media_delete(item=item)
    assert not MediaItem.objects.exists()
    assert not any(default_storage.exists(n) for n in names)
    assert storage_used_by(user=alice) == 0


def test_admin_delete_removes_the_files(client, alice, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    item = media_create(owner=alice, file=upload(clip_bytes(1.0)))
    client.force_login(UserFactory(superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pipeline/mediaitem/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not MediaItem.objects.exists() and not default_storage.exists(item.file.name)


@pytest.mark.django_db(transaction=True)
def test_orphan_sweep_covers_the_library_folder(alice, settings):
    settings.ORPHAN_GRACE_HOURS = 1
    item = media_create(owner=alice, file=upload(clip_bytes(1.0)))
    orphan = default_storage.save(f"media/{alice.pk}/left-behind.mp4", ContentFile(b"x" * 10))
    old = time.time() - 3 * 3600
    for name in (item.file.name, item.thumbnail.name, orphan):
        os.utime(default_storage.path(name), (old, old))
    orphans_sweep()
    assert not default_storage.exists(orphan)
    assert default_storage.exists(item.file.name) and default_storage.exists(item.thumbnail.name)
