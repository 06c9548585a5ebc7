"""Stored roll-ups follow what they depend on outside metrics: schools and the district's tolerance."""

from __future__ import annotations

from decimal import Decimal

from districts import services as district_services
from districts.models import PendingWork
from districts.tenancy import district_context
from metrics.choices import Aggregation
from metrics.models import MetricRollup
from metrics.rollups import REFRESH_ROLLUPS
from metrics.services import metric_value_set
from tests.plans.factories import in_school_year

PERIOD = in_school_year(0)


def _rollup(district, metric) -> MetricRollup:
    with district_context(district):
        return MetricRollup.objects.get(district=district, metric=metric, period=PERIOD)


def _enter(district, admin, metric, school, value):
    with district_context(district):
        metric_value_set(district=district, actor=admin, metric=metric, school=school, period=PERIOD, value=value)


def test_enrollment_change_reweights_the_district_value(
    district, admin_member, metric, schools, django_capture_on_commit_callbacks
):
    metric.aggregation = Aggregation.WEIGHTED_MEAN
    metric.save()
    adams, baker, _carver = schools  # enrollments 400 and 100
    _enter(district, admin_member, metric, adams, Decimal("90"))
    _enter(district, admin_member, metric, baker, Decimal("80"))
    assert _rollup(district, metric).value == Decimal("88")  # (90*400 + 80*100) / 500

    with django_capture_on_commit_callbacks(execute=True), district_context(district):
        district_services.school_update(district=district, actor=admin_member, school=baker, enrollment=400)

    assert _rollup(district, metric).value == Decimal("85")  # equal weights now


def test_a_new_school_counts_in_coverage(district, admin_member, metric, schools, django_capture_on_commit_callbacks):
    _enter(district, admin_member, metric, schools[0], Decimal("90"))
    assert _rollup(district, metric).total_schools == 3

    with django_capture_on_commit_callbacks(execute=True), district_context(district):
        district_services.school_create(
            district=district, actor=admin_member, name="Delta Elementary", level="elementary"
        )

    rollup = _rollup(district, metric)
    assert (rollup.reporting_schools, rollup.total_schools) == (1, 4)


def test_renaming_a_school_does_not_queue_a_refresh(district, admin_member, schools):
    # A name is not in any roll-up: no refresh is written (the dashboards' name cache is bumped instead).
    with district_context(district):
        district_services.school_update(
            district=district, actor=admin_member, school=schools[0], name="Adams Community Academy"
        )
        assert not PendingWork.objects.filter(district=district, kind=REFRESH_ROLLUPS).exists()
        district_services.school_update(district=district, actor=admin_member, school=schools[0], enrollment=401)
        assert PendingWork.objects.filter(district=district, kind=REFRESH_ROLLUPS).exists()


def test_tolerance_change_rejudges_status(district, admin_member, metric, schools, django_capture_on_commit_callbacks):
    # The line runs 80 → 90 over four years; for 2025–26 it expects about 85.0.
    # 84.5 is behind by 0.5: at risk with the default 10% tolerance (1 point), off track with none.
    _enter(district, admin_member, metric, schools[0], Decimal("84.5"))
    assert _rollup(district, metric).status == "at_risk"

    with django_capture_on_commit_callbacks(execute=True), district_context(district):
        district_services.district_update(district=district, actor=admin_member, metric_tolerance_percent=Decimal("0"))

    assert _rollup(district, metric).status == "off_track"
