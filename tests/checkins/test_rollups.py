"""Stored check-in roll-ups (checkins.rollups): every counter from source, kept current through the outbox."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from checkins import events, rollups
from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinRollup,
    CheckinState,
    CycleState,
    EntryStatus,
)
from districts import ticks
from districts.models import District, PendingWork, School
from priorities.models import Assignment
from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory

from .conftest import MARCH_OPEN, chicago, cycle_of

pytestmark = pytest.mark.django_db


def run(district: District, now) -> None:
    ticks.run_district(District.objects.get(pk=district.pk), now=now)


def stored(district: District) -> dict[str, dict]:
    with scopes_disabled():
        return {
            row["key"]: row
            for row in CheckinRollup.objects.filter(district=district).values("cycle_id", "key", *rollups.ROW_FIELDS)
        }


def bulk_cycle(district: District, *, schools: int, priorities: int = 2, per_priority: int = 2, seed: int = 1):
    """An open cycle of `schools` schools each asked every commitment, built in bulk with random answers."""
    rng = random.Random(seed)
    plan = ActivePlanFactory(district=district, start_year=2025, end_year=2030)
    commitments = [
        CommitmentFactory(priority=priority)
        for priority in (PriorityFactory(plan=plan) for _ in range(priorities))
        for _ in range(per_priority)
    ]
    first = SchoolFactory(district=district)
    with scopes_disabled():
        places = [
            first,
            *School.objects.bulk_create(
                School(district=district, name=f"Bulk school {n}", code=f"B{n:05d}", level=first.level, enrollment=400)
                for n in range(schools - 1)
            ),
        ]
        assignments = Assignment.objects.bulk_create(
            Assignment(district=district, commitment=commitment, school=school)
            for school in places
            for commitment in commitments
        )
        cycle = CheckinCycle.objects.create(
            district=district,
            plan=plan,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            opens_at=chicago(2026, 3, 20, 6),
            due_at=chicago(2026, 3, 27, 23, 59),
            escalates_at=chicago(2026, 3, 30, 7),
            closes_at=chicago(2026, 4, 3, 23, 59),
            state=CycleState.OPEN,
        )
        states = list(CheckinState)
        checkins = []
        for school in places:
            state = rng.choice(states)
            submitted_at = (
                chicago(2026, 3, 21) + timedelta(hours=rng.randrange(200)) if state != "not_started" else None
            )
            responded = state in ("acknowledged", "returned") or (state == "submitted" and rng.random() < 0.5)
            checkins.append(
                Checkin(
                    district=district,
                    cycle=cycle,
                    school=school,
                    state=state,
                    late=rng.random() < 0.3,
                    submitted_at=submitted_at,
                    first_response_at=submitted_at + timedelta(seconds=rng.randrange(1, 400_000))
                    if submitted_at and responded
                    else None,
                )
            )
        checkins = Checkin.objects.bulk_create(checkins)
        by_school = {checkin.school_id: checkin for checkin in checkins}
        CheckinEntry.objects.bulk_create(
            CheckinEntry(
                district=district,
                checkin=by_school[assignment.school_id],
                assignment=assignment,
                status=rng.choice(list(EntryStatus)),
                support_requested=(asked := rng.random() < 0.2),
                support_resolved_at=chicago(2026, 3, 29) if asked and rng.random() < 0.5 else None,
                set_aside=rng.random() < 0.05,
            )
            for assignment in assignments
        )
    return cycle


ZERO = dict.fromkeys(rollups.COUNTER_FIELDS, 0) | {"loop_seconds_median": None, "loop_seconds_max": None}


def counters(row: dict) -> dict:
    return {name: row[name] for name in rollups.COUNTER_FIELDS}


def expected(**numbers: int | None) -> dict:
    return ZERO | numbers


SUBMITTED_AT = chicago(2026, 3, 23, 9)


@pytest.fixture
def hand_built(world, django_capture_on_commit_callbacks):
    """The world's March cycle with a second priority, filled in by hand (states set directly):

    school 0 submitted on time, answered after 100 s: first on track, second at risk asking for support,
        the second priority's commitment done;
    school 1 acknowledged, late, answered after 300 s: first off track with support resolved, second done,
        the second priority's commitment set aside (on track, not counted);
    school 2 returned (answered after 50 s): first on track asking for support, second not started;
    the department not started and late.
    """
    first, second = world.commitments
    other_priority = PriorityFactory(plan=first.priority.plan)
    fourth = CommitmentFactory(priority=other_priority)
    s0, s1, s2 = world.schools
    for school in (s0, s1):
        world.assignments[(school.pk, fourth.pk)] = AssignmentFactory(commitment=fourth, school=school)
    with django_capture_on_commit_callbacks(execute=True):
        run(world.district, MARCH_OPEN)
    cycle = cycle_of(world.district)
    with scopes_disabled():
        checkins = {(c.school_id, c.department_id): c for c in Checkin.objects.filter(cycle=cycle)}

        def checkin(place) -> Checkin:
            return checkins[(place.pk, None) if isinstance(place, School) else (None, place.pk)]

        def fill(place, **fields):
            Checkin.objects.filter(pk=checkin(place).pk).update(**fields)

        def entry(place, commitment, **fields):
            assignment = world.assignments[(place.pk, commitment.pk)]
            assert CheckinEntry.objects.filter(checkin=checkin(place), assignment=assignment).update(**fields) == 1

        answered = {"submitted_at": SUBMITTED_AT}
        fill(s0, state=CheckinState.SUBMITTED, first_response_at=SUBMITTED_AT + timedelta(seconds=100), **answered)
        entry(s0, first, status=EntryStatus.ON_TRACK)
        entry(s0, second, status=EntryStatus.AT_RISK, support_requested=True)
        entry(s0, fourth, status=EntryStatus.DONE)
        fill(
            s1,
            state=CheckinState.ACKNOWLEDGED,
            late=True,
            first_response_at=SUBMITTED_AT + timedelta(seconds=300),
            **answered,
        )
        entry(s1, first, status=EntryStatus.OFF_TRACK, support_requested=True, support_resolved_at=SUBMITTED_AT)
        entry(s1, second, status=EntryStatus.DONE)
        entry(s1, fourth, status=EntryStatus.ON_TRACK, set_aside=True)
        fill(s2, state=CheckinState.RETURNED, first_response_at=SUBMITTED_AT + timedelta(seconds=50), **answered)
        entry(s2, first, status=EntryStatus.ON_TRACK, support_requested=True)
        fill(world.department, late=True)
    rollups.refresh_cycle(district=world.district, cycle_id=cycle.pk)
    return world, cycle, other_priority, fourth


def test_every_counter_of_every_scope_is_counted_from_the_checkins(hand_built):
    world, cycle, other_priority, fourth = hand_built
    first, second = world.commitments
    priority = first.priority
    s0, s1, s2 = world.schools
    department = world.department
    for_departments = next(a.commitment_id for a in world.assignments.values() if a.department_id)
    rows = stored(world.district)
    p, q, d = priority.pk, other_priority.pk, department.pk
    assert set(rows) == {
        "district",
        f"p:{p}",
        f"p:{q}",
        f"c:{first.pk}",
        f"c:{second.pk}",
        f"c:{for_departments}",
        f"c:{fourth.pk}",
        f"s:{s0.pk}",
        f"s:{s1.pk}",
        f"s:{s2.pk}",
        f"d:{d}",
        f"s:{s0.pk}:p:{p}",
        f"s:{s0.pk}:p:{q}",
        f"s:{s1.pk}:p:{p}",  # not s1 × the other priority: its only entry there is set aside
        f"s:{s2.pk}:p:{p}",
        f"d:{d}:p:{p}",
    }
    assert {row["cycle_id"] for row in rows.values()} == {cycle.pk}
    everything = {
        "checkins_expected": 4,
        "checkins_submitted": 2,
        "checkins_on_time": 1,
        "checkins_late": 2,
        "checkins_returned": 1,
        "checkins_acknowledged": 1,
        "support_requested": 3,
        "support_open": 2,
        "responded": 2,
        "loop_seconds_median": 200,
        "loop_seconds_max": 300,
    }
    assert counters(rows["district"]) == expected(
        entries_expected=8, entries_reported=5, on_track=1, at_risk=1, off_track=1, done=2, **everything
    )
    assert counters(rows[f"p:{p}"]) == expected(
        entries_expected=7, entries_reported=4, on_track=1, at_risk=1, off_track=1, done=1, **everything
    )
    only_school_0 = {
        "entries_expected": 1,
        "entries_reported": 1,
        "done": 1,
        "checkins_expected": 1,
        "checkins_submitted": 1,
        "checkins_on_time": 1,
        "responded": 1,
        "loop_seconds_median": 100,
        "loop_seconds_max": 100,
    }
    assert counters(rows[f"p:{q}"]) == expected(**only_school_0)
    assert counters(rows[f"c:{fourth.pk}"]) == expected(**only_school_0)
    assert counters(rows[f"s:{s0.pk}:p:{q}"]) == expected(**only_school_0)
    assert counters(rows[f"c:{first.pk}"]) == expected(
        entries_expected=3,
        entries_reported=2,
        on_track=1,
        off_track=1,
        checkins_expected=3,
        checkins_submitted=2,
        checkins_on_time=1,
        checkins_late=1,
        checkins_returned=1,
        checkins_acknowledged=1,
        support_requested=2,
        support_open=1,
        responded=2,
        loop_seconds_median=200,
        loop_seconds_max=300,
    )
    school_1 = {
        "entries_expected": 2,
        "entries_reported": 2,
        "off_track": 1,
        "done": 1,
        "checkins_expected": 1,
        "checkins_submitted": 1,
        "checkins_late": 1,
        "checkins_acknowledged": 1,
        "support_requested": 1,
        "responded": 1,
        "loop_seconds_median": 300,
        "loop_seconds_max": 300,
    }
    assert counters(rows[f"s:{s1.pk}"]) == expected(**school_1)
    assert counters(rows[f"s:{s1.pk}:p:{p}"]) == expected(**school_1)
    # A returned check-in is expected, not reported; its support requests still count, its loop doesn't.
    assert counters(rows[f"s:{s2.pk}"]) == expected(
        entries_expected=2, checkins_expected=1, checkins_returned=1, support_requested=1, support_open=1
    )
    assert counters(rows[f"s:{s0.pk}"]) == expected(
        entries_expected=3,
        entries_reported=3,
        on_track=1,
        at_risk=1,
        done=1,
        checkins_expected=1,
        checkins_submitted=1,
        checkins_on_time=1,
        support_requested=1,
        support_open=1,
        responded=1,
        loop_seconds_median=100,
        loop_seconds_max=100,
    )
    not_started = expected(entries_expected=1, checkins_expected=1, checkins_late=1)
    assert counters(rows[f"d:{d}"]) == not_started
    assert counters(rows[f"d:{d}:p:{p}"]) == not_started
    # Each row names its scope's objects.
    assert (rows[f"s:{s0.pk}:p:{q}"]["scope"], rows[f"s:{s0.pk}:p:{q}"]["school_id"]) == ("school_priority", s0.pk)
    assert rows[f"s:{s0.pk}:p:{q}"]["priority_id"] == q
    assert (rows[f"c:{fourth.pk}"]["commitment_id"], rows[f"c:{fourth.pk}"]["priority_id"]) == (fourth.pk, q)
    assert (rows[f"d:{d}"]["scope"], rows[f"d:{d}"]["department_id"]) == ("department", d)


def test_the_median_of_an_even_number_of_loops_is_the_mean_of_the_middle_two_rounded_down():
    tally = rollups._Tally(scope="district", loops=[7, 1, 4, 100])
    assert (tally.row()["loop_seconds_median"], tally.row()["loop_seconds_max"]) == (5, 100)
    assert rollups._Tally(scope="district", loops=[3, 9, 4]).row()["loop_seconds_median"] == 4
    assert rollups._loop_seconds(SUBMITTED_AT, SUBMITTED_AT - timedelta(seconds=5)) == 0  # clocks disagreeing


def test_a_scope_left_without_expected_entries_loses_its_row_and_a_repeat_changes_nothing(hand_built):
    world, cycle, other_priority, fourth = hand_built
    s0 = world.schools[0]
    before = stored(world.district)
    assert rollups.refresh_cycle(district=world.district, cycle_id=cycle.pk) == 0
    assert stored(world.district) == before
    with scopes_disabled():
        CheckinEntry.objects.filter(checkin__school=s0, checkin__cycle=cycle).update(set_aside=True)
    # The school's rows, its cells and the other priority (only school 0 reported there) go; others change.
    changed = rollups.refresh_cycle(district=world.district, cycle_id=cycle.pk)
    after = stored(world.district)
    gone = {key for key in before if key not in after}
    assert gone == {
        f"s:{s0.pk}",
        f"s:{s0.pk}:p:{world.commitments[0].priority_id}",
        f"s:{s0.pk}:p:{other_priority.pk}",
        f"p:{other_priority.pk}",
        f"c:{fourth.pk}",
    }
    assert after["district"]["entries_expected"] == 5
    assert changed == len(gone) + sum(before[key] != after[key] for key in after)


def test_another_districts_cycle_id_changes_nothing(hand_built, other_district):
    world, cycle, _priority, _commitment = hand_built
    before = stored(world.district)
    with scopes_disabled():
        CheckinRollup.objects.filter(cycle=cycle, key="district").update(entries_expected=99)
    assert rollups.deliver_refresh(district=other_district, payload={"cycle_id": cycle.pk}) == 0
    assert rollups.refresh_cycle(district=other_district, cycle_id=cycle.pk) == 0
    assert stored(other_district) == {}
    assert stored(world.district)["district"]["entries_expected"] == 99
    # Its own district's refresh puts the number right again.
    assert rollups.deliver_refresh(district=world.district, payload={"cycle_id": cycle.pk}) == 1
    assert stored(world.district) == before


def test_a_change_reported_through_events_refreshes_the_rows_once_committed(
    hand_built, django_capture_on_commit_callbacks
):
    world, cycle, _priority, _commitment = hand_built
    department = world.department
    key = f"d:{department.pk}"
    with scopes_disabled():
        checkin = Checkin.objects.select_related("district").get(cycle=cycle, department=department)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, scopes_disabled():
        Checkin.objects.filter(pk=checkin.pk).update(state=CheckinState.SUBMITTED, submitted_at=SUBMITTED_AT)
        CheckinEntry.objects.filter(checkin=checkin).update(status=EntryStatus.ON_TRACK)
        events.checkin_submitted(checkin, actor=None)
        events.checkin_submitted(checkin, actor=None)  # a burst joins one waiting refresh
        assert stored(world.district)[key]["checkins_submitted"] == 0  # nothing before the commit
    assert len(callbacks) == 1
    row = stored(world.district)[key]
    assert (row["checkins_submitted"], row["entries_reported"], row["on_track"]) == (1, 1, 1)
    with scopes_disabled():
        assert PendingWork.objects.filter(kind=rollups.REFRESH_KIND, done_at__isnull=True).count() == 0


def test_the_rebuild_command_recomputes_a_district_or_every_district(hand_built, other_district):
    world, cycle, _priority, _commitment = hand_built
    before = stored(world.district)
    with scopes_disabled():
        CheckinRollup.objects.filter(cycle=cycle, key="district").delete()
        CheckinRollup.objects.filter(cycle=cycle, scope="school").update(on_track=42)
    out = StringIO()
    call_command("rebuild_checkin_rollups", world.district.slug, stdout=out)
    assert out.getvalue() == f"{world.district.slug}: check-in roll-ups recomputed, {len(before)} rows.\n"
    assert stored(world.district) == before
    out = StringIO()
    call_command("rebuild_checkin_rollups", "--all", stdout=out)
    assert f"{other_district.slug}: check-in roll-ups recomputed, 0 rows." in out.getvalue()
    assert rollups.rebuild_district(world.district) == len(before)
    with pytest.raises(CommandError):
        call_command("rebuild_checkin_rollups")
    with pytest.raises(CommandError, match="no-such-district"):
        call_command("rebuild_checkin_rollups", "no-such-district")


@pytest.mark.parametrize("refreshed", [False, True], ids=["first", "again"])
def test_a_refresh_costs_the_same_number_of_queries_for_3_schools_or_30(
    district, other_district, refreshed, django_assert_num_queries
):
    small = bulk_cycle(district, schools=3, seed=1)
    large = bulk_cycle(other_district, schools=30, seed=2)
    if refreshed:
        rollups.refresh_cycle(district=district, cycle_id=small.pk)
        rollups.refresh_cycle(district=other_district, cycle_id=large.pk)
        with scopes_disabled():  # some rows change, some are stale
            for cycle in (small, large):
                Checkin.objects.filter(cycle=cycle).update(state=CheckinState.SUBMITTED, late=False)
                CheckinRollup.objects.create(district=cycle.district, cycle=cycle, scope="school", key="s:0")
    with CaptureQueriesContext(connection) as small_queries:
        assert rollups.refresh_cycle(district=district, cycle_id=small.pk)
    with django_assert_num_queries(len(small_queries)):
        assert rollups.refresh_cycle(district=other_district, cycle_id=large.pk) > 30
