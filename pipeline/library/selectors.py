"""Reads of the media library."""

from pipeline.models import MediaItem, Upload


def media_of(*, user, tag: str = "", q: str = "", kind: str = ""):
    """The person's own items, newest first; `tag` matches a whole tag, `q` any part of a tag
    or of the original file name."""
    items = MediaItem.objects.filter(owner=user)
    if kind:
        items = items.filter(kind=kind)
    rows = list(items)
    tag = tag.strip().lower()
    q = q.strip().lower()
    if tag:
        rows = [r for r in rows if tag in r.tags]
    if q:
        rows = [r for r in rows if q in r.original_name.lower() or any(q in t for t in r.tags)]
    return rows


def media_get_for(*, user, item_id):
    """The item if it is the person's own, else None (a stranger's item is a 404, staff
    included: a library is private)."""
    return MediaItem.objects.filter(pk=item_id, owner=user).first()


def media_any(*, user) -> bool:
    return MediaItem.objects.filter(owner=user).exists()


def reference_of(*, owner_id, item_id) -> Upload | MediaItem | None:
    """What a job's reference picture id names: the owner's upload with it, else the item of
    their library with it (a picture or a clip: the caller says why a clip will not do), else
    None (someone else's, or gone)."""
    upload = Upload.objects.filter(pk=item_id, owner_id=owner_id).first()
    return upload or MediaItem.objects.filter(pk=item_id, owner_id=owner_id).first()
