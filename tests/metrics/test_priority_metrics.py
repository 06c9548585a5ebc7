"""Metrics shown on their priority: the selector's fixed query count and the fragment on the priority page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics import selectors, services
from tests.metrics.factories import MetricFactory, PriorityFactory, active_plan
from tests.plans.factories import in_school_year, school_year, school_year_label

pytestmark = pytest.mark.django_db


def test_priority_metric_summaries_take_two_queries_however_many_metrics(
    district, priority, schools, admin_member, in_district, django_assert_num_queries
):
    other = PriorityFactory(plan=active_plan(district))
    metrics = [MetricFactory(district=district, priority=p) for p in (priority, priority, other)]
    with in_district(district):
        for metric in metrics:
            for year in (school_year(-2), school_year(-1), school_year(0)):  # within the plan's window (metrics.bounds)
                services.metric_value_set(
                    district=district,
                    actor=admin_member,
                    metric=metric,
                    school=schools[0],
                    period=date(year, 8, 1),
                    value=Decimal("86"),  # above the line (about 85 at the end of year 0, by leap days)
                    today=in_school_year(0, 3, 1),
                )
        with django_assert_num_queries(2):
            summaries = selectors.priority_metric_summaries(district=district, priorities=[priority, other])
    assert [len(summaries[priority.pk]), len(summaries[other.pk])] == [2, 1]
    first = summaries[priority.pk][0]
    assert (
        first.value_text == "86.0%" and first.period_label == school_year_label(0) and first.status.label == "On track"
    )
    assert 'role="img"' in first.sparkline and f"{school_year_label(-2)} to {school_year_label(0)}" in first.sparkline


def test_priority_page_shows_its_metrics(district, priority, schools, admin_member, client_for, in_district):
    metric = MetricFactory(district=district, priority=priority, name="Third-grade reading")
    with in_district(district):
        services.metric_value_set(
            district=district,
            actor=admin_member,
            metric=metric,
            school=schools[0],
            period=in_school_year(-1),
            value=Decimal("85"),
            today=in_school_year(0, 3, 1),
        )
    html = (
        client_for(admin_member)
        .get(reverse("priorities:priority_detail", kwargs={"district_slug": district.slug, "priority_id": priority.pk}))
        .content.decode()
    )
    assert "Measures of success" in html and "Third-grade reading" in html and "On track" in html
    assert f"/metrics/new/?priority={priority.pk}" in html
