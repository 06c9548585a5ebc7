"""The plan and load pages read stored counts (priorities.loads), kept exact by the services.

Each step changes assignments the way a user does (assign, pause, resume everywhere, end, move a
commitment's end date, archive and activate plans) and checks the numbers the pages show against
a fresh count of the assignments themselves.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from plans import services as plan_services
from priorities import selectors, services
from priorities.models import Assignment, AssignmentStatus, Commitment, SchoolLoad
from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PlanFactory, PriorityFactory


@pytest.fixture
def setup(district, admin_member, in_district):
    district.commitment_load_threshold = 1
    district.save()
    plan = ActivePlanFactory(district=district)
    priority = PriorityFactory(plan=plan, district=district)
    first, second = (CommitmentFactory(priority=priority, district=district, title=f"C{n}") for n in (1, 2))
    schools = [SchoolFactory(district=district, name=f"Stored {n}", code=f"ST{n}") for n in range(3)]
    return plan, first, second, schools


def _page(client, name, **kwargs):
    return client.get(reverse(name, kwargs=kwargs)).content.decode()


def _over_text(text: str) -> int:
    """The "N schools are over the threshold" the page shows (0 when it shows none)."""
    match = re.search(r"(\d+) schools? (?:is|are) over the threshold", text)
    return int(match.group(1)) if match else 0


def _live_over(district, in_district) -> int:
    """A fresh count: schools with more active assignments of running active-plan commitments than the threshold."""
    with in_district(district):
        return len(selectors.schools_over_threshold(district=district))


def _reach(commitment, in_district):
    with in_district(commitment.district):
        stored = Commitment.objects.get(pk=commitment.pk)
        live = Assignment.objects.filter(commitment=commitment)
        return (
            (stored.active_school_count, stored.paused_count),
            (
                live.filter(status=AssignmentStatus.ACTIVE, school__isnull=False).count(),
                live.filter(status=AssignmentStatus.PAUSED).count(),
            ),
        )


def test_plan_and_load_pages_count_exactly_as_assignments_change(
    setup, district, admin_member, client_for, in_district
):
    plan, first, second, schools = setup
    client = client_for(admin_member)
    slug = district.slug

    def shown() -> tuple[int, int]:
        plan_text = _page(client, "plans:plan_detail", district_slug=slug, plan_id=plan.pk)
        load_text = _page(client, "priorities:load", district_slug=slug)
        return _over_text(plan_text), _over_text(load_text)

    def check(expected_over: int) -> None:
        assert shown() == (expected_over, expected_over)
        assert _live_over(district, in_district) == expected_over
        for commitment in (first, second):
            stored, live = _reach(commitment, in_district)
            assert stored == live

    with in_district(district):
        services.assignments_create(district=district, actor=admin_member, commitment=first, every_school=True)
        services.assignments_create(district=district, actor=admin_member, commitment=second, schools=schools[:2])
    check(2)  # two schools carry both commitments

    with in_district(district):
        paused = Assignment.objects.get(commitment=second, school=schools[0])
        services.assignment_set_status(
            district=district, actor=admin_member, assignment=paused, status=AssignmentStatus.PAUSED
        )
    check(1)
    plan_text = _page(client, "plans:plan_detail", district_slug=slug, plan_id=plan.pk)
    assert "1 school" in plan_text  # the second commitment's reach, now one active school

    with in_district(district):
        services.commitment_set_status_everywhere(
            district=district, actor=admin_member, commitment=second, status=AssignmentStatus.ACTIVE
        )
    check(2)

    with in_district(district):
        services.commitment_set_status_everywhere(
            district=district, actor=admin_member, commitment=second, status=AssignmentStatus.ENDED
        )
    check(0)


def test_a_commitment_that_has_ended_leaves_the_load(setup, district, admin_member, client_for, in_district):
    plan, first, second, _ = setup
    with in_district(district):
        services.assignments_create(district=district, actor=admin_member, commitment=first, every_school=True)
        services.assignments_create(district=district, actor=admin_member, commitment=second, every_school=True)
    assert _live_over(district, in_district) == 3
    client = client_for(admin_member)
    assert _over_text(_page(client, "plans:plan_detail", district_slug=district.slug, plan_id=plan.pk)) == 3

    yesterday = timezone.localdate(timezone=district.tzinfo) - timedelta(days=1)
    with in_district(district):
        services.commitment_update(
            district=district, actor=admin_member, commitment=second, starts_on=plan.first_day, ends_on=yesterday
        )
    assert _live_over(district, in_district) == 0
    assert _over_text(_page(client, "plans:plan_detail", district_slug=district.slug, plan_id=plan.pk)) == 0
    assert _over_text(_page(client, "priorities:load", district_slug=district.slug)) == 0

    # A stored row whose end date passes stops counting by itself: the stored date is compared to today.
    with in_district(district):
        tomorrow = yesterday + timedelta(days=2)
        services.commitment_update(district=district, actor=admin_member, commitment=second, ends_on=tomorrow)
        assert _live_over(district, in_district) == 3
        over = selectors.overloaded_schools(district=district, today=tomorrow + timedelta(days=1))
        assert over.count == 0


def test_the_stored_loads_follow_the_active_plan(setup, district, admin_member, client_for, in_district):
    plan, first, second, schools = setup
    with in_district(district):
        services.assignments_create(district=district, actor=admin_member, commitment=first, every_school=True)
        services.assignments_create(district=district, actor=admin_member, commitment=second, every_school=True)
        plan_services.plan_archive(district=district, actor=admin_member, plan=plan)
        assert not SchoolLoad.objects.filter(district=district).exists()
    assert _live_over(district, in_district) == 0

    draft = PlanFactory(district=district)
    priority = PriorityFactory(plan=draft, district=district)
    commitments = [CommitmentFactory(priority=priority, district=district) for _ in range(2)]
    for commitment in commitments:
        AssignmentFactory(commitment=commitment, district=district, school=schools[0])
    with in_district(district):
        assert selectors.overloaded_schools(district=district).count == 0  # a draft's assignments are no load
        plan_services.plan_activate(district=district, actor=admin_member, plan=draft)
    assert _live_over(district, in_district) == 1
    text = _page(client_for(admin_member), "plans:plan_detail", district_slug=district.slug, plan_id=draft.pk)
    assert _over_text(text) == 1 and "Stored 0" in text


def _assignment_rows_read() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = 'priorities_assignment'"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's per-transaction table statistics")
def test_ranking_and_counting_the_busiest_schools_reads_no_assignment(district, admin_member, client_for, in_district):
    """60 schools each asked 4 commitments: the plan page and the load page rank and count them from the
    stored loads, without reading the district's 240 assignments (only the ten shown schools' full load)."""
    district.commitment_load_threshold = 1
    district.save()
    plan = ActivePlanFactory(district=district)
    priority = PriorityFactory(plan=plan, district=district)
    commitments = [CommitmentFactory(priority=priority, district=district) for _ in range(4)]
    schools = [SchoolFactory(district=district, name=f"Wide {n:02d}", code=f"W{n:02d}") for n in range(60)]
    with in_district(district):
        for commitment in commitments:
            services.assignments_create(district=district, actor=admin_member, commitment=commitment, schools=schools)
    text = _page(client_for(admin_member), "plans:plan_detail", district_slug=district.slug, plan_id=plan.pk)
    assert "60 schools are over the threshold" in text and "and 50 more." in text

    with in_district(district):
        before = _assignment_rows_read()
        ranked = list(selectors.schools_over_threshold_queryset(district=district).order_by("-active", "school")[:10])
        count = selectors.schools_over_threshold_count(district=district)
        read = _assignment_rows_read() - before
    assert len(ranked) == 10 and count == 60
    assert read == 0, f"read {read} assignment rows to rank and count the schools over the threshold"
