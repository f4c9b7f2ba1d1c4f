"""Text-to-video and image-to-video with diffusers (LTX-Video), from a model on this machine.

`model` is a local folder (one with model_index.json) or a Hugging Face repo id that is
already in the local HF cache: nothing is ever downloaded. The pipeline is loaded once per
worker process and device, on the first shot, and kept warm for later jobs; the
image-to-video pipeline is built from the same components, so the weights sit in memory once.
`available()` only looks at the disk, so the web process can say what is missing without
importing torch.
"""

import gc
import importlib.util
import json
import math
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.providers.base import Availability, report
from pipeline.providers.t2v.base import IMAGE_TO_VIDEO, OOM_HINT, TEXT_TO_VIDEO, TextToVideo
from pipeline.providers.t2v.status import status_forget, status_get, status_set

MODEL_SETTING = "VIDEOGEN_T2V_MODEL"
MODEL_HINT = (
    "Set VIDEOGEN_T2V_MODEL to a local diffusers LTX-Video folder (one with model_index.json) "
    "or to a Hugging Face repo id already in this machine's HF cache, e.g. after "
    "`hf download Lightricks/LTX-Video-0.9.7-distilled`."
)
DTYPES = ("auto", "float32", "bfloat16", "float16")
# Rough GPU memory for whole pipelines, in GB, by model name: the 2B LTX-Video releases
# (the repo root and 0.9.0-0.9.6, or a name saying 2b). Others are counted from their weights.
KNOWN_MEMORY_GB = (
    (
        re.compile(r"ltx.?video(.*(2b|0\.9\.[0-6](?!\d)).*)?$", re.I),
        (8, 10),
        "LTX-Video 2B in bfloat16 on a GPU",
    ),
)

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
_VARIANT = re.compile(r"\.(fp16|bf16|fp8|fp32)\.safetensors$")


@dataclass
class _Loaded:
    t2v: object
    i2v: object | None = None


# (source, device, dtype) -> the pipelines; one copy per worker process, kept warm.
_pipelines: dict[tuple[str, str, str], _Loaded] = {}
_pipelines_lock = threading.Lock()


class DiffusersTextToVideo(TextToVideo):
    name = "diffusers"
    label = "Diffusers text-to-video"
    capabilities = (TEXT_TO_VIDEO, IMAGE_TO_VIDEO)
    # The defaults suit the distilled reference model (few steps, no guidance needed).
    option_defaults = {
        "model": "",
        "device": "auto",  # auto: cuda if available, else cpu
        "dtype": "auto",  # auto: bfloat16 on cuda, float32 on cpu
        "steps": 8,
        "guidance": 1.0,
    }
    option_settings = {
        "model": MODEL_SETTING,
        "device": "VIDEOGEN_T2V_DEVICE",
        "dtype": "VIDEOGEN_T2V_DTYPE",
        "steps": "VIDEOGEN_T2V_STEPS",
        "guidance": "VIDEOGEN_T2V_GUIDANCE",
    }
    output_options = ("model", "dtype", "steps", "guidance")

    @classmethod
    def invalid_options(cls, options):
        problems = []
        if not isinstance(options.get("model", ""), str):
            problems.append("option 'model' must be a folder path or a repo id")
        device = str(options.get("device", "auto"))
        if not re.fullmatch(r"auto|cpu|mps|cuda(?::\d+)?", device):
            problems.append(
                f"option 'device' must be auto, cpu, mps, cuda or cuda:N, got {device!r}"
            )
        if options.get("dtype", "auto") not in DTYPES:
            problems.append(f"option 'dtype' must be one of {DTYPES}, got {options['dtype']!r}")
        steps = options.get("steps", 8)
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 200:
            problems.append(f"option 'steps' must be an integer 1-200, got {steps!r}")
        guidance = options.get("guidance", 1.0)
        if isinstance(guidance, bool) or not isinstance(guidance, int | float) or guidance < 0:
            problems.append(f"option 'guidance' must be a number >= 0, got {guidance!r}")
        return problems

    # --- the model on disk (no torch) -----------------------------------------------------
    def model_name(self) -> str:
        return str(self.options["model"] or "").strip()

    def locate(self) -> tuple[str, Path | None, str]:
        """(what to pass to from_pretrained, the folder holding it, why it cannot be used)."""
        raw = self.model_name()
        if not raw:
            return "", None, "No text-to-video model is configured"
        folder = Path(raw).expanduser()
        if folder.is_dir():
            if not (folder / "model_index.json").is_file():
                return "", None, f"{folder} has no model_index.json: not a diffusers model folder"
            return str(folder.resolve()), folder.resolve(), ""
        if raw.startswith(("/", ".", "~")) or not _REPO_ID.fullmatch(raw):
            return "", None, f"The text-to-video model folder {raw} does not exist"
        index = _cached_file(raw, "model_index.json")
        if index is None:
            problem = f"{raw} is not in the Hugging Face cache on this machine (never downloaded)"
            return "", None, problem
        return raw, Path(index).parent, ""

    def available(self) -> Availability:
        _source, _folder, problem = self.locate()
        if problem:
            return Availability.missing(problem, MODEL_SETTING)
        for module in ("torch", "diffusers"):
            if importlib.util.find_spec(module) is None:
                return Availability.missing(f"The {module} package is not installed", "")
        return Availability()

    def require_available(self) -> None:
        status = self.available()
        if not status.available:
            raise GeneratorError(status.reason + ".", permanent=True, hint=MODEL_HINT)

    def memory_needs(self) -> dict | None:
        """Parameters counted from the safetensors headers, and a rough GPU figure."""
        _source, folder, problem = self.locate()
        name = self.model_name()
        known = next((m for m in KNOWN_MEMORY_GB if name and m[0].search(name)), None)
        parameters = None if problem or folder is None else parameter_count(folder)
        if parameters is None and known is None:
            return None
        return {
            "parameters": parameters,
            "weights_bytes_bf16": parameters * 2 if parameters is not None else None,
            "gpu_gb": list(known[1]) if known else None,
            "note": known[2] if known else "Weights only; running needs more.",
        }

    # --- the model in memory --------------------------------------------------------------
    def device(self) -> str:
        """The device with its index ("cuda:0"), so every worker names the same lock for it."""
        wanted = self.options["device"]
        if wanted in ("cpu", "mps"):
            return wanted
        import torch

        if wanted == "auto":
            return f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else "cpu"
        if not torch.cuda.is_available():
            raise GeneratorError(
                f"VIDEOGEN_T2V_DEVICE is {wanted}, but this worker sees no CUDA GPU.",
                permanent=True,
                hint="Set VIDEOGEN_T2V_DEVICE=auto (or cpu), or run the worker on a GPU host.",
            )
        return wanted if ":" in wanted else f"cuda:{torch.cuda.current_device()}"

    def dtype_name(self, device: str) -> str:
        wanted = self.options["dtype"]
        if wanted != "auto":
            return wanted
        return "bfloat16" if device.startswith("cuda") else "float32"

    def status(self) -> dict:
        if not self.available().available:
            return {"status": "not_configured", "error": "", "device": None, "memory_bytes": None}
        record = status_get(self.model_name())
        if record is None:
            return {"status": "not_loaded", "error": "", "device": None, "memory_bytes": None}
        return {key: record.get(key) for key in ("status", "error", "device", "memory_bytes")}

    def load(self) -> _Loaded:
        """The text-to-video pipeline on its device, loaded once per process."""
        self.require_available()
        source, _folder, _problem = self.locate()
        device = self.device()
        key = (source, device, self.dtype_name(device))
        loaded = _pipelines.get(key)
        if loaded is None:
            with _pipelines_lock:
                loaded = _pipelines.get(key)
                if loaded is None:
                    loaded = _pipelines[key] = self._load(*key)
        return loaded

    def _load(self, source: str, device: str, dtype: str) -> _Loaded:
        model = self.model_name()
        status_set(model, status="loading", device=device)
        failure = ""
        try:
            import torch
            from diffusers import LTXPipeline

            pipe = LTXPipeline.from_pretrained(
                source, local_files_only=True, dtype=getattr(torch, dtype)
            )
            pipe.to(device)
        except Exception as exc:
            failure, oom = f"{type(exc).__name__}: {exc}"[:500], is_out_of_memory(exc)
        if failure:
            # Outside the except block, so the failed load's tensors can be freed.
            pipe = None
            free_memory()
            status_set(model, status="error", device=device, error=failure)
            raise GeneratorError(
                f"Could not load the text-to-video model {model} on {device}: {failure}",
                permanent=True,
                hint="Use a GPU with more memory, or VIDEOGEN_T2V_DTYPE=bfloat16."
                if oom
                else MODEL_HINT,
            )
        pipe.set_progress_bar_config(disable=True)
        status_set(model, status="loaded", device=device, memory_bytes=memory_in_use(pipe, device))
        return _Loaded(t2v=pipe)

    def unload(self) -> None:
        source, _folder, _problem = self.locate()
        with _pipelines_lock:
            for key in [key for key in _pipelines if key[0] == source]:
                del _pipelines[key]
        status_forget(self.model_name())
        free_memory()

    def _image_pipeline(self, loaded: _Loaded):
        if loaded.i2v is None:
            from diffusers import LTXImageToVideoPipeline

            i2v = LTXImageToVideoPipeline(**loaded.t2v.components)
            i2v.set_progress_bar_config(disable=True)
            loaded.i2v = i2v
        return loaded.i2v

    # --- a shot ---------------------------------------------------------------------------
    def render(
        self,
        *,
        prompt,
        negative_prompt,
        width,
        height,
        num_frames,
        fps,
        seed,
        image,
        steps,
        guidance,
        out_path,
        on_progress,
    ) -> Path:
        import torch

        report(on_progress, 0.01, "Loading the video model")
        loaded = self.load()
        pipe = loaded.t2v if image is None else self._image_pipeline(loaded)
        steps = int(steps or self.options["steps"])

        def on_step(pipeline, step, timestep, tensors):
            report(on_progress, 0.05 + 0.9 * (step + 1) / steps, f"Step {step + 1} of {steps}")
            return tensors

        arguments = {
            "prompt": prompt,
            "negative_prompt": negative_prompt or None,
            "width": width,
            "height": height,
            "num_frames": num_frames,
            "frame_rate": fps,
            "num_inference_steps": steps,
            "guidance_scale": float(self.options["guidance"] if guidance is None else guidance),
            "generator": torch.Generator(device="cpu").manual_seed(seed),
            "output_type": "np",
            "callback_on_step_end": on_step,
        }
        if getattr(pipe.vae.config, "timestep_conditioning", False):
            # LTX-Video 0.9.1 and later decode best from slightly noised latents.
            arguments.update(decode_timestep=0.05, decode_noise_scale=0.025)
        if image is not None:
            arguments["image"] = fit_image(image, width, height)
        frames = self._run(pipe, arguments)
        write_mp4(frames, out_path, fps)
        device = self.device()
        status_set(
            self.model_name(),
            status="loaded",
            device=device,
            memory_bytes=memory_in_use(loaded.t2v, device),
        )
        return out_path

    def _run(self, pipe, arguments: dict):
        """The pipeline call, with running out of memory turned into a clear, final error."""
        failure = ""
        try:
            return self.call_pipeline(pipe, arguments)
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
            failure = f"{type(exc).__name__}: {str(exc)[:300]}"
        # Here the exception and the tensors its traceback held are gone: free them now, so
        # the worker stays usable for the next job.
        free_memory()
        size = f"{arguments['width']}x{arguments['height']}, {arguments['num_frames']} frames"
        raise GeneratorError(
            f"The video model ran out of memory for a {size} shot ({failure}).",
            permanent=True,
            hint=OOM_HINT,
        )

    def call_pipeline(self, pipe, arguments: dict):
        """Runs the diffusers pipeline; returns the frames (float, frames x H x W x 3)."""
        return pipe(**arguments).frames[0]


# --- helpers ------------------------------------------------------------------------------
def _cached_file(repo_id: str, filename: str) -> str | None:
    """The path of a file of a repo in the local HF cache, without any network access."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(repo_id, filename)
    return found if isinstance(found, str) else None


def parameter_count(folder: Path) -> int | None:
    """Counts parameters from the safetensors headers (a few KB read per file, no torch)."""
    files = sorted(folder.rglob("*.safetensors"))
    plain = {path.parent for path in files if not _VARIANT.search(path.name)}
    total, seen = 0, False
    for path in files:
        if _VARIANT.search(path.name) and path.parent in plain:
            continue  # a half-precision copy of weights counted already
        try:
            with open(path, "rb") as fh:
                length = int.from_bytes(fh.read(8), "little")
                if length > 100_000_000:
                    return None
                header = json.loads(fh.read(length))
        except (OSError, ValueError):
            return None
        total += sum(
            math.prod(info.get("shape") or [])
            for key, info in header.items()
            if key != "__metadata__"
        )
        seen = True
    return total if seen else None


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
    )


def free_memory() -> None:
    """Returns freed tensors to the device; a no-op where torch was never imported."""
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def memory_in_use(pipe, device: str) -> int | None:
    """GPU memory allocated on CUDA; the pipeline's parameter bytes elsewhere."""
    import torch

    if device.startswith("cuda"):
        return int(torch.cuda.memory_allocated(torch.device(device)))
    modules = [c for c in pipe.components.values() if isinstance(c, torch.nn.Module)]
    return sum(p.numel() * p.element_size() for m in modules for p in m.parameters())


def fit_image(image, width: int, height: int):
    """The picture cropped to the shot's aspect ratio and scaled to its size."""
    from PIL import Image, ImageOps

    return ImageOps.fit(image.convert("RGB"), (width, height), Image.Resampling.LANCZOS)


def write_mp4(frames, path: Path, fps: int) -> Path:
    """Encodes float frames in [0, 1] as H.264 yuv420p; the file appears only when complete,
    so a half-written shot is never taken for a finished one."""
    import av
    import numpy as np

    pixels = (np.clip(np.asarray(frames), 0.0, 1.0) * 255).round().astype(np.uint8)
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    with av.open(str(partial), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=int(fps))
        stream.width, stream.height = int(pixels.shape[2]), int(pixels.shape[1])
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "veryfast"}
        for frame in pixels:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(partial, path)
    return path
