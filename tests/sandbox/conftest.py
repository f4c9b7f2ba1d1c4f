import pytest

from pipeline.sandbox import SandboxError, render_untrusted

# What an LLM typically writes for an explainer: text, a shape morph, a plot and a list.
BENIGN_SCENE = """
from manim import *
import numpy as np


class Explainer(Scene):
    def construct(self):
        title = Text("Waves", font_size=40).to_edge(UP)
        circle = Circle(color=BLUE)
        self.play(Write(title), Create(circle), run_time=0.3)
        self.play(Transform(circle, Square(color=GREEN)), run_time=0.3)
        axes = Axes(x_range=[0, 2 * PI, 1], y_range=[-1.2, 1.2, 1], x_length=5, y_length=2)
        graph = axes.plot(lambda x: np.sin(x), color=YELLOW)
        self.play(FadeOut(circle), Create(axes), Create(graph), run_time=0.3)
        bullets = VGroup(*[Text(f"- point {i}", font_size=24) for i in range(3)])
        bullets.arrange(DOWN, aligned_edge=LEFT).next_to(axes, DOWN)
        self.play(FadeIn(bullets), run_time=0.3)
        self.wait(0.2)
"""

TINY_SCENE = """
from manim import *


class Tiny(Scene):
    def construct(self):
        self.play(Create(Circle()), run_time=0.2)
"""


@pytest.fixture
def sandbox_dir(tmp_path):
    path = tmp_path / "sandbox"
    path.mkdir()
    return path


@pytest.fixture
def run_unchecked(sandbox_dir):
    """Runs code with the static check skipped (and optionally more layers off) and returns
    the error it raised, to prove what the runtime layers stop on their own."""

    def run(code: str, *, disable=(), **options) -> SandboxError:
        with pytest.raises(SandboxError) as caught:
            render_untrusted(
                code,
                workdir=sandbox_dir,
                timeout=options.pop("timeout", 30),
                static_check=False,
                disable_layers=frozenset(disable),
                **options,
            )
        return caught.value

    return run
