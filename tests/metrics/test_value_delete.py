"""A mistaken value can be removed (issue 7, defect 12): a confirmation, then the value goes, its history
keeps it (with who removed it), and the district value is recomputed exactly as after a write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from metrics import services
from metrics.models import MetricRollup, MetricValue
from plans.models import PlanState
from tests.plans.factories import in_school_year, school_year_label

pytestmark = pytest.mark.django_db
YEAR_BEFORE = in_school_year(-1)


def url(name, district, **kwargs):
    return reverse(f"metrics:{name}", kwargs={"district_slug": district.slug, **kwargs})


def rollup(metric, period=YEAR_BEFORE):
    with scopes_disabled():
        return MetricRollup.objects.get(metric=metric, period=period)


def test_removing_a_value_recomputes_the_district_value_and_keeps_history(
    district,
    rolled_up,
    values,
    admin_member,
    client_for,
):
    assert (rollup(rolled_up).value, rollup(rolled_up).reporting_schools) == (Decimal("85.5"), 2)
    client = client_for(admin_member)
    adams = values[0]
    detail = client.get(url("value_detail", district, metric_value_id=adams.pk)).content.decode()
    delete_url = url("value_delete", district, metric_value_id=adams.pk)
    assert delete_url in detail  # reachable from the value's page
    page = client.get(url("metric_detail", district, metric_id=rolled_up.pk)).content.decode()
    assert delete_url in page  # and from the metric's list of school values
    confirm = client.get(delete_url).content.decode()
    assert f"Remove Adams Elementary&#x27;s value for {school_year_label(-1)}?" in confirm and "90.0%" in confirm
    response = client.post(delete_url)
    assert response.status_code == 302
    with scopes_disabled():
        assert not MetricValue.objects.filter(pk=adams.pk).exists()
        record = MetricValue.history.filter(id=adams.pk).order_by("-history_date").first()
        assert record.history_type == "-" and record.history_user_id == admin_member.user_id
    # The roll-up is Baker's 81 alone now, as if Adams had never reported.
    assert (rollup(rolled_up).value, rollup(rolled_up).reporting_schools) == (Decimal("81"), 1)
    assert client.get(delete_url).status_code == 404


def test_removing_the_last_value_of_a_period_leaves_no_district_value(district, rolled_up, values, admin_member):
    with scopes_disabled():
        for value in values[:2]:
            services.metric_value_delete(district=district, actor=admin_member, value=value)
    assert rollup(rolled_up).value is None and rollup(rolled_up).reporting_schools == 0


def test_value_removal_is_refused_for_archived_plans_and_other_schools(
    district,
    rolled_up,
    values,
    admin_member,
    make_member,
    schools,
):
    principal = make_member(district, "principal", school=schools[1])
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.metric_value_delete(district=district, actor=principal, value=values[0])  # Adams: not theirs
        services.metric_value_delete(district=district, actor=principal, value=values[1])  # Baker: theirs
        plan = rolled_up.priority.plan
        plan.state = PlanState.ARCHIVED
        plan.save(update_fields=["state"])
        with pytest.raises(ValidationError):
            services.metric_value_delete(district=district, actor=admin_member, value=values[0])
        assert MetricValue.objects.filter(pk=values[0].pk).exists()


def test_value_history_reads_only_the_newest_changes(district, metric, schools, admin_member):
    from metrics.selectors import value_history

    with scopes_disabled():
        for number in ("80", "81", "82", "83"):
            value = services.metric_value_set(
                district=district,
                actor=admin_member,
                metric=metric,
                school=schools[0],
                period=YEAR_BEFORE,
                value=Decimal(number),
                today=in_school_year(0, 3, 1),
            )
        entries = value_history(value=value, limit=2)
    # The newest two, each from the value before it (the one before the oldest shown is read for it).
    assert [(e.verb, e.changes[0].old, e.changes[0].new) for e in entries] == [
        ("Changed", "82.0%", "83.0%"),
        ("Changed", "81.0%", "82.0%"),
    ]
