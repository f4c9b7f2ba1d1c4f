from pathlib import Path

from django.urls import reverse

from pipeline.models import Job
from pipeline.runner import job_workdir

# Worker internals (child process logs) are not artifacts.
_PRIVATE_FOLDERS = {"logs"}


def jobs_visible_to(user):
    """Jobs a person may see: their own; staff see everyone's."""
    jobs = Job.objects.select_related("result")
    if user.is_staff:
        return jobs
    return jobs.filter(owner=user)


def job_artifact_files(job: Job) -> list[dict]:
    """The files in a job's work folder, for the owner to look at or download."""
    workdir = job_workdir(job.id)
    if not workdir.is_dir():
        return []
    files = []
    for path in sorted(workdir.rglob("*")):
        relative = path.relative_to(workdir)
        # The same checks as serving a file: no private folders, no links leading outside.
        target = job_artifact_path(job, relative.as_posix())
        if target is None:
            continue
        files.append(
            {
                "path": relative.as_posix(),
                "size": target.stat().st_size,
                "url": reverse("api-job-artifact", args=[job.id, relative.as_posix()]),
            }
        )
    return files


def job_artifact_path(job: Job, path: str) -> Path | None:
    """The file `path` names inside the job's work folder, or None (never outside it)."""
    workdir = job_workdir(job.id).resolve()
    try:
        # Links are followed before the check, so one pointing outside the folder is refused.
        target = (workdir / path).resolve()
        if not target.is_relative_to(workdir) or not target.is_file():
            return None
    except (ValueError, OSError):  # a NUL byte, a name too long for the file system
        return None
    if target.relative_to(workdir).parts[0] in _PRIVATE_FOLDERS:
        return None
    return target
