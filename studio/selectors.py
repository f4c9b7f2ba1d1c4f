from pipeline.engine.artifacts import job_artifact_files
from pipeline.models import Job


def jobs_visible_to(user):
    """Jobs a person may see: their own; staff see everyone's."""
    jobs = Job.objects.select_related("result")
    if user.is_staff:
        return jobs
    return jobs.filter(owner=user)


def job_artifact(job: Job, path: str) -> dict | None:
    """The stored artifact at `path` (as the work folder names it), or None: only the names
    the job's manifest records can be asked for, so no path can reach anything else."""
    return next((item for item in job_artifact_files(job.manifest) if item["path"] == path), None)
