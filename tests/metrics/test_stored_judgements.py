"""The metric page reads each value's stored judgement (status, meets target) and orders, filters and pages
its school table in SQL. The judgement is kept exact wherever its roll-up is recomputed, and the migration
judged the values stored before."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from metrics import services
from metrics.choices import Status
from metrics.models import MetricValue
from tests.plans.factories import in_school_year

pytestmark = pytest.mark.django_db
YEAR_BEFORE = in_school_year(-1)


def judgements(metric):
    with scopes_disabled():
        return {
            v.school.code: (v.status, v.meets_target)
            for v in MetricValue.objects.filter(metric=metric, period=YEAR_BEFORE).select_related("school")
        }


def test_written_values_are_judged_and_follow_a_definition_change(district, metric, schools, admin_member):
    # The target line at the end of 2024–25 (80% in July 2024 to 90% in July 2028) is 82.5%; at risk within 1 point.
    with scopes_disabled():
        for school, number in zip(schools, ("90", "82", "70"), strict=True):
            services.metric_value_set(
                district=district,
                actor=admin_member,
                metric=metric,
                school=school,
                period=YEAR_BEFORE,
                value=Decimal(number),
                today=in_school_year(0, 3, 1),
            )
    assert judgements(metric) == {
        "A1": (Status.ON_TRACK, True),
        "B1": (Status.AT_RISK, False),
        "C1": (Status.OFF_TRACK, False),
    }
    with scopes_disabled():
        services.metric_update(district=district, actor=admin_member, metric=metric, baseline_value=Decimal("60"))
    # A lower baseline lowers the line to 67.5%: every school is on track now.
    assert {code: status for code, (status, _meets) in judgements(metric).items()} == dict.fromkeys(
        ("A1", "B1", "C1"), Status.ON_TRACK
    )


def test_the_migration_judges_values_stored_before(district, rolled_up, values):
    with scopes_disabled():
        MetricValue.objects.filter(metric=rolled_up).update(status=Status.NO_DATA, meets_target=None)
        migration = importlib.import_module("metrics.migrations.0002_value_judgement")
        migration.judge_existing_values(apps, None)
    assert judgements(rolled_up) == {"A1": (Status.ON_TRACK, True), "B1": (Status.OFF_TRACK, False)}


def test_the_school_table_searches_sorts_and_pages_in_sql(district, rolled_up, values, admin_member, client_for):
    client = client_for(admin_member)
    detail = reverse("metrics:metric_detail", kwargs={"district_slug": district.slug, "metric_id": rolled_up.pk})
    page = client.get(detail, {"q": "bake"})
    assert [row.school.name for row in page.context["school_page"]] == ["Baker Middle"]
    assert "For the 1 school matching the filters: 81.0%" in page.content.decode()
    assert [row.school.code for row in client.get(detail, {"q": "c1"}).context["school_page"]] == ["C1"]
    by_value = client.get(detail, {"sort": "value", "dir": "desc"}).context["school_page"]
    assert [row.school.code for row in by_value] == ["A1", "B1", "C1"]  # Carver has no value: last
    by_status = client.get(detail, {"sort": "status"}).context["school_page"]
    assert [(row.school.code, row.status.status) for row in by_status] == [
        ("B1", Status.OFF_TRACK),
        ("A1", Status.ON_TRACK),
        ("C1", Status.NO_DATA),
    ]
    changes = client.get(detail, {"sort": "change", "dir": "desc"}).context["school_page"]
    assert [(row.school.code, row.change) for row in changes][:1] == [("A1", Decimal("4"))]
