"""Procedural stills (Pillow): no model, milliseconds per picture, always available.

A scene's picture is a flat illustration of what its prompt names (a lighthouse on an island,
a fox in the snow: see pipeline.media.illustrate). A prompt that names nothing drawable, in a
scene with no text of its own (its narration is burned in as captions, say), gets its key
words in large type over the style's palette instead, so that even offline and with an empty
library each picture says what the scene is about."""

from pipeline.providers.base import report
from pipeline.providers.images.base import ImageGenerator

# Words of how a picture is made, not of what it shows.
_NOT_SUBJECT = frozenset(
    "illustration image picture photo photograph style render painting drawing art artwork "
    "watercolor watercolour cinematic scene part digital soft flat vector detailed".split()
)


def key_words(prompt: str, limit: int = 3) -> str:
    """The subject's first few words, in capitals ("LIGHTHOUSE KEEPERS STAIRS")."""
    import re

    from pipeline.library.choose import words

    subject = prompt.split(",")[0] if "," in prompt else prompt
    picked, seen = [], set()
    for word in re.findall(r"[^\W\d_]{3,}", subject):
        stem = words(word)
        if stem and stem[0] not in _NOT_SUBJECT and stem[0] not in seen:
            seen.add(stem[0])
            picked.append(word.upper())
    return " ".join(picked[:limit])


class ProceduralImages(ImageGenerator):
    name = "procedural"
    label = "Procedural scenes"
    uses_model = False
    output_version = 2  # 2: scenes are illustrations of what they name

    def render(self, *, prompt, size, out_path, seed, palette, text, on_progress):
        from pipeline.media.illustrate import subjects
        from pipeline.media.visuals import PALETTES, render_still

        report(on_progress, 0.1, "Drawing the scene")
        words = "" if text.strip() or subjects(prompt) else key_words(prompt)
        # A plan's style ("cinematic", say) is not always a palette name: draw the default.
        return render_still(
            text=text or words,
            prompt=prompt,
            size=size,
            palette=palette if palette in PALETTES else "default",
            seed=seed,
            path=out_path,
            kind="title" if words else "scene",
        )
