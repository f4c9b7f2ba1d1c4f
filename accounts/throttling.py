"""Rate limits for sign-up and login, on the API and on the HTML pages.

Both read their rates from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (`login`: THROTTLE_LOGIN,
`register`: THROTTLE_REGISTER), when the request arrives rather than at import time, so a
changed setting takes effect without a restart.

The API uses DRF's scoped throttle: every request to a throttled endpoint counts, per client
address. The login page counts attempts per client address *and* email address in the cache,
with a fixed window: the counter is raised before the password is checked (so parallel
guesses cannot all slip under the limit) and cleared by a successful login, so a person who
mistypes a few times and then gets it right starts afresh. Client addresses come from DRF's
`get_ident`, which honours REST_FRAMEWORK["NUM_PROXIES"] for deployments behind a proxy.

While the cache cannot be reached (its Redis server down or not answering), requests are let
through unthrottled, with a warning in the log: the limits are a guard, and what the requests
change lives in the database, so an outage of the cache must not become one of the site.
"""

import hashlib
import logging

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

# What a cache that cannot be reached raises (OSError: a file-based cache on a failing disk).
CACHE_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(scope) -> tuple[int, int] | None:
    try:
        rate = api_settings.DEFAULT_THROTTLE_RATES[scope]
    except KeyError:
        raise ImproperlyConfigured(f"No throttle rate set for scope {scope!r}.")
    if rate is None:
        return None
    num, period = rate.split("/")
    return int(num), _PERIODS[period.strip()[0]]


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, reading the rate per request instead of once at import."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.")

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_UNREACHABLE as exc:
            _unthrottled(self.scope, exc)
            return True


def _unthrottled(scope, exc) -> None:
    logger.warning("rate limit %r not applied: the cache cannot be reached: %s", scope, exc)


def client_ident(request) -> str:
    return throttling.BaseThrottle().get_ident(request)


def _cache_key(scope, parts) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"accounts:throttle:{scope}:{digest}"


def throttle_hit(*, scope, parts) -> int:
    """Counts one attempt; returns 0 when it is allowed, else the window's length in seconds."""
    rate = _rate(scope)
    if rate is None:
        return 0
    limit, window = rate
    key = _cache_key(scope, parts)
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:
            # The window ended between add() and incr().
            cache.set(key, 1, timeout=window)
            count = 1
    except CACHE_UNREACHABLE as exc:
        _unthrottled(scope, exc)
        return 0
    return 0 if count <= limit else window


def throttle_reset(*, scope, parts) -> None:
    try:
        cache.delete(_cache_key(scope, parts))
    except CACHE_UNREACHABLE as exc:
        logger.warning(
            "could not clear the %r attempts: the cache cannot be reached: %s", scope, exc
        )


def wait_message(seconds: int) -> str:
    wait = "a minute" if seconds <= 60 else "an hour" if seconds <= 3600 else "a day"
    return f"Too many attempts. Please wait {wait} and try again."
