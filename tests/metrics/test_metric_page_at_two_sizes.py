"""The metric page judges each school it shows correctly, on every page and sorted by status, at two sizes."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.rollups import recompute_rollups
from tests.factories import SchoolFactory
from tests.metrics.factories import MetricFactory, MetricValueFactory
from tests.plans.factories import in_school_year

pytestmark = pytest.mark.django_db

YEAR_BEFORE = in_school_year(-1)


def _rows(html: str) -> list[tuple[str, str]]:
    """(school name, status text) of each school row, in page order."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        name = re.search(r"(Judged \d{3})", row)
        if name:
            status = "On track" if "On track" in row else "Off track" if "Off track" in row else "other"
            rows.append((name.group(1), status))
    return rows


@pytest.mark.parametrize("count", [6, 110])
def test_every_shown_school_has_its_own_status(district, admin_member, client_for, in_district, count):
    metric = MetricFactory(district=district, name="Attendance rate")
    expected = {}
    for n in range(count):
        school = SchoolFactory(district=district, name=f"Judged {n:03d}", code=f"J{n:03d}")
        high = n % 2 == 0
        MetricValueFactory(
            district=district, metric=metric, school=school, period=YEAR_BEFORE, value=Decimal("95" if high else "60")
        )
        expected[school.name] = "On track" if high else "Off track"
    with in_district(district):
        recompute_rollups(district=district, keys={(metric.pk, YEAR_BEFORE)})
    client = client_for(admin_member)
    detail = reverse("metrics:metric_detail", kwargs={"district_slug": district.slug, "metric_id": metric.pk})

    shown = _rows(client.get(detail).content.decode()) + _rows(client.get(detail + "?page=2").content.decode())
    by_status = _rows(client.get(detail + "?sort=status").content.decode())

    assert dict(shown) == expected
    groups = [status for _, status in by_status]
    assert groups == sorted(groups, key=lambda status: status != groups[0])  # one status, then the other
    assert all(expected[name] == status for name, status in by_status)
