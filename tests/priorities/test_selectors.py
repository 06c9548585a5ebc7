"""Initiative load, role cards and the plan page's priorities, as the pages read them."""

from __future__ import annotations

from datetime import date

import pytest

from core.calendar import school_year_label, school_year_months, school_year_of
from districts.models import School
from districts.roles import Role
from districts.tenancy import district_context
from plans.models import PlanState
from priorities import selectors
from priorities.models import AssignmentStatus, ReportedIn
from tests.factories import DepartmentFactory, RoleLabelFactory, SchoolFactory
from tests.plans.factories import AssignmentFactory, CommitmentFactory, PlanFactory, PriorityFactory

TODAY = date(2026, 11, 26)


@pytest.fixture
def months(district):
    return school_year_months(2026, district.school_year_start_month)  # August 2026 … July 2027


def commitment_in(plan, *, starts=date(2026, 8, 1), ends=date(2027, 6, 30), **fields):
    priority = fields.pop("priority", None) or PriorityFactory(plan=plan)
    return CommitmentFactory(priority=priority, starts_on=starts, ends_on=ends, **fields)


@pytest.fixture
def plan_2025(district):
    return PlanFactory(district=district, start_year=2025, end_year=2030, state=PlanState.ACTIVE)


def load_of(district, school, months):
    with district_context(district):
        return selectors.school_loads(district=district, schools=[school], months=months, today=TODAY)[0]


# --- Initiative load ----------------------------------------------------------------------------------


def test_a_schools_load_counts_its_active_commitments_in_the_active_plan(district, plan_2025, school, months):
    for _ in range(3):
        AssignmentFactory(commitment=commitment_in(plan_2025), school=school)
    AssignmentFactory(commitment=commitment_in(plan_2025), school=school, status=AssignmentStatus.PAUSED)
    AssignmentFactory(commitment=commitment_in(plan_2025), school=school, status=AssignmentStatus.ENDED)
    AssignmentFactory(
        commitment=commitment_in(plan_2025, starts=date(2025, 8, 1), ends=date(2026, 6, 30)), school=school
    )
    draft = PlanFactory(district=district, start_year=2025, end_year=2030)
    AssignmentFactory(commitment=commitment_in(draft), school=school)
    AssignmentFactory(commitment=commitment_in(plan_2025))  # another school
    assert load_of(district, school, months).active == 3


def test_each_month_counts_the_commitments_running_then_and_reported_in_school_check_ins(
    district, plan_2025, school, months
):
    fall = commitment_in(plan_2025, starts=date(2026, 8, 1), ends=date(2026, 12, 19))
    spring = commitment_in(plan_2025, starts=date(2027, 1, 5), ends=date(2027, 6, 30), reported_in=ReportedIn.BOTH)
    department_only = commitment_in(plan_2025, reported_in=ReportedIn.DEPARTMENT)
    for commitment in (fall, spring, department_only):
        AssignmentFactory(commitment=commitment, school=school)
    load = load_of(district, school, months)
    by_month = dict(zip((m.short_label for m in months), load.months, strict=True))
    assert by_month == {
        "Aug": 1,
        "Sep": 1,
        "Oct": 1,
        "Nov": 1,
        "Dec": 1,
        "Jan": 1,
        "Feb": 1,
        "Mar": 1,
        "Apr": 1,
        "May": 1,
        "Jun": 1,
        "Jul": 0,
    }
    assert load.active == 3  # reported elsewhere, but still asked of the school


def test_why_names_how_many_departments_ask_under_how_many_priorities(district, plan_2025, school, months):
    operations, services_dept = DepartmentFactory(district=district), DepartmentFactory(district=district)
    p1, p2 = PriorityFactory(plan=plan_2025), PriorityFactory(plan=plan_2025)
    for priority, lead in ((p1, operations), (p1, services_dept), (p2, services_dept), (p2, None)):
        AssignmentFactory(commitment=commitment_in(plan_2025, priority=priority, lead_department=lead), school=school)
    load = load_of(district, school, months)
    assert (load.active, load.departments, load.priorities) == (4, 2, 2)
    assert load.why == "asked by 2 departments under 2 priorities"
    assert load.why_short == "2 departments, 2 priorities"


def test_a_school_is_flagged_only_above_the_districts_threshold(district, plan_2025, months):
    district.commitment_load_threshold = 2
    district.save()
    at, over = SchoolFactory(district=district, name="At"), SchoolFactory(district=district, name="Over")
    for school, count in ((at, 2), (over, 3)):
        for _ in range(count):
            AssignmentFactory(commitment=commitment_in(plan_2025), school=school)
    assert not load_of(district, at, months).over_threshold
    assert load_of(district, over, months).over_threshold
    with district_context(district):
        flagged = selectors.schools_over_threshold(district=district, today=TODAY)
    assert [(row.place, row.active) for row in flagged] == [(over, 3)]


def test_departments_count_what_they_report_in_department_check_ins(district, plan_2025, months):
    operations = DepartmentFactory(district=district, name="Operations")
    AssignmentFactory(
        commitment=commitment_in(plan_2025, reported_in=ReportedIn.DEPARTMENT), school=None, department=operations
    )
    AssignmentFactory(
        commitment=commitment_in(plan_2025, reported_in=ReportedIn.SCHOOL), school=None, department=operations
    )
    with district_context(district):
        load = selectors.department_loads(district=district, departments=[operations], months=months, today=TODAY)[0]
    assert load.active == 2
    assert load.months[0] == 1
    assert not load.over_threshold  # the threshold is for schools


def test_load_for_many_schools_is_one_grouped_query(district, plan_2025, months, django_assert_num_queries):
    commitment = commitment_in(plan_2025)
    for school in SchoolFactory.create_batch(40, district=district):
        AssignmentFactory(commitment=commitment, school=school)
    with district_context(district):
        schools = list(School.objects.filter(district=district))
        with django_assert_num_queries(1):
            loads = selectors.school_loads(district=district, schools=schools, months=months, today=TODAY)
    assert {load.active for load in loads} == {1}


def test_school_years_follow_the_districts_start_month(district):
    assert school_year_of(date(2026, 6, 30), 7) == 2025
    assert school_year_of(date(2026, 7, 1), 7) == 2026
    months = school_year_months(2026, 7)
    assert (months[0].first_day, months[-1].last_day) == (date(2026, 7, 1), date(2027, 6, 30))
    assert school_year_label(2026, 7) == "2026–27"
    assert school_year_label(2026, 1) == "2026"


# --- Role cards -----------------------------------------------------------------------------------------


def test_a_role_card_shows_every_priority_and_exactly_what_that_role_is_asked(district, active_plan, school):
    principals = RoleLabelFactory(district=district, name="Principals")
    teachers = RoleLabelFactory(district=district, name="Teachers")
    p1 = PriorityFactory(plan=active_plan, title="Readers", position=1)
    p2 = PriorityFactory(plan=active_plan, title="Belonging", position=2)
    p3 = PriorityFactory(plan=active_plan, title="People", position=3)
    meeting = CommitmentFactory(priority=p2, role_label=principals, title="Monthly attendance meeting")
    block = CommitmentFactory(priority=p1, role_label=principals, title="Protect the literacy block")
    CommitmentFactory(priority=p1, role_label=teachers, title="Teach the curriculum")
    finished = CommitmentFactory(
        priority=p3,
        role_label=principals,
        title="Last year's audit",
        starts_on=date(active_plan.start_year, 1, 1),
        ends_on=date(active_plan.start_year, 1, 31),
    )
    everywhere_ended = CommitmentFactory(priority=p3, role_label=principals, title="Stopped everywhere")
    AssignmentFactory(commitment=everywhere_ended, school=school, status=AssignmentStatus.ENDED)
    AssignmentFactory(commitment=meeting, school=school)
    AssignmentFactory(commitment=meeting, status=AssignmentStatus.ENDED)
    other_plan = PlanFactory(district=district)
    CommitmentFactory(priority=PriorityFactory(plan=other_plan), role_label=principals, title="Draft idea")

    with district_context(district):
        card = selectors.role_card(district=district, plan=active_plan, role_label=principals)
    assert [(s.priority.title, [c.title for c in s.commitments]) for s in card.sections] == [
        ("Readers", ["Protect the literacy block"]),
        ("Belonging", ["Monthly attendance meeting"]),
        ("People", []),
    ]
    assert card.commitment_count == 2
    assert finished.title not in str(card.sections)
    reach = card.sections[1].commitments[0].reach
    assert (reach.schools, reach.label) == (1, "1 school")
    assert card.sections[0].commitments[0].reach.label == "not assigned yet"
    assert block.pk == card.sections[0].commitments[0].pk


def test_reach_reads_every_school_and_names_departments(district, active_plan):
    commitment = CommitmentFactory(priority=PriorityFactory(plan=active_plan))
    for school in SchoolFactory.create_batch(2, district=district):
        AssignmentFactory(commitment=commitment, school=school)
    AssignmentFactory(
        commitment=commitment, school=None, department=DepartmentFactory(district=district, name="Operations")
    )
    with district_context(district):
        priorities = selectors.priorities_for_plan(plan=active_plan)
    assert priorities[0].ordered_commitments[0].reach.label == "every school, Operations"


def test_the_plan_pages_priorities_take_a_fixed_number_of_queries(district, active_plan, django_assert_num_queries):
    for _ in range(4):
        priority = PriorityFactory(plan=active_plan)
        for commitment in CommitmentFactory.create_batch(3, priority=priority):
            AssignmentFactory(commitment=commitment)
    with district_context(district), django_assert_num_queries(4):
        priorities = selectors.priorities_for_plan(plan=active_plan)
        assert sum(len(p.ordered_commitments) for p in priorities) == 12
        assert all(c.reach.schools == 1 for p in priorities for c in p.ordered_commitments)


def test_own_role_label_prefers_the_members_label_then_their_role(district, make_member):
    principals = RoleLabelFactory(district=district, name="Principals", system_role=Role.PRINCIPAL)
    counselors = RoleLabelFactory(district=district, name="Counselors")
    labels = [principals, counselors]
    assert selectors.own_role_label(membership=make_member(district, Role.PRINCIPAL), labels=labels) == principals
    counselor = make_member(district, Role.STAFF, role_label=counselors)
    assert selectors.own_role_label(membership=counselor, labels=labels) == counselors
    assert selectors.own_role_label(membership=make_member(district, Role.BOARD_MEMBER), labels=labels) is None
