"""Fixtures for metrics tests: three schools, a priority owned by the cabinet member, a metric."""

from __future__ import annotations

import pytest

from districts.models import SchoolLevel
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, PriorityFactory, active_plan


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
