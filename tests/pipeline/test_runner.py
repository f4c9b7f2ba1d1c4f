import threading
import time
from pathlib import Path

import pytest
from django_q.models import Schedule

from gallery.media import moov_before_mdat, probe
from pipeline.engine.runner import job_run, job_workdir
from pipeline.models import Job, JobEvent
from pipeline.services import JobStateError, job_cancel, job_retry

# The runner's heartbeat reads the job on a connection of its own, as in a worker, so
# the rows it reads must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def run(job):
    result = job_run(job_id=job.id)
    job.refresh_from_db()
    return result


def events(job, type=None):
    qs = JobEvent.objects.filter(job=job).order_by("seq")
    if type:
        qs = qs.filter(type=type)
    return list(qs)


def test_demo_job_runs_every_stage_and_lands_a_playable_video(make_job):
    job = make_job(cards=2)

    assert run(job) == Job.Status.SUCCEEDED

    assert job.status == "succeeded"
    assert job.progress == 100
    assert job.finished_at and job.started_at
    video = job.result
    assert video is not None and video.owner_id == job.owner_id
    assert video.job_id == job.id
    info = probe(video.file.path)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert abs(info.duration - 3.0) < 0.2
    assert moov_before_mdat(video.file.path)
    assert video.poster and video.poster.size > 0
    # The work folder goes once the files are in storage.
    assert not job_workdir(job.id).exists()
    completed = [e.stage for e in events(job, "stage_complete")]
    assert completed == ["plan", "frames", "encode"]
    assert events(job)[-1].type == "job_complete"


def test_event_numbers_strictly_increase_and_progress_never_goes_back(make_job):
    job = make_job()
    run(job)
    seqs = [e.seq for e in events(job)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert job.last_seq == seqs[-1]
    progress = [e.progress for e in events(job) if e.progress is not None]
    assert progress == sorted(progress)
    assert progress[-1] == 100


def test_a_job_delivered_twice_runs_once(make_job):
    job = make_job()
    assert run(job) == "succeeded"
    assert job_run(job_id=job.id) == "skipped"
    assert len(events(job, "job_complete")) == 1


def test_permanent_failure_fails_with_message_and_hint_and_keeps_finished_stages(make_job):
    job = make_job(fail_at="encode")

    assert run(job) == "failed"

    assert job.error["message"] == "Stage encode failed on purpose."
    assert job.error["hint"]
    assert job.error["type"] == "GeneratorError"
    assert set(job.manifest["stages"]) == {"plan", "frames"}
    assert events(job)[-1].type == "error"
    assert job_workdir(job.id).exists()  # kept for the retry


def test_retry_resumes_at_the_failed_stage_without_rerunning_finished_ones(make_job):
    job = make_job(fail_at="encode")
    run(job)
    before = {name: rec["finished_at"] for name, rec in job.manifest["stages"].items()}
    Job.objects.filter(pk=job.pk).update(options={**job.options, "fail_at": ""})

    job_retry(job=job)
    job.refresh_from_db()
    assert job.status == "queued" and job.error is None
    assert run(job) == "succeeded"

    for name, finished_at in before.items():
        assert job.manifest["stages"][name]["finished_at"] == finished_at
    second_run = [e for e in events(job) if e.seq > events(job, "error")[0].seq]
    started = [e.stage for e in second_run if e.type == "progress" and e.stage]
    assert "plan" not in started and "frames" not in started
    assert "encode" in started


def test_transient_failure_is_retried_later_with_backoff(make_job, settings):
    settings.JOB_RETRY_BACKOFF = 30
    job = make_job(fail_at="frames", fail_transient=True)

    assert run(job) == "queued"

    assert job.status == "queued"
    assert job.run_after is not None
    assert job_run(job_id=job.id) == "skipped"  # not before its time
    error = events(job, "error")[-1]
    assert error.payload["retrying"] is True and error.payload["retry_in"] == 30
    scheduled = Schedule.objects.get(func="pipeline.engine.tasks.run_job", args=f"('{job.id}',)")
    assert scheduled.schedule_type == Schedule.ONCE
    assert abs((scheduled.next_run - job.run_after).total_seconds()) < 1


def test_transient_failures_stop_after_max_attempts(make_job, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job = make_job(fail_at="frames", fail_transient=True)
    run(job)
    Job.objects.filter(pk=job.pk).update(run_after=None)
    assert run(job) == "failed"
    assert job.attempts == 2


def test_cancel_a_queued_job_takes_effect_at_once(make_job):
    job = make_job()
    job = job_cancel(job=job)
    assert job.status == "canceled"
    assert events(job)[-1].type == "canceled"
    assert job_run(job_id=job.id) == "skipped"


def test_finished_jobs_cannot_be_canceled_and_active_ones_cannot_be_retried(make_job):
    job = make_job()
    with pytest.raises(JobStateError):
        job_retry(job=job)
    run(job)
    with pytest.raises(JobStateError):
        job_cancel(job=job)


def test_cancel_stops_a_running_job_before_its_stage_ends(make_job):
    job = make_job(seconds=20)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(result=job_run(job_id=job.id)))
    worker.start()
    deadline = time.monotonic() + 10
    while Job.objects.get(pk=job.pk).status != "running" and time.monotonic() < deadline:
        time.sleep(0.05)

    job_cancel(job=job)
    worker.join(timeout=15)  # the stage alone would take 20 s (bench/cancel.py times this)

    assert not worker.is_alive()
    assert outcome["result"] == "canceled"
    job.refresh_from_db()
    assert job.status == "canceled" and not job.cancel_requested
    assert events(job)[-1].type == "canceled"


def test_cancel_kills_the_child_process_of_a_running_stage(make_job, tmp_path):
    from pipeline.engine.context import StageContext
    from pipeline.generators import Generator, Stage
    from pipeline.generators.demo import DemoOptions

    marker = tmp_path / "pid"

    def sleeper(ctx: StageContext):
        # The shell becomes `sleep` (exec), so the pid written is the child's own.
        ctx.run(["sh", "-c", f"echo $$ > {marker}.tmp; mv {marker}.tmp {marker}; exec sleep 600"])

    generator = Generator("demo", "x", "x", [Stage("sleep", "Sleeping", sleeper)], DemoOptions)
    from unittest import mock

    job = make_job()
    with mock.patch("pipeline.engine.runner.get_generator", return_value=generator):
        worker = threading.Thread(target=job_run, kwargs={"job_id": job.id})
        worker.start()
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(marker.read_text())
        assert _alive(pid), "the stage's child should be running before the cancel"
        job_cancel(job=job)
        worker.join(timeout=30)  # a deadline: the child would sleep 600 s
    assert not worker.is_alive()
    assert Job.objects.get(pk=job.pk).status == "canceled"
    # Killed and reaped: no process, not even a zombie, is left of it.
    assert not _alive(pid) and not Path(f"/proc/{pid}").exists()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_job_that_runs_too_long_fails_with_a_hint(make_job, settings):
    settings.JOB_TIMEOUT = 1
    job = make_job(seconds=5)
    assert run(job) == "failed"
    assert "longer than its limit" in job.error["message"]
    assert job.error["hint"]
