"""Background work for metrics: recompute a district's stored roll-ups when what they depend on changes.

Values keep their own roll-ups current as they are written (metrics.services).
Roll-ups also depend on the district's schools (which exist, their levels,
their enrollments) and on its status tolerance; a change to those records an
outbox row (metrics.services.schedule_rollup_refresh, delivered by
districts.tasks.deliver_pending_work). This task recomputes on demand.
"""

from __future__ import annotations

from celery import shared_task

from districts.models import District

from .rollups import refresh_district_rollups as refresh


# Idempotent (a recompute from the values), so it may be acknowledged late and retried.
@shared_task(name="metrics.tasks.refresh_district_rollups", acks_late=True)
def refresh_district_rollups(district_id: int) -> int:
    """Recompute every roll-up of a district; quietly nothing if the district is gone."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return 0
    return refresh(district=district)  # one transaction per metric
