"""System checks for VIDEOGEN_PROVIDERS and VIDEOGEN_GENERATORS, so a misconfigured backend,
or a generator whose stages read what no earlier stage hands on, stops start-up
(`manage.py check`, `runserver`, `migrate`) instead of failing the first job.

They import the backend classes and the generators (cheap by design) but build nothing and
load no model.
"""

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from pipeline.providers.loader import DEFAULT_PROVIDERS, OPTIONAL_ROLES, ROLES

SETTING = "VIDEOGEN_PROVIDERS"


@register(Tags.compatibility)
def check_providers(app_configs=None, **kwargs) -> list:
    value = getattr(settings, SETTING, None)
    if value is None:
        value = DEFAULT_PROVIDERS
    if not isinstance(value, dict):
        return [
            Error(
                f"{SETTING} must be a dict of role -> {{'BACKEND': ..., 'OPTIONS': {{...}}}}.",
                id="videogen.E001",
            )
        ]
    errors = []
    for role in value:
        if role not in ROLES:
            errors.append(
                Error(
                    f"{SETTING} has an unknown role {role!r}.",
                    hint=f"Known roles: {', '.join(sorted(ROLES))}.",
                    id="videogen.E002",
                )
            )
    for role in ROLES:
        if role in OPTIONAL_ROLES and role not in value:
            continue  # the default backend applies
        errors += _check_role(role, value.get(role))
    return errors


def _check_role(role: str, config) -> list:
    where = f"{SETTING}[{role!r}]"
    if config is None:
        return [
            Error(
                f"{where} is missing: no backend for {role}.",
                hint=f"Add it, e.g. {DEFAULT_PROVIDERS[role]}.",
                id="videogen.E009",
            )
        ]
    if not isinstance(config, dict):
        return [Error(f"{where} must be a dict with BACKEND and OPTIONS.", id="videogen.E001")]
    path = config.get("BACKEND")
    if not path or not isinstance(path, str):
        return [
            Error(
                f"{where} has no BACKEND.",
                hint="BACKEND is the import path of a provider class.",
                id="videogen.E003",
            )
        ]
    options = config.get("OPTIONS", {})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        return [Error(f"{where}['OPTIONS'] must be a dict.", id="videogen.E007")]
    unknown_keys = sorted(set(config) - {"BACKEND", "OPTIONS"})
    errors = []
    if unknown_keys:
        errors.append(
            Error(
                f"{where} has unknown key(s): {', '.join(unknown_keys)}.",
                hint="Only BACKEND and OPTIONS are read.",
                id="videogen.E008",
            )
        )
    try:
        cls = import_string(path)
    except ImportError as exc:
        return [
            *errors,
            Error(f"{where}['BACKEND'] = {path!r} cannot be imported: {exc}", id="videogen.E004"),
        ]
    base = import_string(ROLES[role])
    if not (isinstance(cls, type) and issubclass(cls, base)):
        return [
            *errors,
            Error(
                f"{where}['BACKEND'] = {path!r} is not a {base.__name__}.",
                hint=f"A {role} backend must extend {ROLES[role]}.",
                id="videogen.E005",
            ),
        ]
    return errors + _check_options(where, cls, options)


def _check_options(where: str, cls, options: dict) -> list:
    errors = []
    unknown = cls.unknown_options(options)
    if unknown:
        errors.append(
            Error(
                f"{where}['OPTIONS'] has unknown key(s) for {cls.__name__}: {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(sorted(cls.option_defaults)) or '(none)'}.",
                id="videogen.E006",
            )
        )
    for problem in cls.invalid_options(options):
        errors.append(Error(f"{where}['OPTIONS']: {problem}.", id="videogen.E010"))
    for option in cls.missing_options(options):
        setting = cls.setting_for(option)
        errors.append(
            Error(
                f"{cls.label or cls.__name__} needs {setting} (OPTIONS[{option!r}]).",
                hint=f"Set {setting} in the environment, or choose another backend.",
                id="videogen.E011",
            )
        )
    return errors


@register(Tags.compatibility)
def check_worker_cluster(app_configs=None, **kwargs) -> list:
    """A worker started with a Q_CLUSTER_NAME that no job is sent to would wait forever."""
    name = os.environ.get("Q_CLUSTER_NAME", "")
    known = {settings.Q_CLUSTER["name"], settings.GPU_CLUSTER} - {""}
    if name and name not in known:
        return [
            Warning(
                f"Q_CLUSTER_NAME={name!r} is not a queue jobs are sent to, so this worker will "
                "take no jobs.",
                hint=f"Leave it unset, or set it to GPU_CLUSTER ({settings.GPU_CLUSTER!r}) "
                "on GPU workers."
                if settings.GPU_CLUSTER
                else "Leave it unset, or set GPU_CLUSTER to run a separate GPU cluster.",
                id="videogen.W020",
            )
        ]
    return []


@register(Tags.compatibility)
def check_generators(app_configs=None, **kwargs) -> list:
    """Each stage of each generator needs only what an earlier stage outputs."""
    from pipeline.generators import all_generators

    try:
        generators = all_generators()
    except (ImportError, ValueError) as exc:
        return [
            Error(
                f"VIDEOGEN_GENERATORS cannot be loaded: {exc}",
                hint="Each item is kind -> the dotted path of that kind's generator.",
                id="videogen.E012",
            )
        ]
    return [
        Error(
            f"The {kind!r} generator's {problem}.",
            hint="Add the key to the outputs of the stage that returns it, or run that stage "
            "earlier.",
            id="videogen.E013",
        )
        for kind, generator in generators.items()
        for problem in generator.unmet_needs()
    ]
