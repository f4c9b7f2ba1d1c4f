"""A full disk, injected where a stage writes its files: the job fails for good with a reason
that names the disk, its files are removed, and a retry starts it over. This runs wherever the
suite runs; tests/drills/test_disk_full.py fills a real (small) disk under a live worker."""

import errno
import os

import pytest

from pipeline.engine.lifecycle import job_retry
from pipeline.engine.runner import job_run, job_workdir
from pipeline.generators import Generator, Stage
from pipeline.generators.demo import DemoOptions
from pipeline.models import Job, JobEvent

HERE = "tests.pipeline.test_disk_full"


def _write(ctx) -> dict:
    ctx.path("plan.json").write_text("{}")
    return {"planned": True}


def _filling(code: int):
    def fill(ctx) -> dict:
        """Writes part of its output, then the file system refuses the rest."""
        ctx.path("partial.bin").write_bytes(b"\0" * 4096)
        raise OSError(code, os.strerror(code), str(ctx.path("more.bin")))

    return fill


def _generator(code: int) -> Generator:
    stages = [
        Stage("write", "Writing", _write, outputs=("planned",)),
        Stage("fill", "Filling", _filling(code)),
    ]
    return Generator("demo", "Demo", "Fills the disk.", stages, DemoOptions)


NO_SPACE = _generator(errno.ENOSPC)
OVER_QUOTA = _generator(errno.EDQUOT)


@pytest.fixture(params=["NO_SPACE", "OVER_QUOTA"])
def full_disk(request, settings):
    settings.VIDEOGEN_GENERATORS = {"demo": f"{HERE}.{request.param}"}
    settings.JOB_MAX_ATTEMPTS = 3


@pytest.mark.django_db(transaction=True)
def test_a_full_disk_fails_the_job_for_good_and_removes_its_files(make_job, full_disk):
    job = make_job()

    assert job_run(job_id=job.id) == "failed"

    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.stage, job.attempts) == ("failed", "fill", 1)
    assert job.error_type == "DiskFull"
    assert "ENOSPC" in job.error_message and "fill stage" in job.error_message
    assert "JOB_WORK_DIR" in job.error_hint
    assert job.manifest["stages"] == {}, "no checkpoint points at removed files"
    assert not job_workdir(job.id).exists()
    error = job.events.get(type=JobEvent.Type.ERROR)
    assert error.payload["type"] == "DiskFull" and error.payload["permanent"] is True


@pytest.mark.django_db(transaction=True)
def test_a_job_retried_after_a_full_disk_starts_from_its_first_stage(make_job, full_disk):
    job = make_job()
    job_run(job_id=job.id)

    job_retry(job_id=job.id)
    job_run(job_id=job.id)

    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.error_type) == ("failed", "DiskFull")
    done = job.events.filter(type=JobEvent.Type.STAGE_COMPLETE)
    assert list(done.values_list("stage", flat=True)) == ["write", "write"]
