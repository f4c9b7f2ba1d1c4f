"""Links to objects by their UUID, reversed once per URL name instead of once per object."""

import uuid
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

# A link is reversed with this id once per URL name (and URL configuration and script
# prefix), then the real id is put in: reversing costs more than the rest of a job's JSON.
_ID_SLOT = str(uuid.UUID(int=0))


@lru_cache(maxsize=64)
def _link_template(name: str, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf, args=[_ID_SLOT])


def id_link(name: str, pk) -> str:
    """reverse(name, args=[pk]) for a URL whose one argument is a UUID."""
    return _link_template(name, get_urlconf(), get_script_prefix()).replace(_ID_SLOT, str(pk))
