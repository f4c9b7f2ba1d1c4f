"""Changes to a person's media library. The API, the Library page and the stock downloads all
come through here."""

import io
import logging
import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from accounts.images import image_validate_and_reencode
from pipeline.library.clipcheck import clip_validate_and_remux
from pipeline.models import MediaItem
from pipeline.quotas import storage_check

logger = logging.getLogger(__name__)

TAGS_MAX = 20
TAG_MAX_CHARS = 40
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def tags_clean(tags) -> list[str]:
    """A list of lower-case tags from a list or a comma-separated string; raises
    ValidationError({"tags": ...}) when there are too many or one is too long."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise ValidationError({"tags": ["Give the tags as text, separated by commas."]})
    clean = []
    for tag in tags:
        tag = re.sub(r"\s+", " ", tag).strip().lower()
        if not tag or tag in clean:
            continue
        if len(tag) > TAG_MAX_CHARS:
            raise ValidationError(
                {"tags": [f"The tag “{tag[:20]}…” is longer than {TAG_MAX_CHARS} characters."]}
            )
        clean.append(tag)
    if len(clean) > TAGS_MAX:
        raise ValidationError({"tags": [f"At most {TAGS_MAX} tags; {len(clean)} were given."]})
    return clean


def _looks_like_image(file) -> bool:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((640, 640))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def media_create(*, owner, file, tags=None, original_name: str = "", **source) -> MediaItem:
    """Validates a picture or clip and stores it in the owner's library.

    Pictures are decoded and re-encoded (accounts/images.py); clips are probed and their video
    stream alone re-muxed into a fresh MP4 (pipeline/library/clipcheck.py). Raises
    ValidationError keyed by field ("file" or "tags"), or StorageQuotaExceeded. `source` holds a
    stock file's provenance (source, source_id, source_url, author, author_url, license).
    """
    tags = tags_clean(tags)
    name = os.path.basename(original_name or getattr(file, "name", "") or "")[:255]
    try:
        if _looks_like_image(file):
            image = image_validate_and_reencode(
                file, max_bytes=settings.UPLOAD_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
            )
            kind, data, fmt = MediaItem.Kind.IMAGE, image.data, image.format
            width, height, duration = image.width, image.height, None
            poster = _thumbnail(image.data)
        else:
            clip = clip_validate_and_remux(
                file,
                max_bytes=settings.MEDIA_CLIP_MAX_BYTES,
                max_seconds=settings.MEDIA_CLIP_MAX_SECONDS,
                max_pixels=settings.IMAGE_MAX_PIXELS,
            )
            kind, data, fmt = MediaItem.Kind.VIDEO, clip.data, "MP4"
            width, height, duration = clip.width, clip.height, round(clip.duration, 3)
            poster = clip.poster
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages})
    storage_check(user=owner, adding=len(data) + len(poster))
    item = MediaItem(
        owner=owner,
        kind=kind,
        format=fmt,
        original_name=name,
        tags=tags,
        size=len(data) + len(poster),
        width=width,
        height=height,
        duration=duration,
        **source,
    )
    item.file.save(f"media.{fmt.lower()}", ContentFile(data), save=False)
    item.thumbnail.save("thumb.jpg", ContentFile(poster), save=False)
    try:
        item.save()
    except Exception:
        _delete_files(item.file.storage, [item.file.name, item.thumbnail.name])
        raise
    return item


def media_delete(*, item: MediaItem) -> None:
    """Deletes the row, then its files once that is committed. Videos already made with it
    keep their own copy of every frame."""
    names = [n for n in (item.file.name, item.thumbnail.name) if n]
    storage = item.file.storage
    item.delete()
    transaction.on_commit(lambda: _delete_files(storage, names))


def _delete_files(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            # The row is gone; a leftover file is for the orphan clean-up to find.
            logger.exception("could not delete %s", name)
