"""The explainer's scene vocabulary: what a plan scene's `visual` can ask our templates to draw.

Each type is described once, as a JSON Schema (`VISUAL_SCHEMAS`). The same description is
sent to a language model with the plan's schema (and, where the server supports it, as a
structured-output constraint) and is what `plan_from_json` checks a visual against, with
`check_value`, a small reader for the subset of JSON Schema used here. Rules a schema
cannot say (a pointer inside the array, an edge between known boxes) are in `extra_checks`.
The templates that draw each type are in pipeline/manim_scenes.py.
"""

import math

FORMULA_MAX = 300
TITLE_MAX = 120
ARRAY_MAX = 16
STEPS_MAX = 12
CODE_MAX = 1500
CODE_LINES_MAX = 24

SHAPES = (
    "triangle", "right_triangle", "circle", "square", "rectangle", "pentagon", "hexagon",
    "polygon", "ellipse", "line", "arrow", "dot", "star",
)  # fmt: skip
GRAPH_NAMES = ("x", "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "pi", "e")


def _text(limit: int, description: str = "") -> dict:
    schema: dict = {"type": "string", "maxLength": limit}
    if description:
        schema["description"] = description
    return schema


def _list(items: dict, limit: int, description: str = "", minimum: int = 0) -> dict:
    schema: dict = {"type": "array", "items": items, "maxItems": limit}
    if minimum:
        schema["minItems"] = minimum
    if description:
        schema["description"] = description
    return schema


def _pair(description: str) -> dict:
    return _list({"type": "number"}, 2, description, minimum=2)


def _object(properties: dict, required=(), description: str = "") -> dict:
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


_HEADING = _text(TITLE_MAX, "A short heading above the picture.")
_LATEX = _text(FORMULA_MAX, "LaTeX, e.g. \\frac{a}{b}.")
_CELL = _text(12)
_INDEX = {"type": "integer", "minimum": 0}

# type -> the JSON Schema of its keys besides `type`, with what it shows. In every type the
# elements appear one after another, each as its sentence of the narration starts.
VISUAL_SCHEMAS: dict[str, dict] = {
    "title": _object(
        {"title": _text(TITLE_MAX), "subtitle": _text(TITLE_MAX)},
        description="A title card.",
    ),
    "bullets": _object(
        {"title": _HEADING},
        description="The scene's bullets, one per sentence.",
    ),
    "formula": _object({"latex": _LATEX}, description="One formula, written out and boxed."),
    "graph": _object(
        {
            "function": _text(
                120,
                "A Python expression in x using numbers, + - * / ** ( ) and "
                + ", ".join(GRAPH_NAMES[1:]),
            ),
            "x_range": _pair("[min, max] of x."),
            "label": _LATEX,
            "trace": {"type": "boolean", "description": "A point moves along the curve."},
            "tangent": {
                "type": "boolean",
                "description": "The moving point carries its tangent line (the slope).",
            },
            "area": _pair("[a, b]: shade the area under the curve from a to b."),
        },
        required=("function",),
        description="A function plotted on axes.",
    ),
    "shapes": _object(
        {"shapes": _list({"enum": list(SHAPES)}, 8)},
        description="Simple geometric shapes.",
    ),
    "image": _object({}, description="A picture made from the scene's image_prompt."),
    "array": _object(
        {
            "title": _HEADING,
            "values": _list(_CELL, ARRAY_MAX, "The cells, left to right.", minimum=1),
            "steps": _list(
                _object(
                    {
                        "pointers": _list(
                            _object(
                                {"label": _text(8), "index": _INDEX},
                                required=("label", "index"),
                            ),
                            4,
                            "Named arrows under cells, e.g. low, mid, high.",
                        ),
                        "highlight": _list(_INDEX, ARRAY_MAX, "Cells to highlight."),
                        "active": _list(
                            _INDEX, 2, "[first, last] cells still in play; others dim.", 2
                        ),
                        "values": _list(_CELL, ARRAY_MAX, "The cells after this step (sorting)."),
                        "note": _text(80, "A caption under the array."),
                    }
                ),
                STEPS_MAX,
                "One step per sentence: a search or sort stepping through the array.",
            ),
        },
        required=("values",),
        description="An array or list of cells with pointers stepping through it.",
    ),
    "number_line": _object(
        {
            "title": _HEADING,
            "range": _pair("[min, max] shown."),
            "marks": _list(
                _object({"value": {"type": "number"}, "label": _text(20)}, required=("value",)),
                8,
                "Points marked one after another.",
            ),
        },
        required=("range",),
        description="A number line with marked points.",
    ),
    "unit_circle": _object(
        {
            "title": _HEADING,
            "angle": {
                "type": "number",
                "minimum": -360,
                "maximum": 360,
                "description": "The angle in degrees the radius turns to.",
            },
        },
        required=("angle",),
        description="The unit circle: an angle, its sine (height) and cosine (width).",
    ),
    "equation_steps": _object(
        {
            "steps": _list(_LATEX, 8, "Each form of the equation, in order.", minimum=1),
            "notes": _list(_text(80), 8, "What was done to reach each step."),
        },
        required=("steps",),
        description="An equation transformed step by step.",
    ),
    "code": _object(
        {
            "title": _HEADING,
            "language": _text(20),
            "code": _text(CODE_MAX, f"At most {CODE_LINES_MAX} lines."),
            "highlight": _list(
                {"type": "integer", "minimum": 1}, STEPS_MAX, "Line numbers, one per sentence."
            ),
        },
        required=("code",),
        description="A code listing with the current line highlighted.",
    ),
    "table": _object(
        {
            "title": _HEADING,
            "columns": _list(_text(30), 6, minimum=1),
            "rows": _list(_list(_text(30), 6), 8, "Rows appear one per sentence.", minimum=1),
        },
        required=("columns", "rows"),
        description="A table.",
    ),
    "bar_chart": _object(
        {
            "title": _HEADING,
            "bars": _list(
                _object(
                    {"label": _text(20), "value": {"type": "number"}},
                    required=("label", "value"),
                ),
                10,
                minimum=1,
            ),
            "unit": _text(20),
        },
        required=("bars",),
        description="A bar chart.",
    ),
    "diagram": _object(
        {
            "title": _HEADING,
            "nodes": _list(
                _object({"id": _text(20), "label": _text(40)}, required=("id", "label")),
                8,
                "Boxes, left to right.",
                minimum=1,
            ),
            "edges": _list(
                _object(
                    {"from": _text(20), "to": _text(20), "label": _text(30)},
                    required=("from", "to"),
                ),
                12,
                "Arrows between boxes (by id).",
            ),
        },
        required=("nodes",),
        description="Labelled boxes joined by arrows.",
    ),
    "timeline": _object(
        {
            "title": _HEADING,
            "events": _list(
                _object({"when": _text(20), "label": _text(60)}, required=("when", "label")),
                8,
                minimum=1,
            ),
        },
        required=("events",),
        description="Events on a timeline, in order.",
    ),
    "comparison": _object(
        {
            "title": _HEADING,
            "left": _object(
                {"title": _text(40), "points": _list(_text(60), 5)}, required=("title",)
            ),
            "right": _object(
                {"title": _text(40), "points": _list(_text(60), 5)}, required=("title",)
            ),
        },
        required=("left", "right"),
        description="Two things side by side.",
    ),
}
VISUAL_TYPES = tuple(VISUAL_SCHEMAS)


def visual_json_schema() -> dict:
    """The `visual` field of a scene: one object per type, told apart by `type`."""
    choices = []
    for name, schema in VISUAL_SCHEMAS.items():
        choices.append(
            {
                "type": "object",
                "description": schema["description"],
                "properties": {"type": {"enum": [name]}, **schema["properties"]},
                "required": ["type", *schema.get("required", [])],
            }
        )
    return {"description": "What to draw.", "anyOf": choices}


# --- reading ------------------------------------------------------------------------------
def check_value(schema: dict, value, path: str, fail):
    """`value` checked against `schema`; calls fail(path, message) for each problem and
    returns the cleaned value (strings stripped, unknown keys dropped)."""
    if "enum" in schema:
        if value not in schema["enum"]:
            fail(path, f"must be one of {', '.join(map(str, schema['enum']))}")
        return value
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            fail(path, f"must be a string, not {type_name(value)}")
            return ""
        value = value.strip()
        if len(value) > schema["maxLength"]:
            fail(path, f"must be at most {schema['maxLength']} characters (it has {len(value)})")
        return value
    if kind in ("number", "integer"):
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not number_ok or (isinstance(value, float) and not math.isfinite(value)):
            fail(path, f"must be a number, not {type_name(value)}")
            return 0
        if kind == "integer" and value != int(value):
            fail(path, "must be a whole number")
        if value < schema.get("minimum", -math.inf) or value > schema.get("maximum", math.inf):
            fail(path, f"must be between {schema.get('minimum')} and {schema.get('maximum')}")
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            fail(path, f"must be true or false, not {type_name(value)}")
        return bool(value)
    if kind == "array":
        if not isinstance(value, list):
            fail(path, f"must be a list, not {type_name(value)}")
            return []
        if not schema.get("minItems", 0) <= len(value) <= schema["maxItems"]:
            fail(
                path,
                f"must have {schema.get('minItems', 0)} to {schema['maxItems']} items "
                f"(it has {len(value)})",
            )
        return [check_value(schema["items"], v, f"{path}[{i}]", fail) for i, v in enumerate(value)]
    if kind == "object":
        if not isinstance(value, dict):
            fail(path, f"must be an object, not {type_name(value)}")
            return {}
        result = {}
        for key in schema.get("required", []):
            if value.get(key) is None:
                fail(f"{path}.{key}", "is required")
        for key, sub in schema["properties"].items():
            if value.get(key) is not None:
                result[key] = check_value(sub, value[key], f"{path}.{key}", fail)
        return result
    raise ValueError(f"unsupported schema {schema!r}")  # pragma: no cover - a bug here


def extra_checks(visual: dict, path: str, fail) -> None:
    """What the schema cannot say: references between the fields of one visual."""
    kind = visual.get("type")
    for key in ("x_range", "range", "area"):
        pair = visual.get(key)
        if isinstance(pair, list) and len(pair) == 2 and not pair[0] < pair[1]:
            fail(f"{path}.{key}", "must be [min, max] with min < max")
    if kind == "array":
        size = len(visual.get("values") or [])
        for i, step in enumerate(visual.get("steps") or []):
            where = f"{path}.steps[{i}]"
            indexes = [p.get("index") for p in step.get("pointers") or []]
            indexes += list(step.get("highlight") or []) + list(step.get("active") or [])
            if any(isinstance(n, int) and n >= size for n in indexes):
                fail(where, f"points past the last cell (the array has {size})")
            if "values" in step and len(step["values"]) != size:
                fail(f"{where}.values", f"must have {size} cells, like values")
    elif kind == "code":
        lines = (visual.get("code") or "").splitlines()
        if len(lines) > CODE_LINES_MAX:
            fail(f"{path}.code", f"must have at most {CODE_LINES_MAX} lines")
        if any(n > len(lines) for n in visual.get("highlight") or []):
            fail(f"{path}.highlight", f"must name lines 1 to {len(lines)}")
    elif kind == "table":
        width = len(visual.get("columns") or [])
        for i, row in enumerate(visual.get("rows") or []):
            if len(row) != width:
                fail(f"{path}.rows[{i}]", f"must have {width} cells, one per column")
    elif kind == "diagram":
        ids = [node.get("id") for node in visual.get("nodes") or []]
        if len(set(ids)) != len(ids):
            fail(f"{path}.nodes", "must have different ids")
        for i, edge in enumerate(visual.get("edges") or []):
            for end in ("from", "to"):
                if edge.get(end) not in ids:
                    fail(f"{path}.edges[{i}].{end}", "must be the id of a node")
    elif kind == "equation_steps":
        if len(visual.get("notes") or []) > len(visual.get("steps") or []):
            fail(f"{path}.notes", "must have at most one note per step")


def type_name(value) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, int | float) else type(value).__name__
    )
