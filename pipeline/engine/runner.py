"""Runs a job's stages in a worker, checkpointing each one, and recovers jobs whose worker died.

Claiming is a conditional update (`queued -> running` with a fresh lease), so a job delivered
twice runs once. While it runs, a heartbeat thread refreshes `heartbeat_at`, watches for a
cancel request, the job's time limit and the loss of the lease, and kills child processes at
once when the job must stop. Every write the runner makes is conditional on its lease.
"""

import contextvars
import errno
import json
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from pipeline.engine import lifecycle
from pipeline.engine.artifacts import stage_artifacts_fetch, stage_artifacts_store, workdir_snapshot
from pipeline.engine.context import StageContext, StopFlag
from pipeline.engine.events import event_publish
from pipeline.engine.logcontext import job_log_context
from pipeline.engine.publish import job_video_publish
from pipeline.engine.queue import job_enqueue, job_ids_waiting_in_broker
from pipeline.errors import GeneratorError, JobCanceled, LeaseLost
from pipeline.generators import get_generator
from pipeline.models import Job, JobEvent, PlanRevision
from pipeline.storyboard import plan_record

logger = logging.getLogger(__name__)

_HOST = socket.gethostname()
# Below this much free space in the work folder's file system, a failed stage is taken to
# have failed for want of disk (programs such as ffmpeg cannot always say so: their log is on
# the same full disk).
DISK_FULL_FREE_BYTES = 1024 * 1024
PLAN_FILE = "plan.json"


def job_workdir(job_id) -> Path:
    return Path(settings.JOB_WORK_DIR) / str(job_id)


def _new_lease() -> str:
    pid = os.getpid()
    started = int(psutil.Process(pid).create_time())
    return f"{_HOST}:{pid}:{started}:{uuid.uuid4().hex[:8]}"


def _lease_holder_is_dead(lease: str) -> bool:
    """True when the lease belongs to a process on this host that no longer exists."""
    try:
        host, pid, started, _nonce = lease.rsplit(":", 3)
        pid, started = int(pid), int(started)
    except ValueError:
        return False
    if host != _HOST:
        return False
    try:
        process = psutil.Process(pid)
        # A killed worker whose parent died too stays a zombie until someone reaps it.
        return process.status() == psutil.STATUS_ZOMBIE or int(process.create_time()) != started
    except psutil.NoSuchProcess:
        return True


class JobRun:
    def __init__(self, job: Job, lease: str):
        self.job = job
        self.lease = lease
        self.generator = get_generator(job.kind)
        self.stages = self.generator.stages
        self.workdir = job_workdir(job.id)
        self.manifest = dict(job.manifest or {})
        self.manifest.setdefault("stages", {})
        self.stop = StopFlag()
        self._heartbeat_done = threading.Event()
        self._started = time.monotonic()
        total = sum(stage.weight for stage in self.stages) or 1.0
        self._weights = [stage.weight / total for stage in self.stages]

    # --- lifecycle ------------------------------------------------------------------------
    def execute(self) -> str:
        self.workdir.mkdir(parents=True, exist_ok=True)
        # The thread logs with the job's id too: it runs in a copy of this context.
        heartbeat = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._heartbeat,),
            name=f"heartbeat-{self.job.id}",
        )
        heartbeat.daemon = True
        heartbeat.start()
        try:
            resuming = True
            for index, stage in enumerate(self.stages):
                if stage.name == self.generator.plan_stage and self.job.plan_revision:
                    # Once written, the plan is a document people edit: its newest revision
                    # stands for the planning stage, which is not asked again.
                    resuming = self._plan_restore(index, stage) and resuming
                else:
                    # Once one stage must run again, every later one runs again too: its
                    # inputs may have changed.
                    resuming = resuming and self._stage_done(stage)
                    if not resuming:
                        self._run_stage(index, stage)
                    elif stage.name == self.generator.plan_stage:
                        self._plan_record()  # a plan written before plans had revisions
                if stage.name == self.job.until and index < len(self.stages) - 1:
                    return self._pause_after(index, stage)
            return self._publish()
        except Exception as exc:
            return self._handle_failure(exc)
        finally:
            self._heartbeat_done.set()
            self.stop.kill_children()
            heartbeat.join(timeout=5)

    def _stage_done(self, stage) -> bool:
        """A stage finished earlier counts as done when its files are here, or can be fetched
        from storage (a job taken over by a worker on another host)."""
        record = self.manifest["stages"].get(stage.name)
        if not record or not record.get("finished_at"):
            return False
        if not stage_artifacts_fetch(workdir=self.workdir, files=record.get("files", [])):
            return False
        return all((self.workdir / name).exists() for name in stage.produces)

    def _run_stage(self, index: int, stage) -> None:
        ctx = StageContext(run=self, stage=stage, index=index)
        self.raise_if_stopped()
        self.publish(
            JobEvent.Type.PROGRESS,
            stage=stage.name,
            step=index + 1,
            steps=len(self.stages),
            progress=self._overall(index, 0.0),
            message=f"{stage.label}…",
            force=True,
        )
        started = time.monotonic()
        before = workdir_snapshot(self.workdir)
        outputs = stage.run(ctx) or {}
        self.raise_if_stopped()
        if stage.name == self.generator.plan_stage:
            self._plan_record()
        self._record(index, stage, outputs, before, round(time.monotonic() - started, 3))

    def _record(self, index: int, stage, outputs: dict, before: dict, seconds: float,
                message: str = "") -> None:  # fmt: skip
        """Stores what the stage wrote since `before` and checkpoints it in the manifest."""
        files = stage_artifacts_store(job_id=self.job.id, workdir=self.workdir, before=before)
        self.manifest["stages"][stage.name] = {
            "outputs": outputs,
            "files": files,
            "seconds": seconds,
            "finished_at": timezone.now().isoformat(),
            "attempt": self.job.attempts,
        }
        self._lifecycle(
            lifecycle.job_stage_done,
            stage=stage.name,
            manifest=self.manifest,
            message=message or f"{stage.label} done in {seconds:.1f} s",
            progress=self._overall(index + 1, 0.0),
            step=index + 1,
            steps=len(self.stages),
            payload={"seconds": seconds},
        )
        logger.info(
            "job %s: stage %s done in %.1f s",
            self.job.id,
            stage.name,
            seconds,
            extra={"stage": stage.name, "seconds": seconds},
        )

    # --- the plan ---------------------------------------------------------------------------
    def _plan_record(self) -> None:
        """The plan the planning stage wrote becomes the job's first revision."""
        data = json.loads((self.workdir / PLAN_FILE).read_text())
        revision = plan_record(job_id=self.job.id, data=data, lease=self.lease)
        self.job.plan_revision = self.manifest["plan_revision"] = revision.number

    def _plan_restore(self, index: int, stage) -> bool:
        """Writes the plan's newest revision where the later stages read it. Returns whether
        they were made from this very revision (else they run again, reusing what each can
        of its earlier work)."""
        revision = PlanRevision.objects.get(job_id=self.job.id, number=self.job.plan_revision)
        path = self.workdir / PLAN_FILE
        text = json.dumps(revision.plan, indent=1)
        same = self.manifest.get("plan_revision") == revision.number
        if same and self.manifest["stages"].get(stage.name):
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
            return True
        before = workdir_snapshot(self.workdir)
        path.write_text(text)
        self.manifest["plan_revision"] = revision.number
        # What the later stages made came from another plan: none of it is done any more.
        for later in self.stages[index + 1 :]:
            self.manifest["stages"].pop(later.name, None)
        plan = revision.plan
        outputs = {
            "plan_file": PLAN_FILE,
            "title": plan.get("title", ""),
            "scenes": len(plan.get("scenes") or []),
            "script": plan,
            "plan_revision": revision.number,
        }
        self._record(index, stage, outputs, before, 0.0,
                     message=f"Using the plan's revision {revision.number}")  # fmt: skip
        return False

    def _publish(self) -> str:
        """After the last stage: the video goes to the gallery, and the job has succeeded."""
        self.raise_if_stopped()
        self.publish(JobEvent.Type.PROGRESS, progress=99, message="Saving to your gallery")
        stages = self.manifest["stages"]
        job_video_publish(
            job_id=self.job.id,
            lease=self.lease,
            workdir=self.workdir,
            records=[stages.get(stage.name, {}).get("outputs", {}) for stage in self.stages],
        )
        self._lifecycle(lifecycle.job_succeed)
        shutil.rmtree(self.workdir, ignore_errors=True)
        return Job.Status.SUCCEEDED

    def _pause_after(self, index: int, stage) -> str:
        """Ends the run after the stage the job was asked to stop at; `continue` resumes it."""
        self._lifecycle(
            lifecycle.job_pause,
            stage=stage.name,
            message=f"Paused after {stage.label.lower()}, as asked; continue to run the rest.",
            progress=self._overall(index + 1, 0.0),
        )
        return Job.Status.PAUSED

    def _handle_failure(self, exc: Exception) -> str:
        reason = self.stop.reason
        if isinstance(exc, LeaseLost | Job.DoesNotExist) or reason == StopFlag.LEASE:
            if not Job.objects.filter(pk=self.job.pk).exists():
                shutil.rmtree(self.workdir, ignore_errors=True)  # deleted while running
            logger.info("job %s: lease lost, stopping", self.job.id)
            return "lost"
        try:
            if isinstance(exc, JobCanceled) or reason == StopFlag.CANCEL:
                self._lifecycle(lifecycle.job_canceled, stage=self._current_stage())
                return Job.Status.CANCELED
            if reason == StopFlag.TIMEOUT:
                exc = GeneratorError(
                    f"The job took longer than its limit of {settings.JOB_TIMEOUT} s.",
                    permanent=True,
                    hint="Try a shorter text, fewer scenes or a lower resolution.",
                )
            if self._disk_full(exc):
                return self._fail_disk_full()
            if not isinstance(exc, GeneratorError):
                logger.exception("job %s: unexpected error", self.job.id)
                exc = GeneratorError(
                    f"{type(exc).__name__}: {exc}",
                    permanent=True,
                    hint="This is a fault in videogen; retrying may help, and the logs "
                    "have the details.",
                )
                error_type = "InternalError"
            else:
                error_type = type(exc).__name__
            return self._fail_or_retry(exc, error_type)
        except (LeaseLost, Job.DoesNotExist):
            return "lost"

    def _disk_full(self, exc: Exception) -> bool:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        try:
            return shutil.disk_usage(self.workdir).free < DISK_FULL_FREE_BYTES
        except OSError:
            return False

    def _fail_disk_full(self) -> str:
        """Fails the job for good and frees what it wrote: retrying on a full disk cannot help,
        and its partial files would keep every other job from running."""
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.manifest["stages"] = {}
        stage = self._current_stage()
        logger.error("job %s: the work folder's disk is full during %s", self.job.id, stage)
        exc = GeneratorError(
            f"The disk holding the work folder is full (ENOSPC: no space left on device) "
            f"during the {stage or 'first'} stage; the job's files were removed.",
            permanent=True,
            hint="Free space where JOB_WORK_DIR points (or give it more), then retry; a "
            "shorter video or a lower resolution needs less.",
        )
        return self._fail_or_retry(exc, "DiskFull", manifest=self.manifest)

    def _fail_or_retry(self, exc: GeneratorError, error_type: str, **fields) -> str:
        stage = self._current_stage()
        if not exc.permanent and self.job.attempts < settings.JOB_MAX_ATTEMPTS:
            delay = settings.JOB_RETRY_BACKOFF * 2 ** (self.job.attempts - 1)
            self._lifecycle(
                lifecycle.job_requeue,
                stage=stage,
                message=f"{exc.message} Retrying in {delay:.0f} s.",
                run_after=timezone.now() + timedelta(seconds=delay),
                event=JobEvent.Type.ERROR,
                payload={"retrying": True, "retry_in": delay, "permanent": False},
            )
            return Job.Status.QUEUED
        self._lifecycle(
            lifecycle.job_fail,
            stage=stage,
            error_type=error_type,
            message=exc.message,
            hint=exc.hint,
            permanent=exc.permanent,
            **fields,
        )
        return Job.Status.FAILED

    def _current_stage(self) -> str:
        return Job.objects.filter(pk=self.job.pk).values_list("stage", flat=True).first() or ""

    # --- reporting ------------------------------------------------------------------------
    def _lifecycle(self, transition, **kwargs) -> None:
        """Makes a lifecycle transition as this run's worker; a refused one means the job is
        no longer ours."""
        if transition(job_id=self.job.id, lease=self.lease, **kwargs) is False:
            raise LeaseLost()

    def publish(self, type, **kwargs):
        try:
            return event_publish(job_id=self.job.id, type=type, lease=self.lease, **kwargs)
        except Job.DoesNotExist:
            raise LeaseLost() from None

    def stage_progress(self, ctx: StageContext, fraction: float, message: str) -> None:
        self.publish(
            JobEvent.Type.PROGRESS,
            stage=ctx.stage.name,
            step=ctx.index + 1,
            steps=len(self.stages),
            progress=self._overall(ctx.index, fraction),
            message=message,
        )

    def _overall(self, index: int, fraction: float) -> int:
        done = sum(self._weights[:index])
        current = self._weights[index] * fraction if index < len(self._weights) else 0.0
        return min(99, int(100 * (done + current)))

    def raise_if_stopped(self) -> None:
        if time.monotonic() - self._started > settings.JOB_TIMEOUT:
            self.stop.set(StopFlag.TIMEOUT)
        reason = self.stop.reason
        if reason == StopFlag.CANCEL:
            raise JobCanceled()
        if reason == StopFlag.LEASE:
            raise LeaseLost()
        if reason == StopFlag.TIMEOUT:
            raise GeneratorError("timeout", permanent=True)

    def _heartbeat(self) -> None:
        """Keeps the lease alive and turns a cancel request or a lost lease into a stop."""
        last_beat = time.monotonic()
        try:
            while not self._heartbeat_done.wait(0.25):
                try:
                    if self._beat(
                        refresh=time.monotonic() - last_beat >= settings.JOB_HEARTBEAT_SECONDS
                    ):
                        last_beat = time.monotonic()
                except Exception as exc:
                    # A database hiccup must not stop the job; if it lasts, the reaper judges.
                    logger.warning("job %s: heartbeat failed: %s", self.job.id, exc)
                if self.stop.reason in (StopFlag.LEASE, StopFlag.CANCEL):
                    return
        finally:
            connection.close()

    def _beat(self, *, refresh: bool) -> bool:
        mine = Job.objects.filter(pk=self.job.pk, lease=self.lease)
        cancel_requested = mine.values_list("cancel_requested", flat=True).first()
        if cancel_requested is None:
            self.stop.set(StopFlag.LEASE)
        elif cancel_requested:
            self.stop.set(StopFlag.CANCEL)
        elif time.monotonic() - self._started > settings.JOB_TIMEOUT:
            self.stop.set(StopFlag.TIMEOUT)
        if refresh and not self.stop.reason:
            if not mine.update(heartbeat_at=timezone.now()):
                self.stop.set(StopFlag.LEASE)
            return True
        return False


def job_run(*, job_id) -> str:
    """Claims a queued job and runs it to the end. Returns the job's final word."""
    with job_log_context(job_id):
        result = _job_run(job_id)
        if result != "skipped":
            logger.info("job %s: run ended: %s", job_id, result, extra={"result": result})
    work_dirs_sweep_due()
    return result


_last_sweep = 0.0


def work_dirs_sweep_due(*, force: bool = False) -> None:
    """Sweeps this worker's own work folders (old ones of finished jobs, and those of deleted
    jobs) when WORK_SWEEP_SECONDS have passed since the last time, or with `force`."""
    global _last_sweep
    now = time.monotonic()
    if not force and _last_sweep and now - _last_sweep < settings.WORK_SWEEP_SECONDS:
        return
    _last_sweep = now
    from pipeline.cleanup import work_dirs_sweep

    try:
        report = work_dirs_sweep()
    except Exception:
        logger.exception("could not sweep the work folders")
        return
    removed = report.work_dirs_expired.count + report.orphan_work_dirs.count
    if removed:
        logger.info("removed %s old work folders", removed, extra=report.as_dict()["total"])


def _job_run(job_id) -> str:
    lease = _new_lease()
    if not lifecycle.job_claim(job_id=job_id, lease=lease):
        return "skipped"
    job = Job.objects.get(pk=job_id)
    try:
        run = JobRun(job, lease)
    except LookupError:
        lifecycle.job_fail(
            job_id=job.id,
            lease=lease,
            stage="",
            error_type="UnknownKind",
            message=f"No generator called {job.kind!r} is installed.",
            hint="Check VIDEOGEN_GENERATORS on the worker.",
        )
        return Job.Status.FAILED
    return run.execute()


def jobs_reap(*, worker_start: bool = False) -> int:
    """Puts back jobs whose worker died; re-sends queued jobs whose task went missing.

    A running job is recovered when its lease names a process on this host that is gone (a
    worker killed with SIGKILL, a machine restart), or when its heartbeat is older than
    JOB_STALE_SECONDS (a worker on another host). Returns how many jobs were recovered.

    A queued job whose task is neither waiting in the broker nor running was taken by a
    cluster that has since died (a cluster takes a few tasks ahead of its workers; killed, it
    loses them with Redis or leaves them locked for hours with the ORM broker). Such a job is
    sent again when a worker starts (`worker_start`: the cluster that took it may be the one
    just killed) and, on the regular pass, once its task is JOB_STALE_SECONDS old. A second
    delivery is harmless (the claim is conditional): at most the few tasks a live cluster
    holds ahead of its workers get one.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    recovered = 0
    running = Job.objects.filter(status=Job.Status.RUNNING).values_list(
        "id", "lease", "heartbeat_at", "attempts", "cancel_requested", "stage"
    )
    for job_id, lease, heartbeat_at, attempts, cancel_requested, stage in running:
        stale = heartbeat_at is None or heartbeat_at < stale_before
        if not (stale or _lease_holder_is_dead(lease)):
            continue
        if _recover(job_id, lease, attempts, cancel_requested, stage):
            recovered += 1

    queued = Job.objects.filter(status=Job.Status.QUEUED).filter(
        Q(run_after__isnull=True) | Q(run_after__lte=now)
    )
    redeliver_before = now - timedelta(seconds=max(settings.JOB_STALE_SECONDS * 5, 120))
    lost_ids = set(
        queued.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=redeliver_before)
        ).values_list("id", flat=True)
    )
    taken_before = now if worker_start else stale_before
    sent = set(queued.filter(enqueued_at__lt=taken_before).values_list("id", flat=True))
    if sent - lost_ids:
        waiting = job_ids_waiting_in_broker()
        lost_ids |= {i for i in sent if str(i) not in waiting}
    for job_id in lost_ids:
        with transaction.atomic():
            job_enqueue(job_id)
    return recovered


def _recover(job_id, lease, attempts, cancel_requested, stage) -> bool:
    """Moves one abandoned job on, conditional on the dead lease so it happens once."""
    if cancel_requested:
        moved, outcome = lifecycle.job_canceled(job_id=job_id, lease=lease, stage=stage), "canceled"
    elif attempts >= settings.JOB_MAX_ATTEMPTS:
        moved, outcome = (
            lifecycle.job_fail(
                job_id=job_id,
                lease=lease,
                stage=stage,
                error_type="WorkerLost",
                message=f"The worker stopped while running this job {attempts} times "
                f"(last during '{stage or 'start'}').",
                hint="Retry it; if it keeps failing, try a shorter text or a lower "
                "resolution, which need less memory.",
                payload={"recovered": True},
            ),
            "failed",
        )
    else:
        moved = lifecycle.job_requeue(
            job_id=job_id,
            lease=lease,
            stage=stage,
            message="The worker running this job stopped; resuming from the last checkpoint.",
            payload={"recovered": True},
        )
        outcome = "queued"
    if not moved:
        return False  # someone else moved it first
    logger.warning(
        "job %s: recovered from a dead worker (%s)",
        job_id,
        outcome,
        extra={"job_id": str(job_id)},
    )
    return True
