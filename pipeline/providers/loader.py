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

# Used when the setting is absent altogether: the offline defaults.
DEFAULT_PROVIDERS: dict[str, dict] = {
    "llm": {"BACKEND": "pipeline.providers.llm.local.LocalPlanner", "OPTIONS": {}},
    "tts": {"BACKEND": "pipeline.providers.tts.piper.PiperTTS", "OPTIONS": {}},
    "images": {"BACKEND": "pipeline.providers.images.procedural.ProceduralImages", "OPTIONS": {}},
    # No model is configured by default: the backend says so, naming VIDEOGEN_T2V_MODEL.
    "t2v": {"BACKEND": "pipeline.providers.t2v.diffusion.DiffusersTextToVideo", "OPTIONS": {}},
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


def reset_providers() -> None:
    """Forgets the built instances; the next `get_provider` builds them from the settings."""
    with _lock:
        _instances.clear()


def _on_setting_changed(*, setting, **kwargs):
    if setting == "VIDEOGEN_PROVIDERS":
        reset_providers()


setting_changed.connect(_on_setting_changed, dispatch_uid="videogen.providers.reset")
