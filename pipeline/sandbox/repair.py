"""Render LLM-written code, sending each failure back for a fix a bounded number of times.

Independent of any LLM provider: the caller passes `generate_fix(code, error) -> code`. When
every attempt fails the result has no video and the generator falls back to its own template
renderer; `attempts` says what went wrong each time, for the job's log.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.sandbox.errors import SandboxError, SandboxTimeout, SandboxViolation
from pipeline.sandbox.runner import code_hash, render_untrusted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    number: int
    code_hash: str
    error: str  # empty when this attempt rendered
    kind: str  # "rendered", "violation", "render_error", "timeout"
    seconds: float


@dataclass
class RepairResult:
    video: Path | None
    code: str  # the code that rendered, or the last code tried
    attempts: list[Attempt] = field(default_factory=list)
    protections: dict = field(default_factory=dict)
    gave_up: str = ""  # why the loop stopped early, if it did


def render_with_repairs(
    *,
    code: str,
    generate_fix: Callable[[str, str], str],
    max_repairs: int,
    workdir: Path,
    on_attempt: Callable[[Attempt], None] | None = None,
    **render_options,
) -> RepairResult:
    """Static check and render; on a repairable failure ask `generate_fix` for new code and try
    again, at most `max_repairs` times. `render_options` go to `render_untrusted` (quality,
    timeout, limits, run). SandboxUnavailable and job cancellation propagate: no fix helps."""
    result = RepairResult(video=None, code=code)
    tried: set[str] = set()
    for number in range(max_repairs + 1):
        started = time.monotonic()
        try:
            rendered = render_untrusted(result.code, workdir=workdir, **render_options)
        except SandboxError as exc:
            attempt = Attempt(
                number, code_hash(result.code), exc.feedback(), _kind(exc), _since(started)
            )
        else:
            attempt = Attempt(number, code_hash(result.code), "", "rendered", _since(started))
            result.video, result.protections = rendered.video, rendered.protections
        result.attempts.append(attempt)
        tried.add(attempt.code_hash)
        if on_attempt:
            on_attempt(attempt)
        if result.video or number == max_repairs:
            break
        try:
            fixed = generate_fix(result.code, attempt.error)
        except GeneratorError as exc:
            result.gave_up = f"asking for a fix failed: {exc.message}"
            break
        if code_hash(fixed) in tried:
            result.gave_up = "the fix repeated code that already failed"
            break
        result.code = fixed
    if result.video is None:
        log.info(
            "sandboxed scene failed after %d attempt(s)%s: %s",
            len(result.attempts),
            f" ({result.gave_up})" if result.gave_up else "",
            result.attempts[-1].error.splitlines()[0] if result.attempts else "",
        )
    return result


def _kind(exc: SandboxError) -> str:
    if isinstance(exc, SandboxViolation):
        return "violation"
    if isinstance(exc, SandboxTimeout):
        return "timeout"
    return "render_error"


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
