"""Helpers for tests that start the app's real processes (celery, run-dev.sh).

Every process is started in a new session; `spawned` ends the whole session
(children and grandchildren included) when the test finishes, pass or fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(sys.executable).parent / "celery")

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(run_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run` on the embedded defaults, kept in run_dir, ticking every second."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        THROUGHLINE_RUN_DIR=str(run_dir),
        TICK_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def wait_for(probe: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.25) -> T:
    """Call probe until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def session_pids(session_id: int) -> list[int]:
    """Every live process in the session (whatever its process group)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name: state ppid pgrp session ...
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == session_id:
            pids.append(int(entry.name))
    return pids


def end_session(process: subprocess.Popen, grace: float = 10) -> None:
    """TERM every process in the session, then KILL what is left after `grace` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in session_pids(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while session_pids(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not session_pids(process.pid):
            break
    process.wait(timeout=grace)


class Spawner:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def __call__(self, name: str, command: list[str], *, env: dict[str, str]) -> subprocess.Popen:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append((process, log_path))
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()[-4000:]}" for _, path in self.processes)

    def end_all(self) -> None:
        for process, _ in self.processes:
            end_session(process)


@pytest.fixture
def spawned(tmp_path: Path) -> Iterator[Spawner]:
    """spawned(name, command, env=...) -> Popen; every session started is ended after the test.

    The tail of each process's output is printed at teardown: pytest shows it when the test fails.
    """
    spawner = Spawner(tmp_path)
    yield spawner
    spawner.end_all()
    print(spawner.logs())


# --- A Redis server of the test's own --------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server")


def redis_server_unavailable_reason() -> str:
    if REDIS_SERVER is None:
        return "redis-server is not installed (apt-get install redis-server)"
    return ""


class RedisServer:
    """A redis-server on its own free port (never 6379), without persistence: stop() and start() it at will.

    It keeps its port across a restart, so an app pointed at `url()` finds it again.
    """

    def __init__(self, spawner: Spawner) -> None:
        self.spawner = spawner
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        assert self.process is None, "this redis-server is already running"
        self.starts += 1
        command = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = self.spawner(f"redis-{self.starts}", command, env=dict(os.environ))
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        assert self.process is not None, "this redis-server is not running"
        end_session(self.process)
        self.process = None
        assert not self.ping(), f"redis-server on port {self.port} still answers"


@pytest.fixture
def redis_server(spawned: Spawner) -> RedisServer:
    """A started RedisServer of this test's own; skips (fails under REQUIRE_SERVICES=1) without redis-server."""
    reason = redis_server_unavailable_reason()
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but this test needs redis-server: {reason}", pytrace=False)
        pytest.skip(reason=f"needs redis-server: {reason}")
    server = RedisServer(spawned)
    server.start()
    return server
