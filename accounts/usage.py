"""A person's usage and limits (storage, active jobs), as the profile and `auth/me` show them.

The numbers belong to the apps that store videos and run jobs; ACCOUNT_USAGE_FUNCTION names
the function that reports them, so accounts depends on none of those apps.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _reporter(path: str):
    return import_string(path)


def user_usage(user) -> dict | None:
    path = getattr(settings, "ACCOUNT_USAGE_FUNCTION", "")
    return _reporter(path)(user) if path else None
