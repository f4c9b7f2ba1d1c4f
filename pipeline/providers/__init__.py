"""Pluggable backends for planning (llm), narration (tts) and pictures (images).

    from pipeline.providers import get_provider
    speech = get_provider("tts").synthesize(text=..., out_dir=workdir / "narration")

Configured by `VIDEOGEN_PROVIDERS` (see videogen/settings.py); the fakes in
`pipeline.providers.fakes` are chosen the same way in tests. Importing this package stays
cheap: every heavy library is imported inside the method that needs it.
"""

from pipeline.providers.base import Availability, Provider
from pipeline.providers.loader import (
    ROLES,
    build_provider,
    get_provider,
    provider_describe,
    reset_providers,
)

__all__ = [
    "ROLES",
    "Availability",
    "Provider",
    "build_provider",
    "get_provider",
    "provider_describe",
    "reset_providers",
]
