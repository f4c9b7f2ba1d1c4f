"""The images role: one still picture per call, for story and YouTube scenes."""

from pathlib import Path

from pipeline.errors import GeneratorError
from pipeline.providers.base import ModelBacked, ProgressCallback, Provider, report

MIN_SIDE = 16
MAX_SIDE = 4096
TEXT_TO_IMAGE = "text-to-image"


class ImageGenerator(ModelBacked, Provider):
    """Base of the images backends. `generate()` is the entry point; backends fill `render`."""

    role = "images"
    choice_setting = "VIDEOGEN_IMAGES"
    capabilities = (TEXT_TO_IMAGE,)

    def constraints(self) -> dict:
        return {"min_side": MIN_SIDE, "max_side": MAX_SIDE}

    def generate(
        self,
        *,
        prompt: str,
        size: tuple[int, int],
        out_path: Path,
        seed: int = 0,
        palette: str = "default",
        text: str = "",
        on_progress: ProgressCallback | None = None,
    ) -> Path:
        """Writes one image of exactly `size` (width, height) to `out_path` and returns it.
        The same prompt, size and seed give the same picture where the backend allows."""
        size = check_size(size)
        self.require_available()
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        path = Path(
            self.render(
                prompt=prompt or "",
                size=size,
                out_path=out_path,
                seed=int(seed),
                palette=palette or "default",
                text=text or "",
                on_progress=on_progress,
            )
        )
        if not path.is_file() or path.stat().st_size == 0:
            raise GeneratorError(f"{self.display_name} did not write {path.name}.")
        report(on_progress, 1.0, "Image ready")
        return path

    def render(self, *, prompt, size, out_path, seed, palette, text, on_progress) -> Path:
        raise NotImplementedError


def check_size(size) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise GeneratorError(f"Image size must be (width, height), got {size!r}.") from None
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise GeneratorError(
            f"Image size {width}x{height} is outside {MIN_SIDE}-{MAX_SIDE} pixels per side."
        )
    return width, height
