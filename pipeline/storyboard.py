"""A job's plan as a document people review and edit before (or after) it is rendered.

The planning stage's plan becomes revision 1; each save makes the next revision, kept with who
made it and when, so the history can be read back. A save names the revision it was made
from: one made from an older revision than the current one is refused (someone else saved in
between), never merged. Plans change only while the job is paused or finished, never while a
worker renders it; the next render reads the newest revision (see the runner).
"""

import re
import secrets

from django.db import transaction
from django.db.models import F

from pipeline.engine import lifecycle
from pipeline.engine.events import event_publish
from pipeline.errors import JobStateError
from pipeline.generators import get_generator
from pipeline.generators.shared.narration import SCENE_GAP
from pipeline.models import Job, JobEvent, MediaItem, PlanRevision
from pipeline.plan import DEFAULT_MAX_SCENES, SEED_MAX, Plan, PlanError, plan_from_json

# Words a voice speaks per second at its normal pace, for the estimated length of a plan.
WORDS_PER_SECOND = 2.5


class StalePlan(JobStateError):
    """The plan was saved from a revision that is no longer the current one."""


def plan_revision_get(*, job: Job, number: int | None = None) -> PlanRevision | None:
    """The job's current plan revision, or revision `number`; None when there is none."""
    revisions = PlanRevision.objects.filter(job=job).select_related("author")
    if number is None:
        number = job.plan_revision
    return revisions.filter(number=number).first()


def plan_revisions(*, job: Job):
    return PlanRevision.objects.filter(job=job).select_related("author").order_by("-number")


def scene_limit(kind: str) -> int:
    """How many scenes a plan of this generator may have: the most its options allow."""
    fields = get_generator(kind).options_serializer().fields
    for name in ("max_scenes", "max_shots"):
        if name in fields and getattr(fields[name], "max_value", None):
            return int(fields[name].max_value)
    return DEFAULT_MAX_SCENES


def plan_record(*, job_id, data: dict, lease: str) -> PlanRevision:
    """The planning stage's plan becomes the job's next revision (its first, normally); called
    by the worker holding the job."""
    with transaction.atomic():
        if not Job.objects.filter(pk=job_id, lease=lease).update(
            plan_revision=F("plan_revision") + 1
        ):
            raise Job.DoesNotExist(f"job {job_id} is gone or held by another worker")
        number = Job.objects.filter(pk=job_id).values_list("plan_revision", flat=True).get()
        return PlanRevision.objects.create(job_id=job_id, number=number, plan=data)


def plan_replace(*, job: Job, revision: int, data, by, note: str = "") -> PlanRevision:
    """Saves `data` as the job's next plan revision. Raises PlanError (the problems by path,
    `scenes[2].narration`), StalePlan when `revision` is not the current one, or
    JobStateError while the job is queued or running."""
    plan = plan_from_json(data, max_scenes=scene_limit(job.kind))
    _assets_check(plan, owner_id=job.owner_id)
    with transaction.atomic():
        saved = Job.objects.filter(
            pk=job.pk, plan_revision=revision, status__in=lifecycle.statuses_allowing("edit")
        ).update(plan_revision=revision + 1)
        if not saved:
            _refusal(job.pk, revision)
        row = PlanRevision.objects.create(
            job_id=job.pk, number=revision + 1, plan=plan.to_json(), author=by, note=note
        )
        name = author_name(by)
        event_publish(
            job_id=job.pk,
            type=JobEvent.Type.PLAN_UPDATED,
            message=f"Plan revision {row.number} saved"
            + (f" by {name}" if name else "")
            + (f": {note}" if note else "."),
            payload={"revision": row.number, "author": name or None, "note": note},
        )
    job.plan_revision = row.number
    return row


def _assets_check(plan: Plan, *, owner_id) -> None:
    """A scene's chosen picture or clip must be in the job owner's library."""
    chosen = {scene.asset for scene in plan.scenes if scene.asset}
    owned = {
        str(pk)
        for pk in MediaItem.objects.filter(owner_id=owner_id, pk__in=chosen).values_list(
            "pk", flat=True
        )
    }
    problems = [
        (f"scenes[{index}].asset", "is not an item of the media library of the job's owner")
        for index, scene in enumerate(plan.scenes)
        if scene.asset and scene.asset not in owned
    ]
    if problems:
        raise PlanError(problems)


def author_name(user) -> str:
    """How a plan's author is shown: their display name, else their email."""
    return user.get_full_name() if user is not None else ""


def _refusal(job_id, revision: int):
    current = Job.objects.filter(pk=job_id).values_list("status", "plan_revision").first()
    if current is None:
        raise Job.DoesNotExist()
    status, number = current
    if not number:
        raise JobStateError("This job has no plan yet: it is written by its planning stage.")
    if status not in lifecycle.statuses_allowing("edit"):
        raise JobStateError(
            f"The plan of a {status} job cannot be changed; wait until it is paused or "
            "finished, or cancel it."
        )
    raise StalePlan(
        f"The plan was changed since revision {revision} (it is at revision {number} now); "
        "load it again and redo your change."
    )


def scene_reseed(*, job: Job, index: int, by) -> PlanRevision:
    """A new revision in which scene `index` has a new seed: its picture, shot or generated
    animation is made again on the next render, the rest is reused."""
    current = plan_revision_get(job=job)
    if current is None:
        raise JobStateError("This job has no plan yet: it is written by its planning stage.")
    data = current.plan
    scenes = data.get("scenes") or []
    if not 0 <= index < len(scenes):
        raise IndexError(index)
    old = scenes[index].get("seed") or 0
    seed = old
    while seed == old:
        seed = secrets.randbelow(SEED_MAX) + 1
    scenes[index]["seed"] = seed
    return plan_replace(
        job=job,
        revision=current.number,
        data=data,
        by=by,
        note=f"scene {index + 1} made again with a new seed",
    )


def plan_estimated_seconds(plan: Plan, *, speaking_rate: float = 1.0) -> float:
    """About how long the video of this plan runs: each scene lasts as long as its words take
    at a usual speaking pace (a scene's length is its narration's; `duration_hint` is a
    planner's guess, not used by the render)."""
    total = 0.0
    for scene in plan.scenes:
        words = len(re.findall(r"\w+", scene.narration))
        total += words / (WORDS_PER_SECOND * max(speaking_rate, 0.1)) + SCENE_GAP
    return round(total, 1)
