"""Settings for the load harness's gunicorn (scripts/bench_load.py): local settings plus the bench-only URLs."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
