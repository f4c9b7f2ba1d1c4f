"""Settings for the test suite: the real stack, fast hashing and in-process fakes at the edges."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

from videogen.settings import *  # noqa: F403
from videogen.settings import DATABASES, REST_FRAMEWORK

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default: the runner's heartbeat thread has a connection of
    # its own, and only a file database gives it WAL and a busy timeout (threads sharing an
    # in-memory database fail at once with "database table is locked" instead of waiting).
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"videogen-test-{os.getpid()}.sqlite3")
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# With REDIS_URL (CI's second pass) the unit tests use that Redis too, for the channel layer
# (pub/sub, under a prefix of this run's own) and the cache (in database 15 of the same
# server: the tests clear the cache, which empties its whole database, and live stacks keep
# their queue in the URL's own). Without it, in-process layers; the live-server tests start
# real web and qcluster processes with the production settings and a real layer either way.
if REDIS_URL:  # noqa: F405
    _test_prefix = f"videogen-test-{os.getpid()}"
    CHANNEL_LAYERS = {
        "default": {
            **CHANNEL_LAYERS["default"],  # noqa: F405
            "CONFIG": {
                **CHANNEL_LAYERS["default"]["CONFIG"],  # noqa: F405
                "prefix": f"{_test_prefix}:asgi",
            },
        }
    }
    CACHES = {
        "default": {
            **CACHES["default"],  # noqa: F405
            "LOCATION": urlunsplit(urlsplit(REDIS_URL)._replace(path="/15")),  # noqa: F405
            "KEY_PREFIX": _test_prefix,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
VIDEOGEN_DEMO_KIND = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "job_create": "1000/hour",
        "register": "1000/hour",
    },
}
# Unit tests keep queued tasks in the test database; the live tests run the real broker.
Q_CLUSTER = {**Q_CLUSTER, "orm": "default"}  # noqa: F405
Q_CLUSTER.pop("redis", None)
Q_CLUSTER.pop("broker_class", None)
EVENT_PROGRESS_INTERVAL = 0.0
HEALTH_STORAGE_CHECK_SECONDS = 0.0
# Fakes at the edges we cannot reach in tests (cloud APIs, model weights), chosen by setting.
VIDEOGEN_PROVIDERS = {
    "llm": {"BACKEND": "pipeline.providers.fakes.FakePlanner", "OPTIONS": {}},
    "tts": {"BACKEND": "pipeline.providers.fakes.FakeTTS", "OPTIONS": {}},
    "images": {"BACKEND": "pipeline.providers.fakes.FakeImages", "OPTIONS": {}},
}
# The ai_video generator's text-to-video model, faked like the other roles.
VIDEOGEN_PROVIDERS["t2v"] = {
    "BACKEND": "pipeline.providers.t2v.fake.FakeTextToVideo",
    "OPTIONS": {},
}
