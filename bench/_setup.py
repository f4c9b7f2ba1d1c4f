"""Shared start-up for the benchmarks: a real stack in a temporary folder, with this process
configured as one more client of the same database and channel layer."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.live.stack import LiveDatabase, LiveStack  # noqa: E402


def start_stack(**env) -> LiveStack:
    tmp = Path(tempfile.mkdtemp(prefix="videogen-bench-"))
    stack = LiveStack(tmp, LiveDatabase(tmp))
    stack.env.update(
        {
            # The site plus a bare view at /bench/bare (bench/urls.py).
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "VIDEOGEN_EXTRA_GENERATORS": "noop=bench._noop.generator",
            "MAX_ACTIVE_JOBS_PER_USER": "100000",
            "LOG_LEVEL": "WARNING",
            **env,
        }
    )
    stack.manage("migrate", "--noinput")
    stack.start_redis_if_embedded()
    os.environ.update(stack.env)
    import django

    django.setup()
    return stack
