"""Our own Manim templates: one scene of an explainer plan rendered to an MP4 of an exact length.

Run as a program (`python -m pipeline.manim_scenes spec.json`) so that scenes render in
parallel processes that cancel can kill; it needs Manim but not Django. The spec says what to
draw (the plan scene's `visual`, bullets, formula), how long the scene lasts (its narration's
span) and when each sentence starts (`beats`), so that what appears follows what is said.

Formulas use MathTex when LaTeX is installed, else Text with the LaTeX turned into readable
Unicode (a^2 -> a²). Graph functions were checked by the plan validator (numbers, x, + - * /
** and a few functions) and are evaluated here with nothing else in scope.
"""

import hashlib
import json
import math
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

# The Manim colours (background, text, accent, highlight) of each palette that
# pipeline.media.visuals.PALETTES names for pictures (a test keeps the names the same; this
# module runs inside Manim's process, on the standard library alone).
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


# The visual types pipeline/visuals.py describes, each drawn by the Timed scene's `<type>_card`;
# "image" scenes, which explainers do not make, fall back to bullets.
CARDS = (
    "title", "bullets", "formula", "graph", "shapes", "array", "number_line", "unit_circle",
    "equation_steps", "code", "table", "bar_chart", "diagram", "timeline", "comparison",
)  # fmt: skip


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


def mathtext_svg(latex: str, folder: Path) -> Path | None:
    """`latex` typeset by matplotlib's mathtext (a TeX subset needing no TeX installation) as
    an SVG in `folder`; None when matplotlib is missing or does not know a command used."""
    try:
        from matplotlib import mathtext
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties
    except ImportError:
        return None
    source = "$" + latex.replace("$", "").replace("\\tfrac", "\\frac") + "$"
    path = folder / f"{hashlib.sha1(source.encode()).hexdigest()[:16]}.svg"
    if path.exists():
        return path
    try:
        prop = FontProperties(size=40, math_fontfamily="cm")
        parsed = mathtext.MathTextParser("path").parse(source, dpi=72, prop=prop)
        width, height, depth = parsed[0], parsed[1], parsed[2]
        figure = Figure(figsize=(max(width, 1) / 72, max(height, 1) / 72))
        figure.patch.set_visible(False)  # no background rectangle in the SVG
        figure.text(0, depth / max(height, 1), source, fontproperties=prop)
        figure.savefig(path, dpi=72, format="svg", transparent=True)
    except ValueError:  # mathtext's parse errors
        return None
    return path


def build_scene_class(spec: dict, workdir: Path | None = None):
    import manim as m
    from manim.animation.animation import prepare_animation

    bg, fg, accent, highlight = PALETTES.get(spec.get("palette", "default"), PALETTES["default"])
    duration = max(0.5, float(spec["duration"]))
    fps = int(spec["fps"])
    beats = [b for b in spec.get("beats", []) if 0 < b < duration]
    # Sentence starts, the first included: step k of a visual is drawn as sentence k starts.
    sentences = sorted(b for b in spec.get("beats", []) if 0 <= b < duration)
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

    def fill(mobject, width, height):
        """Scales up or down to the largest size inside width x height."""
        return mobject.scale(
            min(width / max(mobject.width, 1e-6), height / max(mobject.height, 1e-6))
        )

    formulas = Path(tempfile.mkdtemp(prefix="formulas-", dir=workdir))

    def formula(latex):
        if use_latex:
            return m.MathTex(latex, color=fg, font_size=64)
        svg = mathtext_svg(latex, formulas)
        if svg is None:  # no matplotlib, or a command mathtext does not know
            return text(latex_to_text(latex), 56)
        mob = m.SVGMobject(str(svg), height=None, width=None)
        mob.set_fill(fg, opacity=1).set_stroke(width=0)
        return mob.scale(0.022)  # SVG points to scene units: the size of Text at 56

    class Timed(m.Scene):
        """Plays its steps within `duration`, each at its beat when there is one."""

        def setup(self):
            self.camera.background_color = bg
            self.clock = 0.0

        # Manim renders ceil(seconds * fps) frames for every play and wait, so the clock
        # counts whole frames: rounding a scene with a dozen steps would otherwise add up.
        def frames(self, seconds):
            return max(0, math.floor(seconds * fps + 1e-6))

        def span(self, count):
            """A run_time that Manim renders as exactly `count` frames."""
            return count / fps if count == 1 else (count - 0.01) / fps

        def step(self, *animations, at=None, run_time=1.0):
            if at is not None:
                # Start early enough to finish inside the scene.
                at = min(at, duration - 0.05 - run_time)
            if at is not None and at > self.clock + 0.05:
                self.pause(at - self.clock)
            count = min(max(1, round(run_time * fps)), self.frames(duration - self.clock) - 1)
            if count < 2:  # no time left: jump to the end state
                for animation in animations:
                    prepared = prepare_animation(animation)
                    prepared.begin()
                    prepared.finish()
                    if not prepared.is_remover():
                        self.add(prepared.mobject)
                    prepared.clean_up_from_scene(self)
                return
            self.play(*animations, run_time=self.span(count))
            self.clock += count / fps

        def pause(self, seconds):
            self.rest(self.frames(seconds))

        def finish(self):
            self.rest(round(duration * fps) - round(self.clock * fps))

        def rest(self, count):
            if count <= 0:
                return
            # A wait with nothing moving repeats one frame int(seconds * fps) times.
            static = not (self.updaters or any(
                mob.has_time_based_updater() for mob in self.get_mobject_family_members()
            ))  # fmt: skip
            seconds = (count + 0.5) / fps if static else self.span(count)
            self.wait(seconds, frozen_frame=static)
            self.clock += count / fps

        def beat(self, index, default):
            return beats[index] if index < len(beats) else default

        def construct(self):
            kind = visual.get("type")
            draw = getattr(self, f"{kind}_card", None) if kind in CARDS else None
            (draw or self.bullets_card)()
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

        def bullets_card(self):
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
            area = visual.get("area")
            if area:
                region = axes.get_area(curve, x_range=area, color=accent, opacity=0.45)
                self.step(m.FadeIn(region), at=self.said(1), run_time=0.8)
            if visual.get("trace") or visual.get("tangent"):
                self.moving_point(axes, f, low, high)

        def moving_point(self, axes, f, low, high):
            """A point travelling along the curve, with its tangent line when asked."""
            margin = (high - low) * 0.05
            x = m.ValueTracker(low + margin)

            def point():
                value = f(x.get_value())
                return axes.c2p(x.get_value(), 0 if math.isnan(value) else value)

            def tangent():
                h = (high - low) * 1e-3
                x0 = x.get_value()
                slope = (f(x0 + h) - f(x0 - h)) / (2 * h)
                if math.isnan(slope) or math.isnan(f(x0)):
                    return m.VMobject()
                direction = axes.c2p(x0 + 1, f(x0) + slope) - axes.c2p(x0, f(x0))
                direction = direction / (m.np.linalg.norm(direction) or 1)
                return m.Line(point() - direction * 1.6, point() + direction * 1.6,
                              color=highlight, stroke_width=4)  # fmt: skip

            parts = [m.always_redraw(lambda: m.Dot(point(), color=highlight, radius=0.1))]
            if visual.get("tangent"):
                parts.append(m.always_redraw(tangent))
            self.step(*[m.FadeIn(part) for part in parts], at=self.said(1), run_time=0.4)
            remaining = duration - self.clock - 0.1
            self.step(x.animate.set_value(high - margin), run_time=max(1.0, remaining))

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

        # --- the scene vocabulary of pipeline/visuals.py ----------------------------------
        def said(self, index):
            """When sentence `index` of the narration starts (None when there is none)."""
            return sentences[index] if index < len(sentences) else None

        def top(self, mob, heading, buff=0.6):
            if heading is not None:
                mob.next_to(heading, m.DOWN, buff=buff)
            return mob

        def array_card(self):
            self.heading()
            values = [str(v) for v in visual.get("values") or []]
            size = min(1.4, 11.5 / max(1, len(values)))
            cells = m.VGroup(*[
                m.Square(side_length=size, color=fg, stroke_width=2).set_fill(accent, 0.0)
                for _ in values
            ]).arrange(m.RIGHT, buff=0.08)  # fmt: skip
            cells.move_to(m.UP * 0.4)
            labels = m.VGroup(*[fit(text(v, 30), size * 0.8, size * 0.6).move_to(c)
                                for v, c in zip(values, cells, strict=True)])  # fmt: skip
            indexes = m.VGroup(*[text(str(i), 16, color=accent).next_to(c, m.UP, buff=0.1)
                                 for i, c in enumerate(cells)])  # fmt: skip
            self.step(m.Create(cells), m.FadeIn(labels), m.FadeIn(indexes), run_time=0.8)
            shown = m.VGroup()
            for number, state in enumerate(visual.get("steps") or []):
                animations = []
                low, high = (state.get("active") or [0, len(values) - 1])[:2]
                lit = set(state.get("highlight") or [])
                for i, cell in enumerate(cells):
                    opacity = 0.85 if i in lit else 0.0
                    dim = 1.0 if low <= i <= high or i in lit else 0.25
                    animations.append(cell.animate.set_fill(highlight, opacity).set_stroke(
                        opacity=dim))  # fmt: skip
                    animations.append(labels[i].animate.set_opacity(dim))
                for i, value in enumerate(state.get("values") or []):
                    if str(value) != values[i]:
                        values[i] = str(value)
                        new = fit(text(values[i], 30), size * 0.8, size * 0.6).move_to(cells[i])
                        animations.append(m.Transform(labels[i], new))
                marks = m.VGroup()
                taken: dict[int, int] = {}
                for pointer in state.get("pointers") or []:
                    index = pointer["index"]
                    row = taken.get(index, 0)
                    taken[index] = row + 1
                    arrow = m.Arrow(
                        m.DOWN * 0.6, m.ORIGIN, buff=0, color=accent, stroke_width=4
                    ).next_to(cells[index], m.DOWN, buff=0.1)
                    label = text(pointer["label"], 22, color=accent)
                    label.next_to(arrow, m.DOWN, buff=0.1 + 0.35 * row)
                    marks.add(arrow, label)  # fmt: skip
                if state.get("note"):
                    note = fit(text(state["note"], 30, color=highlight), 11, 0.8)
                    marks.add(note.next_to(cells, m.DOWN, buff=1.9))
                animations += [m.FadeOut(shown), m.FadeIn(marks)]
                shown = marks
                self.step(*animations, at=self.said(number), run_time=0.6)

        def number_line_card(self):
            self.heading()
            low, high = visual.get("range") or [-5.0, 5.0]
            tick = _nice_step((high - low) / 10)
            line = m.NumberLine(x_range=[low, high, tick], length=11.5, color=fg,
                                include_tip=False, include_numbers=False)  # fmt: skip
            line.move_to(m.DOWN * 0.3)
            first = math.ceil(low / tick) * tick
            numbers = m.VGroup(*[
                text(f"{first + k * tick:g}", 22).next_to(line.n2p(first + k * tick), m.DOWN)
                for k in range(int((high - first) / tick + 1e-9) + 1)
            ])  # fmt: skip
            self.step(m.Create(line), m.FadeIn(numbers), run_time=0.8)
            for number, mark in enumerate(visual.get("marks") or []):
                dot = m.Dot(line.n2p(mark["value"]), color=highlight, radius=0.12)
                label = text(mark.get("label") or f"{mark['value']:g}", 30, color=highlight)
                label.next_to(dot, m.UP, buff=0.25 + 0.5 * (number % 2))
                self.step(m.GrowFromCenter(dot), m.FadeIn(label), at=self.said(number),
                          run_time=0.5)  # fmt: skip

        def unit_circle_card(self):
            self.heading()
            radius = 2.3
            center = m.DOWN * 0.4 + m.LEFT * 2.2
            circle = m.Circle(radius=radius, color=fg).move_to(center)
            axes = m.VGroup(
                m.Line(center + m.LEFT * 2.8, center + m.RIGHT * 2.8, color=fg, stroke_width=2),
                m.Line(center + m.DOWN * 2.8, center + m.UP * 2.8, color=fg, stroke_width=2),
            )
            angle = m.ValueTracker(0.0)

            def tip():
                theta = math.radians(angle.get_value())
                return center + radius * m.np.array([math.cos(theta), math.sin(theta), 0])

            def foot():
                return m.np.array([tip()[0], center[1], 0])

            radius_line = m.always_redraw(lambda: m.Line(center, tip(), color=accent))
            dot = m.always_redraw(lambda: m.Dot(tip(), color=accent))
            arc = m.always_redraw(lambda: m.Arc(
                radius=0.5, start_angle=0, angle=math.radians(angle.get_value()) or 1e-3,
                arc_center=center, color=accent))  # fmt: skip
            self.step(m.Create(axes), m.Create(circle), m.FadeIn(radius_line, dot, arc),
                      run_time=0.8)  # fmt: skip
            self.step(angle.animate.set_value(float(visual.get("angle", 60.0))),
                      at=self.said(0), run_time=1.5)  # fmt: skip
            theta = math.radians(angle.get_value())
            sine = m.Line(foot(), tip(), color=highlight, stroke_width=6)
            cosine = m.Line(center, foot(), color=accent, stroke_width=6)
            readout = (
                m.VGroup(
                    text(f"angle = {angle.get_value():g}°", 30),
                    text(f"sin = {math.sin(theta):.2f}", 30, color=highlight),
                    text(f"cos = {math.cos(theta):.2f}", 30, color=accent),
                )
                .arrange(m.DOWN, aligned_edge=m.LEFT, buff=0.35)
                .move_to(m.RIGHT * 3.8)
            )
            self.step(m.Create(sine), m.FadeIn(readout[0]), m.FadeIn(readout[1]),
                      at=self.said(1), run_time=0.8)  # fmt: skip
            self.step(m.Create(cosine), m.FadeIn(readout[2]), at=self.said(2), run_time=0.8)

        def equation_steps_card(self):
            heading = self.heading()
            steps = visual.get("steps") or [spec.get("formula") or ""]
            notes = list(visual.get("notes") or [])
            lines = m.VGroup(*[formula(latex).scale(0.8) for latex in steps])
            lines.arrange(m.DOWN, buff=0.45)
            fit(lines, width=8.5, height=5.2 if heading else 6.2)
            lines.move_to(m.DOWN * 0.4 + m.LEFT * 1.5)
            self.step(m.Write(lines[0]), at=self.said(0), run_time=1.0)
            for number in range(1, len(lines)):
                animations = [m.TransformMatchingShapes(lines[number - 1].copy(), lines[number]),
                              lines[number - 1].animate.set_opacity(0.45)]  # fmt: skip
                note = notes[number] if number < len(notes) else ""
                if note:
                    tag = fit(text(note, 24, color=accent), 4.0, 0.6)
                    animations.append(m.FadeIn(tag.next_to(lines[number], m.RIGHT, buff=0.6)))
                self.step(*animations, at=self.said(number), run_time=1.0)
            self.step(m.Create(m.SurroundingRectangle(lines[-1], color=highlight, buff=0.15)),
                      run_time=0.5)  # fmt: skip

        def code_card(self):
            heading = self.heading()
            try:
                code = m.Code(code_string=visual.get("code") or " ",
                              language=visual.get("language") or "text",
                              formatter_style="monokai", background="rectangle")  # fmt: skip
            except Exception:  # an unknown language name: show it as plain text
                code = m.Code(code_string=visual.get("code") or " ", language="text")
            rows = len((visual.get("code") or " ").splitlines())
            fill(code, 12.0, min(5.4 if heading else 6.5, 0.5 * rows + 0.4))
            self.top(code, heading, buff=0.4)
            self.step(m.FadeIn(code), run_time=0.7)
            marker = None
            lines = code.code_lines
            for number, line in enumerate(visual.get("highlight") or []):
                if not 1 <= line <= len(lines):
                    continue
                row = lines[line - 1]
                box = m.Rectangle(width=code.width, height=max(row.height, 0.2) + 0.12,
                                  stroke_width=0).set_fill(highlight, 0.25)  # fmt: skip
                box.move_to([code.get_center()[0], row.get_center()[1], 0])
                if marker is None:
                    marker = box
                    self.step(m.FadeIn(box), at=self.said(number), run_time=0.4)
                else:
                    self.step(marker.animate.move_to(box), at=self.said(number), run_time=0.4)

        def table_card(self):
            heading = self.heading()
            columns = visual.get("columns") or []
            rows = visual.get("rows") or []
            cells = [[text(c, 28, color=accent, weight=m.BOLD) for c in columns]]
            cells += [[text(c or " ", 26) for c in row] for row in rows]
            grid = m.VGroup(*[mob for row in cells for mob in row])
            grid.arrange_in_grid(rows=len(cells), cols=len(columns), buff=(0.7, 0.35))
            fill(
                grid, min(12.0, 2.6 * len(columns)), min(5.2 if heading else 6.2, 0.75 * len(cells))
            )
            self.top(grid, heading, buff=0.7)
            rule = m.Line(grid.get_left() + m.LEFT * 0.2, grid.get_right() + m.RIGHT * 0.2,
                          color=fg, stroke_width=2)  # fmt: skip
            rule.next_to(m.VGroup(*cells[0]), m.DOWN, buff=0.15)
            rule.set_x(grid.get_x())
            self.step(m.FadeIn(m.VGroup(*cells[0])), m.Create(rule), run_time=0.6)
            for number, row in enumerate(cells[1:]):
                self.step(m.FadeIn(m.VGroup(*row), shift=m.UP * 0.1), at=self.said(number),
                          run_time=0.5)  # fmt: skip

        def bar_chart_card(self):
            heading = self.heading()
            bars = visual.get("bars") or []
            top_value = max([abs(b["value"]) for b in bars] + [1e-9])
            width = min(1.2, 10.0 / max(1, len(bars)) * 0.7)
            height = 4.0 if heading else 4.8
            group = m.VGroup()
            for bar in bars:
                rect = m.Rectangle(
                    width=width,
                    height=max(0.02, height * abs(bar["value"]) / top_value),
                    stroke_width=0,
                )
                rect.set_fill(accent, 0.9)  # fmt: skip
                group.add(rect)
            group.arrange(m.RIGHT, buff=width * 0.45, aligned_edge=m.DOWN)
            group.move_to(m.DOWN * 0.6).align_to(m.DOWN * (2.6 if heading else 3.0), m.DOWN)
            base = m.Line(group.get_corner(m.DL) + m.LEFT * 0.3,
                          group.get_corner(m.DR) + m.RIGHT * 0.3, color=fg)  # fmt: skip
            self.step(m.Create(base), run_time=0.4)
            unit = visual.get("unit") or ""
            for number, (bar, rect) in enumerate(zip(bars, group, strict=True)):
                name = fit(text(bar["label"], 22), width * 1.4, 0.5).next_to(rect, m.DOWN, 0.15)
                value = fit(text(f"{bar['value']:g} {unit}".strip(), 22, color=highlight),
                            width * 1.4, 0.5).next_to(rect, m.UP, buff=0.1)  # fmt: skip
                self.step(m.GrowFromEdge(rect, m.DOWN), m.FadeIn(name), m.FadeIn(value),
                          at=self.said(number), run_time=0.6)  # fmt: skip

        def diagram_card(self):
            heading = self.heading()
            nodes = visual.get("nodes") or []
            boxes = {}
            group = m.VGroup()
            for node in nodes:
                label = text(_wrap(node["label"], 16), 26)
                box = m.RoundedRectangle(width=max(label.width + 0.5, 1.6),
                                         height=label.height + 0.5, corner_radius=0.15,
                                         color=accent).set_fill(accent, 0.15)  # fmt: skip
                item = m.VGroup(box, label.move_to(box))
                boxes[node["id"]] = item
                group.add(item)
            columns = max(1, 4 if len(nodes) > 4 else len(nodes))
            rows = math.ceil(len(nodes) / columns)
            group.arrange_in_grid(cols=columns, buff=(1.2, 1.2))
            fill(group, min(12.0, 3.2 * columns), min(5.0 if heading else 6.0, 1.3 * rows))
            group.move_to(m.DOWN * 0.4 if heading else m.ORIGIN)
            self.step(m.LaggedStart(*[m.FadeIn(item) for item in group], lag_ratio=0.2),
                      run_time=0.8)  # fmt: skip
            for number, edge in enumerate(visual.get("edges") or []):
                start, end = boxes[edge["from"]], boxes[edge["to"]]
                arrow = m.Arrow(start.get_center(), end.get_center(), color=highlight,
                                buff=0.0, stroke_width=4)  # fmt: skip
                arrow.put_start_and_end_on(
                    _edge_point(start, end.get_center()), _edge_point(end, start.get_center())
                )
                parts = [m.GrowArrow(arrow)]
                if edge.get("label"):
                    tag = text(edge["label"], 22, color=highlight)
                    parts.append(m.FadeIn(tag.next_to(arrow.get_center(), m.UP, buff=0.1)))
                self.step(*parts, at=self.said(number), run_time=0.6)

        def timeline_card(self):
            self.heading()
            events = visual.get("events") or []
            line = m.Line(m.LEFT * 6, m.RIGHT * 6, color=fg).move_to(m.DOWN * 0.3)
            self.step(m.Create(line), run_time=0.6)
            slot = 12.0 / max(1, len(events))
            for number, event in enumerate(events):
                x = -6 + slot * (number + 0.5)
                dot = m.Dot([x, line.get_y(), 0], color=highlight, radius=0.1)
                when = fit(text(event["when"], 28, color=highlight, weight=m.BOLD),
                           slot * 0.95, 0.6)  # fmt: skip
                label = fit(text(_wrap(event["label"], 18), 22), slot * 0.95, 1.6)
                up = number % 2 == 0
                when.next_to(dot, m.DOWN if up else m.UP, buff=0.25)
                label.next_to(dot, m.UP if up else m.DOWN, buff=0.3)
                self.step(m.GrowFromCenter(dot), m.FadeIn(when), m.FadeIn(label),
                          at=self.said(number), run_time=0.5)  # fmt: skip

        def comparison_card(self):
            self.heading()
            divider = m.Line(m.UP * 2.2, m.DOWN * 3.2, color=fg, stroke_width=2)
            self.step(m.Create(divider), run_time=0.4)
            for number, (side, x) in enumerate(((visual.get("left") or {}, -3.3),
                                                (visual.get("right") or {}, 3.3))):  # fmt: skip
                title = fit(text(side.get("title", ""), 40, color=accent, weight=m.BOLD), 5.5, 1)
                title.move_to([x, 1.6, 0])
                points = m.VGroup(*[fit(text(_wrap(p, 24), 28), 5.5, 1.2)
                                    for p in side.get("points") or []])  # fmt: skip
                if len(points):
                    points.arrange(m.DOWN, buff=0.35).next_to(title, m.DOWN, buff=0.5)
                self.step(m.FadeIn(title, shift=m.DOWN * 0.2), at=self.said(number),
                          run_time=0.5)  # fmt: skip
                for point in points:
                    self.step(m.FadeIn(point, shift=m.RIGHT * 0.2), run_time=0.4)

    return Timed


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least `raw`: tick spacing people can read."""
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(k * power for k in (1, 2, 5, 10) if k * power >= raw)


def _wrap(value: str, width: int) -> str:
    return "\n".join(textwrap.wrap(value, width)) or " "


def _edge_point(mob, toward):
    """Where the line from `mob`'s centre to `toward` leaves its bounding box."""
    center = mob.get_center()
    direction = toward - center
    half_w, half_h = mob.width / 2, mob.height / 2
    scale = min(
        half_w / abs(direction[0]) if abs(direction[0]) > 1e-9 else math.inf,
        half_h / abs(direction[1]) if abs(direction[1]) > 1e-9 else math.inf,
    )
    return center + direction * min(scale, 1.0)


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
        scene = build_scene_class(spec, out_dir)()
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
