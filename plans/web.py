"""Links to plan pages, for plans' views and the apps built on plans (no view module imports another app's)."""

from __future__ import annotations

from django.urls import reverse

from .models import StrategicPlan


def plan_url(plan: StrategicPlan, anchor: str = "") -> str:
    """The plan page, optionally at one element (`#priority-12`)."""
    url = reverse("plans:plan_detail", kwargs={"district_slug": plan.district.slug, "plan_id": plan.pk})
    return f"{url}#{anchor}" if anchor else url
