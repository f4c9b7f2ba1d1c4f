"""Builds the configured provider for a role, once per process.

`VIDEOGEN_PROVIDERS` works like Django's `STORAGES`: per role a `BACKEND` import path and
its `OPTIONS`. Backends are imported on first use only, so a web process that never
narrates never imports onnxruntime, and one that never paints never imports torch.
Instances are cached because some hold expensive state (a Piper voice takes seconds to load);
`reset_providers()` drops them, and a change of the setting in tests does so automatically.
"""

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

# role -> the base class its backends must extend (import paths, so nothing loads early)
ROLES: dict[str, str] = {
    "llm": "pipeline.providers.llm.base.Planner",
    "tts": "pipeline.providers.tts.base.TTSProvider",
    "images": "pipeline.providers.images.base.ImageGenerator",
    "t2v": "pipeline.providers.t2v.base.TextToVideo",
}

# The built-in backends of each role, the offline default first. Each class declares its
# short name (`name`, what VIDEOGEN_LLM and the like choose), its options with their defaults
# and the environment variables that set them: videogen/settings.py builds from those.
BACKENDS: dict[str, tuple[str, ...]] = {
    "llm": (
        "pipeline.providers.llm.local.LocalPlanner",
        "pipeline.providers.llm.gemini.GeminiPlanner",
        "pipeline.providers.llm.openai_compat.OpenAICompatiblePlanner",
    ),
    "tts": (
        "pipeline.providers.tts.piper.PiperTTS",
        "pipeline.providers.tts.azure_speech.AzureTTS",
        "pipeline.providers.tts.espeak.EspeakTTS",
    ),
    "images": (
        "pipeline.providers.images.procedural.ProceduralImages",
        "pipeline.providers.images.diffusion.DiffusersImages",
    ),
    # No model is configured by default: the backend says so, naming VIDEOGEN_T2V_MODEL.
    "t2v": ("pipeline.providers.t2v.diffusion.DiffusersTextToVideo",),
}

# Used when the setting is absent altogether: the offline defaults.
DEFAULT_PROVIDERS: dict[str, dict] = {
    role: {"BACKEND": paths[0], "OPTIONS": {}} for role, paths in BACKENDS.items()
}

# Roles a VIDEOGEN_PROVIDERS setting may leave out; their default above applies.
OPTIONAL_ROLES: tuple[str, ...] = ("t2v",)

_instances: dict[str, object] = {}
_lock = threading.Lock()


def providers_setting() -> dict:
    value = getattr(settings, "VIDEOGEN_PROVIDERS", None)
    return DEFAULT_PROVIDERS if value is None else value


def provider_config(role: str) -> tuple[str, dict]:
    """The BACKEND path and OPTIONS for a role, or ImproperlyConfigured saying what is wrong."""
    if role not in ROLES:
        raise ImproperlyConfigured(
            f"Unknown provider role {role!r}; known roles: {', '.join(sorted(ROLES))}."
        )
    config = providers_setting().get(role)
    if config is None and role in OPTIONAL_ROLES:
        config = DEFAULT_PROVIDERS[role]
    if not isinstance(config, dict) or not config.get("BACKEND"):
        raise ImproperlyConfigured(f"VIDEOGEN_PROVIDERS[{role!r}] needs a BACKEND import path.")
    options = config.get("OPTIONS") or {}
    if not isinstance(options, dict):
        raise ImproperlyConfigured(f"VIDEOGEN_PROVIDERS[{role!r}]['OPTIONS'] must be a dict.")
    return config["BACKEND"], options


def backend_named(role: str, name: str = "") -> tuple[str, type]:
    """The import path and class of the built-in backend whose short name is `name` (empty:
    the role's default), or ImproperlyConfigured naming the choices and the variable."""
    classes = {}
    for path in BACKENDS[role]:
        cls = import_string(path)
        classes[cls.name] = (path, cls)
    name = (name or "").strip().lower() or import_string(BACKENDS[role][0]).name
    if name not in classes:
        variable = import_string(ROLES[role]).choice_setting
        raise ImproperlyConfigured(
            f"{variable}={name!r} is not a known {role} backend; choose one of: "
            f"{', '.join(classes)}."
        )
    return classes[name]


def backend_class(role: str, path: str) -> type:
    """Imports a backend class and checks that it serves the role."""
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"VIDEOGEN_PROVIDERS[{role!r}]['BACKEND'] = {path!r} cannot be imported: {exc}"
        ) from exc
    base = import_string(ROLES[role])
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ImproperlyConfigured(
            f"VIDEOGEN_PROVIDERS[{role!r}]['BACKEND'] = {path!r} is not a {base.__name__}."
        )
    return cls


def build_provider(role: str):
    """A new, uncached instance of the configured backend for `role`."""
    path, options = provider_config(role)
    return backend_class(role, path)(**options)


def get_provider(role: str):
    """The configured backend for `role` ("llm", "tts", "images" or "t2v"), built on first use."""
    instance = _instances.get(role)
    if instance is None:
        with _lock:
            instance = _instances.get(role)
            if instance is None:
                instance = _instances[role] = build_provider(role)
    return instance


def provider_describe(role: str) -> dict:
    """The backend's `describe()`, or what is wrong with its configuration."""
    try:
        return get_provider(role).describe()
    except ImproperlyConfigured as exc:
        return {
            "role": role,
            "backend": "",
            "label": "",
            "available": False,
            "reason": str(exc),
            "setting": "VIDEOGEN_PROVIDERS",
        }


def reset_providers() -> None:
    """Forgets the built instances; the next `get_provider` builds them from the settings."""
    with _lock:
        _instances.clear()


def _on_setting_changed(*, setting, **kwargs):
    if setting == "VIDEOGEN_PROVIDERS":
        reset_providers()


setting_changed.connect(_on_setting_changed, dispatch_uid="videogen.providers.reset")
