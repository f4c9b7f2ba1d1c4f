"""Rendering a paused job's stages again within the same job, as an edit of its plan does:
the edited plan is saved as its next revision, every stage after the planning one is
forgotten (so a change of options is rendered too), and the job continues through the real
runner."""

import copy
import shutil

from pipeline.engine.runner import job_run, job_workdir
from pipeline.generators import get_generator
from pipeline.models import Job, JobEvent
from pipeline.services import job_continue
from pipeline.storyboard import plan_replace, plan_revision_get


def render_again(job, *, until: str, edit=None, options=None, fresh_worker=False) -> Job:
    """`edit(plan)` changes the plan's JSON in place, saved as the plan's next revision as the
    storyboard editor saves it; `options` are merged into the job's. `fresh_worker` removes
    the work folder first, as on another worker or after delivery."""
    job.refresh_from_db()
    if edit is not None:
        current = plan_revision_get(job=job)
        plan = copy.deepcopy(current.plan)
        edit(plan)
        plan_replace(job=job, revision=current.number, data=plan, by=None)
    planning = get_generator(job.kind).plan_stage
    Job.objects.filter(pk=job.pk).update(
        manifest={**job.manifest, "stages": {planning: job.manifest["stages"][planning]}},
        options={**job.options, **(options or {})},
    )
    if fresh_worker:
        shutil.rmtree(job_workdir(job.id))
    job.refresh_from_db()
    job_continue(job=job, until=until)
    assert job_run(job_id=job.id) == Job.Status.PAUSED, Job.objects.get(pk=job.id).error
    job.refresh_from_db()
    return job


def reuse_lines(job, label: str, after: int = 0) -> list[str]:
    """The event log's lines saying which scenes `label` reused and made, after seq `after`."""
    found = JobEvent.objects.filter(job=job, seq__gt=after, message__startswith=f"{label}: ")
    return list(found.order_by("seq").values_list("message", flat=True))


def last_seq(job) -> int:
    return JobEvent.objects.filter(job=job).order_by("-seq").values_list("seq", flat=True)[0]
