"""What one /metrics scrape costs as the job table grows.

Fills the database with jobs of every kind (nearly all finished, 0.1% queued and 0.1% running)
and a full stage-duration table, then
renders the metrics the way the view does (database queries, broker, worker statistics) and
prints the time per scrape. Goal: well under 100 ms at 100,000 jobs.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
SCRAPES = 30


def main():
    stack = start_stack()
    from django.contrib.auth import get_user_model
    from prometheus_client import generate_latest

    from pipeline.engine.metrics import (
        STAGE_DURATION_BUCKETS,
        job_outcome_record,
        stage_duration_record,
    )
    from pipeline.models import Job
    from videogen.metrics import metrics_registry

    try:
        user = get_user_model().objects.create_user("bench@example.com", "bench-password-1")
        kinds = ["explainer", "story", "youtube", "ai_video"]
        finished = ["succeeded", "succeeded", "succeeded", "failed", "canceled"]

        def status(i: int) -> str:
            # As in a studio that has run for a while: nearly every job has finished.
            if i % 1000 == 0:
                return Job.Status.QUEUED
            if i % 1000 == 1:
                return Job.Status.RUNNING
            return finished[i % len(finished)]

        for kind in kinds:
            for stage in ("plan", "narrate", "captions", "visuals", "render", "assemble", "final"):
                for seconds in (*STAGE_DURATION_BUCKETS, 9999.0):
                    stage_duration_record(kind=kind, stage=stage, seconds=seconds)
            for outcome in ("succeeded", "failed", "canceled"):
                job_outcome_record(kind=kind, outcome=outcome)
        registry = metrics_registry()
        made = 0
        for size in SIZES:
            batch = [
                Job(
                    owner=user,
                    kind=kinds[i % len(kinds)],
                    prompt="bench",
                    status=status(i),
                )
                for i in range(made, size)
            ]
            Job.objects.bulk_create(batch, batch_size=5000)
            made = size
            generate_latest(registry)  # warm
            times = []
            for _ in range(SCRAPES):
                started = time.perf_counter()
                body = generate_latest(registry)
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"{size:>7} jobs: scrape p50 {statistics.median(times):.1f} ms, "
                f"max {max(times):.1f} ms, {len(body)} bytes"
            )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
