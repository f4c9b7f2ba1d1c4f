"""django-q2 tasks: thin wrappers that load nothing and call the runner."""

from pipeline.engine.runner import job_run, jobs_reap


def run_job(job_id: str) -> str:
    return job_run(job_id=job_id)


def reap_jobs() -> int:
    return jobs_reap()


def expire_old_files() -> dict:
    """Scheduled: videos past VIDEO_RETENTION_DAYS, old work folders of finished jobs."""
    from pipeline.cleanup import retention_run

    return retention_run().as_dict()


def sweep_orphans() -> dict:
    """Scheduled: stored files and work folders that nothing refers to any more."""
    from pipeline.cleanup import orphans_sweep

    return orphans_sweep().as_dict()
