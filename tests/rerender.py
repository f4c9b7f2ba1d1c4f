"""Rendering a paused job's stages again within the same job, as an edit of its plan does:
the plan (edited) is written where the next run reads it, every stage after the planning one
is forgotten, and the job continues through the real runner."""

import json
import shutil

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pipeline.engine.runner import job_run, job_workdir
from pipeline.generators import get_generator
from pipeline.models import Job, JobEvent
from pipeline.services import job_continue


def render_again(job, *, until: str, edit=None, options=None, fresh_worker=False) -> Job:
    """`edit(plan)` changes the plan's JSON in place; `options` are merged into the job's.
    `fresh_worker` removes the work folder first, as on another worker or after delivery."""
    job.refresh_from_db()
    planning = get_generator(job.kind).stages[0].name
    record = job.manifest["stages"][planning]
    if edit is not None:
        stored = next(item["name"] for item in record["files"] if item["path"] == "plan.json")
        with default_storage.open(stored) as fh:
            plan = json.load(fh)
        edit(plan)
        default_storage.delete(stored)
        default_storage.save(stored, ContentFile(json.dumps(plan).encode()))
        local = job_workdir(job.id) / "plan.json"
        if local.exists():
            local.write_text(json.dumps(plan))
    Job.objects.filter(pk=job.pk).update(
        manifest={**job.manifest, "stages": {planning: record}},
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
