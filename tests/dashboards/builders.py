"""A district with a plan, schools and cycles of submitted check-ins, for the dashboards' tests and bench.

`build_district_data(district, ...)` writes, with bulk inserts only (no per-entry service calls, so
the benchmark builds its 1,800-school, 36-cycle district with the same function):

- schools with levels and regions ("North", "South", …; more regions for bigger districts), every
  other school with a principal supervisor (a cabinet member), every school with a principal;
- departments, each led by a cabinet member; a superintendent, a district admin, a board member and a
  partner coach;
- an active plan whose window holds the cycles, `priorities` priorities, `commitments` commitments
  (spread over the priorities in turn; the last one reported in department check-ins when there are
  departments), each asked of every school (or department), with reach and school loads recounted;
- `cycles` closed monthly cycles (the schedule's instants, oldest first, the last one closed before
  now): most check-ins submitted on time, a few late or very late (escalated), a few never submitted;
  statuses mixed by school and priority so every health appears; a few support requests (most resolved
  in older cycles); acknowledgements at hours-to-weeks after submission (the feedback loop);
- an open cycle (opened two days ago, due in five, whatever today is) with drafts and a few
  submissions;
- CheckinRollup rows computed by `checkins.rollups.refresh_cycle`, one monthly metric per priority
  with a value per school per closed cycle's month and its MetricRollup rows (metrics.bulk and
  metrics.rollups.recompute_rollups).

Deterministic: every choice comes from `random.Random` seeded with `seed` and positions, never pks;
dates are relative to `now` (default: the current time), as the factories' are to today.
Check-in notes begin with PRIVATE_NOTE, so a test can assert that no board or public page shows one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from checkins import rollups

# What the demo's schools write and when the district answers: the same odds here.
from checkins.demo import _between, _loop_delay, _status
from checkins.models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinResponse,
    CheckinState,
    CycleState,
    EntryStatus,
    ResponseKind,
)
from checkins.schedule import CycleTimes, ScheduleSettings, schedule
from core.calendar import plan_period, school_year_of
from districts.models import Department, District, Membership, RoleLabel, School, SchoolLevel, User, person_sort_name
from districts.roles import Role
from districts.tenancy import district_context
from metrics import bulk as metrics_bulk
from metrics.choices import Aggregation, Direction, Frequency, Level, Source, Unit, ValueSource
from metrics.models import Metric, MetricValue
from metrics.rollups import recompute_rollups
from plans.models import PlanState, StrategicPlan
from priorities.loads import recount_reach, recount_school_loads
from priorities.models import Assignment, AssignmentStatus, Commitment, Priority, ReportedIn
from tests.factories import TEST_PASSWORD

BATCH = 2000
UNNEST_BATCH = 20_000
REGIONS = [
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Northeast",
    "Northwest",
    "Southeast",
    "Southwest",
    "Riverside",
    "Hillside",
    "Lakeshore",
]
SCHOOLS_PER_REGION = 150  # 4 schools: 2 regions; 1,800 schools: 12
LEVELS = [SchoolLevel.ELEMENTARY, SchoolLevel.ELEMENTARY, SchoolLevel.MIDDLE, SchoolLevel.HIGH, SchoolLevel.K8]
PRIORITY_TITLES = [
    "Early literacy",
    "Attendance and belonging",
    "Math achievement",
    "College and career readiness",
    "Great teachers in every classroom",
]
PRIVATE_NOTE = "Private check-in note"
# How each priority leans (added to the schools' own lean): the first does well, the third struggles.
PRIORITY_LEAN = [0.06, 0.0, -0.1, 0.03, -0.04]
OPEN_CYCLE_AGE = timedelta(days=2)
OPEN_CYCLE_DUE_IN = timedelta(days=5)


@dataclass
class Built:
    district: District
    plan: StrategicPlan
    priorities: list[Priority]
    commitments: list[Commitment]
    schools: list[School]
    departments: list[Department]
    cycles: list[CheckinCycle]  # closed, oldest first
    open_cycle: CheckinCycle | None
    superintendent: Membership
    cabinet: Membership | None  # the first department's lead
    principal: Membership  # of schools[0]
    board: Membership
    admin: Membership
    coach: Membership
    principals: dict[int, Membership]  # school id -> its principal
    metrics: list[Metric]  # one per priority


def build_district_data(
    district: District,
    *,
    schools: int = 4,
    priorities: int = 3,
    commitments: int = 6,
    cycles: int = 3,
    departments: int = 1,
    open_cycle: bool = True,
    seed: int = 1,
    now: datetime | None = None,
) -> Built:
    """Fill `district` (which has no plan or schools yet) with the data above; see the module docstring."""
    now = now or timezone.now()
    with _in(district):
        people = _people(district, schools=schools, departments=departments)
        plan, priority_rows, commitment_rows = _plan(
            district, people, priorities=priorities, commitments=commitments, cycles=cycles, now=now
        )
        closed_times, open_times = _cycle_times(district, plan, cycles=cycles, open_cycle=open_cycle, now=now)
    built = Built(
        district=district,
        plan=plan,
        priorities=priority_rows,
        commitments=commitment_rows,
        schools=people.schools,
        departments=people.departments,
        cycles=[],
        open_cycle=None,
        superintendent=people.superintendent,
        cabinet=people.cabinet[0] if people.cabinet else None,
        principal=people.principals[people.schools[0].pk],
        board=people.board,
        admin=people.admin,
        coach=people.coach,
        principals=people.principals,
        metrics=[],
    )
    writer = _CycleWriter(built, people, seed=seed, now=now)
    for index, times in enumerate(closed_times):
        built.cycles.append(writer.write(times, index=index, closed=True))
    if open_times is not None:
        built.open_cycle = writer.write(open_times, index=len(closed_times), closed=False)
    with _in(district):
        built.metrics = _metrics(built, seed=seed, now=now)
    return built


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT rows given as tuples, 20,000 a statement: on PostgreSQL each column one array, unnested,
    bound server-side (binary); row-by-row executemany or model instances are several times slower."""
    fields = [model._meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    rows = list(rows)
    if connection.vendor != "postgresql":  # SQLite: one row at a time, looped in C
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})", rows)
        return
    import psycopg

    connection.ensure_connection()
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    with psycopg.Cursor(connection.connection) as cursor:  # Django's own cursors bind client-side
        for start in range(0, len(rows), UNNEST_BATCH):
            chunk = rows[start : start + UNNEST_BATCH]
            columns_of_chunk = [list(column) for column in zip(*chunk, strict=True)]
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})", columns_of_chunk)


@contextmanager
def _in(district: District) -> Iterator[None]:
    with district_context(district):
        yield


# --- People and places -------------------------------------------------------------------------------


@dataclass
class _People:
    schools: list[School]
    departments: list[Department]
    superintendent: Membership
    admin: Membership
    board: Membership
    coach: Membership
    cabinet: list[Membership]  # one per department, in department order
    principals: dict[int, Membership]
    principal_label: RoleLabel


def _people(district: District, *, schools: int, departments: int) -> _People:
    slug = district.slug
    department_rows = Department.objects.bulk_create(
        [Department(district=district, name=f"Department {n + 1}") for n in range(departments)]
    )
    principal_label = RoleLabel.objects.create(
        district=district, name="Principals", slug="principals", system_role=Role.PRINCIPAL
    )
    password = _password()
    wide = [
        (Role.SUPERINTENDENT, "superintendent", {}),
        (Role.DISTRICT_ADMIN, "admin", {}),
        (Role.BOARD_MEMBER, "board", {}),
        (Role.PARTNER_COACH, "coach", {}),
    ] + [(Role.CABINET, f"cabinet{n + 1}", {"department": d}) for n, d in enumerate(department_rows)]
    users = User.objects.bulk_create(
        [
            User(email=f"{name}@{slug}.example", full_name=f"{name.title()} of {district.name}", password=password)
            for _role, name, _place in wide
        ]
    )
    members = _memberships(
        [
            Membership(district=district, user=user, role=role, **place)
            for user, (role, _name, place) in zip(users, wide, strict=True)
        ]
    )
    cabinet = members[4:]
    region_count = max(2, min(len(REGIONS), -(-schools // SCHOOLS_PER_REGION)))
    school_rows = School.objects.bulk_create(
        [
            School(
                district=district,
                name=f"School {n + 1:04d}",
                code=f"S{n + 1:04d}",
                level=LEVELS[n % len(LEVELS)],
                enrollment=250 + (n * 37) % 1200,
                region=REGIONS[n % region_count],
                principal_supervisor=cabinet[(n // 2) % len(cabinet)] if cabinet and n % 2 == 0 else None,
            )
            for n in range(schools)
        ],
        batch_size=BATCH,
    )
    principal_users = User.objects.bulk_create(
        [
            User(email=f"principal{n + 1:04d}@{slug}.example", full_name=f"Principal {n + 1:04d}", password=password)
            for n in range(schools)
        ],
        batch_size=BATCH,
    )
    principals = _memberships(
        [
            Membership(district=district, user=user, role=Role.PRINCIPAL, school=school, role_label=principal_label)
            for user, school in zip(principal_users, school_rows, strict=True)
        ]
    )
    return _People(
        schools=school_rows,
        departments=department_rows,
        superintendent=members[0],
        admin=members[1],
        board=members[2],
        coach=members[3],
        cabinet=cabinet,
        principals={m.school_id: m for m in principals},
        principal_label=principal_label,
    )


@cache
def _password() -> str:
    """One hash for everyone in every built district (a browser test may log in; hashing is slow)."""
    return make_password(TEST_PASSWORD)


def _memberships(rows: list[Membership]) -> list[Membership]:
    for membership in rows:  # bulk_create skips save(), which fills it
        membership.sort_name = person_sort_name(membership.user)
    return Membership.objects.bulk_create(rows, batch_size=BATCH)


# --- The plan ------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _plan(
    district: District, people: _People, *, priorities: int, commitments: int, cycles: int, now: datetime
) -> tuple[StrategicPlan, list[Priority], list[Commitment]]:
    today = timezone.localdate(now, district.tzinfo)
    start_month = district.school_year_start_month
    # The window starts early enough for every closed cycle and ends a few years ahead.
    start_year = school_year_of(_add_months(today, -(cycles + 3)), start_month)
    plan = StrategicPlan.objects.create(
        district=district,
        title=f"Strategic Plan {start_year}–{school_year_of(today, start_month) + 4}",
        start_year=start_year,
        end_year=school_year_of(today, start_month) + 4,
        vision="Every student known, challenged and ready.",
        mission="We partner with families to provide rigorous, joyful learning.",
        state=PlanState.ACTIVE,
        activated_at=now,
    )
    owners = [people.superintendent, *people.cabinet]
    priority_rows = Priority.objects.bulk_create(
        [
            Priority(
                district=district,
                plan=plan,
                code=f"P{n + 1}",
                title=PRIORITY_TITLES[n] if n < len(PRIORITY_TITLES) else f"Priority {n + 1}",
                success_looks_like="Measurable gains for every student group.",
                owner=owners[n % len(owners)],
                position=n + 1,
            )
            for n in range(priorities)
        ]
    )
    period = plan_period(plan.start_year, plan.end_year, start_month)
    department_last = bool(people.departments) and commitments >= 2
    commitment_rows = Commitment.objects.bulk_create(
        [
            Commitment(
                district=district,
                priority=priority_rows[n % priorities],
                title=f"Commitment {n % priorities + 1}.{n // priorities + 1}",
                role_label=people.principal_label,
                lead_department=people.departments[n % len(people.departments)] if people.departments else None,
                starts_on=period.first_day,
                ends_on=period.last_day,
                evidence_expected="Agendas and walkthrough notes.",
                reported_in=ReportedIn.DEPARTMENT if department_last and n == commitments - 1 else ReportedIn.SCHOOL,
                position=n + 1,
            )
            for n in range(commitments)
        ]
    )
    leads = {m.department_id: m.pk for m in people.cabinet}
    principals = {pk: m.pk for pk, m in people.principals.items()}
    assignments = []  # (commitment, school, department, owner): 72,000 rows for the bench, so plain rows
    for commitment in commitment_rows:
        if commitment.reported_in == ReportedIn.DEPARTMENT:
            assignments += [(commitment.pk, None, d.pk, leads[d.pk]) for d in people.departments]
        else:
            assignments += [(commitment.pk, s.pk, None, principals[s.pk]) for s in people.schools]
    insert_rows(
        Assignment,
        (
            "district_id",
            "commitment_id",
            "school_id",
            "department_id",
            "owner_id",
            "status",
            "status_changed_at",
            "created_at",
        ),
        ((district.pk, *row, AssignmentStatus.ACTIVE, now, now) for row in assignments),
    )
    recount_reach(district=district, commitment_ids=[c.pk for c in commitment_rows])
    recount_school_loads(district=district)
    return plan, priority_rows, commitment_rows


def _cycle_times(
    district: District, plan: StrategicPlan, *, cycles: int, open_cycle: bool, now: datetime
) -> tuple[list[CycleTimes], CycleTimes | None]:
    """The last `cycles` scheduled cycles closed by `now`, and the next one, made open at `now`."""
    planned = schedule(plan.period, ScheduleSettings.of(district), district.tzinfo)
    done = [n for n, times in enumerate(planned) if times.closes_at <= now]
    if len(done) < cycles:
        raise ValueError(f"the plan's window holds {len(done)} closed cycles, not {cycles}")
    closed = [planned[n] for n in done[len(done) - cycles :]] if cycles else []
    if not open_cycle:
        return closed, None
    following = planned[done[-1] + 1] if done else planned[0]
    # Opened two days ago and due in five whatever today is, so "days left" reads the same every run.
    opens_at = now - OPEN_CYCLE_AGE
    due_at = now + OPEN_CYCLE_DUE_IN
    current = CycleTimes(
        period_start=following.period_start,
        period_end=following.period_end,
        opens_at=opens_at,
        due_at=due_at,
        escalates_at=due_at + (following.escalates_at - following.due_at),
        closes_at=max(opens_at + (following.closes_at - following.opens_at), due_at + timedelta(days=4)),
        reminders_at=(),
    )
    return closed, current


# --- Cycles of check-ins -------------------------------------------------------------------------


class _CycleWriter:
    """Writes one cycle's check-ins, entries and responses in bulk, then its roll-ups."""

    def __init__(self, built: Built, people: _People, *, seed: int, now: datetime) -> None:
        self.built, self.people, self.seed, self.now = built, people, seed, now
        district = built.district
        with _in(district):
            rows = list(
                Assignment.objects.filter(district=district, commitment__priority__plan=built.plan)
                .order_by("commitment__position", "school_id", "department_id")
                .values_list("pk", "school_id", "department_id", "commitment__priority_id")
            )
        self.places: list[tuple[str, int]] = [("school", s.pk) for s in people.schools] + [
            ("department", d.pk) for d in people.departments
        ]
        self.asked: dict[tuple[str, int], list[tuple[int, int]]] = {place: [] for place in self.places}
        for pk, school_id, department_id, priority_id in rows:
            place = ("school", school_id) if school_id else ("department", department_id)
            self.asked[place].append((pk, priority_id))
        self.lean_of_priority = {p.pk: PRIORITY_LEAN[n % len(PRIORITY_LEAN)] for n, p in enumerate(built.priorities)}
        self.owner_of_priority = {p.pk: p.owner for p in built.priorities}
        self.reporter = {("school", pk): m for pk, m in people.principals.items()} | {
            ("department", m.department_id): m for m in people.cabinet
        }

    def write(self, times: CycleTimes, *, index: int, closed: bool) -> CheckinCycle:
        district = self.built.district
        with _in(district):
            cycle = CheckinCycle.objects.create(
                district=district,
                plan=self.built.plan,
                period_start=times.period_start,
                period_end=times.period_end,
                opens_at=times.opens_at,
                due_at=times.due_at,
                escalates_at=times.escalates_at,
                closes_at=times.closes_at,
                state=CycleState.CLOSED if closed else CycleState.OPEN,
                opened_at=times.opens_at,
                late_marked_at=times.due_at if closed else None,
                escalated_at=times.escalates_at if closed else None,
                closed_at=times.closes_at if closed else None,
            )
            checkins, entries = self._checkins(cycle, index=index, closed=closed)
            Checkin.objects.bulk_create(checkins, batch_size=BATCH)
            # Tens of thousands of entries a cycle: plain rows through executemany, not model instances.
            insert_rows(CheckinEntry, ENTRY_COLUMNS, (self._entry_row(entry) for entry in entries))
            CheckinResponse.objects.bulk_create(self._responses(cycle, checkins), batch_size=BATCH)
        rollups.refresh_cycle(district=district, cycle_id=cycle.pk)
        return cycle

    def _checkins(self, cycle: CheckinCycle, *, index: int, closed: bool) -> tuple[list[Checkin], list[_Entry]]:
        checkins: list[Checkin] = []
        entries: list[_Entry] = []
        for position, place in enumerate(self.places):
            asked = self.asked[place]
            if not asked:
                continue
            rng = random.Random(f"{self.seed}|{index}|{position}")
            lean = random.Random(f"{self.seed}|lean|{position}").uniform(-0.2, 0.2) + min(0.1, index * 0.005)
            by = self.reporter.get(place)
            checkin = Checkin(district_id=self.built.district.pk, cycle=cycle, updated_by=by, version=1)
            setattr(checkin, f"{place[0]}_id", place[1])
            fill = self._outcome(checkin, cycle, rng, closed=closed, by=by)
            answered: list[datetime] = []
            for n, (assignment_id, priority_id) in enumerate(asked):
                entry = _Entry(checkin, assignment_id)
                if fill == "all" or (fill == "some" and n < len(asked) // 2 + 1):
                    self._fill(entry, rng, lean + self.lean_of_priority[priority_id], place=place, cycle=cycle)
                    if entry.support_requested and checkin.submitted_at and closed:
                        at = checkin.submitted_at + timedelta(days=rng.uniform(0.5, 15))
                        if rng.random() < (0.85 if index > 1 else 0.5) and at < self.now:
                            entry.resolved_at, entry.resolved_by = at, self.owner_of_priority.get(priority_id)
                            answered.append(at)
                entries.append(entry)
            if checkin.submitted_at is not None and rng.random() < (0.75 if closed else 0.3):
                at = checkin.submitted_at + _loop_delay(rng)
                if at < self.now - timedelta(minutes=20):
                    checkin.state = CheckinState.ACKNOWLEDGED
                    checkin.acknowledged_at = at
                    answered.append(at)
            checkin.first_response_at = min(answered, default=None)
            checkins.append(checkin)
        return checkins, entries

    def _outcome(self, checkin: Checkin, cycle: CheckinCycle, rng: random.Random, *, closed: bool, by) -> str:
        """Set the check-in's state and times; which entries are filled in ("all", "some", "none")."""
        roll = rng.random()
        if not closed:  # the open cycle: a few submitted, half drafts, the rest not started
            if roll < 0.15:
                return self._submitted(checkin, _between(rng, cycle.opens_at, self.now), by, late=False)
            if roll < 0.65:
                checkin.state = CheckinState.DRAFT
                checkin.version = rng.randint(2, 6)
                return "some"
            return "none"
        if roll < 0.8:
            at = _between(rng, cycle.due_at - timedelta(days=4), cycle.due_at - timedelta(hours=2))
            return self._submitted(checkin, at, by, late=False)
        checkin.late = True
        if roll < 0.9:
            at = _between(rng, cycle.due_at + timedelta(hours=6), cycle.escalates_at - timedelta(hours=2))
            return self._submitted(checkin, at, by, late=True)
        checkin.escalated_at = cycle.escalates_at
        if roll < 0.95:
            at = _between(rng, cycle.escalates_at + timedelta(hours=3), cycle.closes_at - timedelta(days=1))
            return self._submitted(checkin, at, by, late=True)
        if rng.random() < 0.5:  # never submitted: half got as far as a draft
            checkin.state = CheckinState.DRAFT
            return "some"
        return "none"

    @staticmethod
    def _submitted(checkin: Checkin, at: datetime, by, *, late: bool) -> str:
        checkin.state = CheckinState.SUBMITTED
        checkin.submitted_at = at
        checkin.submitted_by = by
        checkin.late = late
        checkin.version = 3
        return "all"

    @staticmethod
    def _fill(entry: _Entry, rng: random.Random, lean: float, *, place: tuple[str, int], cycle) -> None:
        entry.status = _status(rng, lean)
        if entry.status in (EntryStatus.AT_RISK, EntryStatus.OFF_TRACK):
            entry.note = f"{PRIVATE_NOTE} ({place[0]} {place[1]}, {cycle.period_start:%Y-%m}): behind the plan."
            entry.blocker = "Substitute coverage on Fridays."
            if rng.random() < 0.25:
                entry.support_requested = True
                entry.support_needed = "Coaching support from the central office."
        elif rng.random() < 0.3:
            entry.note = f"{PRIVATE_NOTE}: going as planned."

    def _entry_row(self, entry: _Entry) -> tuple:
        return (
            self.built.district.pk,
            entry.checkin.pk,
            entry.assignment_id,
            entry.status,
            entry.note,
            "",
            entry.blocker,
            entry.support_requested,
            entry.support_needed,
            entry.resolved_at,
            entry.resolved_by.pk if entry.resolved_by else None,
            False,
            self.now,
        )

    def _responses(self, cycle: CheckinCycle, checkins: list[Checkin]) -> list[CheckinResponse]:
        """An acknowledgement of each acknowledged check-in, a response to each resolved support request."""
        district_id = self.built.district.pk
        superintendent = self.people.superintendent
        resolved = CheckinEntry.objects.filter(
            district_id=district_id, checkin__cycle=cycle, support_resolved_at__isnull=False
        ).values_list("pk", "checkin_id", "support_resolved_at", "support_resolved_by_id")
        return [
            CheckinResponse(
                district_id=district_id,
                checkin=c,
                kind=ResponseKind.ACKNOWLEDGED,
                author=superintendent,
                body="Thank you: clear and complete.",
                created_at=c.acknowledged_at,
            )
            for c in checkins
            if c.acknowledged_at is not None
        ] + [
            CheckinResponse(
                district_id=district_id,
                checkin_id=checkin_id,
                entry_id=pk,
                kind=ResponseKind.SUPPORT_RESOLVED,
                author_id=author_id or superintendent.pk,
                body="A coach is scheduled for the next two weeks.",
                created_at=at,
            )
            for pk, checkin_id, at, author_id in resolved
        ]


@dataclass
class _Entry:
    """An entry before it is written (a model instance each would cost more than the insert)."""

    checkin: Checkin
    assignment_id: int
    status: str = EntryStatus.NOT_STARTED
    note: str = ""
    blocker: str = ""
    support_requested: bool = False
    support_needed: str = ""
    resolved_at: datetime | None = None
    resolved_by: Membership | None = None


ENTRY_COLUMNS = (
    "district_id",
    "checkin_id",
    "assignment_id",
    "status",
    "note",
    "evidence_url",
    "blocker",
    "support_requested",
    "support_needed",
    "support_resolved_at",
    "support_resolved_by_id",
    "set_aside",
    "updated_at",
)


# --- Metrics -------------------------------------------------------------------------------------


def _metrics(built: Built, *, seed: int, now: datetime) -> list[Metric]:
    """One monthly attendance-style metric per priority, a value per school for each closed cycle's month."""
    district, plan = built.district, built.plan
    metrics = [
        Metric.objects.create(
            district=district,
            priority=priority,
            name=f"{priority.title} rate",
            definition="Share of students meeting the measure, by school.",
            unit=Unit.PERCENT,
            decimals=1,
            direction=Direction.HIGHER,
            baseline_value=Decimal("70"),
            baseline_date=plan.first_day - timedelta(days=1),
            target_value=Decimal("90"),
            target_date=plan.last_day,
            level=Level.SCHOOL,
            aggregation=Aggregation.MEAN,
            frequency=Frequency.MONTHLY,
            source=Source.IMPORT,
            position=n + 1,
        )
        for n, priority in enumerate(built.priorities)
    ]
    values = []
    for m, metric in enumerate(metrics):
        for c, cycle in enumerate(built.cycles):
            rng = random.Random(f"{seed}|metric|{m}|{c}")
            for s, school in enumerate(built.schools):
                value = 68 + c * 0.4 + (s % 7) + rng.uniform(-4, 4)
                values.append(
                    MetricValue(
                        district=district,
                        metric=metric,
                        school=school,
                        period=cycle.period_start,
                        value=Decimal(f"{value:.1f}"),
                        source=ValueSource.IMPORT,
                        entered_by=built.admin,
                    )
                )
    metrics_bulk.insert_values(district=district, values=values, now=now)
    keys = {(metric.pk, cycle.period_start) for metric in metrics for cycle in built.cycles}
    recompute_rollups(district=district, keys=keys, metrics={metric.pk: metric for metric in metrics})
    return metrics
