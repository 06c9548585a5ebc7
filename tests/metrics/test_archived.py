"""An archived plan is read-only: its metrics' definitions and values can't change, by page or by service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from districts.imports import import_confirm, import_preview
from metrics import services
from metrics.importers import MetricValueImporter
from metrics.models import Metric, MetricValue
from plans.models import PlanState, StrategicPlan
from tests.plans.factories import csv_school_year, in_school_year

pytestmark = pytest.mark.django_db

ARCHIVED = "archived"
FILE = f"school,period,value\nA1,{csv_school_year(-1)},91\n"


def _url(name, district, metric):
    return reverse(f"metrics:{name}", kwargs={"district_slug": district.slug, "metric_id": metric.pk})


def _values(metric):
    with scopes_disabled():
        return list(MetricValue.objects.filter(metric=metric).values_list("school__code", "period", "value"))


@pytest.fixture
def stored(district, metric, schools, admin_member, in_district):
    """A value entered and a file previewed while the plan was active; then the plan is archived."""
    with in_district(district):
        services.metric_value_set(
            district=district,
            actor=admin_member,
            metric=metric,
            school=schools[0],
            period=in_school_year(-1),
            value=Decimal("90"),
        )
        batch, plan = import_preview(
            district=district,
            actor=admin_member,
            importer=MetricValueImporter(district=district, metric=metric),
            filename="v.csv",
            data=FILE.encode(),
        )
    assert plan.ok
    with scopes_disabled():
        StrategicPlan.objects.filter(pk=metric.priority.plan_id).update(state=PlanState.ARCHIVED)
    metric.refresh_from_db()
    return batch


def test_services_refuse_every_change(district, metric, schools, admin_member, in_district, stored):
    calls = [
        lambda: services.metric_update(district=district, actor=admin_member, metric=metric, name="Renamed"),
        lambda: services.metric_delete(district=district, actor=admin_member, metric=metric),
        lambda: services.metric_value_set(
            district=district,
            actor=admin_member,
            metric=metric,
            school=schools[1],
            period=in_school_year(-1),
            value=Decimal("70"),
        ),
        lambda: services.metric_values_upsert(
            district=district,
            actor=admin_member,
            items=[
                services.ValueInput(metric=metric, school=schools[1], period=in_school_year(-1), value=Decimal("70"))
            ],
        ),
        lambda: import_confirm(
            district=district,
            actor=admin_member,
            importer=MetricValueImporter(district=district, metric=metric),
            batch=stored,
        ),
    ]
    for call in calls:
        with in_district(district), pytest.raises(ValidationError):
            call()
    with scopes_disabled():
        assert Metric.objects.get(pk=metric.pk).name == metric.name
    assert _values(metric) == [("A1", in_school_year(-1), Decimal("90"))]


def test_pages_hide_the_changes_and_refuse_them_with_a_message(district, metric, admin_member, client_for, stored):
    client = client_for(admin_member)
    page = client.get(_url("metric_detail", district, metric)).content.decode()
    for name in ("metric_edit", "value_enter", "value_import"):
        assert _url(name, district, metric) not in page
    posts = [
        ("metric_edit", {"name": "Renamed"}),
        ("metric_delete", {}),
        ("value_enter", {"period": in_school_year(-1).isoformat(), "value": "70"}),
        ("value_import", {}),
    ]
    for name, data in posts:
        response = client.post(_url(name, district, metric), data, follow=True)
        assert response.status_code == 200, name
        assert ARCHIVED in response.content.decode(), name
    confirm = reverse(
        "metrics:value_import_confirm",
        kwargs={"district_slug": district.slug, "metric_id": metric.pk, "batch_id": stored.pk},
    )
    response = client.post(confirm, follow=True)
    assert response.status_code == 200 and ARCHIVED in response.content.decode()
    with scopes_disabled():
        assert Metric.objects.filter(pk=metric.pk, name=metric.name).exists()
    assert _values(metric) == [("A1", in_school_year(-1), Decimal("90"))]
