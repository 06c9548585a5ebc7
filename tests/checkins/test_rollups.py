"""Stored check-in roll-ups (checkins.rollups): every counter from source, kept current through the outbox."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from checkins import events, rollups, services
from checkins.models import (
    EDITABLE_CHECKIN_STATES,
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinRollup,
    CheckinState,
    CycleState,
    EntryStatus,
)
from checkins.services import EntryInput
from districts import ticks
from districts.models import District, PendingWork, School
from districts.roles import Role
from districts.tenancy import district_context
from priorities import services as priorities_services
from priorities.models import Assignment, AssignmentStatus
from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory

from .conftest import MARCH_OPEN, chicago, cycle_of

pytestmark = pytest.mark.django_db


def run(district: District, now) -> None:
    ticks.run_district(District.objects.get(pk=district.pk), now=now)


def stored(district: District) -> dict[str, dict]:
    """The district's rows by key (tests with one cycle)."""
    rows = every_row(district)
    assert len({cycle_id for cycle_id, _key in rows}) <= 1
    return {key: row for (_cycle_id, key), row in rows.items()}


def every_row(district: District) -> dict[tuple[int, str], dict]:
    with scopes_disabled():
        return {
            (row["cycle_id"], row["key"]): row
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
        assert PendingWork.objects.filter(kind=rollups.REFRESH_KIND, done_at__isnull=True).count() == 1
    assert callbacks  # the refresh was nudged after the commit
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
def test_a_refresh_costs_the_same_number_of_queries_for_3_schools_or_many(
    district, other_district, refreshed, django_assert_num_queries
):
    # SQLite takes at most 999 parameters a statement, so its upserts go ~35 rows at a time: 10 schools
    # (24 rows) stay in one statement there; PostgreSQL's batches are 1,000 rows.
    many = 30 if connection.vendor == "postgresql" else 10
    small = bulk_cycle(district, schools=3, priorities=1, seed=1)
    large = bulk_cycle(other_district, schools=many, priorities=1, seed=2)
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
        assert rollups.refresh_cycle(district=other_district, cycle_id=large.pk) > many


# --- The stored rows equal a rebuild after any sequence of changes --------------------------------


def _typed(rng: random.Random, *, complete: bool) -> EntryInput:
    status = rng.choice(list(EntryStatus))
    asks = rng.random() < 0.3
    return EntryInput(
        status=status,
        note="Because of the weather." if complete or rng.random() < 0.5 else "",
        evidence_url="",
        blocker="",
        support_requested=asks,
        support_needed="A coach for two days." if asks else "",
    )


def test_after_a_long_random_sequence_of_changes_the_stored_rows_equal_a_rebuild(
    world, make_member, django_capture_on_commit_callbacks
):
    """~200 seeded random steps through the services and the tick (submissions, drafts, returns,
    acknowledgements, comments, support requests and resolutions, assignments paused and resumed) over
    the March and April cycles; the rows kept current by the outbox equal the rows a rebuild computes."""
    rng = random.Random(9)
    district = world.district
    first = world.commitments[0]
    extra = CommitmentFactory(priority=PriorityFactory(plan=first.priority.plan))
    more_schools = [SchoolFactory(district=district, name=f"More school {n}") for n in range(3)]
    for school in [*world.schools, *more_schools]:
        AssignmentFactory(commitment=extra, school=school)
    for school in more_schools:
        AssignmentFactory(commitment=first, school=school)
    editors = {("s", s.pk): make_member(district, Role.PRINCIPAL, school=s) for s in [*world.schools, *more_schools]}
    editors[("d", world.department.pk)] = make_member(district, Role.CABINET, department=world.department)
    reviewer = make_member(district, Role.SUPERINTENDENT)
    admin = make_member(district, Role.DISTRICT_ADMIN)
    with scopes_disabled():
        assignments = list(Assignment.objects.filter(district=district, status=AssignmentStatus.ACTIVE))

    def editor_of(checkin: Checkin):
        return editors[("s", checkin.school_id) if checkin.school_id else ("d", checkin.department_id)]

    now = MARCH_OPEN
    done: dict[str, int] = {}  # steps that changed something, by kind
    reached: set[str] = set()  # counters seen above zero on the way

    def step(kind: str) -> None:
        with district_context(district):
            checkins = list(
                Checkin.objects.filter(district=district, cycle__state=CycleState.OPEN).select_related(
                    "cycle", "district"
                )
            )
            by_state = {state: [c for c in checkins if c.state == state] for state in CheckinState}
            editable = [c for c in checkins if c.state in EDITABLE_CHECKIN_STATES]
            if kind == "tick":
                ticks.run_district(District.objects.get(pk=district.pk), now=now)
            elif kind in ("submit", "draft") and editable:
                checkin = rng.choice(editable)
                ids = list(CheckinEntry.objects.filter(checkin=checkin, set_aside=False).values_list("pk", flat=True))
                typed = {pk: _typed(rng, complete=kind == "submit") for pk in ids if rng.random() < 0.8}
                if kind == "submit":
                    typed = {pk: typed.get(pk) or _typed(rng, complete=True) for pk in ids}
                    services.submit_checkin(
                        district=district,
                        actor=editor_of(checkin),
                        checkin=checkin,
                        version=checkin.version,
                        entries=typed,
                        now=now,
                    )
                else:
                    services.save_checkin_draft(
                        district=district,
                        actor=editor_of(checkin),
                        checkin=checkin,
                        version=checkin.version,
                        entries=typed,
                        values={},
                    )
            elif kind == "acknowledge" and by_state[CheckinState.SUBMITTED]:
                checkin = rng.choice(by_state[CheckinState.SUBMITTED])
                services.acknowledge_checkin(district=district, actor=reviewer, checkin=checkin, now=now)
            elif kind == "return" and (by_state[CheckinState.SUBMITTED] + by_state[CheckinState.ACKNOWLEDGED]):
                checkin = rng.choice(by_state[CheckinState.SUBMITTED] + by_state[CheckinState.ACKNOWLEDGED])
                services.return_checkin(
                    district=district, actor=reviewer, checkin=checkin, comment="Please add the evidence.", now=now
                )
            elif kind == "comment" and (by_state[CheckinState.SUBMITTED] + by_state[CheckinState.ACKNOWLEDGED]):
                checkin = rng.choice(by_state[CheckinState.SUBMITTED] + by_state[CheckinState.ACKNOWLEDGED])
                services.comment_on_checkin(
                    district=district, actor=reviewer, checkin=checkin, body="Thank you.", now=now
                )
            elif kind == "resolve":
                asking = list(
                    CheckinEntry.objects.filter(
                        district=district,
                        checkin__in=[c for c in checkins if c.state in rollups.SUPPORT_STATES],
                        support_requested=True,
                        support_resolved_at__isnull=True,
                    ).select_related("checkin", "assignment__commitment__priority")
                )
                if not asking:
                    return
                entry = rng.choice(asking)
                services.resolve_support_request(district=district, actor=reviewer, entry=entry, body="Done.", now=now)
            elif kind == "pause":
                assignment = rng.choice(assignments)
                assignment.refresh_from_db()
                status = AssignmentStatus.ACTIVE if assignment.status == AssignmentStatus.PAUSED else "paused"
                priorities_services.assignment_set_status(
                    district=district, actor=admin, assignment=assignment, status=status
                )
            else:
                return
        done[kind] = done.get(kind, 0) + 1

    kinds = ["tick"] * 4 + ["submit"] * 5 + ["draft"] * 3 + ["acknowledge"] * 2 + ["return"] * 2
    kinds += ["comment", "comment", "resolve", "resolve", "pause"]
    for number in range(200):
        now += timedelta(minutes=rng.randrange(30, 480))  # 20 March to about mid-April: two cycles
        kind = rng.choice(kinds)
        # A step refused (e.g. the cycle closed meanwhile) changes nothing.
        with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(ValidationError, PermissionDenied):
            step(kind)
        # After every step, not only at the end: a change that forgot to schedule a refresh shows at once
        # (a later refresh of the whole cycle would hide it).
        with district_context(district):
            computed = {
                (cycle.pk, key): {**row, "cycle_id": cycle.pk, "key": key}
                for cycle in CheckinCycle.objects.filter(district=district)
                for key, row in rollups.compute_cycle_rows(district=district, cycle=cycle).items()
            }
        assert every_row(district) == computed, (number, kind)
        reached.update(name for row in computed.values() for name in rollups.COUNTER_FIELDS if row[name])

    assert min(done.get(kind, 0) for kind in set(kinds)) >= 2, sorted(done.items())
    maintained = every_row(district)
    with scopes_disabled():
        assert CheckinCycle.objects.filter(district=district, state=CycleState.CLOSED).exists()
        assert CheckinEntry.objects.filter(district=district, set_aside=True).exists()
        CheckinRollup.objects.filter(district=district).delete()
    assert rollups.rebuild_district(district) == len(maintained)
    rebuilt = every_row(district)
    assert rebuilt == maintained
    # The sequence reached every kind of number.
    assert reached == set(rollups.COUNTER_FIELDS), done


def test_the_tick_marking_checkins_late_refreshes_the_rows(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(world.district, MARCH_OPEN)
    assert stored(world.district)["district"]["checkins_late"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        run(world.district, chicago(2026, 3, 28, 8))  # past the due instant: all four are late
    assert stored(world.district)["district"]["checkins_late"] == 4
