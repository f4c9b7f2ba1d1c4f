import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class PipelineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pipeline"

    def ready(self):
        from django_q.signals import post_spawn

        from pipeline import checks  # noqa: F401  (registers the system checks)

        post_spawn.connect(_recover_on_spawn, dispatch_uid="pipeline.recover_on_spawn")


def _recover_on_spawn(sender, **kwargs):
    """A worker that starts (the cluster starting, or a killed worker being replaced) first
    puts back jobs whose worker died, so they resume within seconds instead of minutes; then
    it sweeps its own work folders."""
    from pipeline.engine.runner import jobs_reap, work_dirs_sweep_due

    try:
        jobs_reap(worker_start=True)
    except Exception:
        logger.exception("could not recover jobs at worker start")
    work_dirs_sweep_due(force=True)
