"""The t2v role: one short video shot per call, from a prompt and optionally a first picture.

The shape rules are LTX-Video's (the reference model): sides in multiples of 32 pixels, and
8n+1 frames, because its VAE compresses 32x32 pixels and 8 frames (after the first) into one
latent. They are checked here as well as in the job options, so a provider called directly
fails with the rule rather than deep inside a model.
"""

from pathlib import Path
from typing import ClassVar

from pipeline.errors import GeneratorError
from pipeline.providers.base import (
    Availability,
    ModelBacked,
    ProgressCallback,
    Provider,
    report,
)

SIZE_MULTIPLE = 32
FRAME_STEP = 8
MIN_SIDE = 32
MIN_FRAMES = FRAME_STEP + 1

TEXT_TO_VIDEO = "text-to-video"
IMAGE_TO_VIDEO = "image-to-video"

OOM_HINT = "Try a shorter duration or a lower resolution."


def size_problem(value: int) -> str:
    """Why a side length is refused, or "" when it is fine."""
    if value < MIN_SIDE or value % SIZE_MULTIPLE:
        lower = max(MIN_SIDE, value - value % SIZE_MULTIPLE)
        return f"Must be a multiple of {SIZE_MULTIPLE} pixels (e.g. {lower} or {lower + 32})."
    return ""


def frames_problem(value: int) -> str:
    """Why a frame count is refused, or "" when it is fine."""
    if value < MIN_FRAMES or (value - 1) % FRAME_STEP:
        below = max(MIN_FRAMES, value - (value - 1) % FRAME_STEP)
        return (
            f"The frame count must be {FRAME_STEP}n+1 (9, 17, 25, 33, ...): "
            f"{value} is not; try {below} or {below + FRAME_STEP}."
        )
    return ""


def check_shape(width: int, height: int, num_frames: int) -> None:
    problems = [
        f"{name} {value}: {problem}"
        for name, value, problem in (
            ("width", width, size_problem(width)),
            ("height", height, size_problem(height)),
            ("num_frames", num_frames, frames_problem(num_frames)),
        )
        if problem
    ]
    if problems:
        raise GeneratorError("; ".join(problems), permanent=True)


class TextToVideo(ModelBacked, Provider):
    """Base of the t2v backends. `generate()` is the entry point; backends fill `render`."""

    role = "t2v"
    choice_setting = "VIDEOGEN_T2V"
    capabilities: ClassVar[tuple[str, ...]] = (TEXT_TO_VIDEO,)

    def generate(
        self,
        *,
        prompt: str,
        negative_prompt: str = "",
        width: int,
        height: int,
        num_frames: int,
        fps: int,
        seed: int = 0,
        image=None,
        steps: int | None = None,
        guidance: float | None = None,
        out_path: Path,
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Writes one MP4 shot of exactly width x height and num_frames frames to `out_path`.

        `image` (a PIL image) makes it image-to-video: the shot starts from that picture.
        `steps` and `guidance` override the backend's defaults for this call.
        """
        check_shape(int(width), int(height), int(num_frames))
        self.require_available()
        if image is not None and IMAGE_TO_VIDEO not in self.capabilities:
            raise GeneratorError(f"{self.display_name} cannot start a shot from a picture.")
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        path = Path(
            self.render(
                prompt=prompt or "",
                negative_prompt=negative_prompt or "",
                width=int(width),
                height=int(height),
                num_frames=int(num_frames),
                fps=int(fps),
                seed=int(seed),
                image=image,
                steps=steps,
                guidance=guidance,
                out_path=out_path,
                on_progress=on_progress,
            )
        )
        if not path.is_file() or path.stat().st_size == 0:
            raise GeneratorError(f"{self.display_name} did not write {path.name}.")
        report(on_progress, 1.0, "Shot ready")
        return path

    def render(self, **request) -> Path:
        raise NotImplementedError

    # --- what the worker and the models API ask -------------------------------------------
    def device(self) -> str:
        """The device a run uses: on a CUDA GPU, the name of the lock taken around each shot."""
        return "cpu"

    def constraints(self) -> dict:
        from django.conf import settings

        return {
            "size_multiple": SIZE_MULTIPLE,
            "frames_rule": f"{FRAME_STEP}n+1",
            "min_frames": MIN_FRAMES,
            "max_width": settings.T2V_MAX_WIDTH,
            "max_height": settings.T2V_MAX_HEIGHT,
            "max_frames": settings.T2V_MAX_FRAMES,
            "max_shots": settings.T2V_MAX_SHOTS,
        }

    def unload(self) -> None:
        """Frees the model this process holds, if any."""


__all__ = ["Availability", "TextToVideo", "check_shape", "frames_problem", "size_problem"]
