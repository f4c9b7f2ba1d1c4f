"""What a generator is: an ordered list of named stages and a serializer for its options.

A stage is a function of a `StageContext` (see pipeline/engine/context.py) that writes its files in
the job's work folder and returns a small JSON-able dict. The runner records both in the job's
manifest, so a retried job starts at the first stage that has not finished.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from rest_framework import serializers

from pipeline.providers.base import Availability

PROMPT_MAX_CHARS = 20_000


@dataclass(frozen=True)
class Stage:
    """One step of a generator, and what it hands on and takes from the steps before it.

    `produces`: paths in the work folder (files or folders) it leaves for later stages; a
    retry reruns the stage if any is missing (for instance when a job moves to a worker on
    another host).

    `outputs` and `needs` are keys of the dicts stages return, never paths: `outputs` the
    keys of its own that later stages read, `needs` those it reads itself with
    `StageContext.output`, each among the `outputs` of an earlier stage. Reading a key not
    in `needs` fails the stage, and a system check (`Generator.unmet_needs`) refuses a
    generator with a need no earlier stage outputs.
    """

    name: str
    label: str
    run: Callable
    weight: float = 1.0
    produces: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


@dataclass
class Generator:
    kind: str
    label: str
    description: str
    stages: list[Stage]
    options_serializer: type[serializers.Serializer]
    listed: bool = True
    prompt_label: str = "Prompt"
    prompt_max_chars: int = PROMPT_MAX_CHARS
    uses_gpu: bool = False
    # The provider roles its stages use ("llm", "tts", "images", "t2v"), listed with each
    # backend's description in `GET generators`.
    roles: tuple[str, ...] = ()
    # What a plan for this kind must contain, told to a language model planner.
    planning: str = ""
    extra: dict = field(default_factory=dict)

    def availability(self) -> Availability:
        return Availability()

    @property
    def plan_stage(self) -> str:
        """The stage that writes the plan (`plan.json`), after which a job in review pauses
        and from which an edited plan is rendered; "" for a generator without a plan."""
        return next((s.name for s in self.stages if "plan.json" in s.produces), "")

    @property
    def visuals_stage(self) -> str:
        """The stage that chooses each scene's picture or clip (from the library, stock, or
        drawn), so a scene's `asset` means something; "" for a generator without one."""
        return next((s.name for s in self.stages if "stills" in s.produces), "")

    def stage_names(self) -> list[str]:
        return [stage.name for stage in self.stages]

    def unmet_needs(self) -> list[str]:
        """What a stage needs that no earlier stage declares among its outputs, one line
        each; empty when every stage can read what it asks for."""
        problems, declared = [], set()
        for stage in self.stages:
            for key in stage.needs:
                if key not in declared:
                    problems.append(
                        f"stage {stage.name!r} needs {key!r}, which no earlier stage outputs"
                    )
            declared.update(stage.outputs)
        return problems

    def validate(self, *, prompt: str, options: dict) -> tuple[str, dict]:
        """Returns the cleaned prompt and options, or raises ValidationError naming the field."""
        prompt = (prompt or "").strip()
        if not prompt:
            raise serializers.ValidationError({"prompt": ["This field may not be blank."]})
        if len(prompt) > self.prompt_max_chars:
            raise serializers.ValidationError(
                {
                    "prompt": [
                        f"Ensure this field has no more than {self.prompt_max_chars} characters "
                        f"(it has {len(prompt)})."
                    ]
                }
            )
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise serializers.ValidationError({"options": ["Expected a JSON object."]})
        unknown = sorted(set(options) - set(self.options_serializer().fields))
        if unknown:
            raise serializers.ValidationError(
                {"options": {name: ["Unknown option."] for name in unknown}}
            )
        ser = self.options_serializer(data=options)
        if not ser.is_valid():
            raise serializers.ValidationError({"options": ser.errors})
        return prompt, dict(ser.validated_data)

    def validate_for_user(self, *, user, options: dict) -> dict:
        """Checks of options that depend on who asks (their uploads, say); raises
        ValidationError naming the field. Most generators need none."""
        return options

    def describe_options(self) -> list[dict]:
        """The options with their types, defaults and limits, for the API and the studio form."""
        described = []
        for name, f in self.options_serializer().fields.items():
            item = {
                "name": name,
                "type": _field_type(f),
                "required": f.required,
                "help": str(f.help_text or ""),
                "label": str(f.label or name.replace("_", " ").capitalize()),
            }
            if f.default is not serializers.empty:
                item["default"] = f.default() if callable(f.default) else f.default
            for attr in ("min_value", "max_value", "max_length", "min_length"):
                value = getattr(f, attr, None)
                if value is not None:
                    item[attr.replace("_value", "")] = value
            if isinstance(f, serializers.ChoiceField):
                item["choices"] = [str(c) for c in f.choices]
            described.append(item)
        return described


def _field_type(f) -> str:
    if isinstance(f, serializers.BooleanField):
        return "boolean"
    if isinstance(f, serializers.IntegerField):
        return "integer"
    if isinstance(f, serializers.FloatField):
        return "number"
    if isinstance(f, serializers.ChoiceField):
        return "choice"
    if isinstance(f, serializers.UUIDField):
        return "uuid"
    return "string"
