"""A district with an active 2025–2030 plan, schools and a department with commitments assigned."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django_scopes import scopes_disabled

from checkins.models import Checkin, CheckinCycle, CheckinEntry
from districts import ticks
from districts.models import Department, District, School
from districts.roles import Role
from priorities.models import Assignment, AssignmentStatus, Commitment, Priority, ReportedIn
from tests.factories import DepartmentFactory, SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


# The March 2026 cycle with the default schedule: opens 20 March 06:00, due 27 March 23:59,
# reminders 24 and 27 March 07:00, escalates 30 March 07:00, closes 3 April 23:59 (Chicago).
MARCH_OPEN = chicago(2026, 3, 20, 6, 30)
MARCH_PERIOD = date(2026, 3, 1)


@dataclass
class World:
    district: District
    schools: list[School]
    department: Department
    commitments: list[Commitment]
    # (school or department, commitment) -> assignment
    assignments: dict[tuple[int, int], Assignment]
    paused: Assignment
    only_paused_school: School


def build_world(district: District) -> World:
    plan = ActivePlanFactory(district=district, start_year=2025, end_year=2030)
    priority = PriorityFactory(plan=plan)
    first, second = (CommitmentFactory(priority=priority) for _ in range(2))
    for_departments = CommitmentFactory(priority=priority, reported_in=ReportedIn.DEPARTMENT)
    # Ended before March 2026: not asked in the March cycle.
    ended_before = CommitmentFactory(priority=priority, starts_on=date(2025, 8, 1), ends_on=date(2026, 1, 31))
    schools = [SchoolFactory(district=district, name=f"{district.slug} school {n}") for n in range(3)]
    department = DepartmentFactory(district=district)
    assignments = {}
    for school in schools:
        for commitment in (first, second, ended_before):
            assignments[(school.pk, commitment.pk)] = AssignmentFactory(commitment=commitment, school=school)
    assignments[(department.pk, for_departments.pk)] = AssignmentFactory(
        commitment=for_departments, school=None, department=department
    )
    # A school-reported commitment assigned to the department is not in the department's check-in.
    AssignmentFactory(commitment=first, school=None, department=department)
    only_paused_school = SchoolFactory(district=district, name=f"{district.slug} paused school")
    paused = AssignmentFactory(commitment=first, school=only_paused_school, status=AssignmentStatus.PAUSED)
    return World(district, schools, department, [first, second], assignments, paused, only_paused_school)


@pytest.fixture
def world(district) -> World:
    return build_world(district)


def counts(district: District) -> tuple[int, int, int]:
    with scopes_disabled():
        return (
            CheckinCycle.objects.filter(district=district).count(),
            Checkin.objects.filter(district=district).count(),
            CheckinEntry.objects.filter(district=district).count(),
        )


def cycle_of(district: District, period_start: date = MARCH_PERIOD) -> CheckinCycle:
    with scopes_disabled():
        return CheckinCycle.objects.get(district=district, period_start=period_start)


# --- An opened March cycle and the people who fill in and answer its check-ins ------------------------


@pytest.fixture
def opened(world):
    ticks.run_district(District.objects.get(pk=world.district.pk), now=MARCH_OPEN)
    return world


@pytest.fixture
def people(opened, make_member):
    """One member per role that fills in or answers the first school's check-in; `owner` owns its priority."""
    district = opened.district
    school = opened.schools[0]
    owner = make_member(district, Role.CABINET)
    with scopes_disabled():
        Priority.objects.filter(pk=opened.commitments[0].priority_id).update(owner=owner)
    return {
        "principal": make_member(district, Role.PRINCIPAL, school=school),
        "superintendent": make_member(district, Role.SUPERINTENDENT),
        "owner": owner,
        "other_cabinet": make_member(district, Role.CABINET),
        "coach": make_member(district, Role.PARTNER_COACH),
        "admin": make_member(district, Role.DISTRICT_ADMIN),
    }


def checkin_of(district, school) -> Checkin:
    with scopes_disabled():
        return Checkin.objects.select_related("cycle", "school").get(
            district=district, school=school, cycle=cycle_of(district)
        )


def entries_of(checkin) -> list[CheckinEntry]:
    with scopes_disabled():
        return list(CheckinEntry.objects.filter(checkin=checkin, set_aside=False).order_by("pk"))
