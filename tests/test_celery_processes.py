"""Beat → broker → worker across real processes, as `make run` and production run them.

Beat sends `districts.tasks.platform_tick` every second (TICK_SECONDS=1); a
worker in another process runs it and writes the heartbeat to the shared
cache. Reading that heartbeat here, through the same cache backend, proves
the whole chain: with the embedded filesystem broker and file cache, and with
Redis as broker and cache.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from config.health import BEAT_HEARTBEAT_CACHE_KEY
from tests.conftest import REDIS_TEST_URL
from tests.processes import CELERY, Spawner, app_env, manage, wait_for

pytestmark = pytest.mark.slow

START_TIMEOUT = 25  # seconds for both processes to start and the first tick to land


def _start_worker_and_beat(spawned: Spawner, env: dict[str, str]) -> None:
    worker_name = f"test-{uuid.uuid4().hex[:8]}@%h"
    spawned("worker", [CELERY, "-A", "config", "worker", "--pool=solo", "--loglevel=INFO", "-n", worker_name], env=env)
    spawned("beat", [CELERY, "-A", "config", "beat", "--loglevel=INFO", "--pidfile="], env=env)


def _assert_heartbeat_advances(cache: BaseCache, started: datetime) -> None:
    def tick_after(moment: datetime) -> datetime | None:
        value = cache.get(BEAT_HEARTBEAT_CACHE_KEY)
        tick = datetime.fromisoformat(value) if value else None
        return tick if tick and tick > moment else None

    first = wait_for(lambda: tick_after(started), timeout=START_TIMEOUT, what="the first beat tick run by the worker")
    wait_for(lambda: tick_after(first), timeout=10, what="a second beat tick (the heartbeat advancing)")


def test_filesystem_broker_carries_beat_ticks_to_a_worker(tmp_path: Path, spawned: Spawner) -> None:
    env = app_env(tmp_path)
    manage("migrate", "--noinput", env=env)
    started = timezone.now()

    _start_worker_and_beat(spawned, env)

    _assert_heartbeat_advances(FileBasedCache(str(tmp_path / "cache"), {}), started)


@pytest.mark.redis
def test_redis_broker_carries_beat_ticks_to_a_worker(tmp_path: Path, spawned: Spawner) -> None:
    import redis

    # Ticks left in the queue by an earlier run would be run by our worker and
    # fake a working beat: start from an empty queue and no heartbeat.
    redis.Redis.from_url(REDIS_TEST_URL).delete("celery")
    cache = RedisCache(REDIS_TEST_URL, {})
    cache.delete(BEAT_HEARTBEAT_CACHE_KEY)
    env = app_env(tmp_path, REDIS_URL=REDIS_TEST_URL)
    manage("migrate", "--noinput", env=env)
    started = timezone.now()

    _start_worker_and_beat(spawned, env)

    _assert_heartbeat_advances(cache, started)
