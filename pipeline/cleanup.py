"""Retention and the orphan sweep: what the scheduled tasks and `POST api/v1/cleanup` run.

- Retention: videos older than VIDEO_RETENTION_DAYS are deleted with their files (0 keeps them
  forever); the stage artifacts in storage and the work folders of jobs that finished more
  than JOB_WORK_RETENTION_DAYS ago are removed (never an active or paused job's).
- Orphans: files in storage under the app's folders that no row refers to, stored artifacts
  and work folders whose job is gone, once they are older than ORPHAN_GRACE_HOURS (a file
  being stored right now is young, and kept).

Storage is listed and deleted only through the storage API (`listdir`, `get_modified_time`),
so this works the same on S3, from any process. Work folders are each worker's private local
folders: every worker sweeps its own (`work_dirs_sweep`) when it starts and then at most
every WORK_SWEEP_SECONDS, after a job.
"""

import logging
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gallery.models import Video
from gallery.services import video_delete
from pipeline.engine.artifacts import PREFIX as ARTIFACTS_PREFIX
from pipeline.engine.runner import job_workdir
from pipeline.models import Job

logger = logging.getLogger(__name__)

# The folders of default storage that the app writes (see the models' upload_to).
STORAGE_PREFIXES = ("videos", "avatars", "uploads", "media")


@dataclass
class Removed:
    count: int = 0
    bytes: int = 0

    def add(self, size: int) -> None:
        self.count += 1
        self.bytes += size


@dataclass
class CleanupReport:
    videos_expired: Removed = field(default_factory=Removed)
    artifacts_expired: Removed = field(default_factory=Removed)
    work_dirs_expired: Removed = field(default_factory=Removed)
    orphan_files: Removed = field(default_factory=Removed)
    orphan_artifacts: Removed = field(default_factory=Removed)
    orphan_work_dirs: Removed = field(default_factory=Removed)

    def as_dict(self) -> dict:
        parts = asdict(self)
        parts["total"] = {
            "count": sum(p["count"] for p in parts.values()),
            "bytes": sum(p["bytes"] for p in parts.values()),
        }
        return parts


# --- retention ------------------------------------------------------------------------------


def _stored_size(storage, name: str) -> int:
    try:
        return storage.size(name)
    except (OSError, NotImplementedError):
        return 0  # already gone


def videos_expire(*, report: CleanupReport, now: datetime) -> None:
    days = settings.VIDEO_RETENTION_DAYS
    if not days:
        return
    expired = Video.objects.filter(created_at__lt=now - timedelta(days=days))
    for video in expired.iterator():
        storage = video.file.storage
        size = sum(
            _stored_size(storage, getattr(video, name).name)
            for name in Video.FILE_FIELDS
            if getattr(video, name)
        )
        video_delete(video=video)
        report.videos_expired.add(size)
        logger.info("video %s deleted: older than %s days", video.pk, days)


def _dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _remove_dir(path: Path, removed: Removed) -> None:
    size = _dir_size(path)
    shutil.rmtree(path, ignore_errors=True)
    if not path.exists():
        removed.add(size)


def _work_dirs() -> dict[uuid.UUID, Path]:
    """The job work folders on this host, by job id (other entries are left alone)."""
    root = Path(settings.JOB_WORK_DIR)
    found = {}
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return found
    for entry in entries:
        try:
            job_id = uuid.UUID(entry.name)
        except ValueError:
            continue
        if entry.is_dir(follow_symlinks=False) and job_workdir(job_id) == Path(entry.path):
            found[job_id] = Path(entry.path)
    return found


def work_dirs_expire(*, report: CleanupReport, now: datetime) -> None:
    days = settings.JOB_WORK_RETENTION_DAYS
    if not days:
        return
    dirs = _work_dirs()
    if not dirs:
        return
    # Conditional on the job's state at this moment: a job queued again (retry, continue)
    # is active and keeps its folder.
    expired = Job.objects.filter(
        pk__in=list(dirs),
        status__in=Job.FINISHED,
        finished_at__lt=now - timedelta(days=days),
    ).values_list("pk", flat=True)
    for job_id in expired:
        _remove_dir(dirs[job_id], report.work_dirs_expired)


def _artifact_jobs(storage) -> dict[uuid.UUID, str]:
    """The jobs that have stage artifacts in storage, by id, with their folder."""
    try:
        folders, _files = storage.listdir(ARTIFACTS_PREFIX)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {}
    for name in folders:
        try:
            found[uuid.UUID(name)] = f"{ARTIFACTS_PREFIX}/{name}"
        except ValueError:
            continue
    return found


def _remove_stored_folder(storage, folder: str, removed: Removed) -> None:
    for name in list(_walk(storage, folder)):
        size = _stored_size(storage, name)
        storage.delete(name)
        removed.add(size)


def artifacts_expire(*, report: CleanupReport, now: datetime, storage=None) -> None:
    days = settings.JOB_WORK_RETENTION_DAYS
    storage = storage or default_storage
    if not days:
        return
    stored = _artifact_jobs(storage)
    if not stored:
        return
    expired = Job.objects.filter(
        pk__in=list(stored), status__in=Job.FINISHED, finished_at__lt=now - timedelta(days=days)
    )
    for job in expired.only("pk", "manifest"):
        _remove_stored_folder(storage, stored[job.pk], report.artifacts_expired)
        # Nothing to fetch any more: a stage whose files are gone runs again if needed.
        manifest = job.manifest or {}
        for record in manifest.get("stages", {}).values():
            record.pop("files", None)
        Job.objects.filter(pk=job.pk).update(manifest=manifest)


# --- orphans --------------------------------------------------------------------------------


def _file_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        if names:
            found.append((model, names))
    return found


def _referenced(file_fields, *, folder: str = "", names: list[str] | None = None) -> set[str]:
    """The stored names under `folder/` (or among `names`) that some row refers to."""
    referenced = set()
    for model, fields in file_fields:
        condition = Q()
        for name in fields:
            if names is None:
                condition |= Q(**{f"{name}__startswith": f"{folder}/"})
            else:
                condition |= Q(**{f"{name}__in": names})
        for row in model._default_manager.filter(condition).values_list(*fields):
            referenced.update(n for n in row if n)
    return referenced


def _walk(storage, folder: str):
    """Every file under `folder` (recursively), through the storage API."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}")


def _older_than(storage, name: str, moment: datetime) -> bool:
    """Whether the stored file was last written before `moment` (False when that is unknown
    or the file is gone: only what is surely old is removed)."""
    try:
        modified = storage.get_modified_time(name)
    except (OSError, NotImplementedError):
        return False
    if timezone.is_naive(modified):
        modified = timezone.make_aware(modified)
    return modified < moment


def orphan_files_sweep(*, report: CleanupReport, now: datetime, storage=None) -> None:
    storage = storage or default_storage
    grace = now - timedelta(hours=settings.ORPHAN_GRACE_HOURS)
    file_fields = _file_fields()
    for prefix in STORAGE_PREFIXES:
        try:
            owners, loose = storage.listdir(prefix)
        except (FileNotFoundError, NotADirectoryError):
            continue
        # One folder at a time (a person's), so the names held in memory stay few.
        groups = [(list(_walk(storage, f"{prefix}/{d}")), f"{prefix}/{d}") for d in owners]
        groups.append(([f"{prefix}/{n}" for n in loose], None))
        for candidates, folder in groups:
            if not candidates:
                continue
            if folder is None:
                referenced = _referenced(file_fields, names=candidates)
            else:
                referenced = _referenced(file_fields, folder=folder)
            for name in candidates:
                if name in referenced or not _older_than(storage, name, grace):
                    continue
                size = _stored_size(storage, name)
                storage.delete(name)
                report.orphan_files.add(size)
                logger.info("orphan file %s removed (%s bytes)", name, size)


def orphan_artifacts_sweep(*, report: CleanupReport, now: datetime, storage=None) -> None:
    storage = storage or default_storage
    grace = now - timedelta(hours=settings.ORPHAN_GRACE_HOURS)
    stored = _artifact_jobs(storage)
    known = set(Job.objects.filter(pk__in=list(stored)).values_list("pk", flat=True))
    for job_id, folder in stored.items():
        if job_id in known:
            continue
        for name in list(_walk(storage, folder)):
            if _older_than(storage, name, grace):
                size = _stored_size(storage, name)
                storage.delete(name)
                report.orphan_artifacts.add(size)


def orphan_work_dirs_sweep(*, report: CleanupReport, now: datetime) -> None:
    grace = (now - timedelta(hours=settings.ORPHAN_GRACE_HOURS)).timestamp()
    dirs = _work_dirs()
    if not dirs:
        return
    known = set(Job.objects.filter(pk__in=list(dirs)).values_list("pk", flat=True))
    for job_id, path in dirs.items():
        if job_id in known:
            continue
        try:
            if path.stat().st_mtime >= grace:
                continue
        except FileNotFoundError:
            continue
        _remove_dir(path, report.orphan_work_dirs)


# --- entry points ---------------------------------------------------------------------------


def retention_run(*, now: datetime | None = None) -> CleanupReport:
    """Scheduled, on any worker: what is past its time in storage."""
    report = CleanupReport()
    now = now or timezone.now()
    videos_expire(report=report, now=now)
    artifacts_expire(report=report, now=now)
    return report


def orphans_sweep(*, now: datetime | None = None) -> CleanupReport:
    """Scheduled, on any worker: what nothing refers to any more in storage."""
    report = CleanupReport()
    now = now or timezone.now()
    orphan_files_sweep(report=report, now=now)
    orphan_artifacts_sweep(report=report, now=now)
    return report


def work_dirs_sweep(*, now: datetime | None = None) -> CleanupReport:
    """On each worker, for its own JOB_WORK_DIR: old folders of finished jobs, and folders
    whose job is gone."""
    report = CleanupReport()
    now = now or timezone.now()
    work_dirs_expire(report=report, now=now)
    orphan_work_dirs_sweep(report=report, now=now)
    return report


def cleanup_run(*, now: datetime | None = None) -> CleanupReport:
    """Retention, the orphan sweep and this host's work folders (`POST api/v1/cleanup`)."""
    now = now or timezone.now()
    report = CleanupReport()
    for part in (retention_run(now=now), orphans_sweep(now=now), work_dirs_sweep(now=now)):
        for name, removed in vars(part).items():
            getattr(report, name).count += removed.count
            getattr(report, name).bytes += removed.bytes
    return report
