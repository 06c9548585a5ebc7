"""Fetch one plan object within the actor's district, or 404.

Drafts and archived plans are 404 (not 403) for members who may only read the
active plan (board members, principals, staff): a URL never reveals that a
draft exists.
"""

from __future__ import annotations

from django.http import Http404

from districts.access import access_in_district
from districts.models import Membership
from districts.policy import Action, can

from .models import Competency, StrategicPlan


def ensure_plan_visible(*, actor: Membership, plan: StrategicPlan) -> None:
    if not plan.is_active and not can(actor, Action.VIEW_DRAFT_PLANS):
        raise Http404("No such strategic plan.")


def access_plan(*, actor: Membership, plan_id: object) -> StrategicPlan:
    plan = access_in_district(StrategicPlan.objects.select_related("district"), actor=actor, pk=plan_id)
    ensure_plan_visible(actor=actor, plan=plan)
    return plan


def access_competency(*, actor: Membership, competency_id: object) -> Competency:
    competency = access_in_district(Competency.objects.select_related("plan__district"), actor=actor, pk=competency_id)
    ensure_plan_visible(actor=actor, plan=competency.plan)
    return competency
