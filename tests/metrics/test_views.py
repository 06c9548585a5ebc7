"""Metric pages: their contents, HTMX partials, fixed query counts (what each role may do: test_permissions.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from districts.roles import Role
from metrics.choices import Level
from metrics.models import MetricValue
from plans.models import PlanState
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, MetricValueFactory, PlanFactory, PriorityFactory, active_plan
from tests.plans.factories import csv_school_year, in_school_year, school_year, school_year_label

pytestmark = pytest.mark.django_db

YEAR_BEFORE = in_school_year(-1)


def url(name, district, **kwargs):
    return reverse(f"metrics:{name}", kwargs={"district_slug": district.slug, **kwargs})


# The role matrix of these pages: tests/metrics/test_permissions.py.


def test_a_batch_of_another_metric_or_kind_is_404(district, metric, priority, admin_member, client_for):
    from districts.models import ImportBatch, ImportKind

    other = MetricFactory(district=district, priority=priority)
    with scopes_disabled():
        for_other = ImportBatch.objects.create(
            district=district, kind=ImportKind.METRIC_VALUES, target_id=other.pk, filename="v.csv", content="x"
        )
        schools_batch = ImportBatch.objects.create(
            district=district, kind=ImportKind.SCHOOLS, filename="s.csv", content="x"
        )
    client = client_for(admin_member)
    for batch in (for_other, schools_batch):
        assert (
            client.get(url("value_import_batch", district, metric_id=metric.pk, batch_id=batch.pk)).status_code == 404
        )


def test_metrics_of_draft_plans_are_hidden_from_readers(district, make_member, client_for, admin_member):
    draft = PlanFactory(district=district, state=PlanState.DRAFT, title="Next plan")
    hidden = MetricFactory(
        district=district, priority=PriorityFactory(district=district, plan=draft), name="Draft-only metric"
    )
    board = make_member(district, Role.BOARD_MEMBER)
    assert client_for(board).get(url("metric_detail", district, metric_id=hidden.pk)).status_code == 404
    assert "Draft-only metric" not in client_for(board).get(url("metric_list", district)).content.decode()
    assert client_for(admin_member).get(url("metric_detail", district, metric_id=hidden.pk)).status_code == 200
    assert "Draft-only metric" in client_for(admin_member).get(url("metric_list", district)).content.decode()


# --- The metric page -------------------------------------------------------------------------


def test_metric_page_shows_rollup_coverage_rule_chart_and_schools(district, rolled_up, board_member, client_for):
    html = client_for(board_member).get(url("metric_detail", district, metric_id=rolled_up.pk)).content.decode()
    assert "85.5%" in html  # mean of 90 and 81
    assert "2 of 3 schools reported" in html
    assert "The mean of the 2 reported school values: 171 ÷ 2 = 85.5%." in html
    assert "1 school without a value is left out, not counted as zero." in html
    assert "On track</span> At or above the line (higher is better)." in html
    assert 'role="img"' in html and '<title id="metric-' in html and '<desc id="metric-' in html
    assert f"Target 90.0% by Jul {school_year(3)}" in html
    assert "Carver High" in html and "Not reported" in html
    assert "+4.0 percentage points" in html  # Adams: 86 → 90
    assert 'style="' not in html


def test_school_table_filters_by_level_and_region_and_htmx_gets_the_partial(
    district, rolled_up, board_member, client_for
):
    client = client_for(board_member)
    page = client.get(url("metric_detail", district, metric_id=rolled_up.pk), {"region": "South"}).content.decode()
    assert "Baker Middle" in page and "Adams Elementary" not in page.split('id="metric-schools"')[1]
    assert "For the 1 school matching the filters: 81.0% (1 of 1 reported)" in page
    partial = client.get(
        url("metric_detail", district, metric_id=rolled_up.pk), {"level": "high"}, HTTP_HX_REQUEST="true"
    )
    body = partial.content.decode()
    assert "<html" not in body and '<div id="metric-schools" hx-swap="outerHTML">' in body
    assert 'id="metric-schools-status"' in body and "1 school shown matching the filters." in body
    assert "Carver High" in body and "Baker Middle" not in body
    assert "HX-Request" in partial.headers["Vary"]


def test_school_table_sorts_by_value_with_missing_last(district, rolled_up, board_member, client_for):
    client = client_for(board_member)
    html = client.get(url("metric_detail", district, metric_id=rolled_up.pk), {"sort": "value", "dir": "desc"})
    table = html.content.decode().split('id="metric-schools"')[1]
    assert table.index("Adams Elementary") < table.index("Baker Middle") < table.index("Carver High")
    assert 'aria-sort="descending"' in table
    html = client.get(url("metric_detail", district, metric_id=rolled_up.pk), {"sort": "value"})
    table = html.content.decode().split('id="metric-schools"')[1]
    assert table.index("Baker Middle") < table.index("Adams Elementary") < table.index("Carver High")


def test_period_picker_shows_an_earlier_period(district, rolled_up, board_member, client_for):
    html = (
        client_for(board_member)
        .get(url("metric_detail", district, metric_id=rolled_up.pk), {"period": csv_school_year(-2)})
        .content.decode()
    )
    assert f"District value, {school_year_label(-2)}" in html and "1 of 3 schools reported" in html


def test_metric_page_query_count_does_not_grow_with_schools(
    district, rolled_up, board_member, client_for, django_assert_max_num_queries, in_district
):
    client = client_for(board_member)
    page = url("metric_detail", district, metric_id=rolled_up.pk)
    client.get(page)  # warm up sessions and caches
    with django_assert_max_num_queries(17) as few:  # a fixed number: the school table is one page, in SQL
        assert client.get(page).status_code == 200
    from metrics import services

    admin = board_member.__class__  # noqa: F841 - keep fixtures readable
    many = [SchoolFactory(district=district, name=f"Extra school {i}") for i in range(60)]
    from tests.factories import MembershipFactory

    writer = MembershipFactory(district=district, role=Role.DISTRICT_ADMIN)
    with in_district(district):
        for school in many:
            services.metric_value_set(
                district=district,
                actor=writer,
                metric=rolled_up,
                school=school,
                period=YEAR_BEFORE,
                value=Decimal("88"),
            )
    with django_assert_max_num_queries(len(few.captured_queries)) as more:
        response = client.get(page)
    assert response.status_code == 200 and "62 of 63 schools reported" in response.content.decode()
    assert len(more.captured_queries) == len(few.captured_queries)


def test_district_only_metric_page(district, priority, admin_member, client_for, in_district):
    from metrics import services

    district_metric = MetricFactory(district=district, priority=priority, level=Level.DISTRICT, name="Budget share")
    with in_district(district):
        services.metric_value_set(
            district=district,
            actor=admin_member,
            metric=district_metric,
            school=None,
            period=YEAR_BEFORE,
            value=Decimal("84"),
        )
    html = client_for(admin_member).get(url("metric_detail", district, metric_id=district_metric.pk)).content.decode()
    assert "84.0%" in html and "district-only metric" in html.lower() and "schools reported" not in html


def test_metric_list_groups_by_priority_with_status_text_and_sparklines(district, rolled_up, board_member, client_for):
    html = client_for(board_member).get(url("metric_list", district)).content.decode()
    assert f"{rolled_up.priority.code} · {rolled_up.priority.title}" in html
    assert "Attendance rate" in html and "On track" in html and 'class="sparkline"' in html
    assert "2 of 3 schools reported" in html


# --- Value entry and history ---------------------------------------------------------------------


def test_principal_enters_their_schools_value_and_sees_errors_at_the_field(
    district, metric, schools, make_member, client_for
):
    principal = make_member(district, Role.PRINCIPAL, school=schools[0])
    client = client_for(principal)
    page = client.get(url("value_enter", district, metric_id=metric.pk)).content.decode()
    assert "Adams Elementary" in page and "Baker Middle" not in page  # their school only
    bad = client.post(
        url("value_enter", district, metric_id=metric.pk),
        {"school": schools[0].pk, "period": in_school_year(-1).isoformat(), "value": "104"},
    )
    assert bad.status_code == 200
    assert "104 is outside the allowed range for this metric: 0.0% to 100.0%." in bad.content.decode()
    forged = client.post(
        url("value_enter", district, metric_id=metric.pk),
        {"school": schools[1].pk, "period": in_school_year(-1).isoformat(), "value": "90"},
    )
    assert forged.status_code == 200 and "Select a valid choice" in forged.content.decode()
    good = client.post(
        url("value_enter", district, metric_id=metric.pk),
        {
            "school": schools[0].pk,
            "period": in_school_year(-1).isoformat(),
            "value": "92.5%",
            "note": "From SIS",
        },
    )
    assert good.status_code == 302 and good.url.endswith(f"?period={csv_school_year(-1)}")
    with scopes_disabled():
        assert MetricValue.objects.get().value == Decimal("92.5")


def test_value_history_page_says_who_changed_what(
    district, metric, schools, admin_member, principal_member, client_for, in_district
):
    from metrics import services

    school = principal_member.school
    with in_district(district):
        services.metric_value_set(
            district=district,
            actor=principal_member,
            metric=metric,
            school=school,
            period=YEAR_BEFORE,
            value=Decimal("85"),
        )
        value = services.metric_value_set(
            district=district,
            actor=admin_member,
            metric=metric,
            school=school,
            period=YEAR_BEFORE,
            value=Decimal("87.5"),
            note="Corrected",
        )
    html = client_for(admin_member).get(url("value_detail", district, metric_value_id=value.pk)).content.decode()
    assert admin_member.user.get_full_name() in html and principal_member.user.get_full_name() in html
    assert "85.0%" in html and "87.5%" in html and "Changed" in html and "Corrected" in html


# --- Definition form -------------------------------------------------------------------------------


def form_data(priority, **overrides):
    data = {
        "priority": priority.pk,
        "name": "Ninth graders on track",
        "definition": "Share of 9th graders with enough credits to be on track.",
        "unit": "percent",
        "decimals": "1",
        "direction": "higher",
        "baseline_value": "71",
        "baseline_date": in_school_year(-2, 6, 30).isoformat(),
        "target_value": "85",
        "target_date": in_school_year(2, 6, 30).isoformat(),
        "kind": "leading",
        "level": "school",
        "school_levels": ["high"],
        "source": "import",
        "aggregation": "weighted_mean",
        "frequency": "yearly",
        f"interim_{school_year(0)}": "76",
    }
    data.update(overrides)
    return data


def test_metric_form_creates_with_interims_and_shows_field_errors(district, priority, cabinet_member, client_for):
    client = client_for(cabinet_member)
    create = url("metric_create", district)
    page = client.get(create, {"priority": priority.pk}).content.decode()
    assert school_year_label(0) in page and "Interim targets" in page
    bad = client.post(create, form_data(priority, target_date=in_school_year(-2, 1, 1).isoformat(), valid_min="-5"))
    html = bad.content.decode()
    assert "The target date must be after the baseline date." in html
    assert "The lowest allowed value must be within 0.0% to 100.0% for percent." in html
    good = client.post(create, form_data(priority))
    assert good.status_code == 302
    with scopes_disabled():
        from metrics.models import Metric

        metric = Metric.objects.get(name="Ninth graders on track")
        assert metric.school_levels == ["high"]
        assert list(metric.interim_targets.values_list("school_year", "value")) == [(school_year(0), Decimal("76"))]


def test_cabinet_cannot_add_under_a_priority_they_do_not_lead(district, priority, cabinet_member, client_for):
    not_theirs = PriorityFactory(plan=active_plan(district))
    assert (
        client_for(cabinet_member).get(url("metric_create", district), {"priority": not_theirs.pk}).status_code == 403
    )
    response = client_for(cabinet_member).post(url("metric_create", district), form_data(not_theirs))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_cabinet_without_a_priority_is_told_why_there_is_no_form(district, make_member, client_for):
    html = client_for(make_member(district, Role.CABINET)).get(url("metric_create", district)).content.decode()
    assert "no priority you can add metrics under" in html and '<form method="post" class="form wide"' not in html


def test_school_table_is_paginated_keeping_filters_and_sort(district, metric, admin_member, client_for, in_district):
    from metrics import services

    many = [SchoolFactory(district=district, name=f"Paged school {i:03d}", region="West") for i in range(105)]
    with in_district(district):
        services.metric_values_upsert(
            district=district,
            actor=admin_member,
            items=[
                services.ValueInput(metric=metric, school=s, period=YEAR_BEFORE, value=Decimal(80 + i % 10))
                for i, s in enumerate(many)
            ],
            today=in_school_year(0, 3, 1),
        )
    client = client_for(admin_member)
    page = url("metric_detail", district, metric_id=metric.pk)
    first = client.get(page, {"region": "West", "sort": "name"}).content.decode()
    assert "Paged school 099" in first and "Paged school 100" not in first
    assert "Page 1 of 2" in first and "region=West" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = client.get(page, {"region": "West", "page": "2"}).content.decode()
    assert "Paged school 104" in second and "Paged school 000" not in second
    assert f"105 schools matching your filters: values for {school_year_label(-1)} (page 2 of 2)" in second


def test_metric_list_query_count_does_not_grow_with_metrics(
    district, rolled_up, priority, board_member, client_for, django_assert_max_num_queries
):
    client = client_for(board_member)
    page = url("metric_list", district)
    client.get(page)
    with django_assert_max_num_queries(12) as few:
        client.get(page)
    for _ in range(5):
        MetricFactory(district=district, priority=PriorityFactory(plan=active_plan(district)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page).status_code == 200


def test_values_download_as_csv(district, rolled_up, board_member, client_for):
    response = client_for(board_member).get(url("metric_values_csv", district, metric_id=rolled_up.pk))
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0] == "school,school_name,period,value,note,source,entered_by,updated_at"
    assert lines[1].startswith(f"A1,Adams Elementary,{csv_school_year(-2)},86,")
    assert len(lines) == 4


def test_edit_form_saves_and_recomputes(district, rolled_up, admin_member, client_for):
    client = client_for(admin_member)
    edit = url("metric_edit", district, metric_id=rolled_up.pk)
    page = client.get(edit).content.decode()
    assert 'value="80"' in page and "values, so its unit, frequency" in page
    data = {
        "name": rolled_up.name,
        "definition": rolled_up.definition,
        "unit": "percent",
        "decimals": "1",
        "direction": "higher",
        "baseline_value": "80",
        "baseline_date": in_school_year(-2, 7, 31).isoformat(),
        "target_value": "100",
        "target_date": in_school_year(2, 7, 31).isoformat(),
        "kind": "lagging",
        "level": "school",
        "source": "import",
        "aggregation": "mean",
        "frequency": "yearly",
        f"interim_{school_year(1)}": "90",
    }
    response = client.post(edit, data)
    assert response.status_code == 302
    html = client.get(url("metric_detail", district, metric_id=rolled_up.pk)).content.decode()
    assert f"Target 100.0% by Jul {school_year(3)}" in html and f"{school_year_label(1)} interim target 90.0%" in html
    frequency_change = client.post(edit, {**data, "frequency": "monthly"})
    assert "already has values, so its frequency can" in frequency_change.content.decode()


def test_share_and_sum_metrics_judge_schools_sensibly(
    district, priority, schools, admin_member, client_for, in_district
):
    """A share metric judges each school by the school target; a school's part of a sum has no status of its own."""
    from metrics import services
    from metrics.choices import Aggregation, Unit

    share = MetricFactory(
        district=district,
        priority=priority,
        name="Schools at 92%",
        school_target_value=92,
        aggregation=Aggregation.SHARE_MEETING_TARGET,
        baseline_value=20,
        target_value=80,
    )
    total = MetricFactory(
        district=district,
        priority=priority,
        name="Credentials earned",
        unit=Unit.COUNT,
        decimals=0,
        aggregation=Aggregation.SUM,
        baseline_value=300,
        target_value=900,
    )
    with in_district(district):
        for metric, numbers in ((share, ("93", "91", "92")), (total, ("120", "80", "150"))):
            services.metric_values_upsert(
                district=district,
                actor=admin_member,
                today=in_school_year(0, 3, 1),
                items=[
                    services.ValueInput(metric=metric, school=s, period=YEAR_BEFORE, value=Decimal(n))
                    for s, n in zip(schools, numbers, strict=True)
                ],
            )
    client = client_for(admin_member)
    html = client.get(url("metric_detail", district, metric_id=share.pk)).content.decode()
    table = html.split('id="metric-schools"')[1]
    assert table.count("</span> Met</span>") == 2 and table.count("</span> Not met</span>") == 1
    assert "On track</span>" not in table and "Each school either meets the school target (92.0% or higher)" in table
    assert "2 of the 3 reporting schools met the school target: 66.7%." in html
    html = client.get(url("metric_detail", district, metric_id=total.pk)).content.decode()
    table = html.split('id="metric-schools"')[1]
    assert "only the district total has a status" in table and "status-badge" not in table.split("</caption>")[1]
    assert "The sum of the 3 reported school values: 350." in html


def test_the_deletion_confirmation_counts_one_value_from_one_school_in_the_singular(
    district, priority, schools, admin_member, client_for
):
    metric = MetricFactory(district=district, priority=priority, name="Just started")
    MetricValueFactory(district=district, metric=metric, school=schools[0], period=YEAR_BEFORE, value=Decimal("90"))
    page = client_for(admin_member).get(url("metric_delete", district, metric_id=metric.pk)).content.decode()
    assert "This metric has 1 value from one school; it will be deleted with it." in page
    MetricValueFactory(
        district=district, metric=metric, school=schools[0], period=in_school_year(-2), value=Decimal("1")
    )
    page = client_for(admin_member).get(url("metric_delete", district, metric_id=metric.pk)).content.decode()
    assert "This metric has 2 values from one school; they will be deleted with it." in page


def test_a_metric_with_values_is_deleted_after_a_confirmation_naming_them(
    district, priority, rolled_up, admin_member, client_for
):
    # Before: a metric with values could not be deleted at all ("can't be deleted").
    client = client_for(admin_member)
    empty = MetricFactory(district=district, priority=priority, name="Created by mistake")
    assert (
        "No values have been entered" in client.get(url("metric_delete", district, metric_id=empty.pk)).content.decode()
    )
    response = client.post(url("metric_delete", district, metric_id=empty.pk))
    assert (
        response.status_code == 302
        and client.get(url("metric_detail", district, metric_id=empty.pk)).status_code == 404
    )
    page = client.get(url("metric_delete", district, metric_id=rolled_up.pk)).content.decode()
    assert "This metric has 3 values from 2 schools; they will be deleted with it." in page
    with scopes_disabled():
        value_ids = list(MetricValue.objects.filter(metric=rolled_up).values_list("pk", flat=True))
    response = client.post(url("metric_delete", district, metric_id=rolled_up.pk))
    assert response.status_code == 302
    assert client.get(url("metric_detail", district, metric_id=rolled_up.pk)).status_code == 404
    with scopes_disabled():
        assert not MetricValue.objects.filter(pk__in=value_ids).exists()
        removed = MetricValue.history.filter(id__in=value_ids, history_type="-")
        assert removed.count() == 3 and {r.history_user_id for r in removed} == {admin_member.user_id}
