"""The planner role: turn a prompt (or a pasted story) into a validated Plan.

The flow is the same for every model: build a prompt that shows the JSON schema, call the
model, parse (models like to wrap JSON in code fences), validate with `plan_from_json`, and
on failure send the problems back for a bounded number of repairs. Backends fill in one hook,
`complete(system, user, json_mode=...)`, which returns the model's raw text and turns HTTP
failures into GeneratorErrors with `http_failure`.
"""

import json
import re

from pipeline.errors import GeneratorError
from pipeline.plan import (
    DEFAULT_MAX_SCENES,
    MAX_SCENES_LIMIT,
    Plan,
    PlanError,
    plan_from_json,
    plan_json_schema,
)
from pipeline.providers.base import ProgressCallback, Provider, positive_number, report

WORDS_PER_SECOND = 2.6  # a calm narration pace, used to size scenes
DEFAULT_TARGET_SECONDS = 60.0


class Planner(Provider):
    """Base of the llm backends. `plan()` is the entry point; backends implement `complete`."""

    role = "llm"
    choice_setting = "VIDEOGEN_LLM"
    option_defaults = {"max_repairs": 2, "timeout": 60.0, "temperature": 0.4}
    option_settings = {"timeout": "LLM_TIMEOUT", "max_repairs": "LLM_MAX_REPAIRS"}
    output_options = ("temperature",)
    # Whether complete() can return free text (generate_code relies on it).
    supports_code = True

    @classmethod
    def invalid_options(cls, options):
        problems = positive_number(options, "timeout")
        problems += positive_number(options, "temperature", allow_zero=True)
        repairs = options.get("max_repairs", 0)
        if isinstance(repairs, bool) or not isinstance(repairs, int) or not 0 <= repairs <= 10:
            problems.append(f"option 'max_repairs' must be an integer 0-10, got {repairs!r}")
        return problems

    # --- public API -----------------------------------------------------------------------
    def plan(
        self,
        *,
        kind: str,
        prompt: str,
        options: dict | None = None,
        on_progress: ProgressCallback | None = None,
        guidance: str | None = None,
    ) -> Plan:
        """A validated plan for `prompt`. Recognized `options`: max_scenes, target_seconds,
        style, audience, language; other keys (belonging to other stages) are ignored.
        `guidance` says what a plan of this kind must contain; by default, what the kind's
        generator says (`Generator.planning`)."""
        guidance = guidance or kind_guidance(kind)
        options = options or {}
        self.require_available()
        max_scenes = max_scenes_option(options)
        schema = plan_json_schema(max_scenes=max_scenes)
        system = planning_system_prompt(guidance, schema=schema)
        request = planning_user_prompt(kind, prompt, options, max_scenes=max_scenes)
        attempts = 1 + int(self.options["max_repairs"])
        problems: PlanError | None = None
        user = request
        for attempt in range(attempts):
            message = "Writing the plan" if attempt == 0 else f"Repairing the plan ({attempt})"
            report(on_progress, 0.9 * attempt / attempts, message)
            raw = self.complete(system, user, json_mode=True, schema=schema)
            try:
                plan = plan_from_json(parse_json_object(raw), max_scenes=max_scenes)
            except PlanError as exc:
                problems = exc
                user = repair_prompt(request, raw, exc)
                continue
            report(on_progress, 1.0, "Plan ready")
            return plan
        raise GeneratorError(
            f"{self.display_name} returned an invalid plan {attempts} time(s): "
            f"{problems.describe(limit=5) if problems else 'no answer'}",
            permanent=True,
            hint=(
                "Try again with a shorter or clearer prompt, a stronger model, or the "
                "offline planner (VIDEOGEN_LLM=local)."
            ),
        )

    def complete_json(self, system: str, user: str) -> dict:
        """One call that must answer with a JSON object; PlanError if it does not."""
        return parse_json_object(self.complete(system, user, json_mode=True))

    def generate_code(self, system: str, user: str) -> str:
        """Free text from the model with any code fence removed (e.g. Manim source)."""
        if not self.supports_code:
            raise GeneratorError(
                f"{self.display_name} cannot write code.",
                permanent=True,
                hint="Set VIDEOGEN_LLM to gemini or openai to have a model write scenes.",
            )
        return strip_code_fences(self.complete(system, user, json_mode=False))

    # --- hook -----------------------------------------------------------------------------
    def complete(self, system: str, user: str, *, json_mode: bool, schema=None) -> str:
        """The model's raw answer to one system + user message. With `schema` (a JSON
        Schema), a backend whose server can constrain its output to it should."""
        raise NotImplementedError


# --- prompts ------------------------------------------------------------------------------
def kind_guidance(kind: str) -> str:
    """What a plan for `kind` must contain, as the kind's generator says; refuses a kind no
    generator makes."""
    from pipeline.generators import all_generators  # the registry imports the planners' users

    generator = all_generators().get(kind)
    if generator is None:
        raise GeneratorError(
            f"Unknown video kind {kind!r}; expected one of {', '.join(all_generators())}.",
            permanent=True,
        )
    return generator.planning or f"{generator.label}: {generator.description}"


def check_kind(kind: str) -> None:
    kind_guidance(kind)


def max_scenes_option(options: dict) -> int:
    value = options.get("max_scenes") or DEFAULT_MAX_SCENES
    try:
        return max(1, min(int(value), MAX_SCENES_LIMIT))
    except (TypeError, ValueError):
        return DEFAULT_MAX_SCENES


def target_seconds_option(options: dict) -> float:
    try:
        value = float(options.get("target_seconds") or DEFAULT_TARGET_SECONDS)
    except (TypeError, ValueError):
        return DEFAULT_TARGET_SECONDS
    return max(5.0, min(value, 3600.0))


def planning_system_prompt(guidance: str, *, schema: dict) -> str:
    return (
        "You plan short videos. Answer with one JSON object only, no prose and no code "
        "fence, matching this JSON Schema:\n"
        f"{json.dumps(schema, separators=(',', ':'))}\n\n"
        f"This video: {guidance}\n"
        "Narration is spoken aloud: plain sentences, no markdown, no stage directions, "
        "formulas said in words. on_screen_text and bullets are short. search_terms are "
        "concrete nouns."
    )


def planning_user_prompt(kind: str, prompt: str, options: dict, *, max_scenes: int) -> str:
    seconds = target_seconds_option(options)
    lines = [
        f"Kind: {kind}",
        f"Length: about {seconds:.0f} seconds of narration "
        f"(about {round(seconds * WORDS_PER_SECOND)} words), at most {max_scenes} scenes.",
    ]
    for key, label in (("style", "Style"), ("audience", "Audience"), ("language", "Language")):
        if options.get(key):
            lines.append(f"{label}: {options[key]}")
    lines += ["", "Request:", "<<<", prompt.strip(), ">>>"]
    return "\n".join(lines)


def repair_prompt(request: str, answer: str, error: PlanError) -> str:
    problems = "\n".join(f"- {path}: {message}" for path, message in error.problems[:30])
    return (
        f"{request}\n\nYour previous answer was:\n<<<\n{answer[:6000]}\n>>>\n\n"
        f"It did not match the schema:\n{problems}\n\n"
        "Answer again with the whole corrected JSON object only."
    )


# --- parsing ------------------------------------------------------------------------------
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n?(.*?)```", re.DOTALL)


def strip_code_fences(text: str) -> str:
    """The content of the first ``` fence, or the text itself when there is none."""
    match = _FENCE.search(text or "")
    return (match.group(1) if match else (text or "")).strip()


def parse_json_object(text: str) -> dict:
    """Decodes a model's answer into a dict, tolerating code fences and chatter around it."""
    if not (text or "").strip():
        raise PlanError([("$", "the answer was empty; expected a JSON object")])
    candidates = [strip_code_fences(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    error = ""
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError as exc:
            error = str(exc)
            continue
        if isinstance(value, dict):
            return value
        error = "expected a JSON object at the top level"
    raise PlanError([("$", f"is not valid JSON: {error}")])


# --- HTTP failures ------------------------------------------------------------------------
def http_failure(status: int, detail: str, *, service: str, key_setting: str, model_setting: str):
    """A GeneratorError for an HTTP error answer: retry what may pass, explain what won't."""
    detail = (detail or "").strip()[:300]
    text = f"{service} answered HTTP {status}" + (f": {detail}" if detail else ".")
    if status in (401, 403):
        return GeneratorError(
            text, permanent=True, hint=f"Check the API key ({key_setting}) and its permissions."
        )
    if status in (408, 409, 425, 429) or status >= 500:
        return GeneratorError(text, permanent=False, hint=f"{service} is busy; retrying later.")
    if status == 404:
        return GeneratorError(
            text, permanent=True, hint=f"Check the model name ({model_setting}) and base URL."
        )
    return GeneratorError(text, permanent=True, hint=f"Check the {service} settings.")


def transport_failure(service: str, exc: Exception) -> GeneratorError:
    return GeneratorError(
        f"Could not reach {service}: {type(exc).__name__}: {exc}",
        permanent=False,
        hint="Check the network and the base URL; the job will be retried.",
    )
