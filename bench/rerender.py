"""Rendering an edited story again: a 6-scene story made end to end through the real queue
(web server and django-q2 cluster in their own processes, default offline settings: local
planner, Piper voice, procedural pictures), then one scene's narration changed through the
API (`PUT jobs/<id>/plan` with the current revision, `POST jobs/<id>/render`) and rendered
again. What did not change is reused: the other scenes' voices and pictures, and the
assembler's encoded parts of the other scenes and crossfades.

Prints both wall times (request to the video being in the gallery), their ratio (goal: the
second at most 0.3 of the first), each run's stages and the assembler's reuse line, and
checks that the second video equals the first outside the edited scene's span (and its
crossfades), every frame of it compared, shifted by the change in the scene's length.
The worker is warmed first with a short story, as a running installation would be.
"""

import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import start_stack  # noqa: E402
from bench.prompt_to_video import STORY  # noqa: E402  (the same one-minute story)

EDITED = 2  # the third scene
ADDED = " The wind howled around the tower all night, and the old stones shook."
GOAL = 0.3
MARGIN = 0.5  # seconds either side of the edited scene left out (its crossfades take 0.25)


def wait(client, job_id, timeout=900) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "canceled"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"job {job_id} not done after {timeout} s")
        time.sleep(0.2)
    if job["status"] != "succeeded":
        raise SystemExit(f"job {job['status']}: {job.get('error')}")
    return job


def stages_after(job_id, seq: int) -> str:
    from pipeline.models import JobEvent

    events = JobEvent.objects.filter(job_id=job_id, seq__gt=seq).order_by("seq")
    started = events.filter(type="status").first()
    previous, times = started.created_at if started else None, []
    for event in events.filter(type="stage_complete"):
        times.append(f"{event.stage} {(event.created_at - previous).total_seconds():.1f}")
        previous = event.created_at
    return ", ".join(times)


def reuse_line(job_id, seq: int) -> str:
    from pipeline.models import JobEvent

    found = JobEvent.objects.filter(job_id=job_id, seq__gt=seq, message__startswith="Segments: ")
    return found.order_by("seq").values_list("message", flat=True).first() or "(none)"


def last_seq(job_id) -> int:
    from pipeline.models import JobEvent

    return JobEvent.objects.filter(job_id=job_id).order_by("-seq").values_list("seq", flat=True)[0]


def frames(path: Path):
    """(frame number, YUV picture) for every frame of the video."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate)
        for frame in container.decode(stream):
            yield round(frame.time * rate), frame.to_ndarray().astype("int16")


def compare(first: Path, second: Path, span: tuple[float, float], shift: float, fps: int):
    """Every frame of the first video outside `span` (seconds, with MARGIN) against the
    second video's frame at the same time before the span, `shift` seconds later after it:
    (frames compared, largest mean difference, whether the span itself changed)."""
    start, end = round((span[0] - MARGIN) * fps), round((span[1] + MARGIN) * fps)
    moved = round(shift * fps)
    later = frames(second)
    current = next(later)
    compared, worst, inside_changed = 0, 0.0, False
    for n, picture in frames(first):
        target = n if n < start else n + moved
        while current[0] < target:
            current = next(later, None)
            if current is None:
                return compared, math.inf, inside_changed  # the second video is too short
        difference = float(abs(picture - current[1]).mean())
        if start <= n < end:
            inside_changed |= difference > 1.0
            continue
        compared += 1
        worst = max(worst, difference)
    return compared, worst, inside_changed


def main():
    stack = start_stack()
    folder = None
    try:
        stack.start_web()
        stack.start_worker()
        client = stack.register("rerender@example.com")
        client.timeout = 60
        warm = client.post("/api/v1/jobs", json={"kind": "story",
                                                 "prompt": "A fox found a lantern. It carried "
                                                 "the light home."}).json()  # fmt: skip
        wait(client, warm["id"])

        started = time.perf_counter()
        job = client.post("/api/v1/jobs", json={"kind": "story", "prompt": STORY}).json()
        job = wait(client, job["id"])
        first_wall = time.perf_counter() - started
        job_id, fps = job["id"], int(job["options"].get("fps", 30))
        first_stages = stages_after(job_id, 0)
        plan = client.get(f"/api/v1/jobs/{job_id}/plan").json()
        scenes = len(plan["plan"]["scenes"])
        folder = Path(tempfile.mkdtemp(prefix="videogen-rerender-"))  # the two videos
        first_video = folder / "first.mp4"
        first_video.write_bytes(client.get(f"/api/v1/jobs/{job_id}/video",
                                           follow_redirects=True).content)  # fmt: skip
        before = client.get(f"/api/v1/jobs/{job_id}/artifacts/speech.json").json()["scenes"]
        seq = last_seq(job_id)

        plan["plan"]["scenes"][EDITED]["narration"] += ADDED
        saved = client.put(f"/api/v1/jobs/{job_id}/plan",
                           json={"revision": plan["revision"], "plan": plan["plan"]})  # fmt: skip
        assert saved.status_code == 200, saved.text
        started = time.perf_counter()
        assert client.post(f"/api/v1/jobs/{job_id}/render").status_code == 202
        job = wait(client, job_id)
        second_wall = time.perf_counter() - started
        second_video = folder / "second.mp4"
        second_video.write_bytes(client.get(f"/api/v1/jobs/{job_id}/video",
                                            follow_redirects=True).content)  # fmt: skip
        after = client.get(f"/api/v1/jobs/{job_id}/artifacts/speech.json").json()["scenes"]

        ratio = second_wall / first_wall
        verdict = "meets" if ratio <= GOAL else "misses"
        print(f"story of {scenes} scenes, {before[-1]['end']:.1f} s of video at {fps} fps")
        print(f"first render: {first_wall:.1f} s; stages (s): {first_stages}")
        print(f"scene {EDITED + 1}'s narration edited, rendered again: {second_wall:.1f} s; "
              f"stages (s): {stages_after(job_id, seq)}")  # fmt: skip
        print(f"  {reuse_line(job_id, seq)}")
        print(f"second / first = {ratio:.2f} ({verdict} the {GOAL} goal)")

        span = (before[EDITED]["start"], before[EDITED]["end"])
        shift = after[EDITED]["end"] - before[EDITED]["end"]
        compared, worst, changed = compare(first_video, second_video, span, shift, fps)
        same = worst < 1.0 and changed
        print(
            f"outside scene {EDITED + 1} ({span[0]:.1f}-{span[1]:.1f} s, then shifted "
            f"{shift:+.2f} s): {compared} frames compared, largest mean difference "
            f"{worst:.3f} of 255; inside it the picture changed: {changed} -> "
            f"{'the videos differ only inside the edited scene' if same else 'MISMATCH'}"
        )
    finally:
        stack.stop_all()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
