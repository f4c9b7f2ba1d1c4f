"""Procedural stills (Pillow): no model, milliseconds per picture, always available."""

from pipeline.providers.base import report
from pipeline.providers.images.base import ImageGenerator


class ProceduralImages(ImageGenerator):
    name = "procedural"
    label = "Procedural scenes"
    uses_model = False

    def render(self, *, prompt, size, out_path, seed, palette, text, on_progress):
        from pipeline.media.visuals import PALETTES, render_still

        report(on_progress, 0.1, "Drawing the scene")
        # A plan's style ("cinematic", say) is not always a palette name: draw the default.
        return render_still(
            text=text,
            prompt=prompt,
            size=size,
            palette=palette if palette in PALETTES else "default",
            seed=seed,
            path=out_path,
        )
