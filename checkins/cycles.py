"""The check-in cycles' tick step: plan, open, fill, mark late, escalate, remind and close, for one district.

Registered with districts.ticks in checkins.apps; runs inside the district's `district_context` (one
transaction), and returns when the district next needs it. Idempotent by construction:

* a cycle is created only with `bulk_create(ignore_conflicts=True)` on the unique (district,
  period_start), check-ins on (district, cycle, school) / (district, cycle, department), entries on
  (district, checkin, assignment), reminders on (district, cycle, at): a repeated or concurrent run
  inserts nothing twice;
* every state change is a conditional UPDATE (scheduled → open, open → closed, late_marked_at /
  escalated_at null → now, reminder pending → done), so only one run does each;
* everything happens in the step's transaction, so a crash leaves nothing half-done.

What each step causes (roll-ups, emails) is recorded through checkins.events in the same transaction.

The rules for districts, assignments and schools that change mid-cycle are in the README
("Check-in cycles").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from districts.models import District
from plans.models import PlanState, StrategicPlan
from priorities.models import (
    REPORTED_IN_DEPARTMENT_CHECKINS,
    REPORTED_IN_SCHOOL_CHECKINS,
    Assignment,
    AssignmentStatus,
)

from . import events
from .models import (
    EDITABLE_CHECKIN_STATES,
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CycleReminder,
    CycleState,
    ReminderState,
)
from .schedule import CycleTimes, ScheduleSettings, next_cycle

# While a cycle is open and not yet due, the tick looks this often for schools, departments and
# assignments added since it opened.
SYNC_INTERVAL = timedelta(hours=1)
ENTRY_BATCH = 2000


def tick_step(*, district: District, now: datetime) -> datetime | None:
    """Do what is due for the district's cycles at `now`; return when it is next needed (None: nothing planned)."""
    _plan_next_cycle(district=district, now=now)
    _open_due_cycles(district=district, now=now)
    _plan_next_cycle(district=district, now=now)  # the one after the cycle just opened
    for cycle in CheckinCycle.objects.filter(district=district, state=CycleState.OPEN).order_by("opens_at"):
        _run_open_cycle(cycle, now=now)
    return _next_step_at(district=district, now=now)


# --- Planning ------------------------------------------------------------------------------------


def _active_plan(district: District) -> StrategicPlan | None:
    return StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).select_related("district").first()


def _expected_next(district: District, now: datetime) -> tuple[StrategicPlan, CycleTimes] | None:
    """The cycle the district should have scheduled next, from its settings as they are now."""
    plan = _active_plan(district)
    if plan is None:
        return None
    started = CheckinCycle.objects.filter(district=district).exclude(state=CycleState.SCHEDULED)
    last_end = started.order_by("-period_end").values_list("period_end", flat=True).first()
    times = next_cycle(plan.period, ScheduleSettings.of(district), district.tzinfo, after=last_end, now=now)
    return (plan, times) if times is not None else None


def _matches(cycle: CheckinCycle, plan: StrategicPlan, times: CycleTimes, reminders: set[datetime]) -> bool:
    return (
        cycle.plan_id == plan.pk
        and (cycle.period_start, cycle.period_end) == (times.period_start, times.period_end)
        and (cycle.opens_at, cycle.due_at, cycle.escalates_at, cycle.closes_at)
        == (times.opens_at, times.due_at, times.escalates_at, times.closes_at)
        and reminders == set(times.reminders_at)
    )


def _plan_next_cycle(*, district: District, now: datetime) -> None:
    """Keep exactly the expected next cycle scheduled.

    A scheduled cycle (nothing in it yet) that no longer matches the settings, the active plan or the
    clock (its due instant passed before it opened) is deleted — only while still scheduled — and the
    expected one planned in its place. Open and closed cycles keep the instants they were announced with.
    """
    expected = _expected_next(district, now)
    scheduled = list(CheckinCycle.objects.filter(district=district, state=CycleState.SCHEDULED))
    reminders: dict[int, set[datetime]] = {}
    for at_cycle, at in CycleReminder.objects.filter(cycle__in=[c.pk for c in scheduled]).values_list("cycle", "at"):
        reminders.setdefault(at_cycle, set()).add(at)
    for cycle in scheduled:
        if expected is None or not _matches(cycle, *expected, reminders.get(cycle.pk, set())):
            CheckinCycle.objects.filter(pk=cycle.pk, state=CycleState.SCHEDULED).delete()
    if expected is None:
        return
    plan, times = expected
    CheckinCycle.objects.bulk_create(
        [
            CheckinCycle(
                district=district,
                plan=plan,
                period_start=times.period_start,
                period_end=times.period_end,
                opens_at=times.opens_at,
                due_at=times.due_at,
                escalates_at=times.escalates_at,
                closes_at=times.closes_at,
            )
        ],
        ignore_conflicts=True,
    )
    cycle = CheckinCycle.objects.filter(district=district, period_start=times.period_start).first()
    if cycle is not None and cycle.state == CycleState.SCHEDULED:
        CycleReminder.objects.bulk_create(
            [CycleReminder(district=district, cycle=cycle, at=at) for at in times.reminders_at],
            ignore_conflicts=True,
        )


def _open_due_cycles(*, district: District, now: datetime) -> None:
    due = CheckinCycle.objects.filter(
        district=district, state=CycleState.SCHEDULED, opens_at__lte=now, due_at__gt=now
    ).values_list("pk", flat=True)
    for cycle_id in list(due):
        if CheckinCycle.objects.filter(pk=cycle_id, state=CycleState.SCHEDULED).update(
            state=CycleState.OPEN, opened_at=now
        ):
            events.cycle_opened(CheckinCycle.objects.get(pk=cycle_id))


# --- An open cycle -------------------------------------------------------------------------------


def _run_open_cycle(cycle: CheckinCycle, *, now: datetime) -> None:
    added = fill_cycle(cycle) if now < cycle.due_at else 0
    if set_aside_inactive_entries(cycle) or added:
        events.cycle_filled(cycle)
    if cycle.due_at <= now and cycle.late_marked_at is None and _claim(cycle, "late_marked_at", now):
        Checkin.objects.filter(
            district_id=cycle.district_id, cycle=cycle, submitted_at__isnull=True, late=False
        ).update(late=True)
        events.checkins_marked_late(cycle)
    if cycle.escalates_at <= now and cycle.escalated_at is None and _claim(cycle, "escalated_at", now):
        Checkin.objects.filter(
            district_id=cycle.district_id, cycle=cycle, late=True, submitted_at__isnull=True, escalated_at=None
        ).update(escalated_at=now)
        events.checkins_escalated(cycle, at=now)
    _claim_reminders(cycle, now=now)
    closing = CheckinCycle.objects.filter(pk=cycle.pk, state=CycleState.OPEN)
    if cycle.closes_at <= now and closing.update(state=CycleState.CLOSED, closed_at=now):
        events.cycle_closed(cycle)


def _claim(cycle: CheckinCycle, field: str, now: datetime) -> bool:
    """Mark a once-per-cycle step done; True for the one run that did."""
    return bool(CheckinCycle.objects.filter(pk=cycle.pk, **{f"{field}__isnull": True}).update(**{field: now}))


def _claim_reminders(cycle: CheckinCycle, *, now: datetime) -> None:
    for reminder in CycleReminder.objects.filter(cycle=cycle, state=ReminderState.PENDING, at__lte=now):
        # One reached only after the due instant (the tick was down) would remind of something past.
        state = ReminderState.DONE if now < cycle.due_at else ReminderState.SKIPPED
        if (
            CycleReminder.objects.filter(pk=reminder.pk, state=ReminderState.PENDING).update(
                state=state, claimed_at=now
            )
            and state == ReminderState.DONE
        ):
            events.reminder_due(reminder)


def eligible_assignments(cycle: CheckinCycle) -> QuerySet[Assignment]:
    """The assignments a cycle asks about: active, in the cycle's plan, their commitment running at some
    point of the period, and reported in that kind of place's check-in."""
    return Assignment.objects.filter(
        Q(school__isnull=False, commitment__reported_in__in=REPORTED_IN_SCHOOL_CHECKINS)
        | Q(department__isnull=False, commitment__reported_in__in=REPORTED_IN_DEPARTMENT_CHECKINS),
        district_id=cycle.district_id,
        status=AssignmentStatus.ACTIVE,
        commitment__priority__plan_id=cycle.plan_id,
        commitment__starts_on__lte=cycle.period_end,
        commitment__ends_on__gte=cycle.period_start,
    )


def fill_cycle(cycle: CheckinCycle) -> int:
    """Add the check-ins and entries an open cycle is missing; return how many entries were added.

    One query finds the eligible assignments without an entry in this cycle (all of them when it has
    just opened, usually none later). Their schools and departments get a check-in if they have none;
    entries go only into check-ins still being worked on (a submitted one is not reopened).
    """
    district_id = cycle.district_id
    has_entry = CheckinEntry.objects.filter(district_id=district_id, assignment=OuterRef("pk"), checkin__cycle=cycle)
    missing = list(
        eligible_assignments(cycle)
        .exclude(Exists(has_entry))
        .order_by()
        .values_list("pk", "school_id", "department_id")
    )
    if not missing:
        return 0
    schools = {school_id for _pk, school_id, _dept in missing if school_id}
    departments = {department_id for _pk, _school, department_id in missing if department_id}
    Checkin.objects.bulk_create(
        [Checkin(district_id=district_id, cycle=cycle, school_id=school_id) for school_id in sorted(schools)]
        + [Checkin(district_id=district_id, cycle=cycle, department_id=dept_id) for dept_id in sorted(departments)],
        ignore_conflicts=True,
        batch_size=ENTRY_BATCH,
    )
    editable = Checkin.objects.filter(district_id=district_id, cycle=cycle, state__in=EDITABLE_CHECKIN_STATES)
    by_place = {
        (school_id, department_id): pk
        for pk, school_id, department_id in editable.values_list("pk", "school_id", "department_id")
    }
    entries = [
        CheckinEntry(district_id=district_id, checkin_id=by_place[(school_id, department_id)], assignment_id=pk)
        for pk, school_id, department_id in missing
        if (school_id, department_id) in by_place
    ]
    CheckinEntry.objects.bulk_create(entries, ignore_conflicts=True, batch_size=ENTRY_BATCH)
    return len(entries)


def set_aside_inactive_entries(cycle: CheckinCycle) -> int:
    """Entries of check-ins still being worked on follow their assignment: paused or ended → set aside
    (what was typed stays), active again → asked for again. Returns how many entries changed."""
    editable = Checkin.objects.filter(district_id=cycle.district_id, cycle=cycle, state__in=EDITABLE_CHECKIN_STATES)
    entries = CheckinEntry.objects.filter(district_id=cycle.district_id, checkin__in=editable)
    set_aside = (
        entries.filter(set_aside=False).exclude(assignment__status=AssignmentStatus.ACTIVE).update(set_aside=True)
    )
    asked_again = entries.filter(set_aside=True, assignment__status=AssignmentStatus.ACTIVE).update(set_aside=False)
    return set_aside + asked_again


# --- When next -----------------------------------------------------------------------------------


def _next_step_at(*, district: District, now: datetime) -> datetime | None:
    upcoming: list[datetime] = []
    for cycle in CheckinCycle.objects.filter(district=district, state__in=[CycleState.SCHEDULED, CycleState.OPEN]):
        if cycle.state == CycleState.SCHEDULED:
            upcoming.append(cycle.opens_at)
            continue
        if now < cycle.due_at:
            upcoming += [cycle.due_at, now + SYNC_INTERVAL]
        if cycle.escalated_at is None:
            upcoming.append(cycle.escalates_at)
        upcoming.append(cycle.closes_at)
    reminder = (
        CycleReminder.objects.filter(district=district, state=ReminderState.PENDING, cycle__state=CycleState.OPEN)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    if reminder is not None:
        upcoming.append(reminder)
    return min(upcoming) if upcoming else None
