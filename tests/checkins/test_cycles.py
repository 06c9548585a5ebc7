"""The tick's check-in cycles: planned, opened, filled, marked late, escalated, reminded and closed, each once."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from checkins import cycles, events
from checkins.models import Checkin, CheckinCycle, CheckinEntry, CheckinState, CycleReminder, CycleState, ReminderState
from districts import services, ticks
from districts.models import District
from districts.roles import Role
from priorities.models import Assignment, AssignmentStatus
from tests.factories import SchoolFactory
from tests.plans.factories import AssignmentFactory, CommitmentFactory

from .conftest import MARCH_OPEN, build_world, chicago, counts, cycle_of

pytestmark = pytest.mark.django_db


def run(district: District, now) -> None:
    ticks.run_district(District.objects.get(pk=district.pk), now=now)


def entries_by_place(district: District) -> dict[str, set[int]]:
    with scopes_disabled():
        rows = CheckinEntry.objects.filter(district=district).values_list(
            "checkin__school__name", "checkin__department__name", "assignment_id"
        )
        found: dict[str, set[int]] = {}
        for school, department, assignment in rows:
            found.setdefault(school or department, set()).add(assignment)
        return found


def test_before_the_opening_day_the_cycle_is_only_scheduled(world):
    run(world.district, chicago(2026, 3, 19, 12))
    march = cycle_of(world.district)
    assert march.state == CycleState.SCHEDULED
    assert counts(world.district) == (1, 0, 0)
    with scopes_disabled():
        assert sorted(CycleReminder.objects.filter(cycle=march).values_list("at", flat=True)) == [
            chicago(2026, 3, 24, 7),
            chicago(2026, 3, 27, 7),
        ]
    # The district is next needed when the cycle opens (and at least once a day).
    assert District.objects.get(pk=world.district.pk).next_tick_at == chicago(2026, 3, 20, 6)


def test_opening_makes_a_checkin_per_place_with_active_assignments_and_an_entry_per_assignment(world):
    run(world.district, MARCH_OPEN)
    march = cycle_of(world.district)
    assert (march.state, march.opened_at) == (CycleState.OPEN, MARCH_OPEN)
    assert march.opens_at == chicago(2026, 3, 20, 6)
    assert march.due_at == chicago(2026, 3, 27, 23, 59)
    assert march.closes_at == chicago(2026, 4, 3, 23, 59)
    first, second = world.commitments
    expected = {
        school.name: {world.assignments[(school.pk, first.pk)].pk, world.assignments[(school.pk, second.pk)].pk}
        for school in world.schools
    }
    department_assignment = next(a for (place, _c), a in world.assignments.items() if place == world.department.pk)
    expected[world.department.name] = {department_assignment.pk}
    # Not asked: the paused assignment (its school has nothing else, so no check-in), the commitment that
    # ended in January, and the school-reported commitment assigned to the department.
    assert entries_by_place(world.district) == expected
    with scopes_disabled():
        assert set(Checkin.objects.filter(cycle=march).values_list("state", "late")) == {
            (CheckinState.NOT_STARTED, False)
        }
    # The next cycle is planned (scheduled) as soon as this one opens.
    assert cycle_of(world.district, date(2026, 4, 1)).state == CycleState.SCHEDULED
    assert counts(world.district) == (2, 4, 7)


def test_running_the_tick_again_changes_nothing(world):
    run(world.district, MARCH_OPEN)
    before = counts(world.district)
    with scopes_disabled():
        snapshot = list(CheckinCycle.objects.filter(district=world.district).values().order_by("pk"))
    for later in (MARCH_OPEN, MARCH_OPEN + timedelta(minutes=1), MARCH_OPEN + timedelta(hours=2)):
        run(world.district, later)
    assert counts(world.district) == before
    with scopes_disabled():
        assert list(CheckinCycle.objects.filter(district=world.district).values().order_by("pk")) == snapshot


def test_a_crash_mid_step_leaves_nothing_half_done(world):
    """The step is one transaction: a failure after the cycle opened rolls the opening back too."""
    with mock.patch.object(cycles, "fill_cycle", side_effect=RuntimeError("worker died")):
        run(world.district, MARCH_OPEN)
    assert counts(world.district) == (0, 0, 0)
    # The failed step is retried soon, and then does everything once.
    assert District.objects.get(pk=world.district.pk).next_tick_at == MARCH_OPEN + ticks.FAILED_STEP_RETRY
    run(world.district, MARCH_OPEN + timedelta(minutes=5))
    assert counts(world.district) == (2, 4, 7)


def test_after_the_due_instant_unsubmitted_checkins_are_late_and_after_escalation_escalated(world):
    run(world.district, MARCH_OPEN)
    march = cycle_of(world.district)
    with scopes_disabled():
        on_time = Checkin.objects.filter(cycle=march, school=world.schools[0]).get()
        Checkin.objects.filter(pk=on_time.pk).update(state=CheckinState.SUBMITTED, submitted_at=MARCH_OPEN)
    run(world.district, chicago(2026, 3, 27, 23, 58))
    with scopes_disabled():
        assert not Checkin.objects.filter(cycle=march, late=True).exists()
    run(world.district, chicago(2026, 3, 28, 0, 1))
    with scopes_disabled():
        assert set(Checkin.objects.filter(cycle=march, late=True).values_list("pk", flat=True)) == set(
            Checkin.objects.filter(cycle=march).exclude(pk=on_time.pk).values_list("pk", flat=True)
        )
        assert not Checkin.objects.filter(cycle=march, escalated_at__isnull=False).exists()
    escalation = chicago(2026, 3, 30, 7, 0, 30)
    with mock.patch.object(events, "checkins_escalated") as escalated:
        run(world.district, escalation)
        run(world.district, escalation + timedelta(minutes=1))
    assert escalated.call_count == 1
    with scopes_disabled():
        assert Checkin.objects.filter(cycle=march, escalated_at=escalation).count() == 3
        assert Checkin.objects.get(pk=on_time.pk).escalated_at is None
    assert cycle_of(world.district).state == CycleState.OPEN


def test_the_cycle_closes_after_its_close_instant_once(world):
    run(world.district, MARCH_OPEN)
    run(world.district, chicago(2026, 4, 3, 23, 58))
    assert cycle_of(world.district).state == CycleState.OPEN
    closing = chicago(2026, 4, 4, 0, 0, 30)
    with mock.patch.object(events, "cycle_closed") as closed:
        run(world.district, closing)
        run(world.district, closing + timedelta(minutes=1))
    assert closed.call_count == 1
    march = cycle_of(world.district)
    assert (march.state, march.closed_at) == (CycleState.CLOSED, closing)


def test_each_reminder_is_claimed_once_and_one_reached_after_the_due_instant_is_skipped(world):
    run(world.district, MARCH_OPEN)
    with mock.patch.object(events, "reminder_due") as reminded:
        run(world.district, chicago(2026, 3, 24, 7, 0, 30))
        run(world.district, chicago(2026, 3, 24, 8))
        assert reminded.call_count == 1
        # The tick was down from the 27th's reminder until after the due instant.
        run(world.district, chicago(2026, 3, 28, 9))
        assert reminded.call_count == 1
    with scopes_disabled():
        states = list(CycleReminder.objects.filter(cycle=cycle_of(world.district)).values_list("state", flat=True))
    assert states == [ReminderState.DONE, ReminderState.SKIPPED]


def test_the_district_is_next_needed_at_its_next_step(world):
    run(world.district, MARCH_OPEN)
    # Open and before due: looked at hourly for new schools and assignments.
    assert District.objects.get(pk=world.district.pk).next_tick_at == MARCH_OPEN + cycles.SYNC_INTERVAL
    run(world.district, chicago(2026, 3, 29, 12))
    assert District.objects.get(pk=world.district.pk).next_tick_at == chicago(2026, 3, 30, 7)


# --- Mid-cycle rules (README, "Check-in cycles") ------------------------------------------------------


def test_a_district_that_starts_before_the_current_cycle_is_due_gets_it_opened_now(world):
    joined = chicago(2026, 3, 25, 15)  # first tick ever, five days after the opening day
    run(world.district, joined)
    march = cycle_of(world.district)
    assert (march.state, march.opened_at) == (CycleState.OPEN, joined)
    assert counts(world.district) == (2, 4, 7)


def test_a_district_that_starts_after_the_current_cycle_is_due_begins_with_the_next_one(world):
    run(world.district, chicago(2026, 3, 28, 9))
    with scopes_disabled():
        assert list(CheckinCycle.objects.filter(district=world.district).values_list("period_start", "state")) == [
            (date(2026, 4, 1), CycleState.SCHEDULED)
        ]


def test_an_assignment_paused_mid_cycle_keeps_its_entry_set_aside_until_it_is_active_again(world):
    run(world.district, MARCH_OPEN)
    school = world.schools[1]
    assignment = world.assignments[(school.pk, world.commitments[0].pk)]
    with scopes_disabled():
        CheckinEntry.objects.filter(assignment=assignment).update(note="Half done")
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.PAUSED)
    run(world.district, MARCH_OPEN + timedelta(hours=1))
    with scopes_disabled():
        entry = CheckinEntry.objects.get(assignment=assignment)
        assert (entry.set_aside, entry.note) == (True, "Half done")
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACTIVE)
    run(world.district, MARCH_OPEN + timedelta(hours=2))
    with scopes_disabled():
        assert CheckinEntry.objects.get(assignment=assignment).set_aside is False
    assert counts(world.district) == (2, 4, 7)


def test_a_school_given_assignments_before_the_due_instant_gets_a_checkin_in_the_open_cycle(world):
    run(world.district, MARCH_OPEN)
    newcomer = SchoolFactory(district=world.district, name="New school")
    added = AssignmentFactory(commitment=world.commitments[0], school=newcomer)
    # And a new assignment for a school that has a check-in already.
    extra = AssignmentFactory(commitment=world.commitments[1], school=world.only_paused_school)
    run(world.district, MARCH_OPEN + cycles.SYNC_INTERVAL)
    places = entries_by_place(world.district)
    assert places["New school"] == {added.pk}
    assert places[world.only_paused_school.name] == {extra.pk}
    assert counts(world.district) == (2, 6, 9)


def test_after_the_due_instant_no_checkin_is_added(world):
    run(world.district, MARCH_OPEN)
    newcomer = SchoolFactory(district=world.district, name="Late school")
    AssignmentFactory(commitment=world.commitments[0], school=newcomer)
    run(world.district, chicago(2026, 3, 28, 9))
    assert "Late school" not in entries_by_place(world.district)


def test_a_submitted_checkin_is_not_given_new_entries(world):
    run(world.district, MARCH_OPEN)
    school = world.schools[0]
    with scopes_disabled():
        Checkin.objects.filter(school=school).update(state=CheckinState.SUBMITTED, submitted_at=MARCH_OPEN)
    later = CommitmentFactory(priority=world.commitments[0].priority)
    AssignmentFactory(commitment=later, school=school)
    run(world.district, MARCH_OPEN + cycles.SYNC_INTERVAL)
    assert len(entries_by_place(world.district)[school.name]) == 2


# --- Settings changes ------------------------------------------------------------------------------


def test_a_schedule_change_replans_the_scheduled_cycle_and_leaves_the_open_one_as_announced(world, make_member):
    run(world.district, MARCH_OPEN)
    admin = make_member(world.district, Role.DISTRICT_ADMIN)
    district = District.objects.get(pk=world.district.pk)
    with scopes_disabled():
        services.district_update(district=district, actor=admin, checkin_open_day=10, checkin_due_days=5)
    assert District.objects.get(pk=district.pk).next_tick_at <= timezone.now()  # nudged
    run(world.district, MARCH_OPEN + timedelta(minutes=5))
    march, april = cycle_of(world.district), cycle_of(world.district, date(2026, 4, 1))
    assert march.due_at == chicago(2026, 3, 27, 23, 59)
    assert (april.state, april.opens_at, april.due_at) == (
        CycleState.SCHEDULED,
        chicago(2026, 4, 10, 6),
        chicago(2026, 4, 15, 23, 59),
    )
    with scopes_disabled():
        assert sorted(CycleReminder.objects.filter(cycle=april).values_list("at", flat=True)) == [
            chicago(2026, 4, 12, 7),
            chicago(2026, 4, 15, 7),
        ]


def test_no_active_plan_no_cycles(district):
    run(district, MARCH_OPEN)
    assert counts(district) == (0, 0, 0)


def test_the_step_for_one_district_never_touches_another(world, other_district):
    other = build_world(other_district)
    run(world.district, MARCH_OPEN)
    assert counts(other.district) == (0, 0, 0)
    assert counts(world.district) == (2, 4, 7)


def test_opening_a_cycle_costs_the_same_queries_for_few_or_many_schools(district, other_district):
    small, large = build_world(district), build_world(other_district)
    for n in range(12):
        school = SchoolFactory(district=large.district, name=f"extra {n}")
        for commitment in large.commitments:
            AssignmentFactory(commitment=commitment, school=school)
    queries = []
    for world in (small, large):
        with CaptureQueriesContext(connection) as captured:
            run(world.district, MARCH_OPEN)
        queries.append(len(captured))
    assert counts(large.district) == (2, 16, 31)
    assert queries[0] == queries[1]
