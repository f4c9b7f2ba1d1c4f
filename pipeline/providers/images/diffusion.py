"""Text-to-image with diffusers, from a model folder on this machine (no downloads).

The pipeline is loaded once per process and device, on first use; `available()` only looks
at the folder, so the web process can say "not configured" without importing torch.
"""

import importlib.util
import inspect
import re
import threading
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.providers.base import Availability, report
from pipeline.providers.images.base import ImageGenerator

MODEL_HINT = (
    "Set IMAGES_MODEL_PATH to a local diffusers text-to-image folder (one with "
    "model_index.json), e.g. a snapshot saved with pipeline.save_pretrained()."
)

_pipelines: dict[tuple, object] = {}
_pipelines_lock = threading.Lock()


class DiffusersImages(ImageGenerator):
    name = "diffusers"
    label = "Diffusers text-to-image"
    option_defaults = {
        "model_path": "",
        "device": "auto",  # auto: cuda if available, else mps, else cpu
        "steps": 25,
        "guidance_scale": 5.0,
        "negative_prompt": "blurry, low quality, text, watermark",
    }
    option_settings = {
        "model_path": "IMAGES_MODEL_PATH",
        "device": "IMAGES_DEVICE",
        "steps": "IMAGES_STEPS",
        "guidance_scale": "IMAGES_GUIDANCE",
    }
    output_options = ("model_path", "steps", "guidance_scale", "negative_prompt")

    @classmethod
    def invalid_options(cls, options):
        problems = []
        device = str(options.get("device", "auto"))
        if not re.fullmatch(r"auto|cpu|mps|cuda(?::\d+)?", device):
            problems.append(
                f"option 'device' must be auto, cpu, mps, cuda or cuda:N, got {device!r}"
            )
        steps = options.get("steps", 25)
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 200:
            problems.append(f"option 'steps' must be an integer 1-200, got {steps!r}")
        guidance = options.get("guidance_scale", 5.0)
        if isinstance(guidance, bool) or not isinstance(guidance, int | float) or guidance < 0:
            problems.append(f"option 'guidance_scale' must be a number >= 0, got {guidance!r}")
        return problems

    def available(self) -> Availability:
        raw = str(self.options["model_path"] or "").strip()
        if not raw:
            return Availability.missing(
                "No text-to-image model is configured.", "IMAGES_MODEL_PATH"
            )
        folder = Path(raw)
        if not folder.is_dir():
            return Availability.missing(
                f"IMAGES_MODEL_PATH {folder} is not a folder.", "IMAGES_MODEL_PATH"
            )
        if not (folder / "model_index.json").is_file():
            return Availability.missing(
                f"{folder} has no model_index.json, so it is not a diffusers model folder.",
                "IMAGES_MODEL_PATH",
            )
        for module in ("torch", "diffusers"):
            if importlib.util.find_spec(module) is None:
                return Availability.missing(f"The {module} package is not installed.", "")
        return Availability()

    def require_available(self) -> None:
        status = self.available()
        if not status.available:
            raise GeneratorError(status.reason, permanent=True, hint=MODEL_HINT)

    # --- what the models API shows ------------------------------------------------------
    def model_name(self) -> str:
        return str(self.options["model_path"] or "").strip()

    def memory_needs(self) -> dict | None:
        from pipeline.providers.t2v.diffusion import parameter_count

        if not self.available().available:
            return None
        parameters = parameter_count(Path(self.model_name()))
        if parameters is None:
            return None
        return {
            "parameters": parameters,
            "weights_bytes_bf16": parameters * 2,
            "gpu_gb": None,
            "note": "Weights only; running needs more.",
        }

    def status(self) -> dict:
        """Loaded or not in this process (the images pipeline is loaded where it runs)."""
        if not self.available().available:
            return {"status": "not_configured", "error": "", "device": None, "memory_bytes": None}
        resolved = str(Path(self.model_name()).resolve())
        device = next((d for path, d in _pipelines if path == resolved), None)
        state = "loaded" if device else "not_loaded"
        return {"status": state, "error": "", "device": device, "memory_bytes": None}

    def device(self) -> str:
        import torch

        wanted = self.options["device"]
        if wanted != "auto":
            return wanted
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"

    def load(self):
        """The diffusers pipeline on its device, loaded once per process."""
        device = self.device()
        key = (str(Path(self.options["model_path"]).resolve()), device)
        pipe = _pipelines.get(key)
        if pipe is not None:
            return pipe
        with _pipelines_lock:
            pipe = _pipelines.get(key)
            if pipe is None:
                import torch
                from diffusers import AutoPipelineForText2Image

                dtype = torch.float16 if device.startswith("cuda") else torch.float32
                try:
                    pipe = AutoPipelineForText2Image.from_pretrained(
                        key[0], local_files_only=True, torch_dtype=dtype
                    ).to(device)
                except Exception as exc:
                    raise GeneratorError(
                        f"Could not load the text-to-image model from {key[0]}: "
                        f"{type(exc).__name__}: {exc}",
                        permanent=True,
                        hint=MODEL_HINT,
                    ) from exc
                pipe.set_progress_bar_config(disable=True)
                _pipelines[key] = pipe
        return pipe

    def render(self, *, prompt, size, out_path, seed, palette, text, on_progress):
        import torch

        report(on_progress, 0.02, "Loading the image model")
        pipe = self.load()
        steps = int(self.options["steps"])
        width, height = size
        # Most models need sides divisible by 8; render a little larger, then fit exactly.
        render_w, render_h = (-(-width // 8) * 8, -(-height // 8) * 8)

        def on_step(pipeline, step, timestep, kwargs):
            report(on_progress, 0.05 + 0.9 * (step + 1) / steps, f"Step {step + 1} of {steps}")
            return kwargs

        arguments = {
            "prompt": prompt,
            "width": render_w,
            "height": render_h,
            "num_inference_steps": steps,
            "generator": torch.Generator(device="cpu").manual_seed(seed),
            "negative_prompt": self.options["negative_prompt"] or None,
            "guidance_scale": float(self.options["guidance_scale"]),
            "callback_on_step_end": on_step,
        }
        # Pipelines differ (Flux takes no negative prompt): pass only what this one accepts.
        accepted = inspect.signature(pipe.__call__).parameters
        arguments = {k: v for k, v in arguments.items() if k in accepted}
        try:
            result = pipe(**arguments)
        except torch.cuda.OutOfMemoryError as exc:
            raise GeneratorError(
                "The image model ran out of GPU memory.",
                permanent=False,
                hint="Use a smaller size or fewer concurrent jobs.",
            ) from exc
        image = result.images[0]
        if image.size != (width, height):
            image = image.resize((width, height))
        image.save(out_path)
        return out_path
