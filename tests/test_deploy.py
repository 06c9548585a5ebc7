"""Production settings: pass `check --deploy`, refuse to start half-configured, never seed demo data.

Each case runs manage.py in a subprocess: settings are read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.processes import BASE_DIR, PYTHON

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://throughline_app:app-password@127.0.0.1:5432/throughline",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "throughline.example.org",
    "EMAIL_URL": "smtp+tls://mailer:mail-password@smtp.example.org:587",
    "SITE_URL": "https://throughline.example.org",
}
# Anything these tests set must come from PRODUCTION_ENV, not from the caller's shell
# (the browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly flags).
CONFIG_VARIABLES = {
    *PRODUCTION_ENV,
    "DATABASE_OWNER_URL",
    "CSRF_TRUSTED_ORIGINS",
    "DEBUG",
    "STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage(*args: str, unset: tuple[str, ...] = (), **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env.update({k: v for k, v in PRODUCTION_ENV.items() if k not in unset})
    env.update(overrides)
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_under_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_uses_https_redis_smtp_and_the_app_role() -> None:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'hsts': s.SECURE_HSTS_SECONDS, 'ssl_redirect': s.SECURE_SSL_REDIRECT, "
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
        "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'], "
        "'email': s.EMAIL_BACKEND, 'db_user': s.DATABASES['default']['USER']}))"
    )
    result = manage("shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "debug": False,
        "hsts": 60 * 60 * 24 * 365,
        "ssl_redirect": True,
        "session_secure": True,
        "csrf_secure": True,
        "broker": PRODUCTION_ENV["REDIS_URL"],
        "cache": "django.core.cache.backends.redis.RedisCache",
        "email": "django.core.mail.backends.smtp.EmailBackend",
        "db_user": "throughline_app",
    }


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "Set the SECRET_KEY environment variable"),
        ("DATABASE_URL", "Set the DATABASE_URL environment variable"),
        ("REDIS_URL", "REDIS_URL must be set in production"),
        ("ALLOWED_HOSTS", "Set the ALLOWED_HOSTS environment variable"),
        ("EMAIL_URL", "Set the EMAIL_URL environment variable"),
        ("SITE_URL", "Set the SITE_URL environment variable"),
    ],
)
def test_production_refuses_to_start_without(missing: str, message: str) -> None:
    result = manage("check", unset=(missing,))

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = manage("check", SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be at least 50 characters" in result.stderr


def test_seed_demo_refuses_under_production_settings() -> None:
    result = manage("seed_demo")

    assert result.returncode != 0
    assert "seed_demo refuses to run with production settings" in result.stderr


def test_collectstatic_builds_the_manifest_the_image_serves(tmp_path: Path) -> None:
    """What the Dockerfile runs: every url() the CSS refers to must exist, or the manifest build fails."""
    result = manage("collectstatic", "--noinput", STATIC_ROOT=str(tmp_path))

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert {"css/app.css", "js/app.js"} <= manifest.keys()
    assert (tmp_path / manifest["css/app.css"]).exists()
