"""Every change to a video goes through here: the pages, the API, the admin and the worker."""

import logging
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.files import stored_files_delete
from gallery.media import PosterError, poster_jpeg, probe
from gallery.models import Report, Video

logger = logging.getLogger(__name__)

TITLE_MAX = 200
HIDE_REASON_DEFAULT = "Hidden by a moderator"
AUTO_HIDE_REASON = "Pending review: several people reported this video"
POSTER_AT_SECONDS = 1.0

# Characters that would let a title break a layout or disguise itself (bidirectional
# overrides reverse the text around them); other format characters such as the zero-width
# joiner in emoji sequences are fine.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}

# What hide and unhide change.
MODERATION_FIELDS = ["moderation", "hidden_reason", "hidden_at", "hidden_by", "reviewed",
                     "updated_at"]  # fmt: skip


class ReportError(Exception):
    """A report that cannot be accepted; the message says why, in words for the reporter."""


class AlreadyReported(ReportError):
    pass


class OwnVideoReport(ReportError):
    pass


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in _BIDI_CONTROLS


def _clean_title(title: str) -> str:
    """For titles a generator proposes: tidied rather than refused, since nobody is there."""
    title = "".join(" " if _is_control(c) else c for c in (title or ""))
    title = " ".join(title.split())
    return title[:TITLE_MAX] or "Untitled video"


def title_validate(title) -> str:
    """A title a person typed: refused with a message when it cannot be shown as it is."""
    if not isinstance(title, str):
        raise ValidationError({"title": ["Enter a title."]}, code="invalid")
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["The title cannot be empty."]}, code="blank")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": [f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."]},
            code="max_length",
        )
    if any(_is_control(c) for c in title):
        raise ValidationError(
            {"title": ["The title cannot contain control characters or line breaks."]},
            code="control_characters",
        )
    return title


@transaction.atomic
def video_create(*, owner, job_id, title: str, video_path: Path, **render) -> Video:
    """Stores a finished render through the storage API and records what it contains, with
    its measured loudness and what the check before delivery found (`render`: what
    `_render_attach` takes besides the file)."""
    video = Video(owner=owner, job_id=job_id, title=_clean_title(title))
    _render_attach(video, video_path=video_path, **render)
    return video


@transaction.atomic
def video_revise(*, video: Video, video_path: Path, **render) -> Video:
    """Replaces a video's render with a new one of the same job (made after its plan was
    edited): the new files are stored under new names, the row points at them, and the old
    files go once that is committed, so the old render is served until the new one is in
    place. Title, visibility, moderation and reports stay."""
    old = [getattr(video, name).name for name in Video.FILE_FIELDS if getattr(video, name)]
    storage = video.file.storage
    for name in Video.FILE_FIELDS:
        setattr(video, name, None)
    video.revised_at = timezone.now()
    _render_attach(video, video_path=video_path, **render)
    transaction.on_commit(lambda: stored_files_delete(storage, old))
    return video


def _render_attach(
    video: Video,
    *,
    video_path: Path,
    poster_path: Path | None = None,
    vtt_path: Path | None = None,
    srt_path: Path | None = None,
    captions_burned: bool = False,
    loudness: dict | None = None,
    checks: list[dict] | None = None,
    plan_revision: int = 0,
) -> None:
    """Stores the render's files for `video`, records what the file holds, and saves the row;
    on failure the files stored here are deleted again."""
    info = probe(video_path)
    poster = None
    if poster_path is None and info.width:
        # Made once, here in the worker that has the file, never on request in a web process.
        at = min(POSTER_AT_SECONDS, max(0.0, info.duration / 2))
        try:
            poster = ContentFile(poster_jpeg(video_path, at), name="poster.jpg")
        except PosterError as exc:
            logger.warning("no poster for %s: %s", video_path, exc)
    video.duration = info.duration
    video.width = info.width
    video.height = info.height
    video.fps = info.fps
    video.size = Path(video_path).stat().st_size
    video.has_audio = info.has_audio
    video.captions_burned = bool(captions_burned)
    video.loudness = loudness or {}
    video.checks = checks or []
    video.plan_revision = plan_revision
    saved = []
    for field, path in (
        ("file", video_path),
        ("poster", poster_path),
        ("captions_vtt", vtt_path),
        ("captions_srt", srt_path),
    ):
        if path:
            with open(path, "rb") as fh:
                getattr(video, field).save(Path(path).name, File(fh), save=False)
            saved.append(getattr(video, field).name)
    if poster is not None:
        video.poster.save(poster.name, poster, save=False)
        saved.append(video.poster.name)
    storage = video.file.storage
    try:
        video.save()
    except Exception:
        for name in saved:
            storage.delete(name)
        raise


def video_rename(*, video: Video, title: str) -> Video:
    """Changes only the title: files keep their random names, so a title is never a path."""
    video.title = title_validate(title)
    video.save(update_fields=["title", "updated_at"])
    return video


def video_set_visibility(*, video: Video, visibility: str) -> Video:
    if visibility not in Video.Visibility.values:
        choices = ", ".join(Video.Visibility.values)
        raise ValidationError({"visibility": [f"Choose one of: {choices}."]}, code="invalid_choice")
    video.visibility = visibility
    video.save(update_fields=["visibility", "updated_at"])
    return video


def video_hide(*, video: Video, by, reason: str = "") -> Video:
    """A moderator takes a video out of sight; its owner still sees it, with the reason."""
    reason = " ".join((reason or "").split())[:300] or HIDE_REASON_DEFAULT
    video.moderation = Video.Moderation.HIDDEN
    video.hidden_reason = reason
    video.hidden_at = timezone.now()
    video.hidden_by = by
    video.reviewed = True
    video.save(update_fields=MODERATION_FIELDS)
    return video


def video_unhide(*, video: Video, by) -> Video:
    """Puts a video back. It counts as reviewed, so the reports it already has (and more of
    the same) do not hide it again by themselves; a moderator can still hide it."""
    video.moderation = Video.Moderation.VISIBLE
    video.hidden_reason = ""
    video.hidden_at = None
    video.hidden_by = None
    video.reviewed = True
    video.save(update_fields=MODERATION_FIELDS)
    logger.info("video %s unhidden by %s", video.pk, getattr(by, "pk", None))
    return video


def auto_hide_threshold() -> int:
    return int(getattr(settings, "REPORTS_AUTO_HIDE_THRESHOLD", 3))


def video_report(*, video: Video, reporter, reason: str, text: str = "") -> Report:
    """Records a complaint; enough of them hide the video until a moderator looks at it.

    One report per person and video (a second raises AlreadyReported), so one person cannot
    take a video down alone. The count and the hide are conditional updates, so reports that
    arrive together neither lose a count nor hide twice."""
    if video.owner_id == reporter.pk:
        raise OwnVideoReport("You cannot report your own video.")
    if reason not in Report.Reason.values:
        raise ValidationError(
            {"reason": [f"Choose one of: {', '.join(Report.Reason.values)}."]},
            code="invalid_choice",
        )
    text = (text or "").strip()
    if len(text) > Report.TEXT_MAX:
        raise ValidationError(
            {"text": [f"Keep it to {Report.TEXT_MAX} characters (it has {len(text)})."]},
            code="max_length",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    video=video, reporter=reporter, reason=reason, text=text
                )
        except IntegrityError:
            raise AlreadyReported("You have already reported this video.")
        Video.objects.filter(pk=video.pk).update(report_count=F("report_count") + 1)
        Video.objects.filter(
            pk=video.pk,
            moderation=Video.Moderation.VISIBLE,
            reviewed=False,
            report_count__gte=auto_hide_threshold(),
        ).update(
            moderation=Video.Moderation.PENDING,
            hidden_reason=AUTO_HIDE_REASON,
            hidden_at=timezone.now(),
            hidden_by=None,
        )
    video.refresh_from_db(
        fields=["report_count", "moderation", "hidden_reason", "hidden_at", "hidden_by"]
    )
    return report


def video_delete(*, video: Video) -> None:
    """Deletes the row, then its files once the deletion is committed (so a rollback never
    leaves a row without its files)."""
    fields = Video.FILE_FIELDS
    names = {getattr(video, f).name for f in fields}
    # A poster made since this instance was loaded is on the row, not on the instance.
    stored = Video.objects.filter(pk=video.pk).values_list(*fields).first() or ()
    names = sorted(n for n in names.union(stored) if n)
    storage = video.file.storage
    video.delete()
    transaction.on_commit(lambda: stored_files_delete(storage, names))
