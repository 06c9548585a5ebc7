"""Reads for the check-in pages: each returns what one page shows, in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from districts.models import Membership
from districts.roles import Role
from metrics.choices import Frequency, Level, Source
from metrics.models import Metric

from .models import Checkin, CheckinCycle, CheckinEntry, CheckinMetricValue

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


@dataclass(frozen=True)
class CheckinPage:
    """What the check-in page shows: the check-in, its entries asked for, and the metric values it asks."""

    checkin: Checkin
    entries: list[CheckinEntry]
    values: list[tuple[Metric, CheckinMetricValue | None]]


def checkin_page(*, checkin: Checkin) -> CheckinPage:
    """The entries (with commitment and priority) and metric values of one check-in: three queries."""
    entries = list(
        CheckinEntry.objects.filter(district_id=checkin.district_id, checkin=checkin, set_aside=False)
        .select_related("assignment__commitment__priority")
        .order_by("assignment__commitment__priority__position", "assignment__commitment__position", "pk")
    )
    metrics = checkin_metrics(checkin)
    rows = {}
    if metrics:
        rows = {
            row.metric_id: row
            for row in CheckinMetricValue.objects.filter(district_id=checkin.district_id, checkin=checkin)
        }
    return CheckinPage(checkin=checkin, entries=entries, values=[(m, rows.get(m.pk)) for m in metrics])


def place_checkins(*, actor: Membership) -> list[Checkin]:
    """The check-ins of the actor's school (a principal) or department (a department lead), newest cycle
    first; none for anyone else."""
    if actor.role == Role.PRINCIPAL and actor.school_id:
        place = {"school_id": actor.school_id}
    elif actor.role == Role.CABINET and actor.department_id:
        place = {"department_id": actor.department_id}
    else:
        return []
    return list(
        Checkin.objects.filter(district_id=actor.district_id, **place)
        .select_related("cycle", "school", "department", "submitted_by__user")
        .order_by("-cycle__period_start")
    )


# --- Review: a cycle's check-ins, the support-request queue, responses ------------------------------
