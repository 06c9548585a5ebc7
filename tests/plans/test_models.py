"""The database itself keeps a district to one active plan."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from plans.models import PlanState, StrategicPlan
from tests.plans.factories import ActivePlanFactory, PlanFactory


def test_a_second_active_plan_in_a_district_is_refused_by_the_database(district, active_plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(district=district, state=PlanState.ACTIVE)


def test_each_district_has_its_own_active_plan(active_plan, other_district):
    assert ActivePlanFactory(district=other_district).state == PlanState.ACTIVE


def test_drafts_and_archived_plans_are_not_limited(district, active_plan):
    for state in (PlanState.DRAFT, PlanState.DRAFT, PlanState.ARCHIVED, PlanState.ARCHIVED):
        PlanFactory(district=district, state=state)
    with scopes_disabled():
        states = Counter(StrategicPlan.objects.filter(district=district).values_list("state", flat=True))
    assert states == {PlanState.ACTIVE: 1, PlanState.DRAFT: 2, PlanState.ARCHIVED: 2}


def test_a_plan_cannot_end_before_it_starts(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(district=district, start_year=2030, end_year=2025)
