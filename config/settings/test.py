"""Tests. PostgreSQL when reachable (or TEST_DATABASE_URL), else SQLite.

`TEST_DATABASE=sqlite` forces SQLite. Tests marked `postgres` skip on SQLite,
or fail when REQUIRE_SERVICES=1 (see tests/conftest.py).
"""

import os

import psycopg

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

THROUGHLINE_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-only-secret-key-3c9f1b2e7a6d4c8b9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_ENABLED = True

TEST_DATABASE_URL = env.str("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/throughline")


def _postgres_reachable(url: str) -> bool:
    config = env.db_url_config(url)
    try:
        psycopg.connect(
            dbname="postgres",
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            connect_timeout=2,
        ).close()
    except psycopg.Error:
        return False
    return True


POSTGRES_UNAVAILABLE_REASON = ""
if os.environ.get("TEST_DATABASE", "auto") == "sqlite":
    POSTGRES_UNAVAILABLE_REASON = "TEST_DATABASE=sqlite was set"
elif not _postgres_reachable(TEST_DATABASE_URL):
    POSTGRES_UNAVAILABLE_REASON = f"PostgreSQL is not reachable at {TEST_DATABASE_URL}"

if POSTGRES_UNAVAILABLE_REASON:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / ".run" / "test.sqlite3"),
        "ATOMIC_REQUESTS": True,
        "TEST": {"NAME": ""},  # in memory
    }
else:
    DATABASES["default"] = {**env.db_url_config(TEST_DATABASE_URL), "ATOMIC_REQUESTS": True}
