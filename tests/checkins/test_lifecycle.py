"""The schedule runs itself: driven only by when the tick says it is next needed, a cycle opens, reminds,
marks late, escalates and closes at its announced local instants, each once, with nobody pressing a button.

This is what beat does (districts.tasks.platform_tick → queue_due → run_district_tick), minus the broker
hop (tests/checkins/test_processes.py covers the real processes): the clock jumps from one `next_tick_at`
to the next, as a district that is idle between its steps costs the tick nothing.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django_scopes import scopes_disabled

from checkins.models import CheckinCycle, CycleReminder, CycleState, ReminderState
from districts import ticks
from districts.models import District

from .conftest import MARCH_PERIOD, chicago

pytestmark = pytest.mark.django_db


def run_until(district: District, *, start: datetime, end: datetime) -> list[datetime]:
    """Run the district's tick at each instant it asks for, from `start` until `end`; return the run times."""
    runs: list[datetime] = []
    now = start
    while now < end:
        assert ticks.queue_due(now=now) == [district.pk]
        runs.append(now)
        now = ticks.run_district(District.objects.get(pk=district.pk), now=now)
    return runs


def test_a_cycle_runs_from_opening_to_closing_on_its_own_at_its_local_instants(world):
    District.objects.filter(pk=world.district.pk).update(next_tick_at=chicago(2026, 3, 1))
    runs = run_until(world.district, start=chicago(2026, 3, 1), end=chicago(2026, 4, 10))
    with scopes_disabled():
        march = CheckinCycle.objects.get(district=world.district, period_start=MARCH_PERIOD)
        reminders = list(CycleReminder.objects.filter(cycle=march).order_by("at"))
    assert march.state == CycleState.CLOSED
    # Each step happened at its instant in the district's zone (the default schedule), not later.
    assert march.opened_at == chicago(2026, 3, 20, 6)
    assert [(r.state, r.claimed_at) for r in reminders] == [
        (ReminderState.DONE, chicago(2026, 3, 24, 7)),
        (ReminderState.DONE, chicago(2026, 3, 27, 7)),
    ]
    assert march.late_marked_at == march.due_at == chicago(2026, 3, 27, 23, 59)
    assert march.escalated_at == chicago(2026, 3, 30, 7)
    assert march.closed_at == chicago(2026, 4, 3, 23, 59)
    # The next cycle was planned on its own, with the instants it will be announced with.
    with scopes_disabled():
        april = CheckinCycle.objects.get(district=world.district, period_start=MARCH_PERIOD.replace(month=4))
    assert (april.state, april.opens_at) == (CycleState.SCHEDULED, chicago(2026, 4, 20, 6))
    # Nothing run twice, and nothing run in between for nothing: hourly only while a cycle is open and not yet
    # due (to pick up schools added); after the due instant only at its steps and the daily look.
    assert len(runs) == len(set(runs))
    after_due = [run for run in runs if march.due_at < run < march.closed_at]
    assert len(after_due) <= 8, after_due
