"""The offline planner: deterministic, instant, and honest about what it knows.

It knows no more than the prompt, so it never changes the subject and never pads:
- a short explainer or YouTube request ("Explain the Pythagorean theorem with visual proof")
  becomes a lesson from `topics.py` only when a topic there covers the whole subject;
  otherwise its scenes come from what the prompt itself supplies (a list to search or sort,
  an equation to solve, functions to plot, years, figures, a comparison, its own list of
  steps: see `prompt_scenes`), and the plan's notice tells the person that a language model
  would do more;
- any other text (a story, notes, a script) is narrated exactly as written, every sentence
  once, split into scenes of even length at paragraph breaks where it can.

Every scene gets a heading, key phrases, a visual (pipeline/visuals.py) drawn from its own
data where it has some, an image prompt and search terms. The same input always gives the
same plan.
"""

import math
import re
from dataclasses import dataclass, field

from pipeline.errors import GeneratorError
from pipeline.plan import (
    BULLET_MAX,
    BULLETS_MAX,
    FORMULA_MAX,
    IMAGE_PROMPT_MAX,
    NARRATION_MAX,
    ON_SCREEN_MAX,
    SEARCH_TERMS_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    YOUTUBE_DESCRIPTION_MAX,
    YOUTUBE_TAGS_TOTAL_MAX,
    YOUTUBE_TITLE_MAX,
    Chapter,
    Plan,
    PlanError,
    Scene,
    YouTubeMeta,
    plan_from_json,
)
from pipeline.providers.base import report
from pipeline.providers.llm.base import (
    WORDS_PER_SECOND,
    Planner,
    check_kind,
    max_scenes_option,
    target_seconds_option,
)
from pipeline.providers.llm.demos import (
    SAMPLE_LIST,
    SEARCHES,
    SORTS,
    Demo,
    list_demo,
    number_list,
    search_demo,
    solve_linear,
    sort_demo,
)
from pipeline.providers.llm.topics import Step, Topic, find_topic
from pipeline.providers.text import (
    STOP_WORDS,
    capitalize_first,
    is_name,
    keywords,
    normalize_space,
    shorten,
    split_paragraphs,
    split_sentences,
    word_count,
)

OFFLINE_NOTICE = (
    "Drafted offline from your prompt; edit the storyboard or connect a language model "
    "(Settings: `VIDEOGEN_LLM`) for a full explanation."
)
STORY_NOTICE = (
    "Read offline exactly as written; connect a language model (Settings: `VIDEOGEN_LLM`) to "
    "have a story written from a request."
)
_STORY_REQUEST = re.compile(
    r"(?:please\s+)?(?:write|tell|make|create|generate|give)\b[^.!?]*\bstor(?:y|ies)\b", re.I
)
UNSORTED_SAMPLE = [29, 10, 14, 37, 13, 5]
# A function of x as written in a prompt: sin(x), cos x, e^x, x^2 + 1 ...
_FUNCTION = r"(?:sin|cos|tan|exp|log|sqrt)\s*\(\s*x\s*\)|(?:sin|cos|tan)\s+x\b|e\s*\^\s*x\b"
_YEAR = re.compile(r"1\d{3}|20\d{2}")
SHORT_PROMPT_WORDS = 40  # at most this many words (and two sentences) reads as a request
WORDS_PER_SCENE = 28  # about eleven seconds of narration when splitting a text

STYLE_SUFFIXES = {
    "clean": "clean flat vector illustration, soft colors, simple shapes",
    "cinematic": "cinematic digital painting, dramatic lighting, rich detail",
    "warm": "warm storybook illustration, soft golden light",
    "dark": "moody illustration, deep shadows, dark palette",
    "photo": "photograph, natural light, high detail",
}
DEFAULT_STYLE = {
    "explainer": "clean",
    "youtube": "clean",
    "story": "cinematic",
    "ai_video": "photo",
}


class LocalPlanner(Planner):
    """Plans without a model. `complete()` is not available, so no code generation."""

    name = "local"
    label = "Local planner"
    supports_code = False
    option_defaults = {}
    option_settings = {}
    output_options = ()

    def plan(self, *, kind, prompt, options=None, on_progress=None, guidance=None) -> Plan:
        if guidance is None:  # the offline planner does not read guidance, only checks the kind
            check_kind(kind)
        options = options or {}
        prompt = (prompt or "").strip()
        if not prompt:
            raise GeneratorError("There is nothing to plan: the prompt is empty.", permanent=True)
        report(on_progress, 0.1, "Structuring the text")
        max_scenes = max_scenes_option(options)
        plan = LocalDraft(kind=kind, prompt=prompt, options=options).build(max_scenes)
        try:  # the same check a model's answer goes through
            plan = plan_from_json(plan.to_json(), max_scenes=max_scenes)
        except PlanError as exc:  # pragma: no cover - a bug here, not bad input
            raise GeneratorError(f"The local planner made an invalid plan: {exc}") from exc
        report(on_progress, 1.0, "Plan ready")
        return plan

    def complete(self, system, user, *, json_mode, schema=None):
        raise GeneratorError(
            "The local planner does not run a language model.",
            permanent=True,
            hint="Set VIDEOGEN_LLM to gemini or openai for model-written text.",
        )


# --- inline math --------------------------------------------------------------------------
_OPERAND = (
    r"(?:(?:sin|cos|tan|sqrt|log|exp)\s*\([^()]{1,40}\)|\d+(?:\.\d+)?[a-z]?"
    r"|[a-z](?:\([a-z]\))?|\([^()]{1,40}\))"
)
_MATH = re.compile(
    rf"(?<![A-Za-z0-9])({_OPERAND}(?:\s*(?:\^|\*\*|[-+*/=])\s*{_OPERAND})+)(?![A-Za-z0-9])"
)


@dataclass(frozen=True)
class Math:
    text: str  # as written
    latex: str
    function: str = ""  # a Python expression in x, when it is a function worth graphing
    spoken: str = ""


def find_math(text: str) -> list[Math]:
    """Inline math in plain text (`x^2 + 1`, `f(x) = 2x + 3`, `a^2+b^2=c^2`)."""
    found = []
    for match in _MATH.finditer(text or ""):
        expr = match.group(1).strip()
        if not re.search(r"[\^=*/]|\d[a-z]", expr) or len(expr.replace(" ", "")) < 3:
            continue  # "a-b testing" or "3-4 people" are not math
        found.append(as_math(expr))
    return found


def as_math(expr: str) -> Math:
    expr = re.sub(r"\b(sin|cos|tan)\s+x\b", r"\1(x)", normalize_space(expr))
    return Math(text=expr, latex=to_latex(expr), function=graph_function(expr), spoken=speak(expr))


def to_latex(expr: str) -> str:
    latex = expr.replace("**", "^")
    latex = re.sub(r"\^\(([^()]*)\)", r"^{\1}", latex)
    latex = re.sub(r"\^(\d{2,}|[a-z]{2,})", r"^{\1}", latex)
    latex = re.sub(r"sqrt\s*\(([^()]*)\)", r"\\sqrt{\1}", latex)
    latex = re.sub(r"(?<!\\)\b(sin|cos|tan|log|exp)\b", r"\\\1", latex)
    latex = re.sub(r"(?<![A-Za-z\\])pi(?![A-Za-z])", r"\\pi", latex)
    latex = re.sub(r"\s*\*\s*", r" \\cdot ", latex)
    latex = re.sub(r"\s*([=+])\s*", r" \1 ", latex)
    return normalize_space(latex)


def graph_function(expr: str) -> str:
    """`x**2 + 1` for `y = x^2 + 1`, `f(x) = x^2 + 1` or `x^2 + 1`; "" when not a function
    of x alone."""
    sides = [s.strip() for s in expr.split("=")]
    if len(sides) == 2 and re.fullmatch(r"y|[a-z]\(x\)", sides[0]):
        body = sides[1]
    elif len(sides) == 1:
        body = sides[0]
    else:
        return ""
    names = set(re.findall(r"[a-z]+", body))
    if "x" not in names or not names <= {"x", "sin", "cos", "tan", "sqrt", "log", "exp", "pi", "e"}:
        return ""
    python = body.replace("^", "**")
    python = re.sub(r"(\d)\s*([a-z(])", r"\1*\2", python)
    python = re.sub(r"\)\s*([a-z0-9(])", r")*\1", python)
    python = re.sub(r"\bx\s*\(", "x*(", python)
    try:
        compile(python, "<graph>", "eval")
    except SyntaxError:
        return ""
    return python


_SPOKEN = (
    (r"\bsin\s*\(\s*x\s*\)|\bsin x\b", "sine of x"),
    (r"\bcos\s*\(\s*x\s*\)|\bcos x\b", "cosine of x"),
    (r"\btan\s*\(\s*x\s*\)|\btan x\b", "tangent of x"),
    (r"\b([a-z])\(x\)", r"\1 of x"),
    (r"\s*\^\s*2\b", " squared"),
    (r"\s*\^\s*3\b", " cubed"),
    (r"\s*(?:\^|\*\*)\s*", " to the power of "),
    (r"sqrt", "the square root of "),
    (r"\s*=\s*", " equals "),
    (r"\s*\+\s*", " plus "),
    (r"\s+-\s+|(?<=\S)-(?=\S)", " minus "),
    (r"(?<![\w)])-\s*(?=[\w(])", "minus "),
    (r"\s*\*\s*", " times "),
    (r"\s*/\s*", " over "),
    (r"\bpi\b", "pi"),
    (r"(\d)([a-z])", r"\1 \2"),
    (r"[()]", " "),
)


def speak(expr: str) -> str:
    spoken = expr
    for pattern, replacement in _SPOKEN:
        spoken = re.sub(pattern, replacement, spoken)
    return normalize_space(spoken)


# --- shapes -------------------------------------------------------------------------------
_SHAPES = (
    ("right_triangle", r"\bright[- ]angled triangles?\b|\bright triangles?\b"),
    ("triangle", r"\btriangles?\b"),
    ("circle", r"\bcircles?\b"),
    ("square", r"\bsquares?\b(?!\s+roots?)"),
    ("rectangle", r"\brectangles?\b"),
    ("pentagon", r"\bpentagons?\b"),
    ("hexagon", r"\bhexagons?\b"),
    ("polygon", r"\bpolygons?\b"),
    ("ellipse", r"\bellipses?\b|\bovals?\b"),
)


def find_shapes(text: str) -> list[str]:
    lowered = (text or "").lower()
    shapes = [name for name, pattern in _SHAPES if re.search(pattern, lowered)]
    if "right_triangle" in shapes and "triangle" in shapes:
        shapes.remove("triangle")
    return shapes[:4]


# --- requests -----------------------------------------------------------------------------
_LEADING = (
    r"^(?:please\s+)?(?:can|could|would) you\s+",
    r"^please\s+",
    r"^(?:i want|i'd like|i would like)\s+(?:you\s+)?(?:to\s+)?",
    r"^(?:explain|describe|teach(?: me)?|show(?: me)?|tell me about|introduce|cover|"
    r"illustrate|visuali[sz]e|summari[sz]e|make|create|generate|produce|write|give me|"
    r"talk)\b\s*(?:about\s+)?",
    r"^(?:an?\s+|the\s+)?(?:short\s+|quick\s+|simple\s+|brief\s+|fun\s+|youtube\s+)*"
    r"(?:video|explainer|lesson|tutorial|story|tale|clip|overview|introduction|intro|"
    r"animation|short|presentation)s?\s+(?:about|on|of|explaining|for|where|in which)\s+",
    r"^(?:the\s+)?(?:basics|fundamentals|idea|concept)\s+of\s+",
    r"^an?\s+introduction\s+to\s+",
)
_TRAILING = (
    r"\s+(?:with|using|through|via|including)\s+(?:an?\s+|some\s+)?(?:visual|visuals|"
    r"animations?|examples?|diagrams?|pictures?|graphs?|proofs?|illustrations?)\b.*$",
    r"\s+(?:for|to)\s+(?:complete\s+|total\s+|absolute\s+)?(?:beginners|kids|children|"
    r"students|dummies|everyone|newcomers|a general audience)\b.*$",
    r"\s+(?:in|under)\s+(?:about\s+)?(?:\d+|one|two|three|five|ten|sixty|thirty)\s+"
    r"(?:seconds?|minutes?|mins?|secs?|words)\b.*$",
    r"\s+(?:step by step|in simple terms|simply|briefly|in detail|visually|clearly)$",
)


@dataclass(frozen=True)
class Request:
    phrase: str  # the topic as a phrase: "the Pythagorean theorem"
    question: bool = False  # "why is the sky blue"
    proof: bool = False


def read_request(prompt: str) -> Request:
    """The topic of a short request, without the instructions around it."""
    text = normalize_space(prompt).rstrip(".!?")
    lowered = text.lower()
    proof = bool(re.search(r"\bproofs?\b|\bprove\b", lowered))
    changed = True
    while changed:
        changed = False
        for pattern in _LEADING:
            stripped = re.sub(pattern, "", text, count=1, flags=re.IGNORECASE)
            if stripped != text and stripped.strip():
                text, changed = stripped.strip(), True
    for pattern in _TRAILING:
        stripped = re.sub(pattern, "", text, count=1, flags=re.IGNORECASE)
        if stripped.strip():
            text = stripped.strip()
    how_works = re.fullmatch(r"how (?:does|do) (.+?) work", text, flags=re.IGNORECASE)
    if how_works:
        text = how_works.group(1)
    auxiliary = r"(?:is|are|was|were|does|do|did|can|could|would|will|should|has|have)\b"
    question = bool(
        prompt.rstrip().endswith("?")
        or re.match(rf"(?:(?:why|how|what|when|where|who|which)\s+)?{auxiliary}", text, re.I)
    )
    return Request(
        phrase=text or normalize_space(prompt),
        question=question,
        proof=proof,
    )


def heading(sentence: str, max_words: int = 8) -> str:
    """A short on-screen heading from a sentence: its first clause, a few words long."""
    text = re.sub(r"[\"“”‘’]", "", normalize_space(sentence))
    text = re.sub(
        r"^(?:so|but|and|then|now|first|next|finally|also|however|in fact|for example|"
        r"of course|once upon a time)\b,?\s+",
        "",
        text,
        flags=re.IGNORECASE,
    )
    clause = re.split(r"[,;:—–(]", text)[0].strip()
    if len(clause.split()) >= 3:
        text = clause
    words = text.split()
    if len(words) > max_words:
        words = words[:max_words]
        while len(words) > 2 and words[-1].lower().strip(".,;:!?") in STOP_WORDS:
            words.pop()  # "on a rocky" reads better as "on a rocky island" or not at all
    return capitalize_first(" ".join(words).rstrip(".,;:!?…-–—"))


# --- the draft ----------------------------------------------------------------------------
@dataclass
class SceneDraft:
    heading: str
    narration: str
    bullets: list[str] = field(default_factory=list)
    visual: dict = field(default_factory=lambda: {"type": "bullets"})
    formula: str = ""
    image_subject: str = ""


class LocalDraft:
    """Builds one plan; small methods so each decision can be read on its own."""

    def __init__(self, *, kind: str, prompt: str, options: dict):
        self.kind = kind
        self.prompt = prompt
        self.source = prompt  # the text prompt_scenes() reads: the prompt, or one scene's text
        self.options = options
        self.seconds = target_seconds_option(options)
        self.style = normalize_space(str(options.get("style") or "")) or DEFAULT_STYLE.get(
            kind, "clean"
        )
        first = split_sentences(prompt)[:1] or [prompt]
        self.topic: Topic | None = find_topic(prompt, subject=read_request(first[0]).phrase)
        self.notice = ""
        self.worked_example = False  # a search, sort or equation computed from the prompt
        self.derivative: tuple[str, str] | None = None  # "the derivative of f is g"

    def build(self, max_scenes: int) -> Plan:
        sentences = split_sentences(self.prompt)
        is_request = word_count(self.prompt) <= SHORT_PROMPT_WORDS and len(sentences) <= 2
        if is_request and self.kind in ("explainer", "youtube"):
            title, summary, drafts = self.lesson()
        else:
            title, summary, drafts = self.from_text(max_scenes)
            if self.kind == "story" and _STORY_REQUEST.match(self.prompt):
                self.notice = STORY_NOTICE
        drafts = fit_scenes(drafts, max_scenes)
        scenes = [self.scene(draft, title) for draft in drafts]
        youtube = self.youtube(title, summary, drafts) if self.kind == "youtube" else None
        return Plan(
            title=shorten(title, TITLE_MAX),
            summary=shorten(summary, SUMMARY_MAX),
            scenes=scenes,
            youtube=youtube,
            style=shorten(self.style, 40),
            notice=self.notice,
        )

    # --- short requests -------------------------------------------------------------------
    def lesson(self) -> tuple[str, str, list[SceneDraft]]:
        request = read_request(split_sentences(self.prompt)[0])
        topic = self.topic
        if topic:
            return self.topic_lesson(topic, request)
        title = capitalize_first(request.phrase) + ("?" if request.question else "")
        body = self.prompt_scenes()
        lead, colon, _ = title.partition(":")
        if colon and any(d.visual["type"] != "formula" for d in body) and lead.strip():
            title = lead.strip()  # "Tea: boil water, ...": the list is shown by its own scene
        if not self.worked_example:
            self.notice = OFFLINE_NOTICE
        opening = SceneDraft(
            heading=title,
            narration=spoken_text(title if request.question else f"{title}."),
            bullets=[draft.heading for draft in body][:BULLETS_MAX],
            visual={"type": "title", "title": shorten(title, TITLE_MAX)},
            image_subject=request.phrase,
        )
        return title, normalize_space(self.prompt), [opening, *body]

    def topic_lesson(self, topic: Topic, request: Request):
        body = self.known_steps(topic, request)
        narration = f"{topic.title}. {topic.hook}"
        if request.proof and topic.proof:
            narration += " Along the way we will see a visual proof of why it is true."
        intro = SceneDraft(
            heading=topic.title,
            narration=narration,
            bullets=[step.heading for step in body][:BULLETS_MAX],
            visual={
                "type": "title",
                "title": topic.title,
                "subtitle": shorten(topic.spoken.capitalize(), TITLE_MAX),
            },  # fmt: skip
            image_subject=topic.title.lower(),
        )
        recap = f"To recap: {topic.recap[:1].lower()}{topic.recap[1:]}"
        if topic.formula:
            recap += f" In symbols: {topic.spoken}."
        visual = {"type": "formula", "latex": topic.formula} if topic.formula else {}
        outro = SceneDraft(
            heading="Recap",
            narration=recap,
            bullets=[step.heading for step in body][:BULLETS_MAX],
            visual=visual or {"type": "bullets", "title": "Recap"},
            formula=topic.formula,
            image_subject=f"summary of {topic.title.lower()}",
        )
        headings = join_and([step.heading.lower() for step in body])
        summary = f"{topic.hook} This video covers {headings}."
        return topic.title, summary, [intro, *body, outro]

    def body_count(self, available: int) -> int:
        """How many body scenes fit the target length (intro and recap take ~50 words)."""
        words = self.seconds * WORDS_PER_SECOND - 50
        return max(1, min(available, round(words / 40)))

    def known_steps(self, topic: Topic, request: Request) -> list[SceneDraft]:
        steps: list[Step] = list(topic.steps)
        if request.proof and topic.proof:
            steps.insert(min(2, len(steps)), topic.proof)
        count = self.body_count(len(steps))
        chosen = steps[:count]
        if request.proof and topic.proof and topic.proof not in chosen:
            chosen[-1] = topic.proof
        return [
            SceneDraft(
                heading=step.heading,
                narration=step.narration,
                bullets=list(step.bullets),
                visual=dict(step.visual),
                formula=step.formula,
                image_subject=f"{step.heading.lower()}, {topic.title.lower()}",
            )
            for step in chosen
        ]

    # --- what the prompt itself supplies --------------------------------------------------
    def prompt_scenes(self, text: str | None = None) -> list[SceneDraft]:
        """Scenes drawn from the prompt's own content: a search or sort run on its list, a
        statement, functions, equations, years, figures, a comparison, a list of steps.
        Nothing is added that the prompt does not say or that was not computed from it."""
        self.source = self.prompt if text is None else text
        self.derivative = None
        finders = (
            self.algorithm_scene, self.statement_scene, self.unit_circle_scene,
            self.math_scenes, self.timeline_scene, self.bar_chart_scene,
            self.number_line_scene, self.comparison_scene, self.list_scene,
        )  # fmt: skip
        drafts = [draft for finder in finders for draft in finder()]
        if not drafts:
            shapes = find_shapes(self.source)
            if shapes:
                drafts.append(SceneDraft(
                    heading=capitalize_first(join_and(shapes).replace("_", " ")),
                    narration=f"On screen: {join_and(shapes).replace('_', ' ')}.",
                    visual={"type": "shapes", "shapes": shapes},
                ))  # fmt: skip
        for draft in drafts:
            draft.image_subject = draft.image_subject or draft.heading.lower()
        return drafts

    def demo_draft(self, demo: Demo) -> SceneDraft:
        self.worked_example = True
        return SceneDraft(heading=demo.heading, narration=demo.narration,
                          bullets=list(demo.bullets), visual=demo.visual)  # fmt: skip

    def algorithm_scene(self) -> list[SceneDraft]:
        lowered = self.source.lower()
        values = number_list(self.source, at_least=2)
        for name, method in SEARCHES.items():
            if name in lowered:
                target = re.search(r"\b(?:find|for|target|finds?)\s+(-?\d+(?:\.\d+)?)\b", lowered)
                wanted = float(target.group(1)) if target else None
                if wanted is not None and wanted.is_integer():
                    wanted = int(wanted)
                return [self.demo_draft(search_demo(method, values or SAMPLE_LIST, wanted))]
        for name, method in SORTS.items():
            if name in lowered:
                return [self.demo_draft(sort_demo(method, values or UNSORTED_SAMPLE))]
        values = number_list(self.source)
        if values and not all(_YEAR.fullmatch(f"{v}") for v in values):  # years: a timeline
            demo, computed = list_demo(values, self.source)
            self.worked_example = self.worked_example or computed
            return [SceneDraft(heading=demo.heading, narration=demo.narration,
                               visual=demo.visual)]  # fmt: skip
        return []

    def statement_scene(self) -> list[SceneDraft]:
        """'the derivative of sin(x) is cos(x)': the claim to explain, as a formula."""
        match = re.search(
            rf"\bderivative of ({_FUNCTION}) (?:is|equals|=) (-?\s*(?:{_FUNCTION}))",
            self.source,
            re.I,
        )
        if not match:
            return []
        f, g = match.group(1), match.group(2)
        latex = f"\\frac{{d}}{{dx}} {to_latex(f)} = {to_latex(g)}"
        self.derivative = (f, g)
        return [SceneDraft(
            heading=f"The derivative of {f}",
            narration=f"The claim: the derivative of {speak(f)} is {speak(g)}.",
            bullets=[f"d/dx {f} = {g}"],
            visual={"type": "formula", "latex": latex},
            formula=latex,
        )]  # fmt: skip

    def unit_circle_scene(self) -> list[SceneDraft]:
        lowered = self.source.lower()
        trig = re.search(r"\b(?:sin|cos|sine|cosine)\b", lowered)
        if "unit circle" not in lowered and not (trig and re.search(r"\bangles?\b", lowered)):
            return []
        degrees = re.search(r"(-?\d+(?:\.\d+)?)\s*(?:°|degrees?)", lowered)
        angle = float(degrees.group(1)) if degrees else 60.0
        angle = max(-360.0, min(360.0, angle))
        return [SceneDraft(
            heading="The unit circle",
            narration=(
                f"On the unit circle, a radius of length one turns through an angle of "
                f"{angle:g} degrees. The height of its tip is the sine of the angle, and its "
                "horizontal distance from the centre is the cosine."
            ),
            bullets=["Height: sine", "Width: cosine"],
            visual={"type": "unit_circle", "angle": angle},
        )]  # fmt: skip

    def math_scenes(self) -> list[SceneDraft]:
        """Equations are solved, functions plotted, other expressions shown as formulas."""
        drafts: list[SceneDraft] = []
        functions = [m for m in find_math(self.source) if m.function]
        others = [m for m in find_math(self.source) if not m.function]
        if self.derivative:
            others = []
        named = re.findall(rf"\b({_FUNCTION})", self.source)
        if self.derivative:
            functions = [as_math(self.derivative[0])]
        elif not functions and named:
            functions = [as_math(named[0])]
        others = [m for m in others if re.search(r"[a-z=]", m.text)]  # not a bare 3/4
        for found in others[:2]:
            demo = solve_linear(found.text)
            drafts.append(self.demo_draft(demo) if demo else self.math_step(found))
        for found in functions[:2]:
            if found.function:
                drafts.append(self.plot_step(found))
        return drafts

    def plot_step(self, found: Math) -> SceneDraft:
        lowered = self.source.lower()
        visual: dict = {"type": "graph", "function": found.function, "x_range": [-5.0, 5.0],
                        "label": found.latex, "trace": True}  # fmt: skip
        sentences = [f"Here is the graph of {found.spoken}."]
        if self.derivative or re.search(r"\b(?:derivative|slope|tangent|rate of change)", lowered):
            visual["tangent"] = True
            visual["x_range"] = [-math.pi * 2, math.pi * 2] if "sin" in found.function or (
                "cos" in found.function) else [-4.0, 4.0]  # fmt: skip
            sentences.append(
                "A point moves along the curve carrying its tangent line; the slope of that "
                "line is the derivative at the point."
            )
            if self.derivative:
                sentences.append(
                    f"Where {speak(self.derivative[0])} peaks, the tangent is flat, and the "
                    f"slopes follow {speak(self.derivative[1])}."
                )
        span = re.search(r"\bfrom (-?\d+(?:\.\d+)?) to (-?\d+(?:\.\d+)?)", lowered)
        if re.search(r"\b(?:integral|area under|area below)", lowered):
            a, b = (float(span.group(1)), float(span.group(2))) if span else (0.0, 2.0)
            if a < b:
                visual["area"] = [a, b]
                visual["x_range"] = [min(-1.0, a - 1), max(1.0, b + 1)]
                sentences.append(
                    f"The shaded region is the area under the curve from {a:g} to {b:g}."
                )
        elif "tangent" not in visual:
            sentences.append("A point traces the curve as x grows.")
        return SceneDraft(
            heading=f"The graph of {found.text}",
            narration=" ".join(sentences),
            bullets=[shorten(found.text, BULLET_MAX)],
            visual=visual,
            formula=found.latex,
        )

    def timeline_scene(self) -> list[SceneDraft]:
        events = []
        for clause in re.split(r"[;,]|\s+then\s+", self.source):
            year = re.search(r"\b(1\d{3}|20\d{2})\b", clause)
            if not year:
                continue
            label = normalize_space(clause.replace(year.group(), " "))
            label = re.sub(r"^(?:and|in|on|by|from|until)\s+|\s+(?:in|on)$", "", label, flags=re.I)
            label = re.sub(r"^[^:]*:\s*", "", label).strip(" .:-")
            if re.search(r"[A-Za-z]{2}", label):  # a year alone is not an event
                events.append({"when": year.group(), "label": shorten(label, 60)})
        if len(events) < 2:
            return []
        sentences = [f"In {e['when']}, {e['label']}." for e in events]
        before = self.source.split(":", 1)[0] if ":" in self.source else ""
        heading_text = heading(before) if before and not re.search(r"\d{4}", before) else ""
        return [SceneDraft(
            heading=heading_text or "Timeline",
            narration=" ".join(sentences[:8]),
            bullets=[f"{e['when']}: {e['label']}" for e in events][:BULLETS_MAX],
            visual={"type": "timeline", "title": heading_text, "events": events[:8]},
        )]  # fmt: skip

    def bar_chart_scene(self) -> list[SceneDraft]:
        bars, unit = [], ""
        pattern = re.compile(
            r"^(?:and\s+)?([A-Za-z][A-Za-z .'-]{0,19}?)\s*(?::|=|\bis\b|\bhas\b)?\s*"
            r"(\d+(?:\.\d+)?)\s*([A-Za-z%]+)?$"
        )
        text = self.source.split(":", 1)[-1]
        for clause in re.split(r"[;,]|\s+and\s+", text.rstrip(".")):
            match = pattern.match(clause.strip())
            if match and not re.fullmatch(r"1\d{3}|20\d{2}", match.group(2)):
                label = re.sub(r"^.*\b(?:of|in|for)\s+", "", match.group(1)).strip()
                bars.append({"label": shorten(capitalize_first(label), 20),
                             "value": float(match.group(2))})  # fmt: skip
                unit = unit or (match.group(3) or "")
        if len(bars) < 2 or len({b["label"] for b in bars}) < len(bars):
            return []
        top = max(bars, key=lambda b: b["value"])
        sentences = [f"{b['label']}: {b['value']:g} {unit}".strip() + "." for b in bars]
        sentences.append(f"The largest is {top['label']}.")
        return [SceneDraft(
            heading=f"{join_and([b['label'] for b in bars])}",
            narration=" ".join(sentences),
            bullets=[f"{b['label']}: {b['value']:g} {unit}".strip() for b in bars][:BULLETS_MAX],
            visual={"type": "bar_chart", "bars": bars[:10], "unit": shorten(unit, 20)},
        )]  # fmt: skip

    def number_line_scene(self) -> list[SceneDraft]:
        if "number line" not in self.source.lower():
            return []
        marks = []
        for text in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:/\d+)?(?![\w.])", self.source):
            top, _, bottom = text.partition("/")
            if bottom and not float(bottom):
                continue  # 1/0 has no place on the line
            value = float(top) / float(bottom) if bottom else float(top)
            marks.append({"value": value, "label": text})
        if not marks:
            return []
        low = math.floor(min(m["value"] for m in marks)) - 1
        high = math.ceil(max(m["value"] for m in marks)) + 1
        sentences = [
            f"{m['label']} sits at {m['value']:g}." if "/" in m["label"] else
            f"{m['label']} is marked." for m in marks[:8]
        ]  # fmt: skip
        return [SceneDraft(
            heading="On the number line",
            narration=" ".join(sentences),
            bullets=[m["label"] for m in marks][:BULLETS_MAX],
            visual={"type": "number_line", "range": [float(low), float(high)],
                    "marks": marks[:8]},  # fmt: skip
        )]  # fmt: skip

    def comparison_scene(self) -> list[SceneDraft]:
        text = normalize_space(self.source).rstrip(".?!")
        match = (
            re.search(r"(?:compare|comparing)\s+(.+?)\s+(?:and|with|to|vs\.?|versus)\s+(.+)",
                      text, re.I)
            or re.search(r"differences? between\s+(.+?)\s+and\s+(.+)", text, re.I)
            or re.search(r"^(?:[\w ]*?:\s*)?(.+?)\s+(?:vs\.?|versus)\s+(.+)$", text, re.I)
        )  # fmt: skip
        if not match:
            return []
        left, right = (shorten(capitalize_first(s.strip()), 40) for s in match.groups())
        return [SceneDraft(
            heading=f"{left} and {right}",
            narration=f"{left} on one side, {right} on the other.",
            bullets=[left, right],
            visual={"type": "comparison", "left": {"title": left}, "right": {"title": right}},
        )]  # fmt: skip

    def list_scene(self) -> list[SceneDraft]:
        """'How to make tea: boil water, warm the pot, ...': the prompt's own list, item by
        item, or 'A -> B -> C' as boxes and arrows."""
        text = normalize_space(self.source).rstrip(".")
        arrows = re.split(r"\s*(?:->|→)\s*", text.split(":", 1)[-1] if ":" in text else text)
        arrows = [capitalize_first(a.strip()) for a in arrows]
        if len(arrows) >= 2 and all(0 < len(a) <= 40 for a in arrows):
            nodes = [{"id": f"n{i}", "label": a} for i, a in enumerate(arrows[:8])]
            edges = [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(len(nodes) - 1)]
            pairs = zip(arrows, arrows[1:], strict=False)
            return [SceneDraft(
                heading=shorten(" to ".join([arrows[0], arrows[-1]]), 60),
                narration=" ".join(f"{a} leads to {b}." for a, b in pairs),
                bullets=arrows[:BULLETS_MAX],
                visual={"type": "diagram", "nodes": nodes, "edges": edges},
            )]  # fmt: skip
        if ":" not in self.source:
            return []
        before, after = self.source.split(":", 1)
        items = [i.strip(" .") for i in re.split(r",|;|\s+and\s+|\s+then\s+", after)]
        items = [re.sub(r"^(?:and|then)\s+", "", i) for i in items if i]
        if len(items) < 3 or any(re.search(r"\b(1\d{3}|20\d{2})\b", i) for i in items):
            return []
        heading_text = heading(before) or "Steps"
        return [SceneDraft(
            heading=heading_text,
            narration=" ".join(capitalize_first(i) + "." for i in items),
            bullets=[shorten(capitalize_first(i), BULLET_MAX) for i in items][:BULLETS_MAX],
            visual={"type": "bullets", "title": heading_text},
        )]  # fmt: skip

    def math_step(self, found: Math) -> SceneDraft:
        return SceneDraft(
            heading=f"The expression {found.text}",
            narration=f"The expression: {found.spoken}.",
            bullets=[shorten(found.text, BULLET_MAX)],
            visual={"type": "formula", "latex": found.latex},
            formula=found.latex,
        )

    # --- longer texts ---------------------------------------------------------------------
    def from_text(self, max_scenes: int) -> tuple[str, str, list[SceneDraft]]:
        title_line, body = split_title_line(self.prompt)
        sentences = split_sentences(body) or [normalize_space(body)]
        paragraph_starts = paragraph_start_indexes(body)
        title = title_line or self.title_from_text(sentences)
        # A story is read as written, title and all: its title line is a scene of its own.
        told_title = bool(title_line) and self.kind == "story" and max_scenes > 1
        if title_line and self.kind == "story" and not told_title:
            sentences = [title_line, *sentences]
            paragraph_starts = {0, *(index + 1 for index in paragraph_starts)}
        scenes = min(self.scene_count(sentences), max_scenes - told_title)
        groups = group_sentences(sentences, paragraph_starts, scenes=scenes)
        if any(len(" ".join(group)) > NARRATION_MAX for group in groups):
            # Cutting the person's own words would be worse than asking for more scenes.
            raise GeneratorError(
                f"The text is too long for {scenes} scene(s) of at most {NARRATION_MAX} "
                "characters each.",
                permanent=True,
                hint="Allow more scenes, shorten the text, or add full stops to long passages.",
            )
        drafts = [self.text_scene(group, index) for index, group in enumerate(groups)]
        if told_title:
            drafts.insert(0, self.text_scene([title_line], 0))
        summary = shorten(" ".join(sentences[:2]), 300)
        return title, summary, drafts

    def scene_count(self, sentences: list[str]) -> int:
        """Enough scenes for the pace, and for no scene to pass the narration limit."""
        words = sum(word_count(s) for s in sentences)
        per_scene = 14 if self.kind == "ai_video" else WORDS_PER_SCENE
        by_length = math.ceil(sum(len(s) + 1 for s in sentences) / (NARRATION_MAX * 0.8))
        return max(1, min(len(sentences), max(math.ceil(words / per_scene), by_length)))

    def title_from_text(self, sentences: list[str]) -> str:
        first = sentences[0]
        if self.kind in ("explainer", "youtube") and word_count(first) <= 12:
            request = read_request(first)
            return capitalize_first(request.phrase) + ("?" if request.question else "")
        if self.topic:
            return self.topic.title
        if self.kind == "story":
            # A name needs no article: "Ada and the Island", not "The Ada and the Island".
            named = [
                word.capitalize() if is_name(word, sentences) else f"the {word.capitalize()}"
                for word in keywords(" ".join(sentences), 2)
            ]
            if named:
                return capitalize_first(" and ".join(named))
        return heading(first) or "Untitled"

    def text_scene(self, group: list[str], index: int) -> SceneDraft:
        text = " ".join(group)
        draft = SceneDraft(heading=heading(group[0]), narration=text)
        if self.kind in ("story", "ai_video"):
            # The picture adds its key words rather than repeat the sentence being read.
            draft.heading = " · ".join(w.capitalize() for w in keywords(text, 2)) or draft.heading
            draft.visual = {"type": "image"}
            draft.image_subject = shorten(re.sub(r"[\"“”]", "", group[0]), 220)
            return draft
        draft.bullets = unique([heading(sentence) for sentence in group])[:4]
        draft.visual = {"type": "bullets", "title": draft.heading}
        topic = self.topic if self.topic and self.topic.matches(text.lower()) else None
        if topic and topic.formula:
            draft.formula = topic.formula
            draft.visual = {"type": "formula", "latex": topic.formula}
        else:  # what this part of the text supplies: a list to sort, years, an equation ...
            shown = next((d for d in self.prompt_scenes(text) if d.visual["type"] != "bullets"),
                         None)  # fmt: skip
            if shown:
                draft.visual, draft.formula = shown.visual, shown.formula
        draft.image_subject = f"{draft.heading.lower()}, {', '.join(keywords(text, 3))}"
        return draft

    # --- finishing ------------------------------------------------------------------------
    def scene(self, draft: SceneDraft, title: str) -> Scene:
        words = word_count(draft.narration)
        duration = round(max(2.0, words / WORDS_PER_SECOND), 1)
        terms = unique(
            [*keywords(draft.narration, 4), *(self.topic.tags[:2] if self.topic else ())]
        )
        return Scene(
            narration=shorten(draft.narration, NARRATION_MAX),
            on_screen_text=shorten(draft.heading, ON_SCREEN_MAX),
            bullets=[shorten(b, BULLET_MAX) for b in draft.bullets if b][:BULLETS_MAX],
            formula=draft.formula if len(draft.formula) <= FORMULA_MAX else "",
            visual=draft.visual,
            image_prompt=self.image_prompt(draft, title),
            search_terms=[shorten(t, 60) for t in terms][:SEARCH_TERMS_MAX],
            duration_hint=min(duration, 300.0),
        )

    def image_prompt(self, draft: SceneDraft, title: str) -> str:
        subject = (draft.image_subject or title).rstrip(" .,;:!?")
        suffix = STYLE_SUFFIXES.get(self.style.lower(), f"{self.style} style")
        return shorten(f"{capitalize_first(subject)}, {suffix}", IMAGE_PROMPT_MAX)

    def youtube(self, title: str, summary: str, drafts: list[SceneDraft]) -> YouTubeMeta:
        video_title = title if title.endswith("?") else f"{title}, explained"
        if len(video_title) > YOUTUBE_TITLE_MAX:
            video_title = shorten(title, YOUTUBE_TITLE_MAX)
        lines = [summary, "", "In this video:"]
        lines += [f"- {draft.heading}" for draft in drafts]
        tags = unique(
            [*(self.topic.tags if self.topic else ()), *keywords(self.prompt, 8), title.lower()]
        )
        kept, total = [], 0
        for tag in tags:
            if len(tag) <= 100 and total + len(tag) <= YOUTUBE_TAGS_TOTAL_MAX:
                kept.append(tag)
                total += len(tag)
        chapters = [
            Chapter(title=shorten(draft.heading, TITLE_MAX), start_scene=index)
            for index, draft in enumerate(drafts)
        ]
        return YouTubeMeta(
            title=video_title,
            description="\n".join(lines)[:YOUTUBE_DESCRIPTION_MAX],
            tags=kept,
            chapters=chapters,
        )


# --- splitting ----------------------------------------------------------------------------
def split_title_line(text: str) -> tuple[str, str]:
    """A first line of a few words with no full stop, followed by more text, is a title."""
    lines = text.strip().splitlines()
    if len(lines) > 1:
        first = lines[0].strip().strip("#").strip()
        rest = "\n".join(lines[1:]).strip()
        if first and rest and len(first.split()) <= 12 and not re.search(r"[.!?:;,]$", first):
            return first, rest
    return "", text


def paragraph_start_indexes(text: str) -> set[int]:
    """Indexes (into split_sentences(text)) of the sentences that open a paragraph."""
    starts, index = set(), 0
    for paragraph in split_paragraphs(text):
        starts.add(index)
        index += len(split_sentences(paragraph))
    return starts


def group_sentences(sentences: list[str], paragraph_starts: set[int], *, scenes: int):
    """Splits sentences into `scenes` groups of similar word counts, moving each cut to a
    nearby paragraph break when there is one."""
    scenes = max(1, min(scenes, len(sentences)))
    counts = [max(1, word_count(s)) for s in sentences]
    cumulative = [0]
    for count in counts:
        cumulative.append(cumulative[-1] + count)
    total = cumulative[-1]
    target = total / scenes
    cuts, previous = [], 0
    for k in range(1, scenes):
        ideal = k * target
        lowest, highest = previous + 1, len(sentences) - (scenes - k)
        best = min(
            range(lowest, highest + 1),
            key=lambda i: (
                abs(cumulative[i] - ideal) - (0.35 * target if i in paragraph_starts else 0),
                i,
            ),
        )
        cuts.append(best)
        previous = best
    bounds = [0, *cuts, len(sentences)]
    return [sentences[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def fit_scenes(drafts: list[SceneDraft], max_scenes: int) -> list[SceneDraft]:
    """Merges the last scenes into one when there are more than allowed."""
    if len(drafts) <= max_scenes:
        return drafts
    kept, rest = drafts[: max_scenes - 1], drafts[max_scenes - 1 :]
    merged = SceneDraft(
        heading=rest[0].heading,
        narration=" ".join(d.narration for d in rest),
        bullets=unique([b for d in rest for b in d.bullets])[:BULLETS_MAX],
        visual=rest[0].visual,
        formula=next((d.formula for d in rest if d.formula), ""),
        image_subject=rest[0].image_subject,
    )
    return [*kept, merged]


def spoken_text(text: str) -> str:
    """Text with its inline math in words, for the narration."""
    for found in find_math(text):
        text = text.replace(found.text, found.spoken)
    return re.sub(_FUNCTION, lambda match: speak(match.group()), text)


def join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def unique(items) -> list:
    seen, result = set(), []
    for item in items:
        key = item.lower() if isinstance(item, str) else item
        if item and key not in seen:
            seen.add(key)
            result.append(item)
    return result
