"""An explainer asked to have its scenes written as code still makes its video when that
cannot happen: the planner cannot write code, the sandbox cannot start, or the code never
renders within its repairs. The Manim templates draw those scenes, and the event log says
which of the three happened."""

import pytest

from pipeline.models import JobEvent
from tests.generators.test_narrated import assert_playable, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def with_planner(settings, backend="pipeline.providers.fakes.FakePlanner", **options):
    settings.VIDEOGEN_PROVIDERS = {
        **settings.VIDEOGEN_PROVIDERS, "llm": {"BACKEND": backend, "OPTIONS": options},
    }  # fmt: skip


def drawn_by_templates(alice, said: str):
    job = run(alice, "explainer", "Explain circles", max_scenes=1, llm_code=True)
    assert job.manifest["stages"]["render"]["outputs"]["renderers"] == ["templates"]
    assert_playable(job)
    messages = list(JobEvent.objects.filter(job=job).values_list("message", flat=True))
    assert any(said in message for message in messages), messages
    return messages


def test_a_planner_that_cannot_write_code(alice, settings):
    with_planner(settings, "pipeline.providers.llm.local.LocalPlanner")
    drawn_by_templates(alice, "cannot write code; using templates")


def test_a_sandbox_that_cannot_start(alice, settings, tmp_path):
    with_planner(settings)
    settings.SANDBOX_PYTHON = str(tmp_path / "no-such-python")
    messages = drawn_by_templates(alice, "The sandbox is unavailable")
    assert any("no-such-python could not start" in message for message in messages)


def test_code_that_never_renders_within_its_repairs(alice, settings):
    with_planner(settings, code="broken")
    settings.LLM_CODE_REPAIRS = 2
    messages = drawn_by_templates(alice, "drawing it with the templates instead")
    assert any("attempt 1 failed" in message for message in messages), messages
