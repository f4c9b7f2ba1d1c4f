"""Explainer render speed: a three-scene plan drawn by our Manim templates at 720p30, with
all scenes in one process (serial) and split over two processes (parallel, as the explainer
renders them with EXPLAINER_PARALLEL=2). Prints seconds of rendering per second of video.

Goal: at most 0.5 s per video second on 2 cores.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")

import django  # noqa: E402

django.setup()

from pipeline.providers.llm.local import LocalPlanner  # noqa: E402

TOPIC = "Explain the Pythagorean theorem with visual proof"


def specs() -> list[dict]:
    plan = LocalPlanner().plan(kind="explainer", prompt=TOPIC, options={"max_scenes": 3})
    return [
        {
            "index": index,
            "visual": scene.visual,
            "bullets": scene.bullets,
            "formula": scene.formula,
            "on_screen_text": scene.on_screen_text,
            "duration": round(scene.duration_hint or 6.0, 2),
            "beats": [1.0, 2.5, 4.0],
            "width": 1280,
            "height": 720,
            "fps": 30,
            "palette": "default",
            "latex": False,
        }
        for index, scene in enumerate(plan.scenes[:3])
    ]


def render(batches: list[list[Path]]) -> float:
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-m", "pipeline.manim_scenes", *batch], cwd=ROOT,
                         stdout=subprocess.DEVNULL)
        for batch in batches
    ]  # fmt: skip
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit("a render failed")
    return time.perf_counter() - started


def main():
    scenes = specs()
    folder = Path(tempfile.mkdtemp(prefix="videogen-bench-explainer-"))
    files = []
    for spec in scenes:
        path = folder / f"scene{spec['index']}" / "spec.json"
        path.parent.mkdir()
        path.write_text(json.dumps(spec))
        files.append(path)
    seconds = sum(spec["duration"] for spec in scenes)
    serial = render([files])
    parallel = render([files[0::2], files[1::2]])
    goal = "meets" if parallel / seconds <= 0.5 else "misses"
    print(f"{len(scenes)} scenes, {seconds:.1f} s of 1280x720 30 fps video")
    print(f"serial (1 process):   {serial:.1f} s = {serial / seconds:.2f} s per video second")
    print(
        f"parallel (2 processes): {parallel:.1f} s = {parallel / seconds:.2f} s per video second "
        f"({goal} the 0.5 s goal)"
    )


if __name__ == "__main__":
    main()
