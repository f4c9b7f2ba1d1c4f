"""The offline planner: deterministic, instant, and good enough to make a real video.

Two ways in:
- a short request ("Explain the Pythagorean theorem with visual proof") is expanded into an
  intro, one to three body scenes and a recap, with real content for the topics in
  `topics.py` and neutral templates for anything else;
- a longer text (a pasted story, notes, a script) keeps its own words as the narration and is
  split into scenes of even length, preferring paragraph breaks.

Either way every scene gets a heading, key phrases, a formula when there is math (a known
topic or inline math such as `x^2 + 1`), a visual spec, an image prompt and search terms.
No randomness: the same input always gives the same plan.
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
from pipeline.providers.llm.topics import Step, Topic, find_topic
from pipeline.providers.text import (
    STOP_WORDS,
    capitalize_first,
    keywords,
    normalize_space,
    shorten,
    split_paragraphs,
    split_sentences,
    word_count,
)

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

    def plan(self, *, kind, prompt, options=None, on_progress=None) -> Plan:
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

    def complete(self, system, user, *, json_mode):
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
        found.append(
            Math(text=expr, latex=to_latex(expr), function=graph_function(expr), spoken=speak(expr))
        )
    return found


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
    if "x" not in names or not names <= {"x", "sin", "cos", "tan", "sqrt", "log", "exp", "pi"}:
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
    (r"\b([a-z])\(x\)", r"\1 of x"),
    (r"\s*\^\s*2\b", " squared"),
    (r"\s*\^\s*3\b", " cubed"),
    (r"\s*(?:\^|\*\*)\s*", " to the power of "),
    (r"sqrt", "the square root of "),
    (r"\s*=\s*", " equals "),
    (r"\s*\+\s*", " plus "),
    (r"\s+-\s+|(?<=\S)-(?=\S)", " minus "),
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
    example: bool = False
    audience: str = ""


def read_request(prompt: str) -> Request:
    """The topic of a short request, without the instructions around it."""
    text = normalize_space(prompt).rstrip(".!?")
    lowered = text.lower()
    proof = bool(re.search(r"\bproofs?\b|\bprove\b", lowered))
    example = bool(re.search(r"\bexamples?\b", lowered))
    audience_match = re.search(r"\bfor (beginners|kids|children|students|newcomers)\b", lowered)
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
    question = bool(
        re.match(r"(?:why|how|what|when|where|who|which|is|are|can|does|do)\b", text, re.I)
    )
    return Request(
        phrase=text or normalize_space(prompt),
        question=question,
        proof=proof,
        example=example,
        audience=audience_match.group(1) if audience_match else "",
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
        self.options = options
        self.seconds = target_seconds_option(options)
        self.style = normalize_space(str(options.get("style") or "")) or DEFAULT_STYLE[kind]
        self.topic: Topic | None = find_topic(prompt)

    def build(self, max_scenes: int) -> Plan:
        sentences = split_sentences(self.prompt)
        is_request = word_count(self.prompt) <= SHORT_PROMPT_WORDS and len(sentences) <= 2
        if is_request and self.kind in ("explainer", "youtube"):
            title, summary, drafts = self.lesson()
        elif is_request and self.kind == "story":
            title, summary, drafts = self.story_arc()
        else:
            title, summary, drafts = self.from_text(max_scenes)
        drafts = fit_scenes(drafts, max_scenes)
        scenes = [self.scene(draft, title) for draft in drafts]
        youtube = self.youtube(title, summary, drafts) if self.kind == "youtube" else None
        return Plan(
            title=shorten(title, TITLE_MAX),
            summary=shorten(summary, SUMMARY_MAX),
            scenes=scenes,
            youtube=youtube,
            style=shorten(self.style, 40),
        )

    # --- short requests -------------------------------------------------------------------
    def lesson(self) -> tuple[str, str, list[SceneDraft]]:
        request = read_request(self.prompt)
        topic = self.topic
        if topic:
            title = topic.title
        elif request.question:
            title = capitalize_first(request.phrase) + "?"
        else:
            title = capitalize_first(request.phrase)
        body = self.known_steps(topic, request) if topic else self.generic_steps(request)
        intro = self.intro(title, request, topic, body)
        recap = self.recap(title, request, topic, body)
        if topic:
            headings = join_and([step.heading.lower() for step in body])
            summary = f"{topic.hook} This video covers {headings}."
        else:
            summary = f"A short {self.kind_word()} on {request.phrase}: the core idea, how it "
            summary += "works, and why it matters."
        return title, summary, [intro, *body, recap]

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

    def generic_steps(self, request: Request) -> list[SceneDraft]:
        phrase = spoken_text(request.phrase)
        subject = phrase if not request.question else f"the question {phrase}"
        steps = [
            SceneDraft(
                heading="The core idea",
                narration=(
                    f"First, the core idea. Before any details, it helps to ask what problem "
                    f"{subject} answers, and to name the few key terms we will use along the way."
                ),
                bullets=["The problem it answers", "The key terms"],
            ),
            SceneDraft(
                heading="How it works",
                narration=(
                    f"Next, how it works. We take {phrase} apart into a few simple pieces, look "
                    "at each one on its own, and then put them back together."
                ),
                bullets=["Break it into parts", "Look at each part", "Put it back together"],
            ),
            SceneDraft(
                heading="Why it matters",
                narration=(
                    "Finally, why it matters. Seeing the idea at work in one concrete case is "
                    "what makes it stick, and it shows up in more places than you might expect."
                ),
                bullets=["One concrete case", "Where it shows up"],
            ),
        ]
        shapes = find_shapes(self.prompt)
        if shapes:
            steps[1].visual = {"type": "shapes", "shapes": shapes}
        steps = steps[: self.body_count(len(steps))]
        maths = find_math(self.prompt)
        if maths:
            steps.insert(1 if len(steps) > 1 else len(steps), self.math_step(maths[0]))
        for step in steps:
            step.image_subject = f"{step.heading.lower()}, {request.phrase}"
        return steps

    def math_step(self, found: Math) -> SceneDraft:
        visual: dict = {"type": "formula", "latex": found.latex}
        narration = f"Here is the expression we will work with: {found.spoken}."
        if found.function:
            visual = {"type": "graph", "function": found.function, "x_range": [-5.0, 5.0],
                      "label": found.latex}  # fmt: skip
            narration += " Drawing its graph shows how the value changes as x changes."
        return SceneDraft(
            heading="The math",
            narration=narration,
            bullets=[shorten(found.text, BULLET_MAX)],
            visual=visual,
            formula=found.latex,
        )

    def intro(self, title, request: Request, topic, body) -> SceneDraft:
        minutes = "minute" if self.seconds <= 90 else f"{max(2, round(self.seconds / 60))} minutes"
        if topic:
            narration = f"{title}. {topic.hook}"
        elif request.question:
            narration = (
                f"{spoken_text(title)} It is a good question, and the answer is simpler than "
                "it looks. Let's work through it step by step."
            )
        else:
            narration = (
                f"{spoken_text(title)}. In the next {minutes} we take a clear look at "
                f"{spoken_text(request.phrase)}: the core idea, how it works, and why it matters."
            )
        if request.proof and topic and topic.proof:
            narration += " Along the way we will see a visual proof of why it is true."
        if request.audience:
            narration += f" This is for {request.audience}: no background needed."
        subtitle = topic.spoken.capitalize() if topic else f"A short {self.kind_word()}"
        return SceneDraft(
            heading=title,
            narration=narration,
            bullets=[step.heading for step in body][:BULLETS_MAX],
            visual={"type": "title", "title": title, "subtitle": shorten(subtitle, TITLE_MAX)},
            image_subject=title.lower(),
        )

    def recap(self, title, request: Request, topic, body) -> SceneDraft:
        if topic:
            narration = f"To recap: {topic.recap[:1].lower()}{topic.recap[1:]}"
            if topic.formula:
                narration += f" In symbols: {topic.spoken}."
        else:
            parts = join_and([step.heading.lower() for step in body])
            narration = f"To recap: we looked at {spoken_text(request.phrase)} through {parts}."
        narration += " Thanks for watching."
        if self.kind == "youtube":
            narration += " If this helped, subscribe for more short explainers."
        visual: dict = {"type": "bullets", "title": "Recap"}
        formula = topic.formula if topic else ""
        if formula:
            visual = {"type": "formula", "latex": formula}
        return SceneDraft(
            heading="Recap",
            narration=narration,
            bullets=[step.heading for step in body][:BULLETS_MAX],
            visual=visual,
            formula=formula,
            image_subject=f"summary of {title.lower()}",
        )

    def story_arc(self) -> tuple[str, str, list[SceneDraft]]:
        idea = read_request(self.prompt).phrase
        idea = re.sub(r"^(?:a|the)\s+story\s+(?:about|of)\s+", "", idea, flags=re.I)
        if idea.split(" ", 1)[0].lower() in {"a", "an", "the", "one", "some", "my", "our"}:
            idea = idea[:1].lower() + idea[1:]  # "A fox..." reads "the story of a fox..."
        title = capitalize_first(idea)
        beats = [
            ("The beginning", f"This is the story of {idea}. It begins on an ordinary day, in a "
             "place where nothing much ever changed.", "opening scene, calm morning light"),
            ("Trouble", "Then something unexpected happens, and nothing goes to plan. Every step "
             "brings a new problem, and giving up would be the easy choice.",
             "tense moment, dramatic light"),
            ("The ending", "But step by step, with patience and a little courage, things begin to "
             f"change. And that is how the story of {idea} ends: far from where it began.",
             "hopeful ending, golden hour light"),
        ]  # fmt: skip
        drafts = [
            SceneDraft(
                heading=name,
                narration=narration,
                visual={"type": "image"},
                image_subject=f"{idea}, {mood}",
            )
            for name, narration, mood in beats
        ]
        return title, f"A short story about {idea}.", drafts

    # --- longer texts ---------------------------------------------------------------------
    def from_text(self, max_scenes: int) -> tuple[str, str, list[SceneDraft]]:
        title_line, body = split_title_line(self.prompt)
        sentences = split_sentences(body) or [normalize_space(body)]
        paragraph_starts = paragraph_start_indexes(body)
        title = title_line or self.title_from_text(sentences)
        scenes = min(self.scene_count(sentences), max_scenes)
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
            words = keywords(" ".join(sentences), 2)
            if len(words) == 2:
                return f"The {words[0].capitalize()} and the {words[1].capitalize()}"
            if words:
                return f"The {words[0].capitalize()}"
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
        topic = find_topic(text)
        maths = find_math(text)
        shapes = find_shapes(text)
        if topic and topic.formula:
            draft.formula = topic.formula
            draft.visual = {"type": "formula", "latex": topic.formula}
        elif maths:
            draft.formula = maths[0].latex
            draft.visual = self.math_step(maths[0]).visual
        elif shapes:
            draft.visual = {"type": "shapes", "shapes": shapes}
        draft.image_subject = f"{draft.heading.lower()}, {', '.join(keywords(text, 3))}"
        return draft

    # --- finishing ------------------------------------------------------------------------
    def kind_word(self) -> str:
        return {"explainer": "explainer", "youtube": "video", "story": "story"}.get(
            self.kind, "video"
        )

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
    return text


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
