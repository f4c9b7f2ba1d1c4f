"""Our own Manim templates: one scene of an explainer plan rendered to an MP4 of an exact length.

Run as a program (`python -m pipeline.manim_scenes spec.json`) so that scenes render in
parallel processes that cancel can kill; it needs Manim but not Django. The spec says what to
draw (the plan scene's `visual`, bullets, formula), how long the scene lasts (its narration's
span) and when each sentence starts (`beats`), so that what appears follows what is said.

Formulas use MathTex when LaTeX is installed, else Text with the LaTeX turned into readable
Unicode (a^2 -> a²). Graph functions were checked by the plan validator (numbers, x, + - * /
** and a few functions) and are evaluated here with nothing else in scope.
"""

import json
import math
import re
import shutil
import sys
from pathlib import Path

PALETTES = {
    "default": ("#101827", "#F3F4F6", "#60A5FA", "#FBBF24"),
    "warm": ("#1F130C", "#FDF2E9", "#F97316", "#FACC15"),
    "cool": ("#0B1A24", "#E6F4F1", "#2DD4BF", "#818CF8"),
    "mono": ("#111111", "#EEEEEE", "#9CA3AF", "#FFFFFF"),
    "vivid": ("#14002E", "#FFFFFF", "#F472B6", "#22D3EE"),
    "pastel": ("#2B2D42", "#F8F9FA", "#A5D8FF", "#FFC9DE"),
}

_SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_LATEX_WORDS = {
    r"\cdot": "·", r"\times": "×", r"\pi": "π", r"\theta": "θ", r"\alpha": "α",
    r"\beta": "β", r"\infty": "∞", r"\sum": "Σ", r"\int": "∫", r"\leq": "≤", r"\geq": "≥",
    r"\neq": "≠", r"\approx": "≈", r"\pm": "±", r"\sqrt": "√", r"\Delta": "Δ", r"\lambda": "λ",
    r"\to": "→", r"\rightarrow": "→", r"\quad": "  ", r"\,": " ", r"\left": "", r"\right": "",
}  # fmt: skip


def latex_available() -> bool:
    return bool(shutil.which("latex") and shutil.which("dvisvgm"))


def latex_to_text(latex: str) -> str:
    """A readable plain-text form of simple LaTeX, for machines without a TeX installation."""
    text = latex
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
    text = re.sub(r"\\(?:text|mathrm|mathbf|operatorname)\{([^{}]*)\}", r"\1", text)
    for word, symbol in sorted(_LATEX_WORDS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(word, symbol)
    text = re.sub(r"\^\{([^{}]*)\}", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = re.sub(r"\^(\w)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = re.sub(r"_\{([^{}]*)\}", lambda m: m.group(1).translate(_SUBSCRIPTS), text)
    text = re.sub(r"_(\w)", lambda m: m.group(1).translate(_SUBSCRIPTS), text)
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


def graph_function(expression: str):
    """The plan's graph function as a callable of x (validated upstream; evaluated with no
    builtins and only these names)."""
    names = {
        "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp,
        "log": math.log, "sqrt": math.sqrt, "abs": abs, "pi": math.pi, "e": math.e,
    }  # fmt: skip
    code = compile(expression, "<graph>", "eval")
    for name in code.co_names:
        if name not in names and name != "x":
            raise ValueError(f"unknown name {name!r} in graph function")

    def f(x):
        try:
            value = eval(code, {"__builtins__": {}}, {**names, "x": x})  # noqa: S307
        except (ValueError, ZeroDivisionError, OverflowError):
            return float("nan")
        return value if isinstance(value, int | float) and math.isfinite(value) else float("nan")

    return f


def build_scene_class(spec: dict):
    import manim as m

    bg, fg, accent, highlight = PALETTES.get(spec.get("palette", "default"), PALETTES["default"])
    duration = max(0.5, float(spec["duration"]))
    beats = [b for b in spec.get("beats", []) if 0 < b < duration]
    visual = spec.get("visual") or {"type": "bullets"}
    use_latex = bool(spec.get("latex")) and latex_available()

    def text(value, size, color=fg, weight=m.NORMAL):
        return m.Text(value, font_size=size, color=color, weight=weight)

    def fit(mobject, width=12.5, height=6.5):
        if mobject.width > width:
            mobject.scale_to_fit_width(width)
        if mobject.height > height:
            mobject.scale_to_fit_height(height)
        return mobject

    def formula(latex):
        if use_latex:
            return m.MathTex(latex, color=fg, font_size=64)
        return text(latex_to_text(latex), 56)

    class Timed(m.Scene):
        """Plays its steps within `duration`, each at its beat when there is one."""

        def setup(self):
            self.camera.background_color = bg
            self.clock = 0.0

        def step(self, *animations, at=None, run_time=1.0):
            if at is not None:
                # Start early enough to finish inside the scene.
                at = min(at, duration - 0.05 - run_time)
            if at is not None and at > self.clock + 0.05:
                self.wait(at - self.clock)
                self.clock = at
            run_time = max(1 / 15, min(run_time, duration - self.clock - 0.05))
            if run_time <= 1 / 15:
                self.add(*[a.mobject for a in animations])
                return
            self.play(*animations, run_time=run_time)
            self.clock += run_time

        def finish(self):
            if duration - self.clock > 1e-3:
                self.wait(duration - self.clock)

        def beat(self, index, default):
            return beats[index] if index < len(beats) else default

        def construct(self):
            kind = visual.get("type")
            if kind == "title":
                self.title_card()
            elif kind == "formula":
                self.formula_card()
            elif kind == "graph":
                self.graph_card()
            elif kind == "shapes":
                self.shapes_card()
            else:
                self.bullet_card()
            self.finish()

        def heading(self):
            title = visual.get("title") or spec.get("on_screen_text") or ""
            if not title:
                return None
            mob = fit(text(title, 40, weight=m.BOLD), height=1.0).to_edge(m.UP, buff=0.5)
            self.step(m.FadeIn(mob, shift=m.DOWN * 0.2), run_time=0.6)
            return mob

        def title_card(self):
            title = visual.get("title") or spec.get("on_screen_text") or ""
            mob = fit(text(title, 64, weight=m.BOLD))
            self.step(m.Write(mob), run_time=min(1.5, duration * 0.3))
            subtitle = visual.get("subtitle")
            if subtitle:
                sub = fit(text(subtitle, 34, color=accent)).next_to(mob, m.DOWN, buff=0.5)
                self.step(m.FadeIn(sub, shift=m.UP * 0.2), at=self.beat(0, None), run_time=0.8)
            underline = m.Line(m.LEFT * 3, m.RIGHT * 3, color=highlight)
            self.step(m.Create(underline.next_to(mob, m.UP, buff=0.4)), run_time=0.6)

        def bullet_card(self):
            heading = self.heading()
            bullets = spec.get("bullets") or [spec.get("on_screen_text") or ""]
            items = m.VGroup(
                *[
                    m.VGroup(m.Dot(color=accent), text(b, 32)).arrange(m.RIGHT, buff=0.3)
                    for b in bullets[:5]
                    if b
                ]
            ).arrange(m.DOWN, aligned_edge=m.LEFT, buff=0.45)
            fit(items, height=4.8)
            items.next_to(heading, m.DOWN, buff=0.8) if heading else items.move_to(m.ORIGIN)
            for index, item in enumerate(items):
                self.step(m.FadeIn(item, shift=m.RIGHT * 0.3), at=self.beat(index, None),
                          run_time=0.6)  # fmt: skip

        def formula_card(self):
            heading = self.heading()
            mob = fit(formula(visual.get("latex") or spec.get("formula") or ""))
            self.step(m.Write(mob), at=self.beat(0, None), run_time=min(2.0, duration * 0.35))
            box = m.SurroundingRectangle(mob, color=highlight, buff=0.3)
            self.step(m.Create(box), at=self.beat(1, None), run_time=0.8)
            if heading is None and spec.get("bullets"):
                note = fit(text(spec["bullets"][0], 30, color=accent)).next_to(box, m.DOWN)
                self.step(m.FadeIn(note), run_time=0.5)

        def graph_card(self):
            heading = self.heading()
            low, high = visual.get("x_range") or [-4.0, 4.0]
            f = graph_function(visual.get("function") or "x")
            samples = [f(low + (high - low) * i / 200) for i in range(201)]
            finite = [v for v in samples if not math.isnan(v)] or [0.0]
            y_low, y_high = min(finite), max(finite)
            if y_high - y_low < 1e-6:
                y_low, y_high = y_low - 1, y_high + 1
            pad = (y_high - y_low) * 0.1
            axes = m.Axes(
                x_range=[low, high, (high - low) / 8],
                y_range=[y_low - pad, y_high + pad, (y_high - y_low + 2 * pad) / 6],
                x_length=10, y_length=5, tips=False,
                axis_config={"color": fg, "include_numbers": False},
            )  # fmt: skip
            if heading:
                axes.next_to(heading, m.DOWN, buff=0.4)
            self.step(m.Create(axes), run_time=1.0)
            curve = axes.plot(f, x_range=[low, high], color=accent, use_smoothing=False,
                              discontinuities=None)  # fmt: skip
            self.step(m.Create(curve), at=self.beat(0, None), run_time=min(2.5, duration * 0.4))
            label = visual.get("label")
            if label:
                tag = formula(label).scale(0.6)
                tag.move_to(axes.get_corner(m.UR) + m.DL * 0.4 + m.LEFT * tag.width / 2)
                self.step(m.FadeIn(tag), run_time=0.5)

        def shapes_card(self):
            heading = self.heading()
            shapes = visual.get("shapes") or ["circle"]
            if "right_triangle" in shapes and "square" in shapes:
                return self.pythagoras(heading)
            mobs = m.VGroup(*[self.shape(name) for name in shapes[:5]]).arrange(m.RIGHT, buff=0.8)
            fit(mobs, height=4.0)
            if heading:
                mobs.next_to(heading, m.DOWN, buff=1.0)
            for index, mob in enumerate(mobs):
                self.step(m.Create(mob), at=self.beat(index, None), run_time=0.8)
            if len(mobs) == 1 and "right_triangle" in shapes:
                self.label_triangle(mobs[0])

        def shape(self, name):
            size = 2.0
            if name in ("triangle", "right_triangle"):
                points = [m.ORIGIN, m.RIGHT * 3, m.UP * 2] if name == "right_triangle" else None
                if points:
                    return m.Polygon(*points, color=accent, fill_opacity=0.25)
                return m.Triangle(color=accent, fill_opacity=0.25).scale(size / 2)
            makers = {
                "circle": lambda: m.Circle(radius=size / 2),
                "square": lambda: m.Square(side_length=size),
                "rectangle": lambda: m.Rectangle(width=size * 1.5, height=size),
                "pentagon": lambda: m.RegularPolygon(5).scale(size / 2),
                "hexagon": lambda: m.RegularPolygon(6).scale(size / 2),
                "polygon": lambda: m.RegularPolygon(7).scale(size / 2),
                "ellipse": lambda: m.Ellipse(width=size * 1.5, height=size),
                "line": lambda: m.Line(m.LEFT, m.RIGHT),
                "arrow": lambda: m.Arrow(m.LEFT, m.RIGHT),
                "dot": lambda: m.Dot(radius=0.2),
                "star": lambda: m.Star(outer_radius=size / 2),
            }
            mob = makers.get(name, makers["circle"])()
            return mob.set_color(accent).set_fill(accent, opacity=0.25)

        def label_triangle(self, triangle):
            right, end_b, end_a = triangle.get_vertices()  # the right angle is the first
            labels = m.VGroup(
                text("b", 32, color=highlight).next_to((right + end_b) / 2, m.DOWN),
                text("a", 32, color=highlight).next_to((right + end_a) / 2, m.LEFT),
                text("c", 32, color=highlight).next_to((end_a + end_b) / 2, m.UR, buff=0.1),
            )
            corner = m.Square(side_length=0.3, color=fg).move_to(right + m.UR * 0.15)
            self.step(m.FadeIn(labels), m.Create(corner), at=self.beat(1, None), run_time=0.8)

        def pythagoras(self, heading):
            """A right triangle with a square on each side: a² + b² = c²."""
            a_len, b_len = 1.2, 1.6
            origin = m.ORIGIN
            p_right, p_b, p_a = origin, origin + m.RIGHT * b_len, origin + m.UP * a_len
            triangle = m.Polygon(p_right, p_b, p_a, color=fg, fill_color=fg, fill_opacity=0.2)
            square_b = m.Polygon(p_right, p_b, p_b + m.DOWN * b_len, p_right + m.DOWN * b_len)
            square_a = m.Polygon(p_right, p_a, p_a + m.LEFT * a_len, p_right + m.LEFT * a_len)
            normal = m.np.array([a_len, b_len, 0]) / math.hypot(a_len, b_len)
            c_len = math.hypot(a_len, b_len)
            square_c = m.Polygon(p_b, p_a, p_a + normal * c_len, p_b + normal * c_len)
            for square, color in ((square_a, accent), (square_b, accent), (square_c, highlight)):
                square.set_stroke(color).set_fill(color, opacity=0.35)
            group = m.VGroup(triangle, square_a, square_b, square_c)
            fit(group, height=5.0)
            group.move_to(m.DOWN * 0.3 if heading else m.ORIGIN)
            self.step(m.Create(triangle), run_time=0.8)
            self.step(m.DrawBorderThenFill(square_a), m.DrawBorderThenFill(square_b),
                      at=self.beat(0, None), run_time=1.0)  # fmt: skip
            self.step(m.DrawBorderThenFill(square_c), at=self.beat(1, None), run_time=1.0)
            equation = formula("a^2 + b^2 = c^2").scale(0.7).to_corner(m.DR)
            self.step(m.Write(equation), at=self.beat(2, None), run_time=1.0)

    return Timed


def render(spec: dict, out_dir: Path) -> Path:
    import manim as m

    out_dir.mkdir(parents=True, exist_ok=True)
    options = {
        "pixel_width": int(spec["width"]),
        "pixel_height": int(spec["height"]),
        "frame_rate": int(spec["fps"]),
        "media_dir": str(out_dir / "media"),
        "output_file": "scene",
        "disable_caching": True,
        "write_to_movie": True,
        "format": "mp4",
        "verbosity": "WARNING",
        "progress_bar": "none",
    }
    with m.tempconfig(options):
        scene = build_scene_class(spec)()
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    target = out_dir / "scene.mp4"
    shutil.move(str(movie), target)
    return target


def main(argv: list[str]) -> int:
    """Renders each spec file given, in order: one process pays Manim's import once."""
    for name in argv[1:]:
        spec_path = Path(name)
        path = render(json.loads(spec_path.read_text()), spec_path.parent)
        print(f"rendered {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
