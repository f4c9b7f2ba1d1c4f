"""The explainer's Manim scenes rendered again in the same job (as after an edit of its plan):
a scene whose spec is unchanged is reused, and a model-written scene is asked for again only
when its seed (or anything else it depends on) changes. Real Manim renders and the sandbox,
with the fake planner and voice of the test settings."""

import pytest

from pipeline.engine.runner import job_run, job_workdir
from pipeline.generators.explainer_render import CODE_SYSTEM
from pipeline.models import Job
from pipeline.providers import get_provider
from studio.services import job_create
from tests.rerender import last_seq, render_again, reuse_lines

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def explainer(alice, **options):
    job = job_create(user=alice, kind="explainer", prompt="Explain circles", until="render",
                     options={"quality": 480, "fps": 24, **options})  # fmt: skip
    assert job_run(job_id=job.id) == Job.Status.PAUSED, Job.objects.get(pk=job.id).error
    job.refresh_from_db()
    return job


def clips(job) -> list[bytes]:
    outputs = job.manifest["stages"]["render"]["outputs"]
    return [(job_workdir(job.id) / clip).read_bytes() for clip in outputs["clips"]]


def code_requests() -> int:
    return sum(1 for c in get_provider("llm").calls if c.get("system") == CODE_SYSTEM)


def test_only_the_edited_scene_is_animated_again(alice):
    job = explainer(alice, max_scenes=2)
    first = clips(job)
    assert reuse_lines(job, "Scenes") == ["Scenes: made scenes 1, 2"]
    seq = last_seq(job)

    def edit(plan):
        plan["scenes"][1]["bullets"] = ["Round things", "No corners at all"]

    job = render_again(job, until="render", edit=edit)

    now = clips(job)
    assert now[0] == first[0] and now[1] != first[1]
    assert reuse_lines(job, "Scenes", seq) == ["Scenes: reused scene 1; made scene 2"]
    assert reuse_lines(job, "Narration", seq) == ["Narration: reused scenes 1, 2"]


def test_model_written_scenes_are_asked_for_again_only_with_a_new_seed(alice):
    job = explainer(alice, max_scenes=1, llm_code=True)
    assert job.manifest["stages"]["render"]["outputs"]["renderers"] == ["llm"]
    asked = code_requests()
    script = job.manifest["stages"]["render"]["outputs"]["script"]
    seq = last_seq(job)

    job = render_again(job, until="render", fresh_worker=True)

    assert code_requests() == asked
    outputs = job.manifest["stages"]["render"]["outputs"]
    assert outputs["renderers"] == ["llm"] and outputs["script"] == script
    assert reuse_lines(job, "Scenes", seq) == ["Scenes: reused scene 1"]
    seq = last_seq(job)

    def new_seed(plan):
        plan["scenes"][0]["seed"] = 3

    job = render_again(job, until="render", edit=new_seed)

    assert code_requests() == asked + 1
    assert reuse_lines(job, "Scenes", seq) == ["Scenes: made scene 1"]
    assert reuse_lines(job, "Narration", seq) == ["Narration: reused scene 1"]
