"""The plan stage with the offline planner: what it could not do is said in the job's log."""

import pytest

from pipeline.engine.runner import job_run
from pipeline.models import JobEvent
from pipeline.providers.llm.local import OFFLINE_NOTICE
from studio.services import job_create

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL = {"BACKEND": "pipeline.providers.llm.local.LocalPlanner", "OPTIONS": {}}


@pytest.fixture(autouse=True)
def _local_planner(settings):
    settings.VIDEOGEN_PROVIDERS = {**settings.VIDEOGEN_PROVIDERS, "llm": LOCAL}


def plan_only(user, kind, prompt):
    job = job_create(user=user, kind=kind, prompt=prompt, options={}, until="plan")
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert "plan" in job.manifest["stages"], job.error
    return job


def test_a_thin_offline_draft_is_announced_in_the_event_log(alice):
    job = plan_only(alice, "explainer", "Five beginner mistakes when learning to play chess")
    messages = list(
        JobEvent.objects.filter(job=job, stage="plan", type="progress").values_list(
            "message", flat=True
        )
    )
    assert OFFLINE_NOTICE in messages
    plan = job.manifest["stages"]["plan"]["outputs"]["script"]
    assert plan["notice"] == OFFLINE_NOTICE and len(plan["scenes"]) == 1


def test_a_worked_example_is_not_announced(alice):
    job = plan_only(alice, "explainer", "Sort the list 5, 2, 9, 1, 7 with bubble sort")
    assert not JobEvent.objects.filter(job=job, message=OFFLINE_NOTICE).exists()


def test_story_job_plans_exactly_the_text(alice):
    text = (
        "Once upon a time, in a faraway land, a baker forgot how to make bread. "
        "The whole village went hungry until a child brought him an old recipe."
    )
    job = plan_only(alice, "story", text)
    scenes = job.manifest["stages"]["plan"]["outputs"]["script"]["scenes"]
    assert " ".join(scene["narration"] for scene in scenes) == text


@pytest.mark.slow
def test_an_offline_explainer_draws_the_search_it_narrates(alice):
    """The whole job, rendered for real: the array scene's clip lasts as long as its words."""
    prompt = "Binary search for 23 in 4, 8, 15, 16, 23, 42"
    job = job_create(user=alice, kind="explainer", prompt=prompt,
                     options={"quality": 480, "fps": 24})  # fmt: skip
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.result is not None, job.error
    stages = job.manifest["stages"]
    scenes = stages["plan"]["outputs"]["script"]["scenes"]
    [array] = [s for s in scenes if s["visual"]["type"] == "array"]
    assert array["visual"]["values"] == ["4", "8", "15", "16", "23", "42"]
    assert "23" in array["narration"] and "found" in array["narration"]
    render = stages["render"]["outputs"]
    assert render["renderers"] == ["templates"] * len(scenes)
    spoken = stages["narrate"]["outputs"]["duration"]
    assert abs(sum(render["durations"]) - spoken) < 0.01  # every scene as long as its words
