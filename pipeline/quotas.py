"""What a person may still start and store: the active-job cap, the per-user storage quota and
the site-wide storage cap.

Stored bytes are the videos' MP4 files (`Video.size`), the reference images (`Upload.size`) and
the media library's pictures and clips (`MediaItem.size`),
both recorded on their rows when stored, so counting them never touches the storage. Posters
and captions are small beside their videos and are not counted.
"""

from django.conf import settings
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat

from gallery.models import Video
from pipeline.errors import GeneratorError
from pipeline.models import Job, MediaItem, Upload


class JobLimit(Exception):
    """A limit that stops a job from being created or queued again, or a file from being
    stored. `as_dict()` is the body the API answers with."""

    status_code = 403
    code = "limit_exceeded"
    quota = ""

    def __init__(self, message: str, *, used: int, limit: int):
        super().__init__(message)
        self.message = message
        self.used = used
        self.limit = limit

    def as_dict(self) -> dict:
        return {
            "detail": self.message,
            "code": self.code,
            "quota": self.quota,
            "used": self.used,
            "limit": self.limit,
        }


class ActiveJobLimit(JobLimit):
    status_code = 429
    code = "too_many_active_jobs"
    quota = "active_jobs"

    def __init__(self, limit: int, used: int | None = None):
        super().__init__(
            f"You already have {limit} active jobs, the most allowed at once "
            "(MAX_ACTIVE_JOBS_PER_USER). Wait for one to finish or cancel one.",
            used=limit if used is None else used,
            limit=limit,
        )


class StorageQuotaExceeded(JobLimit):
    """The person's own storage quota (`quota == "user"`) or the site's cap (`"site"`)."""

    def __init__(self, *, quota: str, used: int, limit: int, adding: int = 0):
        self.quota = quota
        self.adding = adding
        self.code = "storage_quota_exceeded" if quota == "user" else "storage_cap_exceeded"
        whose, setting = (
            ("Your videos and uploads use", "USER_STORAGE_QUOTA_MB")
            if quota == "user"
            else ("Everyone's videos and uploads use", "STORAGE_CAP_MB")
        )
        what = "your storage quota" if quota == "user" else "the site's storage cap"
        if adding:
            message = (
                f"{whose} {used} bytes ({filesizeformat(used)}); storing {adding} more bytes "
                f"({filesizeformat(adding)}) would pass {what} of {limit} bytes "
                f"({filesizeformat(limit)}, {setting})."
            )
        else:
            message = (
                f"{whose} {used} bytes ({filesizeformat(used)}), {what} is {limit} bytes "
                f"({filesizeformat(limit)}, {setting}): nothing new can be stored."
            )
        super().__init__(message, used=used, limit=limit)

    @property
    def hint(self) -> str:
        if self.quota == "user":
            return (
                "Delete videos you no longer need from your gallery, then retry: the finished "
                "stages are kept."
            )
        return "The site is out of storage; an administrator must free space or raise the cap."


class StorageQuotaError(GeneratorError):
    """A finished video that would not fit: fails the job for good (retrying cannot help
    until space is freed)."""

    def __init__(self, exc: StorageQuotaExceeded):
        super().__init__(exc.message, permanent=True, hint=exc.hint)
        self.quota = exc


def _stored_bytes(**owner) -> int:
    return sum(
        model.objects.filter(**owner).aggregate(n=Sum("size"))["n"] or 0
        for model in (Video, Upload, MediaItem)
    )


def storage_used_by(*, user) -> int:
    return _stored_bytes(owner=user)


def storage_used_total() -> int:
    return _stored_bytes()


def active_jobs_of(*, user) -> int:
    return Job.objects.filter(owner=user, status__in=Job.ACTIVE).count()


def storage_check(*, user, adding: int = 0) -> None:
    """Raises StorageQuotaExceeded when storing `adding` more bytes would pass the person's
    quota or the site's cap; with `adding=0`, when there is no room left at all."""
    checks = (
        ("user", settings.USER_STORAGE_QUOTA_BYTES, lambda: storage_used_by(user=user)),
        ("site", settings.STORAGE_CAP_BYTES, storage_used_total),
    )
    for quota, limit, used_now in checks:
        if not limit:
            continue
        used = used_now()
        if (used + adding > limit) if adding else (used >= limit):
            raise StorageQuotaExceeded(quota=quota, used=used, limit=limit, adding=adding)


def job_limits_check(*, user) -> None:
    """What must hold before a job is queued (created, retried or continued). Call it inside
    the transaction that queues the job, with the owner's row locked."""
    active = active_jobs_of(user=user)
    if active >= settings.MAX_ACTIVE_JOBS_PER_USER:
        raise ActiveJobLimit(settings.MAX_ACTIVE_JOBS_PER_USER, used=active)
    storage_check(user=user)


def user_usage(user) -> dict:
    """What the profile page and `GET auth/me` show; a quota of None means unlimited."""
    return {
        "storage_used": storage_used_by(user=user),
        "storage_quota": settings.USER_STORAGE_QUOTA_BYTES or None,
        "active_jobs": active_jobs_of(user=user),
        "active_jobs_limit": settings.MAX_ACTIVE_JOBS_PER_USER,
    }
