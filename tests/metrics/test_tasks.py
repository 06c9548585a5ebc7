"""The roll-up refresh task: after schools or enrollment change, stored roll-ups are recomputed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from metrics import services, tasks
from metrics.choices import Aggregation
from metrics.models import MetricRollup
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db

PERIOD = date(2024, 8, 1)


def test_refresh_follows_enrollment_and_new_schools(district, admin_member, priority, schools, in_district):
    weighted = MetricFactory(district=district, priority=priority, aggregation=Aggregation.WEIGHTED_MEAN)
    with in_district(district):
        for school, value in ((schools[0], "90"), (schools[1], "80")):
            services.metric_value_set(
                district=district,
                actor=admin_member,
                metric=weighted,
                school=school,
                period=PERIOD,
                value=Decimal(value),
                today=date(2026, 3, 1),
            )
    with scopes_disabled():
        schools[1].enrollment = 400  # was 100
        schools[1].save()
    SchoolFactory(district=district)  # a fourth school opens
    assert tasks.refresh_district_rollups.delay(district.pk).get() == 1
    with scopes_disabled():
        rollup = MetricRollup.objects.get(metric=weighted, period=PERIOD)
    assert rollup.value == Decimal("85") and (rollup.reporting_schools, rollup.total_schools) == (2, 4)


def test_refresh_of_a_missing_district_does_nothing(db):
    assert tasks.refresh_district_rollups(987654) == 0


def test_refresh_touches_only_its_own_district(district, other_district, admin_member, other_admin, in_district):
    """Refreshing district A recomputes A's roll-ups and leaves B's exactly as stored."""
    rollups = {}
    for d, actor in ((district, admin_member), (other_district, other_admin)):
        school = SchoolFactory(district=d, enrollment=100)
        metric = MetricFactory(district=d)
        with in_district(d):
            services.metric_value_set(
                district=d, actor=actor, metric=metric, school=school, period=PERIOD, value=Decimal("90")
            )
        SchoolFactory(district=d)  # a second school opens in each district: coverage becomes 1 of 2
        rollups[d.pk] = metric

    assert tasks.refresh_district_rollups.delay(district.pk).get() == 1

    with scopes_disabled():
        mine = MetricRollup.objects.get(metric=rollups[district.pk], period=PERIOD)
        theirs = MetricRollup.objects.get(metric=rollups[other_district.pk], period=PERIOD)
    assert mine.total_schools == 2
    assert theirs.total_schools == 1  # untouched until its own district is refreshed
