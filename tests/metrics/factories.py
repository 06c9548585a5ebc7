"""Factories for metrics tests; every child is made in its parent's district."""

from __future__ import annotations

from decimal import Decimal

import factory
from django_scopes import scopes_disabled

from metrics.choices import Aggregation, Direction, Frequency, Level, Unit
from metrics.models import Metric, MetricValue
from plans.models import PlanState, StrategicPlan
from tests.factories import DistrictFactory, ScopeFreeFactory
from tests.plans.factories import PlanFactory, PriorityFactory, in_school_year

__all__ = ["MetricFactory", "MetricValueFactory", "PlanFactory", "PriorityFactory", "active_plan"]


def active_plan(district) -> StrategicPlan:
    """The district's one active plan, made on first use."""
    with scopes_disabled():
        plan = StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).first()
    return plan or PlanFactory(district=district, state=PlanState.ACTIVE)


class MetricFactory(ScopeFreeFactory):
    """A yearly attendance-style percent metric, mean of schools: 80% at the end of school year -2 (2024-07-31
    for a 2025–2030 plan) to 90% at the end of the plan's third school year (2028-07-31)."""

    class Meta:
        model = Metric

    district = factory.SubFactory(DistrictFactory)
    priority = factory.LazyAttribute(lambda o: PriorityFactory(plan=active_plan(o.district)))
    name = factory.Sequence(lambda n: f"Metric {n}")
    definition = "Share of enrolled days attended."
    unit = Unit.PERCENT
    decimals = 1
    direction = Direction.HIGHER
    baseline_value = Decimal("80")
    baseline_date = in_school_year(-2, 7, 31)
    target_value = Decimal("90")
    target_date = in_school_year(2, 7, 31)
    level = Level.SCHOOL
    aggregation = Aggregation.MEAN
    frequency = Frequency.YEARLY


class MetricValueFactory(ScopeFreeFactory):
    class Meta:
        model = MetricValue

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=factory.SelfAttribute("..district"))
    school = None
    period = in_school_year(-1)  # the school year before the plan
    value = Decimal("85")
