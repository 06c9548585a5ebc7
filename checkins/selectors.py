"""Reads for the check-in pages: each returns what one page shows, in a bounded number of queries."""

from __future__ import annotations

from datetime import date

from metrics.choices import Frequency, Level, Source
from metrics.models import Metric

from .models import Checkin, CheckinCycle

# --- The check-in page and a place's check-ins -----------------------------------------------------


def checkin_period(cycle: CheckinCycle) -> date:
    """The metric period a check-in's values are for: the cycle's last month (a first of the month)."""
    return cycle.period_end.replace(day=1)


def checkin_metrics(checkin: Checkin) -> list[Metric]:
    """The metrics whose values this check-in asks for (one query): values from check-ins, reported by
    each school, monthly, under the cycle's plan and applying to the school's level. None for a department."""
    if checkin.school_id is None:
        return []
    school = checkin.school
    metrics = (
        Metric.objects.filter(
            district_id=checkin.district_id,
            priority__plan_id=checkin.cycle.plan_id,
            source=Source.CHECKINS,
            level=Level.SCHOOL,
            frequency=Frequency.MONTHLY,
        )
        .select_related("priority__plan")
        .order_by("priority__position", "priority_id", "position", "pk")
    )
    return [m for m in metrics if not m.school_levels or school.level in m.school_levels]


# --- Review: a cycle's check-ins, the support-request queue, responses ------------------------------
