"""What every provider shares: options checked against a declared list, availability, progress.

A backend declares its options with their defaults (`option_defaults`), the environment
variable behind each one (`option_settings`, used in messages so a person knows what to set)
and which ones must not be empty (`required_options`). Unknown keys are refused in the
constructor, as django-storages does, so a typo in OPTIONS is caught instead of ignored.
Constructors stay cheap: models, SDK clients and voices are loaded on first use, which keeps
the web process free of torch and friends and lets the system checks build nothing heavy.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured

from pipeline.errors import GeneratorError

ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class Availability:
    """Whether a backend can work here, and if not, why and which setting would fix it."""

    available: bool = True
    reason: str = ""
    setting: str = ""

    @classmethod
    def missing(cls, reason: str, setting: str = "") -> "Availability":
        return cls(available=False, reason=reason, setting=setting)


def report(on_progress: ProgressCallback | None, fraction: float, message: str = "") -> None:
    """Calls the progress callback, if any.

    Exceptions from the callback propagate on purpose: the runner's callback is also where a
    canceled job stops, so swallowing them would keep a canceled job running.
    """
    if on_progress is not None:
        on_progress(max(0.0, min(1.0, float(fraction))), message)


class Provider:
    """Base of every backend. Subclasses set `role`, `name` and their options."""

    role: ClassVar[str] = ""
    # The environment variable that picks a backend of this role by its short name.
    choice_setting: ClassVar[str] = ""
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    option_defaults: ClassVar[dict[str, Any]] = {}
    option_settings: ClassVar[dict[str, str]] = {}
    required_options: ClassVar[tuple[str, ...]] = ()
    # The options that change what the backend makes (a model, a voice, a speed), never keys,
    # timeouts or devices: with the backend itself, what a cached output depends on.
    output_options: ClassVar[tuple[str, ...]] = ()
    # Raised when a backend makes something else from the same request (a new way of drawing,
    # say), so that outputs cached before are made again rather than reused.
    output_version: ClassVar[int] = 1

    def __init__(self, **options: Any):
        unknown = self.unknown_options(options)
        if unknown:
            raise ImproperlyConfigured(
                f"{type(self).__name__} got unknown OPTIONS key(s): {', '.join(unknown)}. "
                f"Known keys: {', '.join(sorted(self.option_defaults)) or '(none)'}."
            )
        problems = self.invalid_options(options)
        if problems:
            raise ImproperlyConfigured(f"{type(self).__name__}: {'; '.join(problems)}")
        self.options: dict[str, Any] = {**self.option_defaults, **options}

    # --- configuration, also used by the system checks without building an instance ----
    @classmethod
    def unknown_options(cls, options: dict) -> list[str]:
        return sorted(str(key) for key in options if key not in cls.option_defaults)

    @classmethod
    def missing_options(cls, options: dict) -> list[str]:
        """Required options that are absent or empty (API keys, mostly)."""
        merged = {**cls.option_defaults, **options}
        return [key for key in cls.required_options if not str(merged.get(key) or "").strip()]

    @classmethod
    def invalid_options(cls, options: dict) -> list[str]:
        """Problems with option values; subclasses extend it. Empty when all is well."""
        return []

    @classmethod
    def options_from(cls, read: Callable[[str, Any], Any]) -> dict[str, Any]:
        """The OPTIONS the environment gives: `read(variable, default)` for each option that
        has a variable (settings.py reads them with its typed helpers)."""
        return {
            option: read(variable, cls.option_defaults[option])
            for option, variable in cls.option_settings.items()
        }

    @classmethod
    def setting_for(cls, option: str) -> str:
        """The environment variable behind an option, for messages and hints."""
        return cls.option_settings.get(option, f"VIDEOGEN_PROVIDERS['{cls.role}']['{option}']")

    # --- runtime --------------------------------------------------------------------------
    def available(self) -> Availability:
        """Cheap check (no model loading, no network) used by the API and the studio."""
        missing = self.missing_options(self.options)
        if missing:
            setting = self.setting_for(missing[0])
            return Availability.missing(f"{self.display_name} needs {setting} to be set.", setting)
        return Availability()

    def require_available(self) -> None:
        """Raises a permanent GeneratorError with the reason when the backend cannot work."""
        status = self.available()
        if not status.available:
            hint = f"Set {status.setting}." if status.setting else ""
            raise GeneratorError(status.reason, permanent=True, hint=hint)

    def identity(self) -> dict:
        """The backend and its options that change its output, for the keys under which
        per-scene outputs are cached (together with each call's own arguments)."""
        cls = type(self)
        options = {name: self.options[name] for name in self.output_options}
        identity = {"backend": f"{cls.__module__}.{cls.__qualname__}", "options": options}
        if cls.output_version != 1:  # the first version keeps the keys it always had
            identity["version"] = cls.output_version
        return identity

    @property
    def display_name(self) -> str:
        return self.label or self.name or type(self).__name__

    def describe(self) -> dict:
        """The one description of a backend, for `GET generators` (the providers a generator
        uses), `GET health` and `GET models`: what it is, and whether it can work here and
        if not, why and which setting would fix it. Cheap: nothing is loaded."""
        status = self.available()
        return {
            "role": self.role,
            "backend": self.name,
            "label": self.display_name,
            "available": status.available,
            "reason": status.reason,
            "setting": status.setting,
        }


class ModelBacked:
    """For backends that run a model (text-to-video, text-to-image): what they can do, their
    size rules, their memory needs and whether a worker has the model loaded, added to
    `describe()` for `GET models`."""

    capabilities: ClassVar[tuple[str, ...]] = ()
    # False for a backend of a model role that needs no model (procedural pictures).
    uses_model: ClassVar[bool] = True

    def model_name(self) -> str:
        return ""

    def constraints(self) -> dict:
        return {}

    def memory_needs(self) -> dict | None:
        return None

    def status(self) -> dict:
        """Whether the model is loaded (in this process or a worker), where, and its memory."""
        configured = self.uses_model and self.available().available
        state = "not_loaded" if configured else "not_configured"
        return {"status": state, "error": "", "device": None, "memory_bytes": None}

    def describe(self) -> dict:
        described = super().describe()
        if not self.uses_model:
            # The backend works, with no model to load: the setting names how to get one.
            described["setting"] = self.choice_setting
        status = self.status()
        return {
            **described,
            "model": self.model_name(),
            "capabilities": list(self.capabilities),
            "constraints": self.constraints(),
            "memory_needs": self.memory_needs(),
            "status": status["status"],
            "error": status.get("error") or "",
            "device": status.get("device"),
            "memory_in_use_bytes": status.get("memory_bytes"),
        }


def positive_number(options: dict, key: str, *, allow_zero: bool = False) -> list[str]:
    """For `invalid_options`: the value, if given, must be a number > 0."""
    if key not in options:
        return []
    value = options[key]
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    ok = ok and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        return [f"option {key!r} must be a number {bound}, got {value!r}"]
    return []
