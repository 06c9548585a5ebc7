"""Defect 12 (issue 7): a metric's dates and its values' periods stay within its plan's window.

The window (metrics.bounds): a baseline up to two school years before the plan starts, a target
within the plan, values from the earliest baseline school year to the plan's last day. The forms,
the services and the values import all refuse what lies outside, with a message at the field or
the row; odd data stored before the bounds still shows without a 500 or a multi-megabyte page;
and a plan can't be shortened to strand its metrics' dates or values.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from metrics import services
from metrics.bounds import window_of_plan
from metrics.choices import Frequency
from metrics.models import Metric, MetricValue
from metrics.periods import PeriodError, parse_period
from plans.services import plan_update
from tests.metrics.factories import MetricFactory, MetricValueFactory
from tests.metrics.test_imports import preview
from tests.plans.factories import PLAN_END_YEAR, PLAN_START_YEAR, in_school_year, school_year, school_year_label

pytestmark = pytest.mark.django_db
AUGUST = 8
TODAY = in_school_year(0, 3, 1)  # within the plan's first school year


def url(name, district, **kwargs):
    return reverse(f"metrics:{name}", kwargs={"district_slug": district.slug, **kwargs})


@pytest.mark.parametrize(
    ("text", "frequency"),
    [("0000-01", Frequency.YEARLY), ("0001-01-15", Frequency.MONTHLY), ("9999-12-31", Frequency.YEARLY)],
)
def test_a_period_of_year_0_or_1_is_a_clear_period_error(text, frequency):
    # Before: "0000-01" on a yearly metric was date(0, …), a ValueError (a 500); "0001-01-15" was accepted.
    with pytest.raises(PeriodError):
        parse_period(text, frequency, AUGUST)


def test_import_refuses_far_periods_at_their_rows(district, admin_member, schools, priority, in_district):
    monthly = MetricFactory(district=district, priority=priority, name="Monthly", frequency=Frequency.MONTHLY)
    yearly = MetricFactory(district=district, priority=priority, name="Yearly")
    with in_district(district):
        _batch, plan = preview(
            district, admin_member, monthly, f"school,period,value\nA1,0001-01-15,90\nB1,{school_year(0)}-09,90\n"
        )
        problems = {(p.row, p.column) for p in plan.problems}
        assert problems == {(2, "period")} and len(plan.rows) == 1
        _batch, plan = preview(district, admin_member, yearly, "school,period,value\nA1,0000-01,90\n")
        assert [(p.row, p.column) for p in plan.problems] == [(2, "period")]
        # Within the year range but before the plan's window: refused at the row too.
        _batch, plan = preview(
            district, admin_member, yearly, f"school,period,value\nA1,{school_year_label(-10, '-')},90\n"
        )
        assert [(p.row, p.column) for p in plan.problems] == [(2, "period")]
        assert "outside this metric's plan" in plan.problems[0].message


def test_services_refuse_dates_and_periods_outside_the_plan(district, admin_member, priority, metric, schools):
    window = window_of_plan(priority.plan)
    fields = {
        "name": "Far",
        "definition": "Far dates.",
        "baseline_value": Decimal("1"),
        "baseline_date": date(1, 1, 1),
        "target_value": Decimal("2"),
        "target_date": date(9999, 12, 31),
        "frequency": Frequency.YEARLY,
    }
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.metric_create(district=district, actor=admin_member, priority=priority, **fields)
    assert {"baseline_date", "target_date"} <= set(error.value.message_dict)
    with scopes_disabled():
        assert not Metric.objects.filter(name="Far").exists()
        # The last allowed days are fine.
        services.metric_create(
            district=district,
            actor=admin_member,
            priority=priority,
            **{**fields, "baseline_date": window.first_day, "target_date": window.last_day},
        )
        with pytest.raises(ValidationError) as error:
            services.metric_value_set(
                district=district,
                actor=admin_member,
                metric=metric,
                school=schools[0],
                period=date(1, 1, 15),
                value=Decimal("85"),
                today=TODAY,
            )
        assert "period" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.metric_value_set(
                district=district,
                actor=admin_member,
                metric=metric,
                school=schools[0],
                period=date(window.first_day.year - 1, 9, 1),
                value=Decimal("85"),
                today=TODAY,
            )
        assert "outside this metric's plan" in error.value.message_dict["period"][0]
        assert not MetricValue.objects.filter(metric=metric).exists()


def test_metric_form_shows_far_dates_beside_their_fields(district, priority, cabinet_member, client_for):
    data = {
        "priority": priority.pk,
        "name": "Far dates",
        "definition": "Far.",
        "unit": "percent",
        "decimals": "1",
        "direction": "higher",
        "baseline_value": "71",
        "baseline_date": "0001-01-01",
        "target_value": "85",
        "target_date": in_school_year(2, 6, 30).isoformat(),
        "kind": "leading",
        "level": "school",
        "source": "import",
        "aggregation": "mean",
        "frequency": "yearly",
    }
    client = client_for(cabinet_member)
    response = client.post(url("metric_create", district), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "baseline_date" in form.errors
    response = client.post(
        url("metric_create", district), {**data, "baseline_date": in_school_year(-11, 6, 30).isoformat()}
    )
    assert "baseline_date" in response.context["form"].errors
    assert "before the plan starts" in response.context["form"].errors["baseline_date"][0]
    response = client.post(
        url("metric_create", district),
        {**data, "target_date": "9999-12-31", "baseline_date": in_school_year(-2, 6, 30).isoformat()},
    )
    assert "target_date" in response.context["form"].errors
    with scopes_disabled():
        assert not Metric.objects.filter(name="Far dates").exists()


def test_odd_dates_stored_before_the_bounds_still_show_small_pages(
    district, priority, admin_member, schools, client_for
):
    # A baseline of 0001-01-01 made the value form fail; one value for 0001-01 drew 24,335 empty months.
    odd = MetricFactory(
        district=district,
        priority=priority,
        name="Odd",
        baseline_date=date(1, 1, 1),
        target_date=date(9999, 12, 31),
        frequency=Frequency.MONTHLY,
    )
    MetricValueFactory(district=district, metric=odd, school=schools[0], period=date(1, 1, 1), value=Decimal("5"))
    MetricValueFactory(
        district=district, metric=odd, school=schools[0], period=in_school_year(0, 9), value=Decimal("6")
    )
    with scopes_disabled():
        from metrics.rollups import recompute_rollups

        recompute_rollups(district=district, keys={(odd.pk, date(1, 1, 1)), (odd.pk, in_school_year(0, 9))})
    client = client_for(admin_member)
    for name in ("value_enter", "metric_edit", "metric_detail"):
        response = client.get(url(name, district, metric_id=odd.pk))
        assert response.status_code == 200, name
        assert len(response.content) < 300_000, (name, len(response.content))


def test_a_plan_cant_be_shortened_to_strand_metric_values(district, admin_member, priority, metric, schools):
    plan = priority.plan
    with scopes_disabled():
        services.metric_value_set(
            district=district,
            actor=admin_member,
            metric=metric,
            school=schools[0],
            period=in_school_year(0),
            value=Decimal("85"),
            today=TODAY,
        )
        with pytest.raises(ValidationError) as error:
            plan_update(
                district=district, actor=admin_member, plan=plan, start_year=school_year(3), end_year=PLAN_END_YEAR
            )
        message = error.value.message_dict["start_year"][0]
        assert "1 metric has its baseline more than 2 school years before" in message
        assert "1 value is for a period before" in message and "target date before the plan would start" in message
        plan.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            plan_update(
                district=district, actor=admin_member, plan=plan, start_year=PLAN_START_YEAR, end_year=school_year(1)
            )
        assert "1 metric has its target date after the plan would end" in error.value.message_dict["end_year"][0]
        plan.refresh_from_db()
        assert (plan.start_year, plan.end_year) == (PLAN_START_YEAR, PLAN_END_YEAR)


def test_the_values_import_caps_its_rows_with_a_clear_message(
    district, admin_member, metric, schools, in_district, settings
):
    # The shared reader (districts.imports) caps every import's rows, this one's included.
    settings.IMPORT_MAX_ROWS = 2
    with in_district(district), pytest.raises(ValidationError) as error:
        preview(
            district,
            admin_member,
            metric,
            "school,period,value\n"
            + "".join(f"{code},{school_year_label(-1, '-')},{n}\n" for code, n in (("A1", 90), ("B1", 80), ("C1", 70))),
        )
    assert "more than 2 rows" in error.value.message_dict["file"][0]


@pytest.mark.parametrize("decimals", ["5", "99999999999999999999"])
def test_decimal_places_beyond_four_are_a_message_at_the_field(
    decimals, district, priority, cabinet_member, client_for
):
    """A huge number of decimal places once hung the request (10**decimals while describing the range)."""
    data = {
        "priority": priority.pk,
        "name": "Many places",
        "definition": "Too many decimals.",
        "unit": "percent",
        "decimals": decimals,
        "direction": "higher",
        "baseline_value": "71",
        "baseline_date": in_school_year(-2, 6, 30).isoformat(),
        "target_value": "85",
        "target_date": in_school_year(2, 6, 30).isoformat(),
        "kind": "leading",
        "level": "school",
        "source": "import",
        "aggregation": "mean",
        "frequency": "yearly",
    }
    response = client_for(cabinet_member).post(url("metric_create", district), data)
    assert response.status_code == 200
    assert "decimals" in response.context["form"].errors
    with scopes_disabled():
        assert not Metric.objects.filter(name="Many places").exists()


def test_the_service_refuses_decimal_places_beyond_four(district, admin_member, priority):
    fields = {
        "name": "Many places",
        "definition": "Too many decimals.",
        "baseline_value": Decimal("1"),
        "baseline_date": in_school_year(-2, 6, 30),
        "target_value": Decimal("2"),
        "target_date": in_school_year(2, 6, 30),
        "frequency": Frequency.YEARLY,
        "decimals": 10**20,
    }
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.metric_create(district=district, actor=admin_member, priority=priority, **fields)
    assert "decimals" in error.value.message_dict
