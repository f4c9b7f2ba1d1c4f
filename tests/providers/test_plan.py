import copy

import pytest

from pipeline.plan import (
    Chapter,
    Plan,
    PlanError,
    Scene,
    YouTubeMeta,
    plan_from_json,
    plan_from_text,
    plan_json_schema,
)
from pipeline.visuals import VISUAL_SCHEMAS, VISUAL_TYPES
from tests.visual_examples import EXAMPLES

VALID = {
    "title": "The Pythagorean theorem",
    "summary": "Why a² + b² = c².",
    "style": "clean",
    "scenes": [
        {
            "narration": "Start with a right triangle.",
            "on_screen_text": "The right triangle",
            "bullets": ["Sides a and b", "Hypotenuse c"],
            "visual": {"type": "shapes", "shapes": ["right_triangle"]},
            "search_terms": ["triangle"],
            "duration_hint": 4,
        },
        {
            "narration": "a squared plus b squared equals c squared.",
            "formula": "a^2 + b^2 = c^2",
            "visual": {"type": "graph", "function": "sqrt(x**2 + 9)", "x_range": [0, 4],
                       "label": "\\sqrt{x^2 + 9}"},
        },
    ],
    "youtube": {
        "title": "Pythagoras in a minute",
        "description": "A quick one.",
        "tags": ["math", "geometry"],
        "chapters": [{"title": "Triangle", "start_scene": 0}, {"title": "Proof", "start_scene": 1}],
    },
}  # fmt: skip


def problems(data, **kwargs) -> dict[str, str]:
    with pytest.raises(PlanError) as caught:
        plan_from_json(data, **kwargs)
    return dict(caught.value.problems)


def test_valid_plan_is_read_into_dataclasses():
    plan = plan_from_json(VALID)
    assert plan.title == "The Pythagorean theorem"
    assert isinstance(plan.scenes[0], Scene)
    assert plan.scenes[0].duration_hint == 4.0
    assert plan.scenes[1].visual["x_range"] == [0.0, 4.0]
    assert plan.youtube.chapters[1] == Chapter(title="Proof", start_scene=1)
    assert plan.narration() == (
        "Start with a right triangle.\n\na squared plus b squared equals c squared."
    )


def test_round_trip_through_json():
    plan = plan_from_json(VALID)
    assert plan_from_json(plan.to_json()) == plan
    built = Plan(
        title="T",
        summary="",
        scenes=[Scene(narration="Hello.")],
        youtube=YouTubeMeta(title="T", description="", chapters=[Chapter("Start", 0)]),
    )
    assert plan_from_json(built.to_json()) == built


def test_optional_fields_get_defaults_and_extra_keys_are_dropped():
    plan = plan_from_json({"title": "T", "scenes": [{"narration": "Hi.", "mood": "calm"}]})
    scene = plan.scenes[0]
    assert scene.visual == {"type": "bullets"}
    assert scene.bullets == [] and scene.formula == "" and scene.duration_hint == 0.0
    assert plan.youtube is None and plan.style == "default"


def test_every_problem_is_reported_with_its_path():
    data = copy.deepcopy(VALID)
    data["title"] = ""
    data["scenes"][0]["narration"] = "   "
    data["scenes"][0]["bullets"] = "not a list"
    data["scenes"][1]["visual"] = {"type": "video"}
    data["scenes"][1]["duration_hint"] = "5s"
    found = problems(data)
    assert found == {
        "title": "must not be empty",
        "scenes[0].narration": "must not be empty",
        "scenes[0].bullets": "must be a list of strings, not string",
        "scenes[1].visual.type": "must be one of " + ", ".join(VISUAL_TYPES),
        "scenes[1].duration_hint": "must be a number of seconds, not string",
    }


def test_scene_count_limits():
    assert "scenes" in problems({**VALID, "scenes": []})
    assert problems(VALID, max_scenes=1) == {"scenes": "must have 1 to 1 scenes (it has 2)"}
    assert problems({"title": "T"}) == {"scenes": "is required"}


def test_length_limits():
    data = copy.deepcopy(VALID)
    data["scenes"][0]["narration"] = "word " * 600
    data["scenes"][0]["bullets"] = ["b"] * 7
    found = problems(data)
    assert found["scenes[0].narration"].startswith("must be at most 2500 characters")
    assert found["scenes[0].bullets"] == "must have at most 6 items (it has 7)"


def test_not_an_object():
    assert problems([1, 2]) == {"$": "must be a JSON object, not list"}
    with pytest.raises(PlanError, match="not valid JSON"):
        plan_from_text("{nope")


@pytest.mark.parametrize(
    "formula",
    ["\\input{/etc/passwd}", "x \\write18{rm -rf /}", "\\def\\x{1}", "\\frac{1}{2"],
)
def test_unsafe_or_broken_latex_is_refused(formula):
    data = copy.deepcopy(VALID)
    data["scenes"][1]["formula"] = formula
    assert "scenes[1].formula" in problems(data)


@pytest.mark.parametrize("function", ["__import__('os')", "x.real", "open(x)", "x; y"])
def test_graph_function_must_be_plain_math(function):
    data = copy.deepcopy(VALID)
    data["scenes"][1]["visual"]["function"] = function
    assert "scenes[1].visual.function" in problems(data)


def test_unknown_shape_and_bad_range():
    data = copy.deepcopy(VALID)
    data["scenes"][0]["visual"]["shapes"] = ["blob"]
    data["scenes"][1]["visual"]["x_range"] = [3, 1]
    found = problems(data)
    assert "scenes[0].visual.shapes[0]" in found
    assert found["scenes[1].visual.x_range"] == "must be [min, max] with min < max"


def test_youtube_chapters_must_start_at_zero_and_increase():
    data = copy.deepcopy(VALID)
    data["youtube"]["chapters"] = [
        {"title": "A", "start_scene": 1},
        {"title": "B", "start_scene": 1},
        {"title": "C", "start_scene": 9},
    ]
    data["youtube"]["tags"] = ["t" * 100] * 6
    found = problems(data)
    assert found["youtube.chapters[0].start_scene"] == "the first chapter must start at scene 0"
    assert found["youtube.chapters[1].start_scene"] == (
        "must be greater than the previous chapter's"
    )
    assert found["youtube.chapters[2].start_scene"] == "must be between 0 and 1"
    assert found["youtube.tags"] == "must total at most 500 characters"


def test_a_scene_seed_is_kept_checked_and_not_asked_of_a_model():
    data = copy.deepcopy(VALID)
    data["scenes"][0]["seed"] = 41
    plan = plan_from_json(data)
    assert plan.scenes[0].seed == 41 and plan.scenes[1].seed == 0
    assert plan_from_json(plan.to_json()) == plan
    for bad in (-1, 2**31, 1.5, True, "7"):
        data["scenes"][0]["seed"] = bad
        assert problems(data) == {"scenes[0].seed": "must be an integer from 0 to 2147483647"}
    assert "seed" not in plan_json_schema()["properties"]["scenes"]["items"]["properties"]


def test_null_characters_are_refused_wherever_they_are():
    data = copy.deepcopy(VALID)
    data["scenes"][1]["narration"] = "a\x00b"
    data["scenes"][0]["bullets"][1] = "\x00"
    data["scenes"][0]["visual"]["note\x00"] = "x\x00"
    found = problems(data)
    assert found["scenes[1].narration"] == "must not contain null characters"
    assert found["scenes[0].bullets[1]"] == "must not contain null characters"
    assert found["scenes[0].visual.note\x00"] == "must not contain null characters"


def test_schema_names_the_limits():
    schema = plan_json_schema(max_scenes=5)
    assert schema["properties"]["scenes"]["maxItems"] == 5
    assert schema["required"] == ["title", "scenes"]
    scene = schema["properties"]["scenes"]["items"]
    choices = scene["properties"]["visual"]["anyOf"]
    assert [c["properties"]["type"]["enum"] for c in choices] == [[t] for t in VISUAL_TYPES]
    array = choices[VISUAL_TYPES.index("array")]
    assert array["required"] == ["type", "values"]
    assert array["properties"]["values"]["maxItems"] == 16


def with_visual(visual: dict) -> dict:
    data = copy.deepcopy(VALID)
    data["scenes"][1]["visual"] = visual
    return data


def test_every_visual_type_has_an_example_that_reads_back_unchanged():
    assert set(EXAMPLES) == set(VISUAL_SCHEMAS)
    for kind, fields in EXAMPLES.items():
        visual = {"type": kind, **fields}
        plan = plan_from_json(with_visual(visual))
        assert plan.scenes[1].visual == visual, kind


@pytest.mark.parametrize(
    ("visual", "path", "message"),
    [
        ({"type": "array"}, "values", "is required"),
        ({"type": "array", "values": ["1"] * 17}, "values", "must have 1 to 16 items (it has 17)"),
        ({"type": "array", "values": ["1", "2"], "steps": [{"highlight": [2]}]}, "steps[0]",
         "points past the last cell (the array has 2)"),
        ({"type": "array", "values": ["1", "2"], "steps": [{"values": ["2"]}]},
         "steps[0].values", "must have 2 cells, like values"),
        ({"type": "unit_circle", "angle": "sixty"}, "angle", "must be a number, not string"),
        ({"type": "number_line", "range": [3, 1]}, "range", "must be [min, max] with min < max"),
        ({"type": "table", "columns": ["a", "b"], "rows": [["1"]]}, "rows[0]",
         "must have 2 cells, one per column"),
        ({"type": "diagram", "nodes": [{"id": "a", "label": "A"}],
          "edges": [{"from": "a", "to": "z"}]}, "edges[0].to", "must be the id of a node"),
        ({"type": "code", "code": "x = 1", "highlight": [3]}, "highlight",
         "must name lines 1 to 1"),
        ({"type": "equation_steps", "steps": ["\\input{x}"]}, "steps[0]",
         "must not use \\input"),
        ({"type": "bar_chart", "bars": [{"label": "A", "value": True}]}, "bars[0].value",
         "must be a number, not boolean"),
        ({"type": "comparison", "left": {"title": "A"}}, "right", "is required"),
    ],
)  # fmt: skip
def test_visual_fields_are_checked_with_their_path(visual, path, message):
    assert problems(with_visual(visual))[f"scenes[1].visual.{path}"] == message


def test_unknown_visual_keys_are_dropped():
    plan = plan_from_json(with_visual({"type": "unit_circle", "angle": 30, "colour": "red"}))
    assert plan.scenes[1].visual == {"type": "unit_circle", "angle": 30.0}
