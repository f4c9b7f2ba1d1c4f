"""Render speed of the explainer's scene vocabulary: the offline planner's plans for prompts
that supply data (a list to search, an equation, a function, years, figures ...), each scene
drawn by our Manim templates at 1280x720 30 fps in one process. Prints, per visual type,
seconds of rendering per second of video (the ~1.5 s of importing Manim is paid once and
spread over all of them), and the total.
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
from pipeline.providers.text import split_sentences  # noqa: E402

PROMPTS = [
    "How does binary search find a number in a sorted list? Show each halving step.",
    "Explain why the derivative of sin(x) is cos(x), using the unit circle.",
    "Solve 3x + 5 = 20 step by step",
    "The French Revolution: 1789 storming of the Bastille, 1793 the Terror, 1799 Napoleon "
    "takes power",
    "Population of France 68 million, Germany 84 million, Italy 59 million",
    "Show 3/4, -1.5 and 2 on a number line",
    "Compare TCP vs UDP",
    "The water cycle: evaporation -> condensation -> precipitation -> collection",
]


def specs() -> list[dict]:
    found = []
    for prompt in PROMPTS:
        plan = LocalPlanner().plan(kind="explainer", prompt=prompt)
        for scene in plan.scenes:
            duration = max(3.0, scene.duration_hint)
            sentences = split_sentences(scene.narration)
            found.append(
                {
                    "visual": scene.visual,
                    "bullets": scene.bullets,
                    "formula": scene.formula,
                    "on_screen_text": scene.on_screen_text,
                    "duration": duration,
                    # sentence starts spread evenly, as a voice would roughly place them
                    "beats": [
                        round(duration * i / len(sentences), 2) for i in range(len(sentences))
                    ],
                    "width": 1280,
                    "height": 720,
                    "fps": 30,
                    "palette": "default",
                    "latex": False,
                }  # fmt: skip
            )
    return found


def main():
    folder = Path(tempfile.mkdtemp(prefix="videogen-bench-vocabulary-"))
    files = []
    for index, spec in enumerate(specs()):
        path = folder / f"{index:02d}" / "spec.json"
        path.parent.mkdir()
        path.write_text(json.dumps(spec))
        files.append(path)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.manim_scenes", *files],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    finished = {}
    for line in proc.stdout:  # "rendered <folder>/scene.mp4", one per scene, in order
        finished[Path(line.split(" ", 1)[1].strip()).parent.name] = time.perf_counter()
    if proc.wait() != 0:
        raise SystemExit("a render failed")
    by_type: dict[str, list[float]] = {}
    previous = started
    for path in files:
        spec = json.loads(path.read_text())
        done = finished[path.parent.name]
        seconds, video = by_type.setdefault(spec["visual"]["type"], [0.0, 0.0])
        by_type[spec["visual"]["type"]] = [seconds + done - previous, video + spec["duration"]]
        previous = done
    total = previous - started
    video = sum(json.loads(p.read_text())["duration"] for p in files)
    print(f"{len(files)} scenes, {video:.1f} s of 1280x720 30 fps video in {total:.1f} s")
    for kind, (seconds, length) in sorted(by_type.items()):
        print(f"  {kind:15s} {length:5.1f} s of video: {seconds / length:.2f} s per video second")
    print(f"total: {total / video:.2f} s per video second (one process)")


if __name__ == "__main__":
    main()
