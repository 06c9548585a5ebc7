"""The check-in schedule as pure functions: a district's settings, zone and plan window in, instants out.

Every instant is a wall-clock time on a local date (a cycle opens at 06:00 on its opening day), turned
into an aware UTC datetime with zoneinfo, so nothing drifts by an hour across a daylight-saving change
and Arizona (no DST) needs no special case. A local time that doesn't exist (the spring-forward hour)
moves forward by the gap; one that happens twice (the fall-back hour) is the first.

Periods: blocks of 1, 2 or 3 months (the cadence) counted from the school year's first month, inside
the plan's window. A cycle opens on the opening day of its period's last month; the due, escalation and
close days count from the opening day.
"""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.calendar import PlanPeriod
from districts.models import CADENCE_MONTHS, CheckinCadence, District

OPEN_TIME = time(6, 0)  # before the school day
REMINDER_TIME = time(7, 0)
ESCALATION_TIME = time(7, 0)
# Due and close at the end of their day: a principal may report that evening.
DUE_TIME = time(23, 59)
CLOSE_TIME = time(23, 59)


@dataclass(frozen=True)
class ScheduleSettings:
    cadence: str
    open_day: int
    due_days: int
    reminder_days: tuple[int, ...]
    escalation_days: int
    close_days: int

    @classmethod
    def of(cls, district: District) -> ScheduleSettings:
        return cls(
            cadence=district.checkin_cadence,
            open_day=district.checkin_open_day,
            due_days=district.checkin_due_days,
            reminder_days=tuple(district.checkin_reminder_days or ()),
            escalation_days=district.checkin_escalation_days,
            close_days=district.checkin_close_days,
        )


@dataclass(frozen=True)
class CycleTimes:
    period_start: date
    period_end: date
    opens_at: datetime
    due_at: datetime
    escalates_at: datetime
    closes_at: datetime
    reminders_at: tuple[datetime, ...]


def local_instant(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """`at` o'clock on `day` in `zone`, as an aware UTC datetime.

    zoneinfo reads a nonexistent time (fold=0) with the offset before the change, which lands it the
    gap's length later; an ambiguous one (fold=0) is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def cycle_periods(window: PlanPeriod, cadence: str) -> Iterator[tuple[date, date]]:
    """The (first day, last day) of each period in the plan's window, in order."""
    months = CADENCE_MONTHS.get(CheckinCadence(cadence), 1)
    year, month = window.first_day.year, window.first_day.month  # a school year's first month
    while True:
        start = date(year, month, 1)
        if start > window.last_day:
            return
        end_year, end_month = _add_months(year, month, months - 1)
        end = min(date(end_year, end_month, calendar.monthrange(end_year, end_month)[1]), window.last_day)
        yield start, end
        year, month = _add_months(year, month, months)


def cycle_times(
    period_start: date, period_end: date, settings: ScheduleSettings, zone: zoneinfo.ZoneInfo
) -> CycleTimes:
    """The instants of the cycle for one period."""
    open_day = date(period_end.year, period_end.month, min(settings.open_day, period_end.day))
    due_day = open_day + timedelta(days=settings.due_days)
    reminder_days = sorted({due_day - timedelta(days=offset) for offset in settings.reminder_days})
    return CycleTimes(
        period_start=period_start,
        period_end=period_end,
        opens_at=local_instant(open_day, OPEN_TIME, zone),
        due_at=local_instant(due_day, DUE_TIME, zone),
        escalates_at=local_instant(due_day + timedelta(days=settings.escalation_days), ESCALATION_TIME, zone),
        closes_at=local_instant(open_day + timedelta(days=settings.close_days), CLOSE_TIME, zone),
        reminders_at=tuple(local_instant(day, REMINDER_TIME, zone) for day in reminder_days if day > open_day),
    )


def schedule(window: PlanPeriod, settings: ScheduleSettings, zone: zoneinfo.ZoneInfo) -> list[CycleTimes]:
    """Every cycle of the plan's window."""
    return [cycle_times(start, end, settings, zone) for start, end in cycle_periods(window, settings.cadence)]


def next_cycle(
    window: PlanPeriod,
    settings: ScheduleSettings,
    zone: zoneinfo.ZoneInfo,
    *,
    after: date | None,
    now: datetime,
) -> CycleTimes | None:
    """The cycle to plan next: the first period starting after `after` (the last planned period's end)
    whose check-ins are not yet due at `now`.

    A period already past its due instant is skipped, never opened late: a district that starts mid-cycle
    (or a tick back from a long outage) begins with the current cycle if it is still before its due
    instant, else with the next one.
    """
    for start, end in cycle_periods(window, settings.cadence):
        if after is not None and start <= after:
            continue
        times = cycle_times(start, end, settings, zone)
        if times.due_at > now:
            return times
    return None
