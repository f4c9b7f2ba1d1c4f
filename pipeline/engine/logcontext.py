"""The job a log line belongs to.

The runner sets it for the whole of a job's run, so every line logged meanwhile (by the
runner, a generator or a provider) carries the job's id in the JSON log format. This module
imports nothing from Django: the log formatter loads it before the apps are ready.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_job_id: ContextVar[str | None] = ContextVar("videogen_job_id", default=None)


@contextmanager
def job_log_context(job_id) -> Iterator[None]:
    token = current_job_id.set(str(job_id))
    try:
        yield
    finally:
        current_job_id.reset(token)
