"""django-q2 tasks: thin wrappers that load nothing and call the runner."""

from pipeline.runner import job_run, jobs_reap


def run_job(job_id: str) -> str:
    return job_run(job_id=job_id)


def reap_jobs() -> int:
    return jobs_reap()
