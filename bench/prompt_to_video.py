"""Time from prompt to video: a one-minute story, youtube video and explainer, each made end
to end through the real queue (a django-q2 cluster in its own process) with the default
offline settings (local planner, Piper voice, procedural pictures, Manim), one at a time.

Prints, per kind, the wall time from submitting to the video being in the gallery, the
video's length and their ratio, with the time each stage took. Goals on a 2-core machine:
at most 0.5x the video's length for story and youtube, 1.0x for the explainer. The worker is
warmed first with a short story (imports, the voice loaded once per worker), as a running
installation would be.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402

STORY = (
    "Ada kept the lighthouse on a small rocky island, far from the nearest town. Every "
    "evening she climbed the one hundred and twelve stairs, wound the old clockwork and lit "
    "the great lamp. Ships passed safely in the dark, and nobody ever thanked her, but she "
    "did not mind. One winter night a storm broke the glass and the flame went out. Ada "
    "wrapped herself in her father's coat, took the brass lantern from the kitchen and stood "
    "at the top of the tower, holding the light up into the wind. Her arms shook and the rain "
    "stung her face, but she did not let go. At dawn a fishing boat came home through the "
    "rocks, its crew tired and frozen but alive. The captain looked up at the tower and waved "
    "his cap. The next Sunday, a basket of fresh bread was waiting at the jetty, with a note "
    "that said: for the keeper of the light. After that, a basket came every Sunday, and Ada "
    "never felt alone on her island again."
)
CASES = [
    ("story", STORY, {}),
    # A subject the offline planner knows (it does not pad one it does not: a bare topic such
    # as "How do bees make honey" becomes a one-scene draft to edit).
    ("youtube", "Why the area of a circle is pi r squared", {"target_seconds": 60}),
    ("explainer", "Explain the Pythagorean theorem", {"target_seconds": 60}),
]
GOALS = {"story": 0.5, "youtube": 0.5, "explainer": 1.0}


def run(user, kind, prompt, options, timeout=900):
    from django.db import transaction

    from pipeline.models import Job
    from studio.services import job_create

    with transaction.atomic():
        job = job_create(user=user, kind=kind, prompt=prompt, options=options)
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    while True:
        job = Job.objects.select_related("result").get(pk=job.pk)
        if job.status in ("succeeded", "failed", "canceled"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"{kind}: not done after {timeout} s")
        time.sleep(0.1)
    wall = time.perf_counter() - started
    if job.status != "succeeded":
        raise SystemExit(f"{kind} {job.status}: {job.error}")
    return job, wall


def stage_times(job) -> list[tuple[str, float]]:
    from pipeline.models import JobEvent

    times, previous = [], job.started_at
    for event in JobEvent.objects.filter(job=job, type="stage_complete").order_by("seq"):
        times.append((event.stage, (event.created_at - previous).total_seconds()))
        previous = event.created_at
    return times


def main():
    stack = start_stack()
    from django.contrib.auth import get_user_model

    try:
        user = get_user_model().objects.create_user("bench@example.com", "bench-password-1")
        stack.start_worker()
        run(user, "story", "A fox found a lantern. It carried the light home.", {})
        for kind, prompt, options in CASES:
            job, wall = run(user, kind, prompt, options)
            length = job.result.duration
            ratio = wall / length
            verdict = "meets" if ratio <= GOALS[kind] else "misses"
            stages = ", ".join(f"{name} {seconds:.1f}" for name, seconds in stage_times(job))
            print(
                f"{kind}: {length:.1f} s of video in {wall:.1f} s = {ratio:.2f}x its length "
                f"({verdict} the {GOALS[kind]}x goal); stages (s): {stages}"
            )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
