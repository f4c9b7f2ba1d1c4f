"""One valid example of every visual type, read by the plan tests and drawn by the gallery
render test."""

EXAMPLES = {
    "title": {"title": "Binary search", "subtitle": "Halving a sorted list"},
    "bullets": {"title": "Points"},
    "formula": {"latex": "\\frac{d}{dx} \\sin x = \\cos x"},
    "graph": {"function": "sin(x)", "x_range": [-3, 3], "trace": True, "tangent": True,
              "area": [0, 2]},
    "shapes": {"shapes": ["circle", "star"]},
    "image": {},
    "array": {"values": ["2", "5", "8", "12", "16"], "steps": [
        {"pointers": [{"label": "mid", "index": 2}], "active": [0, 4], "note": "8 < 12"},
        {"pointers": [{"label": "mid", "index": 3}], "active": [3, 4], "highlight": [3]},
    ]},
    "number_line": {"range": [-2, 2], "marks": [{"value": 0.5, "label": "1/2"}]},
    "unit_circle": {"angle": 60},
    "equation_steps": {"steps": ["2x + 3 = 11", "2x = 8", "x = 4"],
                       "notes": ["", "subtract 3", "divide by 2"]},
    "code": {"language": "python", "code": "def f(x):\n    return x * 2", "highlight": [1, 2]},
    "table": {"columns": ["n", "n²"], "rows": [["1", "1"], ["2", "4"]]},
    "bar_chart": {"bars": [{"label": "A", "value": 3}, {"label": "B", "value": 5}]},
    "diagram": {"nodes": [{"id": "a", "label": "Input"}, {"id": "b", "label": "Output"}],
                "edges": [{"from": "a", "to": "b", "label": "f"}]},
    "timeline": {"events": [{"when": "1440", "label": "Printing press"},
                            {"when": "1969", "label": "Moon landing"}]},
    "comparison": {"left": {"title": "List", "points": ["mutable"]},
                   "right": {"title": "Tuple", "points": ["immutable"]}},
}  # fmt: skip
