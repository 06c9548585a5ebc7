"""The production shape in docker-compose.yml and the Dockerfile.

No Docker engine runs here, so this checks the files themselves: always by
reading them (PyYAML), and with `docker-compose config` where that is installed
(.ci/run installs it). The postgres init script is run for real against the
local PostgreSQL server, then the app's migrations and a connection as the
application role.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import REQUIRE_SERVICES
from tests.processes import BASE_DIR, PYTHON

COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
INIT_SCRIPT = BASE_DIR / "deploy" / "postgres" / "init-roles.sh"
APP_SERVICES = ["web", "worker", "beat"]
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|(^|_)KEY$")
# `${NAME:?message}`: compose refuses to start while NAME is unset or empty.
REQUIRED_VARIABLE = re.compile(r"^\$\{[A-Z_]+:\?[^}]+\}$")
# user:password@ in a URL; the password may be a `${...}` placeholder with spaces in its message.
URL_PASSWORD = re.compile(r"://[^:/@\s]+:(\$\{[^}]*\}|[^@\s]*)@")
# Values for every required variable, for `docker-compose config`.
COMPOSE_VARIABLES = {
    "SECRET_KEY": "s" * 50,
    "POSTGRES_PASSWORD": "superuser-pw",
    "THROUGHLINE_OWNER_PASSWORD": "owner-pw",
    "THROUGHLINE_APP_PASSWORD": "app-pw",
    "ALLOWED_HOSTS": "throughline.example.org",
    "EMAIL_URL": "smtp://mail.example.org:25",
    "SITE_URL": "https://throughline.example.org",
    "DEFAULT_FROM_EMAIL": "Throughline <no-reply@example.org>",
}


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def _command(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else command


def _url_user_and_password(url: str) -> tuple[str, str]:
    # The password is a `${...}` placeholder, which urlsplit cannot parse as-is.
    match = re.match(r"^postgres://([^:@/]+):(\$\{[^}]+\}|[^@]*)@", url)
    assert match, f"not a postgres://user:password@host URL: {url}"
    return match.group(1), match.group(2)


def test_the_production_services_exist(services: dict[str, dict]) -> None:
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= services.keys()


def test_web_runs_gunicorn_under_production_settings_with_a_healthz_check(services: dict[str, dict]) -> None:
    web = services["web"]

    assert _command(web)[:2] == ["gunicorn", "config.wsgi"]
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_run_celery_under_production_settings(services: dict[str, dict], name: str) -> None:
    service = services[name]

    assert _command(service)[:4] == ["celery", "-A", "config", name]
    assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_migrate_runs_once_before_the_app_starts(services: dict[str, dict]) -> None:
    assert _command(services["migrate"])[-3:] == ["manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
    assert services["postgres"]["healthcheck"] and services["redis"]["healthcheck"]


def test_the_app_connects_as_the_application_role_and_migrate_as_the_owner(services: dict[str, dict]) -> None:
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        user, _ = _url_user_and_password(environment["DATABASE_URL"])
        assert user == environment["DATABASE_APP_ROLE"] == "throughline_app", name
    owner, _ = _url_user_and_password(services["migrate"]["environment"]["DATABASE_URL"])
    assert owner == "throughline_owner"
    # The postgres service creates both roles on first start.
    mounts = services["postgres"]["volumes"]
    assert any(m.startswith("./deploy/postgres/init-roles.sh:/docker-entrypoint-initdb.d/") for m in mounts)
    assert "throughline_owner" in INIT_SCRIPT.read_text() and "throughline_app" in INIT_SCRIPT.read_text()


def test_every_app_service_gets_every_setting_production_requires(services: dict[str, dict]) -> None:
    for name in ["migrate", *APP_SERVICES]:
        environment = services[name]["environment"]
        required = [
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "ALLOWED_HOSTS",
            "EMAIL_URL",
            "SITE_URL",
            "DEFAULT_FROM_EMAIL",
        ]
        for variable in required:
            assert environment.get(variable), f"{name} lacks {variable}"
        assert "CSRF_TRUSTED_ORIGINS" in environment


def test_no_literal_secrets_are_committed(services: dict[str, dict]) -> None:
    for name, service in services.items():
        for variable, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(variable):
                assert REQUIRED_VARIABLE.match(str(value)), f"{name}.{variable} must be ${{{variable}:?...}}"
            if REQUIRED_VARIABLE.match(str(value)):
                continue  # the whole value comes from the environment
            for password in URL_PASSWORD.findall(str(value)):
                assert REQUIRED_VARIABLE.match(password), f"{name}.{variable} has a literal password in its URL"
    tracked = subprocess.run(["git", "ls-files"], cwd=BASE_DIR, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked


def test_the_dockerfile_builds_a_hash_pinned_non_root_image() -> None:
    dockerfile = DOCKERFILE.read_text()
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith((" ", "#"))]

    assert instructions[0] == "FROM python:3.11-slim"
    assert re.search(r"pip install --require-hashes .*-r requirements-prod\.lock", dockerfile)
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    user = next(line for line in reversed(instructions) if line.startswith("USER "))
    assert user.split()[1].split(":")[0] not in {"root", "0"}
    assert instructions.index(user) > max(i for i, line in enumerate(instructions) if line.startswith("RUN "))
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", ".run"} <= set(ignored)


def _docker_compose() -> str:
    executable = shutil.which("docker-compose")
    if executable is None:
        reason = "docker-compose is not installed (apt-get install docker-compose; .ci/run does)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason=reason)
    return executable


def _compose_config(variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in COMPOSE_VARIABLES and k != "COMPOSE_FILE"}
    env.update(variables)
    return subprocess.run(
        [_docker_compose(), "--file", str(COMPOSE_FILE), "--project-directory", str(BASE_DIR), "config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_config_accepts_the_file() -> None:
    result = _compose_config(COMPOSE_VARIABLES)

    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert (
        resolved["web"]["environment"]["DATABASE_URL"] == "postgres://throughline_app:app-pw@postgres:5432/throughline"
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "THROUGHLINE_APP_PASSWORD", "EMAIL_URL"])
def test_docker_compose_refuses_to_start_without_a_secret(missing: str) -> None:
    result = _compose_config({k: v for k, v in COMPOSE_VARIABLES.items() if k != missing})

    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


# --- The init script against a real server ------------------------------------------


@pytest.fixture
def initialised_database() -> Iterator[dict[str, str]]:
    """Run deploy/postgres/init-roles.sh (twice) with throwaway names; drop everything afterwards."""
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    names = {
        "THROUGHLINE_DB": f"throughline_init_{suffix}",
        "THROUGHLINE_OWNER": f"throughline_owner_{suffix}",
        "THROUGHLINE_APP_ROLE": f"throughline_app_{suffix}",
    }
    env = {
        **os.environ,
        **names,
        "THROUGHLINE_OWNER_PASSWORD": "owner-password",
        "THROUGHLINE_APP_PASSWORD": "app-password",
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "postgres",
        "PGHOST": "127.0.0.1",
        "PGPORT": "5432",
    }
    try:
        for _ in range(2):  # the second run must change nothing and not fail
            result = subprocess.run([str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
        yield names
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{names["THROUGHLINE_DB"]}" WITH (FORCE)')
            connection.execute(f'DROP ROLE IF EXISTS "{names["THROUGHLINE_APP_ROLE"]}"')
            connection.execute(f'DROP ROLE IF EXISTS "{names["THROUGHLINE_OWNER"]}"')


@pytest.mark.postgres
@pytest.mark.slow
def test_init_script_roles_migrate_as_owner_and_confine_the_app_role(
    initialised_database: dict[str, str], tmp_path: Path
) -> None:
    db, owner, app_role = (
        initialised_database[k] for k in ("THROUGHLINE_DB", "THROUGHLINE_OWNER", "THROUGHLINE_APP_ROLE")
    )
    base_env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DATABASE_OWNER_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "THROUGHLINE_RUN_DIR": str(tmp_path),
        "DATABASE_APP_ROLE": app_role,
    }

    def manage(*args: str, role: str) -> subprocess.CompletedProcess[str]:
        env = {**base_env, "DATABASE_URL": f"postgres://{role}:pw@127.0.0.1:5432/{db}"}
        return subprocess.run(
            [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )

    migrated = manage("migrate", "--noinput", role=owner)
    assert migrated.returncode == 0, migrated.stderr

    # The app role passes the tenancy check that a superuser or table owner fails...
    checked = manage("check", "--database", "default", "--fail-level", "WARNING", role=app_role)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Something for row-level security to hide: one school, written as the owner (exempt from RLS).
    created = manage(
        "shell", "-c", "from tests.factories import SchoolFactory; print(SchoolFactory().district_id)", role=owner
    )
    assert created.returncode == 0, created.stderr
    district_id = int(created.stdout.split()[-1])

    # ...sees rows only inside its district, and cannot create tables.
    script = (
        "from django.db import connection, transaction\n"
        "with transaction.atomic(), connection.cursor() as c:\n"
        "    c.execute('SELECT count(*) FROM districts_school'); print('unscoped', c.fetchone()[0])\n"
        f"    c.execute(\"SELECT set_config('app.district_id', '{district_id}', true)\")\n"
        "    c.execute('SELECT count(*) FROM districts_school'); print('scoped', c.fetchone()[0])\n"
        "try:\n"
        "    with connection.cursor() as c: c.execute('CREATE TABLE not_allowed (id int)')\n"
        "except Exception as error:\n"
        "    print('create', type(error.__cause__ or error).__name__)\n"
    )
    shell = manage("shell", "--verbosity", "0", "-c", script, role=app_role)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.split() == ["unscoped", "0", "scoped", "1", "create", "InsufficientPrivilege"]
