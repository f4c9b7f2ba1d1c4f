"""The plan: what a planner returns and every later stage reads.

A plan is a title, a summary and an ordered list of scenes; each scene carries its narration
and what to show while it plays. Planners backed by a language model return JSON, which
`plan_from_json` checks strictly before anything is rendered: a problem found here can be
sent back to the model to repair, while one found in the middle of a Manim render cannot.
Keys the schema does not know are dropped rather than refused, so a chatty model does not
spend a repair on them.
"""

import json
import math
import re
import uuid
from dataclasses import asdict, dataclass, field

from pipeline.visuals import (
    FORMULA_MAX,
    GRAPH_NAMES,
    TITLE_MAX,
    VISUAL_SCHEMAS,
    VISUAL_TYPES,
    check_value,
    extra_checks,
    type_name,
    visual_json_schema,
)

DEFAULT_MAX_SCENES = 12
MAX_SCENES_LIMIT = 40

SUMMARY_MAX = 1000
STYLE_MAX = 40
NOTICE_MAX = 300
NARRATION_MAX = 2500
ON_SCREEN_MAX = 120
BULLETS_MAX = 6
BULLET_MAX = 120
IMAGE_PROMPT_MAX = 600
SEARCH_TERMS_MAX = 8
SEARCH_TERM_MAX = 60
DURATION_MAX = 300.0
SEED_MAX = 2**31 - 1
YOUTUBE_TITLE_MAX = 100
YOUTUBE_DESCRIPTION_MAX = 5000
YOUTUBE_TAGS_TOTAL_MAX = 500  # YouTube's limit for all tags together
YOUTUBE_TAG_MAX = 100

# LaTeX that reads or writes files or redefines things has no place in a formula.
_UNSAFE_LATEX = re.compile(
    r"\\(?:input|include|includeonly|openin|openout|read|write|immediate|def|edef|gdef|xdef|"
    r"let|catcode|csname|newcommand|renewcommand|providecommand|usepackage|documentclass|"
    r"special|directlua|loop|newread|newwrite|jobname|outer)(?![A-Za-z])"
)
_GRAPH_CHARS = re.compile(r"[0-9a-z+\-*/(). ]+")


@dataclass
class Scene:
    narration: str
    on_screen_text: str = ""
    bullets: list[str] = field(default_factory=list)
    formula: str = ""  # LaTeX, for MathTex
    # {"type": one of VISUAL_TYPES, ...}; pipeline/visuals.py has the keys of each type
    visual: dict = field(default_factory=lambda: {"type": "bullets"})
    image_prompt: str = ""
    search_terms: list[str] = field(default_factory=list)
    duration_hint: float = 0.0  # seconds; 0 = let the narration decide
    # Varies what a backend with randomness makes of the scene (a picture, a shot); a new
    # seed is how one scene is made again without editing it. Not asked of a model.
    seed: int = 0
    # The library item (its id) the person chose for the scene's picture or clip in the
    # storyboard; empty lets the visuals stage choose. Not asked of a model either.
    asset: str = ""


@dataclass
class Chapter:
    title: str
    start_scene: int  # index into Plan.scenes


@dataclass
class YouTubeMeta:
    title: str
    description: str
    tags: list[str] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)


@dataclass
class Plan:
    title: str
    summary: str
    scenes: list[Scene]
    youtube: YouTubeMeta | None = None
    style: str = "default"
    # What the planner could not do, said to the person (the job's event log shows it).
    # Written by the offline planner, not asked of a model, so not in the schema.
    notice: str = ""

    def to_json(self) -> dict:
        """A JSON-able dict that `plan_from_json` turns back into an equal Plan."""
        return asdict(self)

    def narration(self) -> str:
        """All narration, one paragraph per scene."""
        return "\n\n".join(scene.narration for scene in self.scenes)


class PlanError(ValueError):
    """A plan did not validate. `problems` holds (path, message) pairs, e.g.
    ("scenes[2].narration", "must not be empty")."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self, limit: int = 20) -> str:
        lines = [f"{path}: {message}" for path, message in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "; ".join(lines)


def plan_from_json(data, *, max_scenes: int = DEFAULT_MAX_SCENES) -> Plan:
    """Validates a decoded JSON value and returns the Plan, or raises PlanError listing every
    problem found (not just the first), so one repair round can fix them all."""
    return _Reader(max_scenes=max(1, min(int(max_scenes), MAX_SCENES_LIMIT))).plan(data)


def plan_from_text(text: str, *, max_scenes: int = DEFAULT_MAX_SCENES) -> Plan:
    """Like plan_from_json, for a JSON string (such as a stored plan.json)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError([("$", f"is not valid JSON: {exc}")]) from None
    return plan_from_json(data, max_scenes=max_scenes)


class _Reader:
    """Walks the decoded JSON, collecting problems instead of stopping at the first."""

    def __init__(self, *, max_scenes: int):
        self.max_scenes = max_scenes
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    # --- leaves ---------------------------------------------------------------------------
    def text(self, obj: dict, key: str, path: str, *, limit: int, required=False) -> str:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fail(where, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(where, f"must be a string, not {type_name(value)}")
            return ""
        value = value.strip()
        if required and not value:
            self.fail(where, "must not be empty")
        if len(value) > limit:
            self.fail(where, f"must be at most {limit} characters (it has {len(value)})")
        return value

    def text_list(self, obj: dict, key: str, path: str, *, items: int, limit: int) -> list:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, f"must be a list of strings, not {type_name(value)}")
            return []
        if len(value) > items:
            self.fail(where, f"must have at most {items} items (it has {len(value)})")
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{where}[{index}]", "must be a non-empty string")
            elif len(item.strip()) > limit:
                self.fail(f"{where}[{index}]", f"must be at most {limit} characters")
            else:
                result.append(item.strip())
        return result

    def no_null_characters(self, value, path: str) -> None:
        """Text anywhere in the plan is free of NUL, which no database column can hold."""
        if isinstance(value, str) and "\x00" in value:
            self.fail(path or "$", "must not contain null characters")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.no_null_characters(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.no_null_characters(item, f"{path}[{index}]")

    # --- structure ------------------------------------------------------------------------
    def plan(self, data) -> Plan:
        if not isinstance(data, dict):
            raise PlanError([("$", f"must be a JSON object, not {type_name(data)}")])
        self.no_null_characters(data, "")
        title = self.text(data, "title", "", limit=TITLE_MAX, required=True)
        summary = self.text(data, "summary", "", limit=SUMMARY_MAX)
        style = self.text(data, "style", "", limit=STYLE_MAX) or "default"
        notice = self.text(data, "notice", "", limit=NOTICE_MAX)
        scenes = self.scenes(data.get("scenes"))
        youtube = None
        if data.get("youtube") is not None:
            youtube = self.youtube(data["youtube"], len(scenes))
        if self.problems:
            raise PlanError(self.problems)
        return Plan(
            title=title,
            summary=summary,
            scenes=scenes,
            youtube=youtube,
            style=style,
            notice=notice,
        )

    def scenes(self, value) -> list[Scene]:
        if value is None:
            self.fail("scenes", "is required")
            return []
        if not isinstance(value, list):
            self.fail("scenes", f"must be a list, not {type_name(value)}")
            return []
        if not 1 <= len(value) <= self.max_scenes:
            self.fail("scenes", f"must have 1 to {self.max_scenes} scenes (it has {len(value)})")
        return [self.scene(item, f"scenes[{i}]") for i, item in enumerate(value)]

    def scene(self, obj, path: str) -> Scene:
        if not isinstance(obj, dict):
            self.fail(path, f"must be an object, not {type_name(obj)}")
            return Scene(narration="")
        formula = self.text(obj, "formula", path, limit=FORMULA_MAX)
        if formula:
            self.latex(formula, f"{path}.formula")
        return Scene(
            narration=self.text(obj, "narration", path, limit=NARRATION_MAX, required=True),
            on_screen_text=self.text(obj, "on_screen_text", path, limit=ON_SCREEN_MAX),
            bullets=self.text_list(obj, "bullets", path, items=BULLETS_MAX, limit=BULLET_MAX),
            formula=formula,
            visual=self.visual(obj.get("visual"), f"{path}.visual"),
            image_prompt=self.text(obj, "image_prompt", path, limit=IMAGE_PROMPT_MAX),
            search_terms=self.text_list(
                obj, "search_terms", path, items=SEARCH_TERMS_MAX, limit=SEARCH_TERM_MAX
            ),
            duration_hint=self.duration(obj.get("duration_hint"), f"{path}.duration_hint"),
            seed=self.seed(obj.get("seed"), f"{path}.seed"),
            asset=self.asset(obj.get("asset"), f"{path}.asset"),
        )

    def asset(self, value, path: str) -> str:
        if value is None or value == "":
            return ""
        try:
            if isinstance(value, str):
                return str(uuid.UUID(value))
        except ValueError:
            pass
        self.fail(path, "must be the id of an item in your media library, or empty")
        return ""

    def seed(self, value, path: str) -> int:
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
            self.fail(path, f"must be an integer from 0 to {SEED_MAX}")
            return 0
        return value

    def duration(self, value, path: str) -> float:
        if value is None:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.fail(path, f"must be a number of seconds, not {type_name(value)}")
            return 0.0
        if not 0 <= value <= DURATION_MAX:
            self.fail(path, f"must be between 0 and {DURATION_MAX:g} seconds")
            return 0.0
        return float(value)

    def latex(self, value: str, path: str) -> None:
        depth = 0
        for ch in value.replace(r"\{", "").replace(r"\}", ""):
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth < 0:
                break
        if depth != 0:
            self.fail(path, "has unbalanced braces")
        unsafe = _UNSAFE_LATEX.search(value)
        if unsafe:
            self.fail(path, f"must not use {unsafe.group()}")

    def visual(self, value, path: str) -> dict:
        if value is None:
            return {"type": "bullets"}
        if not isinstance(value, dict):
            self.fail(path, f"must be an object, not {type_name(value)}")
            return {"type": "bullets"}
        kind = value.get("type")
        if kind not in VISUAL_TYPES:
            self.fail(f"{path}.type", f"must be one of {', '.join(VISUAL_TYPES)}")
            return {"type": "bullets"}
        visual = {"type": kind, **check_value(VISUAL_SCHEMAS[kind], value, path, self.fail)}
        extra_checks(visual, path, self.fail)
        for key in ("latex", "label"):
            if visual.get(key):
                self.latex(visual[key], f"{path}.{key}")
        for index, latex in enumerate(visual.get("steps") or []):
            if kind == "equation_steps":
                self.latex(latex, f"{path}.steps[{index}]")
        if kind == "graph" and not _is_safe_graph_function(visual.get("function") or "x"):
            self.fail(
                f"{path}.function",
                "must be a Python expression in x using only numbers, + - * / ** ( ) and "
                f"{', '.join(GRAPH_NAMES[1:])}",
            )
        if kind == "shapes" and not visual.get("shapes"):
            visual["shapes"] = ["circle"]
        return visual

    def youtube(self, obj, scene_count: int) -> YouTubeMeta | None:
        if not isinstance(obj, dict):
            self.fail("youtube", f"must be an object or null, not {type_name(obj)}")
            return None
        tags = self.text_list(obj, "tags", "youtube", items=50, limit=YOUTUBE_TAG_MAX)
        if sum(len(tag) for tag in tags) > YOUTUBE_TAGS_TOTAL_MAX:
            self.fail("youtube.tags", f"must total at most {YOUTUBE_TAGS_TOTAL_MAX} characters")
        return YouTubeMeta(
            title=self.text(obj, "title", "youtube", limit=YOUTUBE_TITLE_MAX, required=True),
            description=self.text(obj, "description", "youtube", limit=YOUTUBE_DESCRIPTION_MAX),
            tags=tags,
            chapters=self.chapters(obj.get("chapters"), scene_count),
        )

    def chapters(self, value, scene_count: int) -> list[Chapter]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail("youtube.chapters", f"must be a list, not {type_name(value)}")
            return []
        chapters = []
        previous = -1
        for index, item in enumerate(value):
            path = f"youtube.chapters[{index}]"
            if not isinstance(item, dict):
                self.fail(path, "must be an object with title and start_scene")
                continue
            title = self.text(item, "title", path, limit=TITLE_MAX, required=True)
            start = item.get("start_scene")
            if isinstance(start, bool) or not isinstance(start, int):
                self.fail(f"{path}.start_scene", "must be a scene index (integer)")
                continue
            if not 0 <= start < max(scene_count, 1):
                self.fail(f"{path}.start_scene", f"must be between 0 and {scene_count - 1}")
            elif start <= previous:
                self.fail(f"{path}.start_scene", "must be greater than the previous chapter's")
            elif index == 0 and start != 0:
                self.fail(f"{path}.start_scene", "the first chapter must start at scene 0")
            previous = start
            chapters.append(Chapter(title=title, start_scene=start))
        return chapters


def _is_safe_graph_function(function: str) -> bool:
    if not _GRAPH_CHARS.fullmatch(function):
        return False
    return all(name in GRAPH_NAMES for name in re.findall(r"[a-z]+", function))


def plan_json_schema(*, max_scenes: int = DEFAULT_MAX_SCENES) -> dict:
    """A JSON Schema of the plan with its limits, to show a language model what to write."""

    def text(limit, description=""):
        schema = {"type": "string", "maxLength": limit}
        if description:
            schema["description"] = description
        return schema

    def text_list(items, limit, description=""):
        schema = {"type": "array", "maxItems": items, "items": text(limit)}
        if description:
            schema["description"] = description
        return schema

    scene = {
        "type": "object",
        "required": ["narration"],
        "properties": {
            "narration": {**text(NARRATION_MAX, "What the voice says; plain sentences."),
                          "minLength": 1},
            "on_screen_text": text(ON_SCREEN_MAX, "A short heading shown on screen."),
            "bullets": text_list(BULLETS_MAX, BULLET_MAX, "Key phrases, a few words each."),
            "formula": text(FORMULA_MAX, "LaTeX for MathTex, or empty."),
            "visual": visual_json_schema(),
            "image_prompt": text(IMAGE_PROMPT_MAX, "A text-to-image prompt for the scene."),
            "search_terms": text_list(SEARCH_TERMS_MAX, SEARCH_TERM_MAX, "Stock-media keywords."),
            "duration_hint": {"type": "number", "minimum": 0, "maximum": DURATION_MAX},
        },
    }  # fmt: skip
    return {
        "type": "object",
        "required": ["title", "scenes"],
        "properties": {
            "title": text(TITLE_MAX),
            "summary": text(SUMMARY_MAX, "One or two sentences."),
            "style": text(STYLE_MAX, "A one-word visual style, e.g. clean, warm, dark."),
            "scenes": {"type": "array", "minItems": 1, "maxItems": max_scenes, "items": scene},
            "youtube": {
                "type": ["object", "null"],
                "required": ["title"],
                "properties": {
                    "title": text(YOUTUBE_TITLE_MAX),
                    "description": text(YOUTUBE_DESCRIPTION_MAX),
                    "tags": text_list(50, YOUTUBE_TAG_MAX, "At most 500 characters in all."),
                    "chapters": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["title", "start_scene"],
                            "properties": {
                                "title": text(TITLE_MAX),
                                "start_scene": {"type": "integer", "minimum": 0},
                            },
                        },
                    },
                },
            },
        },
    }
