"""Periodic work for the platform. Beat runs one tick; the tick fans out per district."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from celery import shared_task
from config.health import BEAT_HEARTBEAT_CACHE_KEY


@shared_task(name="districts.tasks.platform_tick")
def platform_tick() -> None:
    """Record that beat and a worker are alive (shown by /healthz).

    Later issues add the per-district fan-out (opening check-in cycles,
    reminders) here, one task per district with `expires`.
    """
    cache.set(BEAT_HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=None)
