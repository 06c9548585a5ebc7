"""The schedule as pure functions: periods from the plan window, instants on the district's clock across DST."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from checkins.schedule import (
    ScheduleSettings,
    cycle_periods,
    cycle_times,
    local_instant,
    next_cycle,
    schedule,
)
from core.calendar import plan_period

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")

DEFAULTS = ScheduleSettings(
    cadence="monthly", open_day=20, due_days=7, reminder_days=(3, 0), escalation_days=3, close_days=14
)
PLAN_2025 = plan_period(2025, 2030, 8)  # August 2025 to July 2030


def local(instant: datetime, zone: zoneinfo.ZoneInfo) -> tuple[date, time]:
    moment = instant.astimezone(zone)
    return moment.date(), moment.time().replace(second=0, microsecond=0)


def test_monthly_periods_are_the_calendar_months_of_the_plan_window():
    periods = list(cycle_periods(PLAN_2025, "monthly"))
    assert len(periods) == 60
    assert periods[0] == (date(2025, 8, 1), date(2025, 8, 31))
    assert periods[6] == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods[-1] == (date(2030, 7, 1), date(2030, 7, 31))


@pytest.mark.parametrize(
    ("cadence", "count", "first", "second"),
    [
        ("bimonthly", 30, (date(2025, 8, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 11, 30))),
        ("quarterly", 20, (date(2025, 8, 1), date(2025, 10, 31)), (date(2025, 11, 1), date(2026, 1, 31))),
    ],
)
def test_longer_cadences_count_blocks_from_the_school_year_start(cadence, count, first, second):
    periods = list(cycle_periods(PLAN_2025, cadence))
    assert (len(periods), periods[0], periods[1]) == (count, first, second)
    assert periods[-1][1] == date(2030, 7, 31)


def test_a_cycle_opens_on_its_day_of_the_period_s_last_month_and_counts_days_from_there():
    times = cycle_times(date(2025, 11, 1), date(2026, 1, 31), DEFAULTS, CHICAGO)  # a quarter
    assert local(times.opens_at, CHICAGO) == (date(2026, 1, 20), time(6, 0))
    assert local(times.due_at, CHICAGO) == (date(2026, 1, 27), time(23, 59))
    assert [local(r, CHICAGO) for r in times.reminders_at] == [
        (date(2026, 1, 24), time(7, 0)),
        (date(2026, 1, 27), time(7, 0)),
    ]
    assert local(times.escalates_at, CHICAGO) == (date(2026, 1, 30), time(7, 0))
    assert local(times.closes_at, CHICAGO) == (date(2026, 2, 3), time(23, 59))


# --- Daylight-saving changes: the wall clock holds; the UTC offset moves -----------------------------
# 2026: clocks spring forward on Sunday 8 March and fall back on Sunday 1 November.


@pytest.mark.parametrize(
    ("zone", "winter_offset", "summer_offset"),
    [(CHICAGO, -6, -5), (NEW_YORK, -5, -4)],
)
def test_a_cycle_across_spring_forward_keeps_its_local_times(zone, winter_offset, summer_offset):
    # Opens 4 March (standard time), due 11 March (daylight time): the change falls in between.
    settings = ScheduleSettings(
        cadence="monthly", open_day=4, due_days=7, reminder_days=(4, 3, 0), escalation_days=3, close_days=14
    )
    times = cycle_times(date(2026, 3, 1), date(2026, 3, 31), settings, zone)
    assert local(times.opens_at, zone) == (date(2026, 3, 4), time(6, 0))
    assert times.opens_at.astimezone(zone).utcoffset().total_seconds() == winter_offset * 3600
    assert local(times.due_at, zone) == (date(2026, 3, 11), time(23, 59))
    assert times.due_at.astimezone(zone).utcoffset().total_seconds() == summer_offset * 3600
    # Reminders the day before the change (7 March) and on the day of it (8 March).
    reminders = [local(r, zone) for r in times.reminders_at]
    assert reminders == [
        (date(2026, 3, 7), time(7, 0)),
        (date(2026, 3, 8), time(7, 0)),
        (date(2026, 3, 11), time(7, 0)),
    ]
    # 24 local hours between reminders on either side of the change are 23 real hours.
    assert (times.reminders_at[1] - times.reminders_at[0]).total_seconds() == 23 * 3600
    assert local(times.escalates_at, zone) == (date(2026, 3, 14), time(7, 0))
    assert local(times.closes_at, zone) == (date(2026, 3, 18), time(23, 59))


@pytest.mark.parametrize(
    ("zone", "summer_offset", "winter_offset"),
    [(CHICAGO, -5, -6), (NEW_YORK, -4, -5)],
)
def test_a_cycle_across_fall_back_keeps_its_local_times(zone, summer_offset, winter_offset):
    # Opens 28 October (daylight time), due 4 November (standard time).
    settings = ScheduleSettings(
        cadence="monthly", open_day=28, due_days=7, reminder_days=(6, 5, 0), escalation_days=3, close_days=14
    )
    times = cycle_times(date(2026, 10, 1), date(2026, 10, 31), settings, zone)
    assert local(times.opens_at, zone) == (date(2026, 10, 28), time(6, 0))
    assert times.opens_at.astimezone(zone).utcoffset().total_seconds() == summer_offset * 3600
    assert local(times.due_at, zone) == (date(2026, 11, 4), time(23, 59))
    assert times.due_at.astimezone(zone).utcoffset().total_seconds() == winter_offset * 3600
    reminders = [local(r, zone) for r in times.reminders_at]
    assert reminders == [
        (date(2026, 10, 29), time(7, 0)),
        (date(2026, 10, 30), time(7, 0)),
        (date(2026, 11, 4), time(7, 0)),
    ]
    # 1 November 7:00 is after the repeated hour: 31 October → 1 November 7:00 is 25 real hours.
    day_of_change = local_instant(date(2026, 11, 1), time(7, 0), zone) - local_instant(
        date(2026, 10, 31), time(7, 0), zone
    )
    assert day_of_change == timedelta(hours=25)


def test_arizona_has_no_daylight_saving_so_the_offset_never_moves():
    settings = ScheduleSettings(
        cadence="monthly", open_day=4, due_days=7, reminder_days=(3, 0), escalation_days=3, close_days=14
    )
    for period in [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 10, 1), date(2026, 10, 31))]:
        times = cycle_times(*period, settings, PHOENIX)
        for instant in (times.opens_at, times.due_at, times.escalates_at, times.closes_at, *times.reminders_at):
            assert instant.astimezone(PHOENIX).utcoffset().total_seconds() == -7 * 3600
    march = cycle_times(date(2026, 3, 1), date(2026, 3, 31), settings, PHOENIX)
    assert march.opens_at == datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 06:00 MST
    # The same local opening in Chicago moves by an hour between winter and summer; Phoenix doesn't.
    january = cycle_times(date(2026, 1, 1), date(2026, 1, 31), settings, PHOENIX)
    july = cycle_times(date(2026, 7, 1), date(2026, 7, 31), settings, PHOENIX)
    assert (january.opens_at.hour, july.opens_at.hour) == (13, 13)


@pytest.mark.parametrize("zone", [CHICAGO, NEW_YORK])
def test_a_local_time_in_the_skipped_hour_lands_the_gap_later_and_a_repeated_one_is_the_first(zone):
    spring = local_instant(date(2026, 3, 8), time(2, 30), zone)
    assert local(spring, zone) == (date(2026, 3, 8), time(3, 30))
    fall = local_instant(date(2026, 11, 1), time(1, 30), zone)
    assert (
        fall.astimezone(zone).utcoffset()
        == local_instant(date(2026, 10, 31), time(1, 30), zone).astimezone(zone).utcoffset()
    )  # still daylight time: the first 1:30


def test_every_instant_is_aware_utc_and_in_order():
    for zone in (CHICAGO, NEW_YORK, PHOENIX):
        for times in schedule(PLAN_2025, DEFAULTS, zone):
            assert times.opens_at.tzinfo is UTC
            assert times.opens_at < min(times.reminders_at) <= max(times.reminders_at) < times.due_at
            assert times.due_at < times.escalates_at <= times.closes_at


def test_consecutive_cycles_never_overlap_at_the_longest_allowed_close():
    for cadence, close_days in (("monthly", 27), ("bimonthly", 58), ("quarterly", 88)):
        settings = ScheduleSettings(
            cadence=cadence, open_day=28, due_days=7, reminder_days=(), escalation_days=3, close_days=close_days
        )
        cycles = schedule(PLAN_2025, settings, CHICAGO)
        for earlier, later in itertools.pairwise(cycles):
            assert earlier.closes_at < later.opens_at, (cadence, earlier.period_start)


# --- Which cycle comes next ---------------------------------------------------------------------


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def test_a_district_starting_before_the_current_cycle_is_due_gets_the_current_cycle():
    upcoming = next_cycle(PLAN_2025, DEFAULTS, CHICAGO, after=None, now=chicago(2026, 3, 25, 12))
    assert upcoming.period_start == date(2026, 3, 1)  # opened 20 March, due 27 March: still time


def test_a_district_starting_after_the_current_cycle_is_due_begins_with_the_next_one():
    upcoming = next_cycle(PLAN_2025, DEFAULTS, CHICAGO, after=None, now=chicago(2026, 3, 28, 8))
    assert upcoming.period_start == date(2026, 4, 1)


def test_the_next_cycle_follows_the_last_planned_period_and_ends_with_the_plan():
    assert next_cycle(PLAN_2025, DEFAULTS, CHICAGO, after=date(2026, 3, 31), now=chicago(2026, 3, 21)).period_start == (
        date(2026, 4, 1)
    )
    assert next_cycle(PLAN_2025, DEFAULTS, CHICAGO, after=date(2030, 7, 31), now=chicago(2030, 7, 21)) is None
