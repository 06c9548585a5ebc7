"""The metric page in a real browser: axe-clean, the chart's text alternative, HTMX filters that keep the URL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from districts.models import SchoolLevel
from districts.roles import Role
from districts.tenancy import district_context
from metrics import services
from metrics.choices import Aggregation, Frequency
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, PriorityFactory, active_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 3, 15)


@pytest.fixture
def metric_with_values(district, make_member):
    owner = make_member(district, Role.CABINET)
    priority = PriorityFactory(plan=active_plan(district), owner=owner, code="P2", title="Attendance and belonging")
    metric = MetricFactory(
        district=district,
        priority=priority,
        name="Chronic absenteeism rate",
        direction="lower",
        baseline_value=Decimal("23"),
        target_value=Decimal("10"),
        frequency=Frequency.MONTHLY,
        aggregation=Aggregation.WEIGHTED_MEAN,
    )
    schools = [
        SchoolFactory(district=district, name="North Elementary", level=SchoolLevel.ELEMENTARY, region="North"),
        SchoolFactory(district=district, name="South Middle", level=SchoolLevel.MIDDLE, region="South"),
        SchoolFactory(district=district, name="East High", level=SchoolLevel.HIGH, region="East"),
    ]
    admin = make_member(district, Role.DISTRICT_ADMIN)
    with district_context(district):
        for month in (9, 10, 11, 12):
            for index, school in enumerate(schools):
                if index == 2 and month == 12:
                    continue  # East High has not reported December
                services.metric_value_set(
                    district=district,
                    actor=admin,
                    metric=metric,
                    school=school,
                    period=date(2025, month, 1),
                    value=Decimal("20") - index - Decimal(month) / 10,
                    today=TODAY,
                )
        services.metric_update(district=district, actor=admin, metric=metric, interim_targets=[(2026, Decimal("19"))])
    return metric


def test_metric_page_is_accessible_and_filters_with_htmx(
    page, login_as, assert_no_axe_violations, district, make_member, metric_with_values
):
    board = make_member(district, Role.BOARD_MEMBER)
    login_as(page, board.user.email)
    page.goto(f"/d/{district.slug}/metrics/{metric_with_values.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Chronic absenteeism rate"
    chart = page.get_by_role("img", name="Chronic absenteeism rate: district value over time")
    assert chart.is_visible()
    assert "target 10.0% by" in chart.locator("desc").text_content().lower()
    assert page.get_by_text("2 of 3 schools reported").first.is_visible()
    assert page.get_by_role("table", name="Chart data: Chronic absenteeism rate").is_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Region").select_option("South")
    page.wait_for_url("**region=South**")
    table = page.locator("#metric-schools")
    table.get_by_text("South Middle").wait_for()
    assert "North Elementary" not in table.inner_text()
    assert page.locator("#metric-schools-status").text_content() == "1 school shown matching the filters."
    assert page.locator("#metric-schools").count() == 1
    assert_no_axe_violations(page)

    table.get_by_role("link", name="Value").click()
    page.wait_for_url("**sort=value**")
    assert page.locator("#metric-schools th[aria-sort]").count() == 1


def test_metric_list_and_value_form_are_accessible(
    page, login_as, assert_no_axe_violations, district, make_member, metric_with_values
):
    principal = make_member(district, Role.PRINCIPAL)
    login_as(page, principal.user.email)
    page.goto(f"/d/{district.slug}/metrics/")
    assert page.get_by_role("link", name="Chronic absenteeism rate").is_visible()
    assert_no_axe_violations(page)
    page.goto(f"/d/{district.slug}/metrics/{metric_with_values.pk}/values/new/")
    page.get_by_role("textbox", name="Value", exact=True).fill("250")
    page.get_by_role("button", name="Save value").click()
    assert "250 is outside the allowed range for this metric" in page.locator(".field-error").inner_text()
    assert_no_axe_violations(page)


def test_priority_page_with_its_metrics_is_accessible(
    page, login_as, assert_no_axe_violations, district, make_member, metric_with_values
):
    board = make_member(district, Role.BOARD_MEMBER)
    login_as(page, board.user.email)
    page.goto(f"/d/{district.slug}/priorities/{metric_with_values.priority_id}/")
    section = page.get_by_role("region", name="Measures of success")
    assert section.get_by_role("link", name="Chronic absenteeism rate").is_visible()
    assert section.get_by_role("img").first.get_attribute("aria-label").startswith("District value")
    assert_no_axe_violations(page)
