"""Two people saving values for the same metric and period at once: neither roll-up misses the other's value."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from districts.roles import Role
from districts.tenancy import district_context
from metrics import services
from metrics.models import MetricRollup
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory
from tests.plans.factories import in_school_year

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PERIOD = in_school_year(-1)


def test_concurrent_writers_keep_the_rollup_exact(district, make_member):
    metric = MetricFactory(district=district)
    schools = [SchoolFactory(district=district) for _ in range(8)]
    admin = make_member(district, Role.DISTRICT_ADMIN)
    start = threading.Barrier(len(schools))
    errors: list[BaseException] = []

    def save(school, value):
        try:
            start.wait(timeout=10)
            with district_context(district):
                services.metric_value_set(
                    district=district,
                    actor=admin,
                    metric=metric,
                    school=school,
                    period=PERIOD,
                    value=Decimal(value),
                    today=in_school_year(0, 3, 1),
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(s, 80 + i)) for i, s in enumerate(schools)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    with scopes_disabled():
        rollup = MetricRollup.objects.get(metric=metric, period=PERIOD)
    assert rollup.reporting_schools == 8
    assert rollup.value == Decimal("83.5")  # mean of 80…87
