"""Runs LLM-written Manim code in the sandbox and hands back the video it rendered.

The parent side: static check, a private folder, a scrubbed environment, the harness started
in an isolated interpreter with a wall-clock timeout, and a check of whatever the harness
reports (scene code runs in the same process as the harness, so its report is not trusted).
"""

import hashlib
import json
import logging
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.sandbox.errors import (
    SandboxRenderError,
    SandboxTimeout,
    SandboxUnavailable,
)
from pipeline.sandbox.static_check import check_code

log = logging.getLogger(__name__)

HARNESS = Path(__file__).with_name("harness.py")
QUALITIES = {"l": (854, 480, 15), "m": (1280, 720, 30), "h": (1920, 1080, 60)}
LAYERS = frozenset(
    {"python_guards", "audit_hook", "network", "capabilities", "landlock", "seccomp"}
)


@dataclass(frozen=True)
class Limits:
    """Per-render resource limits. A 480p scene peaks near 0.75 GB of address space (manim,
    numpy, cairo, pango and the encoder); 2 GB leaves room for 1080p."""

    memory_mb: int = 2048
    file_mb: int = 200
    open_files: int = 256
    processes: int = 64
    cpu_seconds: int | None = None  # default: the wall timeout plus five seconds


@dataclass
class RenderResult:
    video: Path
    seconds: float
    protections: dict = field(default_factory=dict)


def render_untrusted(
    code: str,
    *,
    workdir: Path,
    quality: str | tuple[int, int, int] = "l",
    timeout: float = 120.0,
    limits: Limits | None = None,
    run: Callable | None = None,
    python: str | None = None,
    static_check: bool = True,
    disable_layers: frozenset[str] = frozenset(),
) -> RenderResult:
    """Renders the Scene defined by `code` to an MP4 inside a new folder under `workdir`.

    `quality` is "l", "m", "h" or (width, height, fps). `run` is a callable like
    `StageContext.run` (so cancelling the job kills the render); without it the harness runs
    here with the same timeout and process-group kill. `python` is the interpreter with manim
    (default: this one). Raises SandboxViolation,
    SandboxRenderError (SandboxTimeout) with the traceback tail in `.log`, or
    SandboxUnavailable. `static_check=False` and `disable_layers` exist so tests can prove
    each runtime layer on its own; production code never passes them.
    """
    if static_check:
        check_code(code)
    unknown = set(disable_layers) - LAYERS
    if unknown:
        raise ValueError(f"unknown sandbox layers: {sorted(unknown)}")
    width, height, fps = QUALITIES[quality] if isinstance(quality, str) else quality
    folder = Path(tempfile.mkdtemp(prefix="sandbox-", dir=workdir))
    work = folder / "work"
    work.mkdir()
    (folder / "scene.py").write_text(code, encoding="utf-8")
    spec = {
        "parent_pid": os.getpid(),
        "width": int(width),
        "height": int(height),
        "fps": int(fps),
        "limits": _limits(limits or Limits(), timeout),
        "disable": sorted(disable_layers),
    }
    (folder / "spec.json").write_text(json.dumps(spec))
    args = [python or sys.executable, "-I", "-B", str(HARNESS), str(folder / "spec.json")]
    started = time.monotonic()
    failure = _start(args, run=run, timeout=timeout, folder=folder, env=_environment(work))
    seconds = time.monotonic() - started
    try:
        return _collect(folder, failure=failure, seconds=seconds, timeout=timeout)
    except (SandboxRenderError, SandboxUnavailable):
        shutil.rmtree(folder, ignore_errors=True)
        raise


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _limits(limits: Limits, timeout: float) -> dict:
    return {
        "cpu_seconds": limits.cpu_seconds or math.ceil(timeout) + 5,
        "memory_mb": limits.memory_mb,
        "file_mb": limits.file_mb,
        "open_files": limits.open_files,
        "processes": limits.processes,
    }


def _environment(work: Path) -> dict:
    """Only what manim needs: no secrets, no proxies, one thread per numerical library."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(work),
        "TMPDIR": str(work),
        "XDG_CACHE_HOME": str(work / ".cache"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }


def _start(args, *, run, timeout: float, folder: Path, env: dict) -> str | None:
    """Runs the harness; returns None when it exited cleanly, else why it did not."""
    if run is not None:
        try:
            run(args, label="manim-sandbox", timeout=timeout, cwd=folder / "work", env=env)
        except GeneratorError as exc:  # JobCanceled and LeaseLost pass through
            return exc.message
        except OSError as exc:  # the interpreter cannot be started at all
            return f"{args[0]} could not start: {exc}"
        return None
    from pipeline.engine.context import kill_process_group

    with open(folder / "harness.log", "wb") as output:
        try:
            proc = subprocess.Popen(
                args,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=folder / "work",
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return f"{args[0]} could not start: {exc}"
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"took longer than {timeout:.0f} s"
        finally:
            kill_process_group(proc)  # no-op when it already exited
            proc.wait()
    if code == 0:
        return None
    if code == -signal.SIGKILL:
        return "killed by SIGKILL (at the hard CPU limit, or by the kernel for memory)"
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _collect(folder: Path, *, failure: str | None, seconds: float, timeout: float) -> RenderResult:
    protections = _read_json(folder / "setup.json")
    _warn_if_weakened(protections)
    result = _read_json(folder / "work" / "result.json")
    if failure is None and result.get("ok"):
        video = _verified_video(folder, result.get("video"))
        return RenderResult(video=video, seconds=seconds, protections=protections)
    # The scene can write result.json too: keep what it says short.
    log_tail = str(result.get("log", ""))[-8_000:] or _log_tail(folder)
    result["error"] = str(result.get("error", ""))[:2_000]
    if result.get("timeout") or (failure and seconds >= timeout):
        budget = result.get("error") or f"it ran past {timeout:.0f} s"
        raise SandboxTimeout(
            f"The scene took too long to render and was stopped ({budget}); "
            "make it shorter or simpler.",
            log=log_tail,
        )
    if result.get("phase") == "setup" or not protections:
        raise SandboxUnavailable(
            f"The sandbox could not start: {result.get('error') or failure}", log=log_tail
        )
    error = result.get("error") or f"the render process failed ({failure or 'no result'})"
    raise SandboxRenderError(f"The scene failed: {error}", log=log_tail)


def _warn_if_weakened(protections: dict) -> None:
    """Kernels and containers differ: say loudly which operating-system layer did not hold."""
    for layer in ("network_isolated", "capabilities_dropped", "landlock", "seccomp"):
        value = protections.get(layer)
        held = value is True or (type(value) is int and value > 0) or value == "disabled"
        if protections and not held:
            log.warning("manim sandbox runs without %s: %s", layer, value)


def _verified_video(folder: Path, reported: object) -> Path:
    """The reported MP4, provided it is a plain, single-link file inside the work folder;
    moved out of it so nothing the scene left behind stays next to it."""
    work = (folder / "work").resolve()
    try:
        path = (work / str(reported)).resolve(strict=True)
        info = path.lstat()
    except (OSError, RuntimeError, ValueError):
        raise SandboxRenderError(f"The render reported no usable video ({reported!r}).")
    if not path.is_relative_to(work) or not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        raise SandboxRenderError(f"The render reported a video outside its folder ({reported!r}).")
    with open(path, "rb") as file:
        head = file.read(12)
    if info.st_size < 100 or head[4:8] != b"ftyp":
        raise SandboxRenderError("The render did not produce an MP4 file.")
    video = folder / "scene.mp4"
    os.replace(path, video)
    shutil.rmtree(work, ignore_errors=True)
    return video


def _read_json(path: Path, limit: int = 1_000_000) -> dict:
    """A small JSON object the harness wrote, or {}; never follows a link the scene made."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as file:
            data = json.loads(file.read(limit + 1)[:limit])
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _log_tail(folder: Path, lines: int = 40) -> str:
    """The end of the harness output: the log can be as large as the file-size limit."""
    try:
        with open(folder / "harness.log", "rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - 8_000))
            data = file.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])
