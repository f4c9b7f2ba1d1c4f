"""Fake backends for every role, chosen by settings like any other backend.

They are deterministic and fast but produce real artefacts (a valid plan, a playable WAV
with word timings, a PNG), so the generators, the runner and the assembly are tested end to
end without a model, a voice or a network. Each records its calls in `calls`, like Django's
locmem email outbox, and can be told to fail (`OPTIONS={"fail": "transient"}`, "permanent"
or, for the planner, "invalid") to exercise error handling.

    VIDEOGEN_PROVIDERS = {
        "llm": {"BACKEND": "pipeline.providers.fakes.FakePlanner"},
        "tts": {"BACKEND": "pipeline.providers.fakes.FakeTTS"},
        "images": {"BACKEND": "pipeline.providers.fakes.FakeImages"},
    }
"""

import array
import hashlib
import json

from pipeline.errors import GeneratorError
from pipeline.providers.base import report
from pipeline.providers.images.base import ImageGenerator
from pipeline.providers.llm.base import Planner
from pipeline.providers.text import shorten, split_sentences, tokens
from pipeline.providers.tts.base import SentenceAudio, TTSProvider

FAILURES = ("", "transient", "permanent", "invalid")

FAKE_MANIM_CODE = """from manim import *


class GeneratedScene(Scene):
    def construct(self):
        title = Text("Fake scene")
        self.play(Write(title))
        self.wait(1)
"""


BROKEN_MANIM_CODE = """from manim import *


class GeneratedScene(Scene):
    def construct(self):
        self.play(Write(Text(undefined_name)))
"""


def _fail_if_asked(provider, what: str) -> None:
    mode = provider.options["fail"]
    if mode == "transient":
        raise GeneratorError(f"Fake {what} is unavailable for now.", permanent=False)
    if mode == "permanent":
        raise GeneratorError(f"Fake {what} refused the request.", permanent=True, hint="Fake.")


def _check_fail(options) -> list[str]:
    if options.get("fail", "") not in FAILURES:
        return [f"option 'fail' must be one of {FAILURES}, got {options['fail']!r}"]
    return []


class FakePlanner(Planner):
    """Answers every request with a small valid plan built from the prompt."""

    name = "fake"
    label = "Fake planner"
    # `code`: "broken" writes Manim code that always fails, to exhaust the repairs.
    option_defaults = {**Planner.option_defaults, "scenes": 3, "fail": "", "code": ""}

    def __init__(self, **options):
        super().__init__(**options)
        self.calls: list[dict] = []

    @classmethod
    def invalid_options(cls, options):
        scenes = options.get("scenes", 3)
        problems = _check_fail(options)
        if options.get("code", "") not in ("", "broken"):
            problems.append(f"option 'code' must be '' or 'broken', got {options['code']!r}")
        if isinstance(scenes, bool) or not isinstance(scenes, int) or not 1 <= scenes <= 40:
            problems.append(f"option 'scenes' must be an integer 1-40, got {scenes!r}")
        return super().invalid_options(options) + problems

    def plan(self, *, kind, prompt, options=None, on_progress=None, guidance=None):
        self.calls.append({"method": "plan", "kind": kind, "prompt": prompt, "options": options})
        return super().plan(
            kind=kind, prompt=prompt, options=options, on_progress=on_progress, guidance=guidance
        )

    def complete(self, system, user, *, json_mode, schema=None):
        self.calls.append({"method": "complete", "system": system, "user": user, "schema": schema})
        _fail_if_asked(self, "planner")
        if self.options["fail"] == "invalid":
            return "Sorry, I cannot answer in JSON."
        if not json_mode:
            code = BROKEN_MANIM_CODE if self.options["code"] == "broken" else FAKE_MANIM_CODE
            return f"```python\n{code}```"
        last = next((c for c in reversed(self.calls) if c["method"] == "plan"), None)
        kind = last["kind"] if last else "explainer"
        prompt = last["prompt"] if last else user
        limit = int(((last or {}).get("options") or {}).get("max_scenes") or 40)
        return json.dumps(fake_plan(kind, prompt, min(self.options["scenes"], limit)))


def fake_plan(kind: str, prompt: str, scenes: int) -> dict:
    """A plan that uses every visual type in turn, so template code paths all get exercised."""
    sentences = split_sentences(prompt) or ["Untitled"]
    title = shorten(sentences[0].rstrip(".!?"), 60) or "Untitled"
    visuals = [
        ({"type": "title", "title": title}, ""),
        ({"type": "bullets", "title": "Key points"}, ""),
        ({"type": "formula", "latex": "a^2 + b^2 = c^2"}, "a^2 + b^2 = c^2"),
        ({"type": "graph", "function": "x**2", "x_range": [-2, 2], "label": "y = x^2"}, ""),
        ({"type": "shapes", "shapes": ["circle", "square"]}, ""),
        ({"type": "image"}, ""),
    ]
    items = []
    for index in range(scenes):
        visual, formula = visuals[index % len(visuals)]
        items.append(
            {
                "narration": f"Scene {index + 1} of {scenes}. {sentences[index % len(sentences)]}",
                "on_screen_text": f"Part {index + 1}",
                "bullets": [f"Point {index + 1}a", f"Point {index + 1}b"],
                "formula": formula,
                "visual": visual,
                "image_prompt": f"Illustration of {title.lower()}, part {index + 1}",
                "search_terms": ["fake", f"part {index + 1}"],
                "duration_hint": 3.0,
            }
        )
    plan = {"title": title, "summary": f"A fake {kind} plan.", "style": "clean", "scenes": items}
    if kind == "youtube":
        plan["youtube"] = {
            "title": title,
            "description": f"A fake video about {title.lower()}.",
            "tags": ["fake", "test"],
            "chapters": [{"title": f"Part {i + 1}", "start_scene": i} for i in range(scenes)],
        }
    return plan


class FakeTTS(TTSProvider):
    """A soft tone while each word is "spoken", silence between; exact word timings."""

    name = "fake"
    label = "Fake voice"
    option_defaults = {
        **TTSProvider.option_defaults,
        "sample_rate": 22050,
        "seconds_per_word": 0.3,
        "fail": "",
    }
    output_options = (*TTSProvider.output_options, "sample_rate", "seconds_per_word")

    def __init__(self, **options):
        super().__init__(**options)
        self.calls: list[dict] = []

    @classmethod
    def invalid_options(cls, options):
        return super().invalid_options(options) + _check_fail(options)

    def voices(self):
        return ["fake", "fake-alt"]

    def synthesize(self, *, text, out_dir, voice=None, rate=1.0, on_progress=None):
        self.calls.append({"text": text, "out_dir": out_dir, "voice": voice, "rate": rate})
        _fail_if_asked(self, "voice")
        return super().synthesize(
            text=text, out_dir=out_dir, voice=voice, rate=rate, on_progress=on_progress
        )

    def render_sentence(self, sentence, *, voice, speed=1.0):
        rate = int(self.options["sample_rate"])
        slot = float(self.options["seconds_per_word"]) / speed
        sound = int(slot * 0.8 * rate)
        gap = int(slot * rate) - sound
        # A 100-sample period: a 220.5 Hz tone at 22050 Hz, quiet enough not to annoy.
        period = array.array("h", [int(3000 * _triangle(i / 100)) for i in range(100)])
        tone = (period * (sound // 100 + 1))[:sound].tobytes()
        pcm, spans = bytearray(), []
        for _word in tokens(sentence):
            start = len(pcm) // 2 / rate
            pcm += tone
            spans.append((start, start + sound / rate))
            pcm += b"\x00\x00" * gap
        return SentenceAudio(pcm=bytes(pcm), sample_rate=rate, word_spans=spans)


def _triangle(phase: float) -> float:
    return 4 * abs(phase - 0.5) - 1


class FakeImages(ImageGenerator):
    """A flat colour picked from the prompt and seed, with a band and the text's length
    drawn as a bar, so different requests give visibly different PNGs."""

    name = "fake"
    label = "Fake images"
    option_defaults = {"fail": ""}

    def __init__(self, **options):
        super().__init__(**options)
        self.calls: list[dict] = []

    @classmethod
    def invalid_options(cls, options):
        return _check_fail(options)

    def render(self, *, prompt, size, out_path, seed, palette, text, on_progress):
        from PIL import Image, ImageDraw

        self.calls.append({"prompt": prompt, "size": size, "seed": seed, "palette": palette,
                           "text": text, "out_path": out_path})  # fmt: skip
        _fail_if_asked(self, "image model")
        report(on_progress, 0.5, "Painting")
        digest = hashlib.sha256(f"{prompt}|{seed}|{palette}".encode()).digest()
        width, height = size
        image = Image.new("RGB", size, tuple(digest[:3]))
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, height // 3, width, height // 2], fill=tuple(digest[3:6]))
        bar = min(width, 4 + len(text) * 4)
        draw.rectangle([0, height - max(2, height // 20), bar, height], fill=(255, 255, 255))
        image.save(out_path, format="PNG")
        return out_path
