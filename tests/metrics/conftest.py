"""Fixtures for metrics tests: three schools, a priority owned by the cabinet member, a metric."""

from __future__ import annotations

from decimal import Decimal

import pytest

from districts.models import SchoolLevel
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, MetricValueFactory, PriorityFactory, active_plan
from tests.plans.factories import in_school_year


@pytest.fixture
def schools(district):
    """Three schools with different enrollments: weights matter."""
    return [
        SchoolFactory(
            district=district,
            name="Adams Elementary",
            code="A1",
            level=SchoolLevel.ELEMENTARY,
            enrollment=400,
            region="North",
        ),
        SchoolFactory(
            district=district, name="Baker Middle", code="B1", level=SchoolLevel.MIDDLE, enrollment=100, region="South"
        ),
        SchoolFactory(
            district=district, name="Carver High", code="C1", level=SchoolLevel.HIGH, enrollment=500, region="North"
        ),
    ]


@pytest.fixture
def priority(district, cabinet_member):
    return PriorityFactory(plan=active_plan(district), owner=cabinet_member, code="AT", title="Attendance")


@pytest.fixture
def metric(district, priority, schools):
    return MetricFactory(district=district, priority=priority, name="Attendance rate")


@pytest.fixture
def values(district, metric, schools):
    """School year -1 (2024–25 for a 2025–2030 plan): Adams 90, Baker 81; Carver missing. Year -2: Adams 86."""
    return [
        MetricValueFactory(
            district=district, metric=metric, school=schools[0], period=in_school_year(-1), value=Decimal("90")
        ),
        MetricValueFactory(
            district=district, metric=metric, school=schools[1], period=in_school_year(-1), value=Decimal("81")
        ),
        MetricValueFactory(
            district=district, metric=metric, school=schools[0], period=in_school_year(-2), value=Decimal("86")
        ),
    ]


@pytest.fixture
def rolled_up(district, metric, values, in_district):
    """Roll-ups as the services keep them (the factory wrote values directly)."""
    from metrics.rollups import recompute_rollups

    with in_district(district):
        recompute_rollups(district=district, keys={(metric.pk, in_school_year(-1)), (metric.pk, in_school_year(-2))})
    return metric
