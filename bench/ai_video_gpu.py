"""Seconds per shot of the real text-to-video provider, at a few sizes.

Runs the diffusers backend the ai_video generator uses, on CUDA when there is a GPU (else
the CPU), with the model in VIDEOGEN_T2V_MODEL or, without one, a tiny random LTX-Video
model built on the spot (which measures the pipeline around the model, not the model). A
warm-up shot loads the model first, so the figures are for a warm worker. No database.

    python bench/ai_video_gpu.py
    python bench/ai_video_gpu.py --sizes 9x64x64,97x704x480 --steps 8 --repeats 3

Sizes are FRAMESxWIDTHxHEIGHT. On a CPU the default stops at 25x256x256: attention cost grows
with the square of the latent size, and 49x512x320 takes many minutes there.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GPU_SIZES = "9x64x64,25x256x256,49x512x320"
CPU_SIZES = "9x64x64,25x256x256"
PROMPT = "A red car drives along a mountain road at sunset, the camera following from behind."


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    sizes = []
    for item in text.split(","):
        frames, width, height = (int(v) for v in item.lower().strip().split("x"))
        sizes.append((frames, width, height))
    return sizes


def model_folder(work: Path) -> tuple[str, str]:
    """The model to measure and a label for it: VIDEOGEN_T2V_MODEL, else the tiny one."""
    configured = os.environ.get("VIDEOGEN_T2V_MODEL", "").strip()
    if configured:
        return configured, configured
    from tests.fixtures.tiny_ltx import save_tiny_ltx

    return str(save_tiny_ltx(work / "tiny-ltx")), "tiny random LTX-Video (no VIDEOGEN_T2V_MODEL)"


def shot(provider, work: Path, size: tuple[int, int, int], steps: int, fps: int) -> float:
    frames, width, height = size
    started = time.perf_counter()
    provider.generate(
        prompt=PROMPT,
        negative_prompt="worst quality, blurry, jittery, distorted",
        width=width,
        height=height,
        num_frames=frames,
        fps=fps,
        seed=0,
        steps=steps,
        out_path=work / f"{frames}x{width}x{height}.mp4",
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help=f"default: {GPU_SIZES} on a GPU, {CPU_SIZES} on a CPU")
    parser.add_argument("--steps", type=int, default=8, help="denoising steps (default 8)")
    parser.add_argument("--repeats", type=int, help="runs per size (default: 2 on GPU, 1 on CPU)")
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--device", default=os.environ.get("VIDEOGEN_T2V_DEVICE", "auto"))
    args = parser.parse_args()

    import torch
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    from pipeline.providers.t2v.diffusion import DiffusersTextToVideo

    for library in (diffusers_logging, transformers_logging):
        library.set_verbosity_error()
        library.disable_progress_bar()

    work = Path(tempfile.mkdtemp(prefix="videogen-t2v-bench-"))
    model, label = model_folder(work)
    provider = DiffusersTextToVideo(model=model, device=args.device, steps=args.steps)
    provider.require_available()
    device = provider.device()
    cuda = device.startswith("cuda")
    sizes = parse_sizes(args.sizes or (GPU_SIZES if cuda else CPU_SIZES))
    repeats = args.repeats or (2 if cuda else 1)
    name = torch.cuda.get_device_name(device) if cuda else "CPU"
    print(f"model: {label}")
    print(f"device: {device} ({name}), dtype {provider.dtype_name(device)}, steps {args.steps}")

    started = time.perf_counter()
    shot(provider, work, sizes[0], args.steps, args.fps)
    print(f"load + warm-up shot: {time.perf_counter() - started:.2f} s")

    print(f"{'shot (frames x w x h)':>22} {'s/shot':>8} {'frames/s':>9} {'peak GB':>8}")
    for size in sizes:
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)
        times = [shot(provider, work, size, args.steps, args.fps) for _ in range(repeats)]
        seconds = statistics.median(times)
        peak = f"{torch.cuda.max_memory_allocated(device) / 1e9:8.2f}" if cuda else f"{'-':>8}"
        label = "x".join(str(v) for v in size)
        print(f"{label:>22} {seconds:8.2f} {size[0] / seconds:9.1f} {peak}", flush=True)


if __name__ == "__main__":
    main()
