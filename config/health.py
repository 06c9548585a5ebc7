"""/healthz: is the database answering, is the broker reachable, when did beat last tick.

200 while the database answers ("ok", or "degraded" when the broker is down:
pages still work, background work waits); 503 when the database is down.
Every probe is bounded (about 2 s) so a dead Redis never hangs the check.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app

BEAT_HEARTBEAT_CACHE_KEY = "throughline:beat:last_tick"
PROBE_TIMEOUT_SECONDS = 2


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _database_state() -> dict[str, object]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; report which
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": _elapsed_ms(started)}


def _broker_state() -> dict[str, object]:
    """Connect once, no retries. The URL is read from settings on every call."""
    started = time.monotonic()
    try:
        with celery_app.connection_for_write(
            url=settings.CELERY_BROKER_URL,
            connect_timeout=PROBE_TIMEOUT_SECONDS,
            transport_options={
                **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
                "socket_connect_timeout": PROBE_TIMEOUT_SECONDS,
                "socket_timeout": PROBE_TIMEOUT_SECONDS,
            },
        ) as conn:
            conn.ensure_connection(max_retries=0)
            transport = conn.transport.driver_name
    except Exception as error:  # any failure means "down"; report which
        return {"ok": False, "error": error.__class__.__name__, "ms": _elapsed_ms(started)}
    return {"ok": True, "transport": transport, "ms": _elapsed_ms(started)}


def _beat_state() -> dict[str, object]:
    # The cache is Redis in production: an outage there must not turn the
    # health check into a 500.
    try:
        return {"last_tick": cache.get(BEAT_HEARTBEAT_CACHE_KEY)}
    except Exception as error:  # a Redis outage, say
        return {"last_tick": None, "error": error.__class__.__name__}


# Not inside ATOMIC_REQUESTS: opening that transaction would fail with a 500
# before the view could report the database as down.
@transaction.non_atomic_requests
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_state()
    broker = _broker_state()
    if not database["ok"]:
        status = "down"
    elif not broker["ok"]:
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status, "database": database, "broker": broker, "beat": _beat_state()}
    return JsonResponse(body, status=200 if database["ok"] else 503)
