"""The offline planner keeps to the prompt: its plans are made of the prompt's own content,
never of a neighbouring canned topic or of generic sentences with the title pasted in."""

import re
import string
from random import Random

import pytest

from pipeline.providers.llm.local import OFFLINE_NOTICE, LocalPlanner
from pipeline.providers.text import content_words

PROMPTS = [
    # algorithms
    "How does binary search find a number in a sorted list? Show each halving step.",
    "Sort the list 5, 2, 9, 1, 7 with bubble sort",
    "Insertion sort on 8, 3, 6, 1",
    # maths
    "Explain why the derivative of sin(x) is cos(x), using the unit circle.",
    "Solve 3x + 5 = 20 step by step",
    "Explain the graph of f(x) = x^2 - 4",
    "The area under y = x^2 from 0 to 3",
    "Show 3/4, -1.5 and 2 on a number line",
    # science
    "Why is the sky blue?",
    "How photosynthesis turns sunlight, water and carbon dioxide into sugar",
    "The water cycle: evaporation -> condensation -> precipitation -> collection",
    # history
    "The French Revolution: 1789 storming of the Bastille, 1793 the Terror, 1799 Napoleon "
    "takes power",
    "Population of France 68 million, Germany 84 million, Italy 59 million",
    # how-to and the rest
    "How to make tea: boil water, warm the pot, add the leaves, steep for three minutes, pour",
    "Compare TCP vs UDP",
    "Five beginner mistakes when learning to play chess",
    "Explain the Pythagorean theorem with visual proof",
]

FILLER = [
    "the core idea",
    "how it works",
    "why it matters",
    "break it into parts",
    "look at each part",
    "put it back together",
    "it helps to ask what problem",
    "apart into a few simple pieces",
    "one concrete case",
    "where it shows up",
    "it is a good question",
    "simpler than it looks",
    "in the next minute",
    "to recap: we looked at",
    "thanks for watching",
    "subscribe for more",
    "this is the story of",
    "it begins on an ordinary day",
    "something unexpected happens",
]


def plan_text(plan) -> str:
    """Everything the viewer hears or reads."""
    parts = [plan.title]
    for scene in plan.scenes:
        parts += [scene.narration, scene.on_screen_text, *scene.bullets]
        parts += [str(v) for v in scene.visual.values()]
    return " ".join(parts).lower()


def stem(word: str) -> str:
    return re.sub(r"(?:ing|s)$", "", word)


@pytest.mark.parametrize("kind", ["explainer", "youtube"])
@pytest.mark.parametrize("prompt", PROMPTS)
def test_plan_is_made_of_the_prompts_content_and_no_filler(prompt, kind):
    plan = LocalPlanner().plan(kind=kind, prompt=prompt)
    text = plan_text(plan)
    words = set(content_words(prompt))
    missing = {w for w in words if stem(w) not in text}
    assert len(missing) <= 0.2 * len(words), f"missing {sorted(missing)}"
    for phrase in FILLER:
        assert phrase not in text, phrase


def test_sentences_are_not_shared_between_unrelated_prompts():
    spoken = {}
    for prompt in PROMPTS:
        plan = LocalPlanner().plan(kind="youtube", prompt=prompt)
        for scene in plan.scenes:
            for sentence in re.split(r"(?<=[.!?])\s+", scene.narration):
                spoken.setdefault(sentence, set()).add(prompt)
    shared = {s: p for s, p in spoken.items() if len(p) > 1}
    assert not shared


def test_binary_search_shows_the_list_and_each_halving_step():
    plan = LocalPlanner().plan(kind="explainer", prompt=PROMPTS[0])
    [scene] = [s for s in plan.scenes if s.visual["type"] == "array"]
    values = [int(v) for v in scene.visual["values"]]
    assert values == sorted(values) and len(values) >= 8
    steps = scene.visual["steps"]
    mids = [p["index"] for step in steps for p in step.get("pointers", []) if p["label"] == "mid"]
    assert len(mids) >= 2  # it halves more than once
    ranges = [step["active"] for step in steps if "active" in step]
    sizes = [high - low + 1 for low, high in ranges]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0] / 2
    assert "halving step 1" in scene.narration.lower()
    # one sentence per step, so each step is drawn as its sentence is said
    assert len(re.split(r"(?<=[.!?])\s+", scene.narration)) == len(steps)
    assert plan.notice == ""


def test_derivative_of_sine_is_about_sine_and_the_unit_circle_never_x_squared():
    plan = LocalPlanner().plan(kind="explainer", prompt=PROMPTS[3])
    text = plan_text(plan)
    types = [s.visual["type"] for s in plan.scenes]
    assert "unit_circle" in types
    [graph] = [s.visual for s in plan.scenes if s.visual["type"] == "graph"]
    assert graph["function"] == "sin(x)" and graph["tangent"]
    assert any("\\sin" in s.formula and "\\cos" in s.formula for s in plan.scenes)
    assert "sine of x" in text and "cosine of x" in text
    assert "x squared" not in text and "x^2" not in text and "x**2" not in text
    assert plan.notice == OFFLINE_NOTICE


@pytest.mark.parametrize("kind", ["explainer", "youtube"])
def test_chess_mistakes_are_not_invented(kind):
    plan = LocalPlanner().plan(kind=kind, prompt=PROMPTS[15])
    assert [s.narration for s in plan.scenes] == [
        "Five beginner mistakes when learning to play chess."
    ]
    assert plan.notice == OFFLINE_NOTICE
    if kind == "youtube":
        assert plan.youtube.title.startswith("Five beginner mistakes")


def test_linear_equation_is_solved_step_by_step():
    plan = LocalPlanner().plan(kind="explainer", prompt="Solve 3x + 5 = 20 step by step")
    [scene] = [s for s in plan.scenes if s.visual["type"] == "equation_steps"]
    assert scene.visual["steps"] == ["3x + 5 = 20", "3x = 15", "x = 5"]
    assert "Divide both sides by 3" in scene.narration


def test_lists_years_and_figures_become_their_visuals():
    planner = LocalPlanner()
    types = {
        prompt: [s.visual["type"] for s in planner.plan(kind="explainer", prompt=prompt).scenes]
        for prompt in PROMPTS
    }
    assert "timeline" in types[PROMPTS[11]]
    assert "bar_chart" in types[PROMPTS[12]]
    assert types[PROMPTS[7]] == ["title", "number_line"]  # 3/4 is not a list of numbers
    assert "diagram" in types[PROMPTS[10]]
    assert "comparison" in types[PROMPTS[14]]
    assert types[PROMPTS[1]][1] == "array" and types[PROMPTS[2]][1] == "array"


NOTES = """Sorting by hand

Bubble sort walks the list again and again, swapping neighbours that are out of order. Take
the list 5, 1, 4, 2, 8 and watch the largest values sink to the end.

The printing press spread fast: Gutenberg printed his Bible in 1455, and by 1500 presses
worked in more than two hundred cities."""


def test_a_longer_text_keeps_its_words_and_gets_the_visuals_its_data_supplies():
    plan = LocalPlanner().plan(kind="explainer", prompt=NOTES, options={"max_scenes": 4})
    assert (
        " ".join(s.narration for s in plan.scenes).split()
        == " ".join(NOTES.splitlines()[2:]).split()
    )
    types = [s.visual["type"] for s in plan.scenes]
    assert "array" in types and "timeline" in types
    assert plan.notice == ""


ODD = [
    "Explain " + "very " * 30 + "long",
    "Explain the derivative of cos(x) is -sin(x)",
    "binary search for 5 in 1, 2",
    "Show 1/0 on a number line",
    "Solve x = x",
    "Compare cats vs dogs vs birds",
    "-> ->",
    "a: b, c, d",
    "日本の歴史について説明してください",
    "Why do cats purr? 🐱",
    "?",
]


@pytest.mark.parametrize("kind", ["explainer", "youtube", "story", "ai_video"])
def test_any_text_gets_a_valid_plan(kind):
    random = Random(13)
    texts = ODD + [
        "".join(random.choice(string.printable) for _ in range(random.randint(1, 80)))
        for _ in range(60)
    ]
    for text in texts:
        if text.strip():
            assert LocalPlanner().plan(kind=kind, prompt=text).scenes, repr(text)


def test_a_negative_derivative_is_said_in_words():
    plan = LocalPlanner().plan(
        kind="explainer", prompt="Explain the derivative of cos(x) is -sin(x)"
    )
    assert "the derivative of cosine of x is minus sine of x" in plan_text(plan)


@pytest.mark.parametrize(
    ("prompt", "narration", "steps"),
    [
        ("Find the median of 3, 9, 4, 1, 7", "The median, the middle of the ordered list, is 4.",
         [{}, {"values": ["1", "3", "4", "7", "9"], "note": "in order"},
          {"highlight": [2], "note": "median 4"}]),
        ("What is the average of 2, 4, 6, 8?", "Their mean is their sum, 20, over 4: 5.",
         [{}, {"highlight": [0, 1, 2, 3], "note": "mean 5"}]),
        ("The numbers 4, 8, 15, 16", "The numbers: 4, 8, 15, 16.", [{}]),
    ],
)  # fmt: skip
def test_a_list_of_numbers_is_an_array_with_what_is_asked_of_it_computed(prompt, narration, steps):
    plan = LocalPlanner().plan(kind="explainer", prompt=prompt)
    [scene] = [s for s in plan.scenes if s.visual["type"] == "array"]
    assert scene.narration.endswith(narration)
    assert scene.visual["steps"] == steps
    assert (plan.notice == "") == (len(steps) > 1)  # computed something: a worked example


def test_years_alone_are_not_a_timeline():
    plan = LocalPlanner().plan(kind="explainer", prompt="Events in 1914, 1939 and 1945")
    assert [s.visual["type"] for s in plan.scenes] == ["title"]
