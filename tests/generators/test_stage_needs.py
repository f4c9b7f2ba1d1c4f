"""Stages declare the earlier work they read (`needs`) and hand on (`outputs`): a stage reading
what it did not declare fails, and a generator whose needs no earlier stage meets is refused
at start-up by a system check."""

import pytest
from django.core.checks import run_checks

from pipeline.checks import check_generators
from pipeline.engine.runner import job_run
from pipeline.generators import Generator, Stage, all_generators
from pipeline.generators.demo import DemoOptions
from pipeline.models import Job

HERE = "tests.generators.test_stage_needs"


def _give(ctx) -> dict:
    return {"count": 2}


def _take(ctx) -> dict:
    return {"taken": ctx.output("count")}


def _demo(*stages: Stage) -> Generator:
    return Generator("demo", "Demo", "Hands a count on.", list(stages), DemoOptions)


GIVE = Stage("give", "Giving", _give, outputs=("count",))
# Reads "count" without saying so.
UNDECLARED = _demo(GIVE, Stage("take", "Taking", _take))
# Needs "count" before any stage outputs it.
TOO_EARLY = _demo(Stage("take", "Taking", _take, needs=("count",)), GIVE)


def test_every_registered_generators_stages_need_only_what_earlier_stages_output():
    generators = all_generators()
    assert {"story", "youtube", "explainer", "ai_video", "demo"} <= set(generators)
    for kind, generator in generators.items():
        assert generator.unmet_needs() == [], kind
    assert check_generators() == []


def test_stages_that_read_earlier_work_declare_it():
    generators = all_generators()
    needs = {
        kind: {stage.name: stage.needs for stage in generator.stages if stage.needs}
        for kind, generator in generators.items()
    }
    assert needs["demo"] == {"encode": ("cards",)}
    assert needs["story"]["assemble"] == ("plan_file", "speech", "audio", "stills")
    assert needs["explainer"]["assemble"] == ("plan_file", "speech", "audio", "clips", "durations")
    assert needs["ai_video"]["assemble"] == ("plan_file", "shots", "speech", "audio")


@pytest.mark.django_db(transaction=True)
def test_a_stage_reading_what_it_does_not_need_fails_for_good_naming_stage_and_key(
    make_job, settings
):
    settings.VIDEOGEN_GENERATORS = {"demo": f"{HERE}.UNDECLARED"}
    job = make_job()

    assert job_run(job_id=job.id) == "failed"

    job = Job.objects.get(pk=job.pk)
    assert job.status == "failed" and job.stage == "take"
    assert "'take'" in job.error["message"] and "'count'" in job.error["message"]
    assert "needs" in job.error["message"]
    assert set(job.manifest["stages"]) == {"give"}


def test_the_system_check_refuses_a_need_no_earlier_stage_outputs(settings):
    settings.VIDEOGEN_GENERATORS = {"demo": f"{HERE}.TOO_EARLY"}

    [error] = check_generators()

    assert error.id == "videogen.E013"
    assert "'demo'" in error.msg and "'take'" in error.msg and "'count'" in error.msg
    assert "videogen.E013" in [message.id for message in run_checks()]


def test_the_system_check_reports_a_generator_that_cannot_be_loaded(settings):
    settings.VIDEOGEN_GENERATORS = {"demo": f"{HERE}.NOWHERE"}

    [error] = check_generators()

    assert error.id == "videogen.E012" and "NOWHERE" in error.msg
