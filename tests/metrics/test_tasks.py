"""The roll-up refresh task: after schools or enrollment change, stored roll-ups are recomputed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from metrics import services, tasks
from metrics.choices import Aggregation
from metrics.models import MetricRollup
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory
from tests.plans.factories import in_school_year

pytestmark = pytest.mark.django_db

PERIOD = in_school_year(-1)


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
                today=in_school_year(0, 3, 1),
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


# --- The refresh is outbox work: it survives a broker that is down at the commit -----------------


def _pending_refreshes(district):
    from districts.models import PendingWork

    with scopes_disabled():
        return list(PendingWork.objects.filter(district=district, kind="metrics.refresh_rollups"))


def test_a_refresh_lost_to_a_broker_outage_is_made_up_by_the_tick(
    district, admin_member, metric, schools, django_capture_on_commit_callbacks
):
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from districts import outbox
    from districts import services as district_services
    from districts.models import PendingWork
    from districts.tasks import platform_tick
    from districts.tenancy import district_context

    metric.aggregation = Aggregation.WEIGHTED_MEAN
    metric.save()
    adams, baker, _carver = schools  # enrollments 400 and 100
    with district_context(district):
        for school, value in ((adams, "90"), (baker, "80")):
            services.metric_value_set(
                district=district, actor=admin_member, metric=metric, school=school, period=PERIOD, value=Decimal(value)
            )

    broker_down = OperationalError("[Errno 111] Connection refused")
    with (
        mock.patch.object(Task, "apply_async", side_effect=broker_down),
        django_capture_on_commit_callbacks(execute=True),
        district_context(district),
    ):
        district_services.school_update(district=district, actor=admin_member, school=baker, enrollment=400)

    with scopes_disabled():
        assert MetricRollup.objects.get(metric=metric, period=PERIOD).value == Decimal("88")  # still stale
    (pending,) = _pending_refreshes(district)
    assert pending.done_at is None

    with scopes_disabled():
        PendingWork.objects.filter(pk=pending.pk).update(
            available_at=timezone.now() - outbox.DELIVERY_GRACE - timedelta(seconds=1)
        )
    platform_tick()  # the broker is back; the tick finds the undelivered refresh

    with scopes_disabled():
        assert MetricRollup.objects.get(metric=metric, period=PERIOD).value == Decimal("85")  # equal weights now
    (delivered,) = _pending_refreshes(district)
    assert delivered.done_at is not None


def test_ten_school_edits_are_one_pending_refresh(district, admin_member, metric, schools):
    from districts import services as district_services
    from districts.tenancy import district_context

    for enrollment in range(101, 111):
        with district_context(district):  # ten separate saves, none delivered yet
            district_services.school_update(
                district=district, actor=admin_member, school=schools[1], enrollment=enrollment
            )
    assert len(_pending_refreshes(district)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_does_not_hold_every_metric_locked(district, admin_member, priority, schools):
    """While the last metric is recomputed, the first one's roll-ups are free: value entry there doesn't wait."""
    import threading

    from metrics import rollups

    first, *_rest, last = [MetricFactory(district=district, priority=priority) for _ in range(3)]
    with scopes_disabled():
        for m in (first, *_rest, last):
            services.metric_value_set(
                district=district, actor=admin_member, metric=m, school=schools[0], period=PERIOD, value=Decimal("90")
            )
    outcome: list[object] = []
    real_lock = rollups.lock_rollup_keys

    def try_first_metric_from_another_connection():
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT 1 FROM {MetricRollup._meta.db_table} WHERE metric_id = %s FOR UPDATE NOWAIT", [first.pk]
                )
                outcome.append(len(cursor.fetchall()))
        except Exception as error:
            outcome.append(error)
        finally:
            connection.close()

    def lock_then_probe(*, district, keys):
        real_lock(district=district, keys=keys)
        if {m for m, _p in keys} == {last.pk}:
            probe = threading.Thread(target=try_first_metric_from_another_connection)
            probe.start()
            probe.join(timeout=10)

    with mock.patch.object(rollups, "lock_rollup_keys", lock_then_probe):
        assert tasks.refresh_district_rollups(district.pk) == 3
    assert outcome == [1]
