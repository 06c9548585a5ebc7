"""`make run`, minus the virtualenv: migrate, seed (twice), start web + worker + beat, log in, stop.

Runs on the embedded defaults (SQLite, filesystem broker) in a temporary run
dir and a free port. A fresh clone's pip install is checked by hand, not here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.processes import BASE_DIR, PYTHON, Spawner, app_env, free_port, manage, session_pids, wait_for

pytestmark = pytest.mark.slow

DEMO_ADMIN = "admin@riverbend.example"
DEMO_PASSWORD = "demo-pass"
SEEDED_TABLES = ["districts_user", "districts_district", "districts_school", "districts_membership"]


def _row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in SEEDED_TABLES}


def _health(base_url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
            return json.load(response)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _log_in(base_url: str, email: str, password: str) -> urllib.request.OpenerDirector:
    """Log in through the real form, as a browser would: cookies, CSRF token, redirects."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base_url}/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password}).encode()
    with opener.open(f"{base_url}/accounts/login/", data=form, timeout=10) as response:
        assert response.status == 200
        assert not response.url.endswith("/accounts/login/"), "the log-in form came back: wrong demo password?"
    return opener


def test_make_run_seeds_serves_and_stops(tmp_path: Path, spawned: Spawner) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = app_env(tmp_path, PORT=str(port))

    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    after_first_seed = _row_counts(tmp_path / "db.sqlite3")
    manage("seed_demo", env=env)
    assert _row_counts(tmp_path / "db.sqlite3") == after_first_seed, "seed_demo is not idempotent"
    assert after_first_seed["districts_school"] > 0 and after_first_seed["districts_membership"] > 0

    server = spawned("run-dev", [str(BASE_DIR / "scripts" / "run-dev.sh")], env=env)

    health = wait_for(
        lambda: (h := _health(base_url)) and h["status"] == "ok" and h["beat"]["last_tick"] and h,
        timeout=40,
        what=f"{base_url}/healthz to report ok with a beat tick",
    )
    assert health["database"]["vendor"] == "sqlite"
    assert health["broker"]["transport"] == "filesystem"
    # The container's healthcheck script agrees.
    subprocess.run([PYTHON, "deploy/healthcheck.py", f"{base_url}/healthz"], cwd=BASE_DIR, check=True, timeout=10)

    opener = _log_in(base_url, DEMO_ADMIN, DEMO_PASSWORD)
    with opener.open(f"{base_url}/d/riverbend/", timeout=10) as response:
        assert response.status == 200
        assert "Riverbend Unified School District" in response.read().decode()

    # Ctrl-C: SIGINT to the foreground process group, which is the script's.
    os.killpg(server.pid, signal.SIGINT)
    server.wait(timeout=20)
    assert session_pids(server.pid) == [], "run-dev.sh left processes running after Ctrl-C"
