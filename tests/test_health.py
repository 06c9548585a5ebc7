"""/healthz: database and broker state as JSON; 200 while the database answers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client, override_settings

from config.health import BEAT_HEARTBEAT_CACHE_KEY
from tests.conftest import REDIS_TEST_URL
from tests.processes import free_port

pytestmark = pytest.mark.django_db


def _healthz(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_ok_when_database_and_broker_answer(client: Client) -> None:
    status, body = _healthz(client)

    assert status == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "transport": "memory", "ms": body["broker"]["ms"]}


def test_reports_the_last_beat_tick(client: Client) -> None:
    cache.set(BEAT_HEARTBEAT_CACHE_KEY, "2026-01-05T08:00:00+00:00")
    try:
        _, body = _healthz(client)
    finally:
        cache.delete(BEAT_HEARTBEAT_CACHE_KEY)

    assert body["beat"]["last_tick"] == "2026-01-05T08:00:00+00:00"


def test_broker_down_is_degraded_but_still_200_and_quick(client: Client) -> None:
    closed_port = free_port()  # bound and released: nothing listens there now
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port}/0"):
        status, body = _healthz(client)

    assert status == 200, "a broker outage delays background work; pages still work"
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]


def test_database_down_is_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    status, body = _healthz(client)

    assert status == 503
    assert body["status"] == "down"
    assert body["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.redis
def test_ok_with_the_real_redis_broker(client: Client) -> None:
    with override_settings(CELERY_BROKER_URL=REDIS_TEST_URL, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        status, body = _healthz(client)

    assert status == 200
    assert body["status"] == "ok"
    assert body["broker"]["ok"] is True
    assert body["broker"]["transport"] == "redis"
