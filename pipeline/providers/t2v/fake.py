"""A fake text-to-video backend for tests, chosen by settings like any other backend.

It writes a real, playable MP4 of the requested size and frame count (ffmpeg's test
pattern), reports progress step by step like a model, and records its calls in `calls`.
`fail` makes it fail ("transient", "permanent" or "oom", the last like a model that ran out
of memory); `fail_on_call` limits that to the n-th call, e.g. the second shot of a job.

    VIDEOGEN_PROVIDERS["t2v"] = {"BACKEND": "pipeline.providers.t2v.fake.FakeTextToVideo"}
"""

import os
import subprocess
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.media.ffmpeg import base_args
from pipeline.providers.base import report
from pipeline.providers.t2v.base import IMAGE_TO_VIDEO, OOM_HINT, TEXT_TO_VIDEO, TextToVideo

FAILURES = ("", "transient", "permanent", "oom")


class FakeTextToVideo(TextToVideo):
    name = "fake"
    label = "Fake text-to-video"
    capabilities = (TEXT_TO_VIDEO, IMAGE_TO_VIDEO)
    option_defaults = {"steps": 4, "fail": "", "fail_on_call": 0}
    output_options = ("steps",)

    def __init__(self, **options):
        super().__init__(**options)
        self.calls: list[dict] = []

    @classmethod
    def invalid_options(cls, options):
        problems = []
        if options.get("fail", "") not in FAILURES:
            problems.append(f"option 'fail' must be one of {FAILURES}, got {options['fail']!r}")
        nth = options.get("fail_on_call", 0)
        if isinstance(nth, bool) or not isinstance(nth, int) or nth < 0:
            problems.append(f"option 'fail_on_call' must be an integer >= 0, got {nth!r}")
        return problems

    def status(self) -> dict:
        state = "loaded" if self.calls else "not_loaded"
        return {"status": state, "error": "", "device": "cpu", "memory_bytes": 0}

    def render(self, *, width, height, num_frames, fps, out_path, on_progress, **request):
        image = request.pop("image")
        self.calls.append(
            {
                **request,
                "width": width,
                "height": height,
                "num_frames": num_frames,
                "fps": fps,
                "image_size": image.size if image is not None else None,
                "out_path": Path(out_path),
            }
        )
        self._fail_if_asked()
        steps = int(request.get("steps") or self.options["steps"])
        for step in range(steps):
            report(on_progress, (step + 1) / steps * 0.9, f"Step {step + 1} of {steps}")
        partial = Path(out_path).with_name(Path(out_path).name + ".part")
        subprocess.run(
            [
                *base_args(),
                "-f", "lavfi", "-i", f"testsrc=size={width}x{height}:rate={fps}",
                "-frames:v", str(num_frames),
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4", str(partial),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        os.replace(partial, out_path)
        return Path(out_path)

    def _fail_if_asked(self) -> None:
        mode, nth = self.options["fail"], self.options["fail_on_call"]
        if not mode or (nth and len(self.calls) != nth):
            return
        if mode == "transient":
            raise GeneratorError("Fake video model is busy.", permanent=False)
        if mode == "oom":
            raise GeneratorError(
                "The video model ran out of memory (fake).", permanent=True, hint=OOM_HINT
            )
        raise GeneratorError("Fake video model refused the shot.", permanent=True, hint="Fake.")
