"""Who may see which video. Every page and API route reads through these, so the rules live
in one place; what someone may not see does not exist for them (404, never 403)."""

from django.db.models import Q

from gallery.models import Video

SHAREABLE = (Video.Visibility.UNLISTED, Video.Visibility.PUBLIC)


def _open_to_everyone() -> Q:
    # An inactive owner's videos vanish with the account, without touching the rows, so
    # reactivating the account brings them back as they were.
    return Q(
        visibility__in=SHAREABLE,
        moderation=Video.Moderation.VISIBLE,
        owner__is_active=True,
    )


def videos_visible_to(user):
    """Videos `user` may open by their link (detail, stream, download, poster, captions).

    Private: the owner and staff. Unlisted and public: anyone with the link. Hidden by
    moderation: the owner (who sees why) and staff. Staff see everything."""
    videos = Video.objects.select_related("owner")
    if user.is_authenticated and user.is_staff:
        return videos
    if user.is_authenticated:
        return videos.filter(_open_to_everyone() | Q(owner=user))
    return videos.filter(_open_to_everyone())


def videos_owned_by(user, *, visibility: str | None = None, q: str | None = None):
    """A person's own videos, newest first, for their gallery."""
    videos = Video.objects.filter(owner=user).select_related("owner")
    if visibility:
        videos = videos.filter(visibility=visibility)
    if q:
        videos = videos.filter(title__icontains=q)
    return videos.order_by("-created_at")


def videos_explore(*, q: str | None = None):
    """The public listing: public, not hidden, of active accounts. Unlisted never appears."""
    videos = Video.objects.filter(
        _open_to_everyone(), visibility=Video.Visibility.PUBLIC
    ).select_related("owner")
    if q:
        videos = videos.filter(title__icontains=q)
    return videos.order_by("-created_at")


def user_has_reported(user, video) -> bool:
    return user.is_authenticated and video.reports.filter(reporter=user).exists()
