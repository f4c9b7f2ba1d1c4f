"""The registry of generators, configured by settings.VIDEOGEN_GENERATORS (kind -> dotted path).

Generator modules import their heavy libraries (torch, manim, piper) inside the stages, so
listing generators in the web process stays cheap.
"""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from pipeline.generators.base import Availability, Generator, Stage

__all__ = ["Availability", "Generator", "Stage", "all_generators", "get_generator"]

DEMO_PATH = "pipeline.generators.demo.generator"


@cache
def all_generators() -> dict[str, Generator]:
    paths = dict(settings.VIDEOGEN_GENERATORS)
    if settings.VIDEOGEN_DEMO_KIND:
        paths.setdefault("demo", DEMO_PATH)
    found = {}
    for kind, path in paths.items():
        generator = import_string(path)
        if generator.kind != kind:
            raise ValueError(f"{path} is the {generator.kind!r} generator, not {kind!r}")
        found[kind] = generator
    return found


def get_generator(kind: str) -> Generator:
    try:
        return all_generators()[kind]
    except KeyError:
        raise LookupError(f"unknown generator {kind!r}") from None


def _reset(setting, **kwargs):
    if setting in ("VIDEOGEN_GENERATORS", "VIDEOGEN_DEMO_KIND"):
        all_generators.cache_clear()


setting_changed.connect(_reset)
