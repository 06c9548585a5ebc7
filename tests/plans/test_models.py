"""The database itself keeps a district to one active plan."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from plans.models import PlanState
from tests.plans.factories import ActivePlanFactory, PlanFactory


def test_a_second_active_plan_in_a_district_is_refused_by_the_database(district, active_plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(district=district, state=PlanState.ACTIVE)


def test_each_district_has_its_own_active_plan(active_plan, other_district):
    assert ActivePlanFactory(district=other_district).state == PlanState.ACTIVE


def test_drafts_and_archived_plans_are_not_limited(district, active_plan):
    PlanFactory(district=district, state=PlanState.DRAFT)
    PlanFactory(district=district, state=PlanState.DRAFT)
    PlanFactory(district=district, state=PlanState.ARCHIVED)
    PlanFactory(district=district, state=PlanState.ARCHIVED)


def test_a_plan_cannot_end_before_it_starts(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(district=district, start_year=2030, end_year=2025)
