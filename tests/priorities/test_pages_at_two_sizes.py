"""The plan page and the load page show the right rows whatever the district's size (counted and cut in SQL)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from priorities.views.load import SCHOOLS_PER_LOAD_PAGE
from tests.factories import SchoolFactory
from tests.plans.factories import ActivePlanFactory, AssignmentFactory, CommitmentFactory, PriorityFactory


def _district_with_loads(district, schools: int):
    """Schools named "Load NNN" with load 1 + n % 4 active commitments (threshold 1: loads 2-4 are over)."""
    district.commitment_load_threshold = 1
    district.save()
    plan = ActivePlanFactory(district=district)
    priority = PriorityFactory(plan=plan, district=district)
    commitments = [CommitmentFactory(priority=priority, district=district) for _ in range(4)]
    loads = {}
    for n in range(schools):
        school = SchoolFactory(district=district, name=f"Load {n:03d}", code=f"L{n:03d}")
        loads[school.name] = 1 + n % 4
        for commitment in commitments[: loads[school.name]]:
            AssignmentFactory(commitment=commitment, district=district, school=school)
    return plan, loads


@pytest.mark.parametrize("schools", [20, 60])
def test_plan_page_names_the_ten_busiest_schools_in_order(district, admin_member, client_for, schools):
    plan, loads = _district_with_loads(district, schools)
    over = sorted((name for name, load in loads.items() if load > 1), key=lambda name: (-loads[name], name))

    text = (
        client_for(admin_member)
        .get(reverse("plans:plan_detail", kwargs={"district_slug": district.slug, "plan_id": plan.pk}))
        .content.decode()
    )

    shown = [name for name in sorted(loads, key=text.find) if name in text]
    assert shown == over[:10]
    assert f"{len(over)} schools are over the threshold" in text
    assert f"and {len(over) - 10} more." in text


@pytest.mark.parametrize("schools", [12, 130])
def test_load_page_over_threshold_pages_and_counts_in_sql(district, admin_member, client_for, schools):
    _, loads = _district_with_loads(district, schools)
    over = sorted(name for name, load in loads.items() if load > 1)
    client = client_for(admin_member)
    url = reverse("priorities:load", kwargs={"district_slug": district.slug})

    first = client.get(url + "?over=1").content.decode()
    everything = client.get(url).content.decode()

    assert [name for name in sorted(loads) if name in first] == over[:SCHOOLS_PER_LOAD_PAGE]
    assert f"{len(over)} schools are over the threshold" in first
    assert f"{len(over)} schools are over the threshold" in everything
    assert [name for name in sorted(loads) if name in everything] == sorted(loads)[:SCHOOLS_PER_LOAD_PAGE]
    if len(over) > SCHOOLS_PER_LOAD_PAGE:
        second = client.get(url + "?over=1&page=2").content.decode()
        second_page = over[SCHOOLS_PER_LOAD_PAGE : 2 * SCHOOLS_PER_LOAD_PAGE]
        assert [name for name in sorted(loads) if name in second] == second_page


@pytest.mark.parametrize("schools", [3, 30])
def test_reach_counts_active_schools_and_paused_per_commitment(district, other_district, schools):
    from districts.tenancy import district_context
    from priorities import selectors
    from priorities.models import AssignmentStatus
    from tests.factories import DepartmentFactory

    plan = ActivePlanFactory(district=district)
    priority = PriorityFactory(plan=plan, district=district)
    wide, narrow = (CommitmentFactory(priority=priority, district=district) for _ in range(2))
    places = [SchoolFactory(district=district, name=f"Reach {n:03d}", code=f"R{n:03d}") for n in range(schools + 2)]
    for school in places[:schools]:
        AssignmentFactory(commitment=wide, district=district, school=school)
    AssignmentFactory(commitment=wide, district=district, school=places[-2], status=AssignmentStatus.PAUSED)
    AssignmentFactory(commitment=wide, district=district, school=places[-1], status=AssignmentStatus.ENDED)
    AssignmentFactory(
        commitment=wide, district=district, school=None, department=DepartmentFactory(district=district, name="Ops")
    )
    AssignmentFactory(commitment=narrow, district=district, school=places[0])
    ActivePlanFactory(district=other_district)  # another district's assignments never count

    with district_context(district):
        commitments = {c.pk: c for p in selectors.priorities_for_plan(plan=plan) for c in p.ordered_commitments}

    wide_reach, narrow_reach = commitments[wide.pk].reach, commitments[narrow.pk].reach
    assert (wide_reach.schools, wide_reach.paused, wide_reach.departments) == (schools, 1, ("Ops",))
    assert wide_reach.label == f"{schools} schools, Ops"
    assert (narrow_reach.schools, narrow_reach.paused, narrow_reach.label) == (1, 0, "1 school")
