"""A small table of well-known topics the offline planner can explain properly.

For a topic found here the planner has real content (what to say, the formula, what to
draw). It is used only when it covers the whole subject of a request (`Topic.covers`): the
derivative of sin(x) is not a lesson on derivatives in general.
Each entry: `patterns` (regexes on the lower-cased prompt), `title`, `formula` (LaTeX),
`spoken` (the formula in words), `hook`, `steps` (body scenes: heading, narration,
bullets, visual), `recap`, `tags`.
"""

import re
from dataclasses import dataclass, field

from pipeline.providers.text import STOP_WORDS


@dataclass(frozen=True)
class Step:
    heading: str
    narration: str
    bullets: tuple[str, ...] = ()
    visual: dict = field(default_factory=lambda: {"type": "bullets"})
    formula: str = ""


@dataclass(frozen=True)
class Topic:
    key: str
    patterns: tuple[str, ...]
    title: str
    formula: str
    spoken: str
    hook: str
    steps: tuple[Step, ...]
    recap: str
    tags: tuple[str, ...] = ()
    proof: Step | None = None

    def matches(self, text: str) -> bool:
        return any(re.search(pattern, text) for pattern in self.patterns)

    def covers(self, subject: str) -> bool:
        """Whether every content word of `subject` belongs to this topic, so that the
        topic's lesson is about the whole subject and not about a neighbour of it."""
        vocabulary = _stems(" ".join([self.key.replace("_", " "), self.title, self.formula,
                                      self.spoken, self.hook, *self.tags]))  # fmt: skip
        return _stems(subject) - GENERIC_WORDS <= vocabulary


TOPICS: tuple[Topic, ...] = (
    Topic(
        key="pythagorean",
        patterns=(r"pythagor", r"a\s*\^\s*2\s*\+\s*b\s*\^\s*2\s*=\s*c\s*\^\s*2", r"hypotenuse"),
        title="The Pythagorean theorem",
        formula="a^2 + b^2 = c^2",
        spoken="a squared plus b squared equals c squared",
        hook=(
            "It links the three sides of every right triangle, and it is more than two "
            "thousand years old."
        ),
        steps=(
            Step(
                heading="The right triangle",
                narration=(
                    "Start with a right triangle. The longest side sits opposite the right "
                    "angle; we call it the hypotenuse and label it c. The two shorter sides are "
                    "a and b."
                ),
                bullets=("One 90° angle", "Short sides a and b", "Hypotenuse c, the longest"),
                visual={"type": "shapes", "shapes": ["right_triangle"]},
            ),
            Step(
                heading="The theorem",
                narration=(
                    "The theorem says that a squared plus b squared equals c squared. Draw a "
                    "square on each side: the two smaller squares together have exactly the "
                    "area of the largest one."
                ),
                bullets=("Square each short side", "Add the two areas", "It equals c squared"),
                visual={"type": "formula", "latex": "a^2 + b^2 = c^2"},
                formula="a^2 + b^2 = c^2",
            ),
            Step(
                heading="An example",
                narration=(
                    "Take a triangle with short sides three and four. Three squared is nine, "
                    "four squared is sixteen, and together they make twenty-five. So the "
                    "hypotenuse is five."
                ),
                bullets=("3² = 9", "4² = 16", "9 + 16 = 25 = 5²"),
                visual={"type": "formula", "latex": "3^2 + 4^2 = 5^2"},
                formula="3^2 + 4^2 = 5^2",
            ),
        ),
        proof=Step(
            heading="A visual proof",
            narration=(
                "Here is a visual proof. Place four copies of the triangle inside a square "
                "whose side is a plus b. The space they leave is a tilted square of side c. "
                "Slide the triangles around and the same space becomes two squares, of sides "
                "a and b. The empty area never changed, so c squared equals a squared plus b "
                "squared."
            ),
            bullets=("Four copies of the triangle", "Same big square", "Same empty area"),
            visual={"type": "shapes", "shapes": ["square", "right_triangle"]},
        ),
        recap=(
            "In every right triangle, the squares on the two short sides add up to the square "
            "on the hypotenuse."
        ),
        tags=("pythagorean theorem", "geometry", "right triangle", "math"),
    ),
    Topic(
        key="circle_area",
        patterns=(r"area of (a |the )?circle", r"circle'?s? area", r"\bpi\s*r\s*\^?\s*2"),
        title="The area of a circle",
        formula="A = \\pi r^2",
        spoken="A equals pi r squared",
        hook="Why does a circle's area grow with the square of its radius?",
        steps=(
            Step(
                heading="Radius and pi",
                narration=(
                    "A circle is every point at the same distance from a centre. That distance "
                    "is the radius, r. Pi, about three point one four, is how many times the "
                    "diameter fits around the edge."
                ),
                bullets=("Radius r", "Diameter 2r", "π ≈ 3.14"),
                visual={"type": "shapes", "shapes": ["circle", "line"]},
            ),
            Step(
                heading="Unrolling the circle",
                narration=(
                    "Cut the circle into thin slices, like a pizza, and lay them side by side, "
                    "tips alternating. They form a shape close to a rectangle: its height is "
                    "the radius and its width is half the circumference, pi times r."
                ),
                bullets=("Thin slices", "Almost a rectangle", "r by πr"),
                visual={"type": "shapes", "shapes": ["circle", "rectangle"]},
            ),
            Step(
                heading="The formula",
                narration=(
                    "So the area is pi r times r: A equals pi r squared. Double the radius and "
                    "the area becomes four times as large."
                ),
                bullets=("A = πr²", "Double r: four times the area"),
                visual={"type": "formula", "latex": "A = \\pi r^2"},
                formula="A = \\pi r^2",
            ),
        ),
        recap="A circle's area is pi times the radius squared.",
        tags=("area of a circle", "geometry", "pi", "math"),
    ),
    Topic(
        key="derivative",
        patterns=(r"derivative", r"differentiat", r"rate of change", r"\bslope of a curve"),
        title="The derivative",
        formula="f'(x) = \\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}",
        spoken="f prime of x is the limit, as h goes to zero, of f of x plus h minus f of x, "
        "over h",
        hook="How fast is something changing at one exact instant?",
        steps=(
            Step(
                heading="Slope between two points",
                narration=(
                    "Take two points on a curve and join them with a straight line. Its slope, "
                    "rise over run, is the average rate of change between them."
                ),
                bullets=("Two points", "Rise over run", "Average rate of change"),
                visual={
                    "type": "graph",
                    "function": "x**2",
                    "x_range": [-3, 3],
                    "label": "f(x) = x^2",
                },
            ),
            Step(
                heading="Shrinking the gap",
                narration=(
                    "Now slide the second point towards the first. As the gap h shrinks to "
                    "zero, the line becomes the tangent, and its slope is the derivative."
                ),
                bullets=("Gap h → 0", "Secant becomes tangent", "Instantaneous rate"),
                visual={
                    "type": "formula",
                    "latex": "f'(x) = \\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}",
                },
                formula="f'(x) = \\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}",
            ),
            Step(
                heading="An example",
                narration=(
                    "For f of x equals x squared, the derivative is two x. At x equals three "
                    "the curve climbs six units for every unit to the right."
                ),
                bullets=("f(x) = x²", "f'(x) = 2x", "At x = 3, slope 6"),
                visual={"type": "formula", "latex": "\\frac{d}{dx} x^2 = 2x"},
                formula="\\frac{d}{dx} x^2 = 2x",
            ),
        ),
        recap="The derivative is the slope of the tangent: the instantaneous rate of change.",
        tags=("derivative", "calculus", "slope", "math"),
    ),  # fmt: skip
    Topic(
        key="quadratic",
        patterns=(r"quadratic", r"ax\s*\^\s*2\s*\+\s*bx"),
        title="The quadratic formula",
        formula="x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}",
        spoken="x equals minus b, plus or minus the square root of b squared minus four a c, "
        "all over two a",
        hook="One formula solves every quadratic equation.",
        steps=(
            Step(
                heading="Quadratic equations",
                narration=(
                    "A quadratic equation has the form a x squared plus b x plus c equals "
                    "zero. Its graph is a parabola, and the solutions are where it crosses the "
                    "x axis."
                ),
                bullets=("ax² + bx + c = 0", "A parabola", "Roots: where y = 0"),
                visual={
                    "type": "graph",
                    "function": "x**2 - 2*x - 3",
                    "x_range": [-3, 5],
                    "label": "y = x^2 - 2x - 3",
                },
            ),
            Step(
                heading="The formula",
                narration=(
                    "Completing the square gives the quadratic formula: x equals minus b, plus "
                    "or minus the square root of b squared minus four a c, all over two a."
                ),
                bullets=("Complete the square", "± gives two roots"),
                visual={"type": "formula", "latex": "x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}"},
                formula="x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}",
            ),
            Step(
                heading="The discriminant",
                narration=(
                    "The part under the root, b squared minus four a c, is the discriminant. "
                    "Positive means two real roots, zero means one, negative means none on the "
                    "real line."
                ),
                bullets=("Δ > 0: two roots", "Δ = 0: one root", "Δ < 0: no real roots"),
                visual={"type": "formula", "latex": "\\Delta = b^2 - 4ac"},
                formula="\\Delta = b^2 - 4ac",
            ),
        ),
        recap="Any quadratic can be solved with minus b plus or minus root of the "
        "discriminant, over two a.",
        tags=("quadratic formula", "algebra", "parabola", "math"),
    ),  # fmt: skip
    Topic(
        key="euler_identity",
        patterns=(r"euler'?s identity", r"e\s*\^\s*\{?\s*i\s*\\?pi", r"euler'?s formula"),
        title="Euler's identity",
        formula="e^{i\\pi} + 1 = 0",
        spoken="e to the i pi, plus one, equals zero",
        hook="Five of the most important numbers in mathematics, in one short equation.",
        steps=(
            Step(
                heading="Euler's formula",
                narration=(
                    "Euler's formula says that e to the i theta equals cosine theta plus i "
                    "sine theta: raising e to an imaginary power walks around the unit circle."
                ),
                bullets=("e^{iθ} = cos θ + i sin θ", "A point on the unit circle"),
                visual={"type": "formula", "latex": "e^{i\\theta} = \\cos\\theta + i\\sin\\theta"},
                formula="e^{i\\theta} = \\cos\\theta + i\\sin\\theta",
            ),
            Step(
                heading="Half a turn",
                narration=(
                    "Set theta to pi, half a turn. Cosine of pi is minus one and sine of pi is "
                    "zero, so e to the i pi equals minus one. Add one to both sides and you get "
                    "Euler's identity."
                ),
                bullets=("θ = π: half a turn", "cos π = −1, sin π = 0"),
                visual={"type": "formula", "latex": "e^{i\\pi} + 1 = 0"},
                formula="e^{i\\pi} + 1 = 0",
            ),
        ),
        recap="e to the i pi plus one equals zero joins e, i, pi, one and zero.",
        tags=("euler's identity", "complex numbers", "math"),
    ),
    Topic(
        key="newton_second",
        patterns=(r"newton'?s second law", r"\bf\s*=\s*m\s*\*?\s*a\b", r"force equals mass"),
        title="Newton's second law",
        formula="F = ma",
        spoken="force equals mass times acceleration",
        hook="Why is a full shopping cart harder to push than an empty one?",
        steps=(
            Step(
                heading="Force and acceleration",
                narration=(
                    "Push an object and it speeds up. The harder you push, the faster its "
                    "speed changes: acceleration grows with the force."
                ),
                bullets=("More force", "More acceleration"),
                visual={"type": "shapes", "shapes": ["square", "arrow"]},
            ),
            Step(
                heading="F equals m a",
                narration=(
                    "Mass resists that change. Newton's second law puts it in three letters: "
                    "force equals mass times acceleration."
                ),
                bullets=("F: force in newtons", "m: mass in kilograms", "a: acceleration"),
                visual={"type": "formula", "latex": "F = ma"},
                formula="F = ma",
            ),
        ),
        recap="Force equals mass times acceleration: heavier things need more push.",
        tags=("newton's second law", "physics", "force", "acceleration"),
    ),
    Topic(
        key="mass_energy",
        patterns=(r"\be\s*=\s*mc\s*\^?\s*2", r"mass[- ]energy", r"relativity"),
        title="E = mc²",
        formula="E = mc^2",
        spoken="E equals m c squared",
        hook="A tiny amount of mass holds an enormous amount of energy.",
        steps=(
            Step(
                heading="Mass is energy",
                narration=(
                    "Einstein showed that mass and energy are two forms of the same thing. The "
                    "energy locked in a mass m is m times the speed of light squared."
                ),
                bullets=("E: energy", "m: mass", "c: speed of light"),
                visual={"type": "formula", "latex": "E = mc^2"},
                formula="E = mc^2",
            ),
            Step(
                heading="Why it is so large",
                narration=(
                    "The speed of light is about three hundred million metres per second, and "
                    "it is squared. One gram of mass matches the energy of about twenty "
                    "kilotons of explosive."
                ),
                bullets=("c ≈ 3 × 10⁸ m/s", "c² is huge", "1 g ≈ 9 × 10¹³ J"),
                visual={"type": "formula", "latex": "c^2 \\approx 9 \\times 10^{16}"},
                formula="c^2 \\approx 9 \\times 10^{16}",
            ),
        ),
        recap="Energy equals mass times the speed of light squared.",
        tags=("e=mc2", "relativity", "einstein", "physics"),
    ),
    Topic(
        key="linear_function",
        patterns=(r"slope[- ]intercept", r"linear function", r"\by\s*=\s*mx\s*\+\s*b"),
        title="Linear functions",
        formula="y = mx + b",
        spoken="y equals m x plus b",
        hook="Straight lines are the simplest functions, and two numbers describe each one.",
        steps=(
            Step(
                heading="Slope and intercept",
                narration=(
                    "Every straight line can be written y equals m x plus b. The slope m says "
                    "how steep it is; the intercept b says where it crosses the y axis."
                ),
                bullets=("m: slope", "b: y-intercept"),
                visual={"type": "formula", "latex": "y = mx + b"},
                formula="y = mx + b",
            ),
            Step(
                heading="An example",
                narration=(
                    "For y equals two x plus one, the line starts at one on the y axis and "
                    "climbs two units for every step to the right."
                ),
                bullets=("Starts at 1", "Up 2 for each step right"),
                visual={
                    "type": "graph",
                    "function": "2*x + 1",
                    "x_range": [-3, 3],
                    "label": "y = 2x + 1",
                },
            ),
        ),
        recap="A line is y equals m x plus b: slope m, intercept b.",
        tags=("linear function", "slope", "algebra", "math"),
    ),  # fmt: skip
    Topic(
        key="trig_identity",
        patterns=(r"\bsine\b", r"\bcosine\b", r"unit circle", r"trigonometr"),
        title="Sine, cosine and the unit circle",
        formula="\\sin^2\\theta + \\cos^2\\theta = 1",
        spoken="sine squared theta plus cosine squared theta equals one",
        hook="Two waves, one circle.",
        steps=(
            Step(
                heading="The unit circle",
                narration=(
                    "Walk around a circle of radius one. At angle theta, your height is the "
                    "sine of theta and your horizontal position is the cosine."
                ),
                bullets=("Radius 1", "Height: sin θ", "Across: cos θ"),
                visual={"type": "shapes", "shapes": ["circle", "right_triangle"]},
            ),
            Step(
                heading="The sine wave",
                narration=(
                    "Plot the height against the angle and you get the sine wave, repeating "
                    "every full turn."
                ),
                bullets=("Repeats every 2π", "Between −1 and 1"),
                visual={
                    "type": "graph",
                    "function": "sin(x)",
                    "x_range": [-6.3, 6.3],
                    "label": "y = \\sin x",
                },
            ),
            Step(
                heading="The identity",
                narration=(
                    "Because the radius is one, the Pythagorean theorem gives sine squared "
                    "plus cosine squared equals one, for every angle."
                ),
                bullets=("From the right triangle", "True for every θ"),
                visual={"type": "formula", "latex": "\\sin^2\\theta + \\cos^2\\theta = 1"},
                formula="\\sin^2\\theta + \\cos^2\\theta = 1",
            ),
        ),
        recap="Sine and cosine are the coordinates of a point on the unit circle.",
        tags=("trigonometry", "sine", "cosine", "unit circle", "math"),
    ),  # fmt: skip
    Topic(
        key="integral",
        patterns=(
            r"\bintegral",
            r"integration\b",
            r"area under (a |the )?curve",
            r"fundamental theorem of calculus",
        ),
        title="The integral",
        formula="\\int_a^b f(x)\\,dx = F(b) - F(a)",
        spoken="the integral from a to b of f of x equals F of b minus F of a",
        hook="How do you measure the area under a curve?",
        steps=(
            Step(
                heading="Thin rectangles",
                narration=(
                    "Fill the region under the curve with thin rectangles and add up their "
                    "areas. The thinner they get, the closer the sum comes to the true area."
                ),
                bullets=("Thin rectangles", "Add their areas", "Thinner is closer"),
                visual={
                    "type": "graph",
                    "function": "0.5*x**2 + 1",
                    "x_range": [0, 3],
                    "label": "f(x) = \\frac{x^2}{2} + 1",
                },
            ),
            Step(
                heading="The fundamental theorem",
                narration=(
                    "The fundamental theorem of calculus turns that limit into subtraction: find "
                    "an antiderivative F, and the area from a to b is F of b minus F of a."
                ),
                bullets=("Antiderivative F", "Area = F(b) − F(a)"),
                visual={"type": "formula", "latex": "\\int_a^b f(x)\\,dx = F(b) - F(a)"},
                formula="\\int_a^b f(x)\\,dx = F(b) - F(a)",
            ),
        ),
        recap="The integral adds up infinitely thin slices; the antiderivative computes it.",
        tags=("integral", "calculus", "area under a curve", "math"),
    ),  # fmt: skip
)


# Words that name a kind of statement or a way of showing it, not a subject.
GENERIC_WORDS = frozenset(
    "formula formulas theorem law laws identity rule proof proofs visual visually graph "
    "example examples work works working mean means meaning true why how what simple "
    "basic basics intro introduction step steps prove".split()
)


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+|\d+", (text or "").lower().replace("'s", ""))
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in words if w not in STOP_WORDS}  # fmt: skip


def find_topic(text: str, *, subject: str | None = None) -> Topic | None:
    """The topic `text` is about; with `subject` (the request without its instructions),
    only a topic that covers the whole subject."""
    lowered = (text or "").lower()
    for topic in TOPICS:
        if topic.matches(lowered) and (subject is None or topic.covers(subject)):
            return topic
    return None
