"""Query parameters the plan and load pages read: a malformed value is ignored, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import school_year_label
from tests.plans.factories import ActivePlanFactory, PriorityFactory

MALFORMED = ["abc", "²", "99999999999999999999", "-1", "2025.5", "\x00", "2" * 10_000, ""]


@pytest.mark.parametrize("year", MALFORMED)
def test_load_pages_ignore_a_malformed_year(district, admin_member, client_for, year):
    plan = ActivePlanFactory(district=district)
    client = client_for(admin_member)
    current = plan.period.school_year_containing(timezone.localdate(timezone=district.tzinfo))
    label = school_year_label(current, district.school_year_start_month)

    response = client.get(reverse("priorities:load", kwargs={"district_slug": district.slug}), {"year": year})

    assert response.status_code == 200
    assert label in response.content.decode()  # the current school year, as without ?year=


def test_load_page_takes_a_year_of_the_plan(district, admin_member, client_for):
    plan = ActivePlanFactory(district=district)
    year = plan.period.school_years[-1]
    response = client_for(admin_member).get(
        reverse("priorities:load", kwargs={"district_slug": district.slug}), {"year": f" {year} "}
    )
    assert response.status_code == 200
    assert school_year_label(year, district.school_year_start_month) in response.content.decode()


@pytest.mark.parametrize("focus", ["\x00", "x" * 10_000, "<script>", "priority-1-title"])
def test_plan_page_ignores_a_malformed_focus(district, admin_member, client_for, focus):
    plan = ActivePlanFactory(district=district)
    PriorityFactory(plan=plan, district=district)
    url = reverse("plans:plan_detail", kwargs={"district_slug": district.slug, "plan_id": plan.pk})
    client = client_for(admin_member)

    page = client.get(url, {"focus": focus})
    partial = client.get(url, {"focus": focus}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="priorities-region")

    assert page.status_code == 200 and partial.status_code == 200
    assert "<script>" not in partial.content.decode()
    assert "x" * 101 not in page.content.decode()
