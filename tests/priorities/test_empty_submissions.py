"""An empty form post shows what is missing, at the fields, and saves nothing."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from priorities.models import Commitment, Priority
from tests.plans.factories import PlanFactory, PriorityFactory


def test_empty_priority_form_says_what_is_missing(district, admin_member, client_for):
    plan = PlanFactory(district=district)
    url = reverse("priorities:priority_create", kwargs={"district_slug": district.slug, "plan_id": plan.pk})
    response = client_for(admin_member).post(url, {})
    assert response.status_code == 200
    assert "Give the priority a title." in response.content.decode()
    with scopes_disabled():
        assert not Priority.objects.filter(plan=plan).exists()


def test_empty_commitment_form_says_what_is_missing(district, admin_member, client_for):
    priority = PriorityFactory(plan=PlanFactory(district=district), district=district)
    url = reverse("priorities:commitment_create", kwargs={"district_slug": district.slug, "priority_id": priority.pk})
    response = client_for(admin_member).post(url, {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    with scopes_disabled():
        assert not Commitment.objects.filter(priority=priority).exists()
