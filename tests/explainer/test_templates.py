"""Our Manim templates: pure helpers, and one real render of each kind of scene."""

import json
import math
import subprocess
import sys

import av
import numpy as np
import pytest

from gallery.media import probe
from pipeline.manim_scenes import CARDS, graph_function, latex_to_text, mathtext_svg
from pipeline.visuals import VISUAL_TYPES
from tests.visual_examples import EXAMPLES


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("a^2 + b^2 = c^2", "a² + b² = c²"),
        (r"\frac{a}{b}", "(a)/(b)"),
        (r"A = \pi r^2", "A = π r²"),
        (r"x_{1} \cdot y_2", "x₁ · y₂"),
        (r"e^{i\pi} + 1 = 0", "eⁱπ + 1 = 0"),
        (r"\sqrt{x}", "√(x)"),
    ],
)
def test_formulas_read_well_without_latex(latex, text):
    assert latex_to_text(latex) == text


def test_graph_functions_evaluate_safely():
    f = graph_function("sin(x) * x ** 2")
    assert math.isclose(f(2.0), math.sin(2.0) * 4)
    assert math.isnan(graph_function("log(x)")(-1))  # outside the domain: a gap, no crash
    assert math.isnan(graph_function("1 / x")(0))
    with pytest.raises(ValueError):
        graph_function("open")
    with pytest.raises(ValueError):
        graph_function("__import__")


SPECS = [
    {"visual": {"type": "title", "title": "A title", "subtitle": "and more"}},
    {"visual": {"type": "bullets", "title": "Points"}, "bullets": ["one", "two"],
     "beats": [0.4, 0.9]},
    {"visual": {"type": "formula", "latex": "a^2 + b^2 = c^2"}},
    {"visual": {"type": "graph", "function": "sin(x)", "x_range": [-3, 3], "label": "y"}},
    {"visual": {"type": "shapes", "shapes": ["square", "right_triangle"]}, "beats": [0.3]},
    {"visual": {"type": "shapes", "shapes": ["circle", "star"]}},
]  # fmt: skip


@pytest.mark.slow
def test_every_template_renders_a_clip_of_the_exact_duration(tmp_path):
    files = []
    for index, spec in enumerate(SPECS):
        spec = {"duration": 1.5, "width": 320, "height": 180, "fps": 15, **spec}
        folder = tmp_path / str(index)
        folder.mkdir()
        (folder / "spec.json").write_text(json.dumps(spec))
        files.append(folder / "spec.json")
    subprocess.run([sys.executable, "-m", "pipeline.manim_scenes", *files], check=True)
    for path in files:
        info = probe(path.parent / "scene.mp4")
        assert (info.width, info.height) == (320, 180)
        assert abs(info.video_duration - 1.5) <= 1 / 15 + 1e-6, path


def test_every_visual_type_but_image_has_a_template():
    assert set(CARDS) == set(VISUAL_TYPES) - {"image"}


def test_formulas_are_typeset_without_latex(tmp_path):
    svg = mathtext_svg("\\lim_{h \\to 0} \\frac{\\sin(x+h) - \\sin x}{h}", tmp_path)
    assert svg is not None and "<path" in svg.read_text()
    assert "rect" not in svg.read_text().split('<g id="text_1"')[0].split("<defs>")[-1]
    assert mathtext_svg("\\notacommand{x}", tmp_path) is None  # falls back to plain text


def last_frame(path) -> np.ndarray:
    with av.open(str(path)) as container:
        *_, frame = container.decode(video=0)
        return frame.to_ndarray(format="gray").astype(float)


def frames_at(path, *seconds) -> list[np.ndarray]:
    wanted, found = list(seconds), []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if wanted and frame.time >= wanted[0] - 1e-6:
                found.append(frame.to_ndarray(format="gray").astype(float))
                wanted.pop(0)
    return found


@pytest.mark.slow
def test_a_step_waits_for_its_sentence(tmp_path):
    """The array's second step (the pointer moving) is drawn when the second sentence starts,
    not before."""
    spec = {
        "visual": {"type": "array", **EXAMPLES["array"]},
        "duration": 3.0, "width": 256, "height": 144, "fps": 10,
        "beats": [0.0, 2.0],
    }  # fmt: skip
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    subprocess.run([sys.executable, "-m", "pipeline.manim_scenes", tmp_path / "spec.json"],
                   check=True)  # fmt: skip
    waiting, before, after = frames_at(tmp_path / "scene.mp4", 1.5, 1.9, 2.8)
    assert np.abs(waiting - before).max() < 1  # nothing moves until the sentence starts
    assert np.abs(after - before).mean() > 0.05  # then the step is drawn


@pytest.mark.slow
def test_gallery_every_visual_type_draws_something(tmp_path):
    """One scene of each type, small and short; each must show more than its background."""
    files = []
    for kind in CARDS:
        spec = {
            "visual": {"type": kind, **EXAMPLES[kind]},
            "bullets": ["one", "two"],
            "duration": 1.2, "width": 256, "height": 144, "fps": 10,
            "beats": [0.0, 0.4, 0.7],  # three sentences: steps must land on them
        }  # fmt: skip
        folder = tmp_path / kind
        folder.mkdir()
        (folder / "spec.json").write_text(json.dumps(spec))
        files.append(folder / "spec.json")
    subprocess.run([sys.executable, "-m", "pipeline.manim_scenes", *files], check=True)
    for path in files:
        clip = path.parent / "scene.mp4"
        assert abs(probe(clip).video_duration - 1.2) <= 0.1 + 1e-6, path.parent.name
        frame = last_frame(clip)
        drawn = (np.abs(frame - np.median(frame)) > 40).mean()
        assert drawn > 0.005, f"{path.parent.name} looks blank ({drawn:.4f} of pixels drawn)"
