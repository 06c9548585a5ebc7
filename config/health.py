"""/healthz: is the database answering, is the broker reachable, when did beat last tick."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app

BEAT_HEARTBEAT_CACHE_KEY = "throughline:beat:last_tick"


def _database_state() -> dict[str, object]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down"; report it
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _broker_state() -> dict[str, object]:
    started = time.monotonic()
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "transport": str(transport), "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_state()
    broker = _broker_state()
    last_tick = cache.get(BEAT_HEARTBEAT_CACHE_KEY)
    body = {
        "status": "ok" if database["ok"] and broker["ok"] else ("degraded" if database["ok"] else "down"),
        "database": database,
        "broker": broker,
        "beat": {"last_tick": last_tick},
    }
    # 200 while the database answers: the web tier can serve pages; a broker
    # outage only delays background work, and says so in the body.
    return JsonResponse(body, status=200 if database["ok"] else 503)
