"""Pipeline overhead per job: queue + events + bookkeeping around a stage that does nothing.

Submits jobs the way the API does, through the real django-q2 cluster (MAX_CONCURRENT_JOBS
workers), with every event sent over the real channel layer, and prints the cost per job.
Goal: at most 50 ms per job.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

JOBS = 100


def main():
    stack = start_stack()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from pipeline.engine.runner import job_run
    from pipeline.models import Job
    from pipeline.services import job_submit

    def submit(user):
        with transaction.atomic():
            return job_submit(owner=user, kind="noop", prompt="nothing", options={})

    try:
        user = get_user_model().objects.create_user("bench@example.com", "bench-password-1")

        # The runner alone, in this process: no queue in between.
        inline = []
        for _ in range(20):
            job = submit(user)
            started = time.perf_counter()
            assert job_run(job_id=job.id) == "succeeded"
            inline.append(time.perf_counter() - started)

        stack.start_worker()
        warm = submit(user)
        deadline = time.monotonic() + 60
        while Job.objects.get(pk=warm.pk).status != "succeeded":
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not start: " + stack.dump_logs())
            time.sleep(0.05)

        started = time.perf_counter()
        ids = [submit(user).id for _ in range(JOBS)]
        submitted = time.perf_counter() - started
        pending = Job.objects.filter(pk__in=ids).exclude(status="succeeded")
        while pending.exists():
            if Job.objects.filter(pk__in=ids, status="failed").exists():
                raise SystemExit("a job failed")
            time.sleep(0.02)
        total = time.perf_counter() - started

        latencies = [
            (job.finished_at - job.created_at).total_seconds()
            for job in Job.objects.filter(pk__in=ids)
        ]
        events = sum(job.last_seq for job in Job.objects.filter(pk__in=ids))
        per_job_ms = total / JOBS * 1000
        print(f"runner alone (in process): {statistics.median(inline) * 1000:.1f} ms per job")
        print(f"submitting {JOBS} jobs: {submitted * 1000 / JOBS:.1f} ms per job")
        print(
            f"latency submit->done: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms; {events} events in all"
        )
        verdict = "meets" if per_job_ms <= 50 else "misses"
        print(
            f"pipeline overhead: {JOBS} no-op jobs in {total:.2f} s through the queue = "
            f"{per_job_ms:.1f} ms per job ({verdict} the 50 ms goal)"
        )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
