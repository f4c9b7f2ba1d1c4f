"""The production settings plus the benchmarks' URLs (bench/urls.py); never used to serve."""

from videogen.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
