from django.core.exceptions import ValidationError

from accounts.prepared import Param, PreparedQuery
from pipeline.engine.artifacts import job_artifact_files
from pipeline.models import Job

# Every read of one job (the API, its page, its live socket): compiled once per thread.
JOB_WITH_RESULT = PreparedQuery(
    Job.objects.select_related("result").filter(pk=Param("pk", Job._meta.pk))
)


def job_visible_to(user, job_id) -> Job | None:
    """The job, with its video, if this person may see it (their own; staff see everyone's),
    else None."""
    try:
        job = JOB_WITH_RESULT.first(pk=job_id)
    except ValidationError:  # not a job id at all
        return None
    if job is None or not (user.is_staff or job.owner_id == user.pk):
        return None
    return job


def job_artifact(job: Job, path: str) -> dict | None:
    """The stored artifact at `path` (as the work folder names it), or None: only the names
    the job's manifest records can be asked for, so no path can reach anything else."""
    return next((item for item in job_artifact_files(job.manifest) if item["path"] == path), None)
