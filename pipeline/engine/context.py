"""What a stage sees of its job: inputs, a private work folder, progress and child processes."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from pipeline.engine.scene_cache import CacheEntry, SceneCache
from pipeline.errors import GeneratorError, JobCanceled, LeaseLost
from pipeline.library.selectors import reference_of
from pipeline.models import JobEvent

try:  # Linux: children die with the worker even when it is killed with SIGKILL
    import ctypes

    _libc = ctypes.CDLL("libc.so.6", use_errno=True)
    _PR_SET_PDEATHSIG = 1

    def die_with_parent():
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
except OSError:  # pragma: no cover - other systems

    def die_with_parent():
        pass


class StopFlag:
    """Why a running job must stop, set by the heartbeat thread and read between steps."""

    CANCEL = "cancel"
    LEASE = "lease"
    TIMEOUT = "timeout"

    def __init__(self):
        self.reason: str | None = None
        self._children: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    def set(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
            children = list(self._children)
        for proc in children:
            kill_process_group(proc)

    def add_child(self, proc) -> None:
        with self._lock:
            self._children.add(proc)
        if self.reason:
            kill_process_group(proc)

    def remove_child(self, proc) -> None:
        with self._lock:
            self._children.discard(proc)

    def kill_children(self) -> None:
        with self._lock:
            children = list(self._children)
        for proc in children:
            kill_process_group(proc)


def kill_process_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


class StageContext:
    def __init__(self, *, run, stage, index: int):
        self._run = run
        self.stage = stage
        self.index = index
        job = run.job
        self.job_id = job.id
        self._owner_id = job.owner_id
        self.kind = job.kind
        self.prompt = job.prompt
        self.options = job.options
        self.workdir: Path = run.workdir
        self._cache = SceneCache(self.job_id, self.workdir)

    # --- inputs ---------------------------------------------------------------------------
    def output(self, key: str):
        """`key` of what the latest earlier stage that returned it returned: the one way a
        stage reads an earlier one's work, whatever the stages are called in its generator
        (a narrated video's pictures come from `visuals` in a story, `images` in a YouTube
        video). A stage asking for a key it does not declare in its `needs`, or for one no
        earlier stage made, is a bug: permanent."""
        if key not in self.stage.needs:
            raise GeneratorError(
                f"Stage {self.stage.name!r} reads {key!r} without declaring it in its needs.",
                permanent=True,
            )
        recorded = self._run.manifest.get("stages", {})
        for stage in reversed(self._run.stages[: self.index]):
            outputs = recorded.get(stage.name, {}).get("outputs", {})
            if key in outputs:
                return outputs[key]
        raise GeneratorError(f"No earlier stage produced {key!r}.", permanent=True)

    def reference(self, item_id):
        """The job owner's reference picture with this id, whichever model holds it: their
        upload, else their library's item (see `reference_of`), or None."""
        return reference_of(owner_id=self._owner_id, item_id=item_id)

    def path(self, name: str) -> Path:
        path = self.workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def cached(self, kind: str, inputs: dict, files: dict[str, Path]) -> CacheEntry:
        """A scene's output files, kept under a hash of the inputs that make them: copied to
        `files`' paths when an earlier run made them (`.restored`), else the stage makes them
        and calls `.store()`. See pipeline/engine/scene_cache.py."""
        return self._cache.entry(kind, inputs, files)

    # --- reporting ------------------------------------------------------------------------
    def check(self) -> None:
        """Raises if the job must stop: call it between steps."""
        self._run.raise_if_stopped()

    def progress(self, fraction: float, message: str = "") -> None:
        self.check()
        self._run.stage_progress(self, max(0.0, min(1.0, fraction)), message)

    def event(self, type: str, message: str = "", payload: dict | None = None) -> None:
        """A milestone inside the stage, such as `shot_complete`."""
        self.check()
        if type not in JobEvent.Type.values:
            raise ValueError(f"unknown event type {type!r}")
        # Milestones are never throttled: the log must say what happened.
        self._run.publish(type, stage=self.stage.name, message=message, payload=payload, force=True)

    # --- child processes ------------------------------------------------------------------
    def run(
        self,
        args: list[str],
        *,
        label: str = "",
        timeout: float | None = None,
        cwd: Path | None = None,
        env: dict | None = None,
    ) -> subprocess.CompletedProcess:
        """Runs a program that cancel, timeout or a lost lease can kill at any moment.

        Output goes to a log file in the work folder (no pipes to fill up); its tail is in the
        error when the program fails.
        """
        self.check()
        label = label or Path(args[0]).name
        log_path = self.path(f"logs/{self.stage.name}-{label}-{time.monotonic_ns()}.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(a) for a in args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=str(cwd or self.workdir),
                env=env,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
            self._run.stop.add_child(proc)
            started = time.monotonic()
            try:
                while True:
                    try:
                        proc.wait(timeout=0.2)
                        break
                    except subprocess.TimeoutExpired:
                        if self._run.stop.reason:
                            kill_process_group(proc)
                        elif timeout and time.monotonic() - started > timeout:
                            kill_process_group(proc)
                            proc.wait()
                            raise GeneratorError(
                                f"{label} took longer than {timeout:.0f} s and was stopped.",
                                permanent=True,
                            )
            finally:
                self._run.stop.remove_child(proc)
        self.check()
        if proc.returncode != 0:
            tail = log_path.read_bytes()[-1500:].decode("utf-8", "replace").strip()
            raise GeneratorError(
                f"{label} failed (exit code {proc.returncode}): {tail[-600:]}",
                permanent=True,
            )
        return subprocess.CompletedProcess(args, proc.returncode)


__all__ = ["StageContext", "StopFlag", "JobCanceled", "LeaseLost", "kill_process_group"]
