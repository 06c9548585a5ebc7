"""Reads for plan pages."""

from __future__ import annotations

from django.db.models import Count

from core.history import HistorySource
from districts.models import District, Membership
from districts.policy import Action, can

from .models import Competency, PlanState, StrategicPlan


def active_plan(*, district: District) -> StrategicPlan | None:
    return StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).first()


def plans_for(*, district: District, actor: Membership) -> list[StrategicPlan]:
    """The plans this member may see (only the active one without VIEW_DRAFT_PLANS), with their priority counts."""
    plans = StrategicPlan.objects.filter(district=district)
    if not can(actor, Action.VIEW_DRAFT_PLANS):
        plans = plans.filter(state=PlanState.ACTIVE)
    return list(plans.annotate(priority_count=Count("priorities", distinct=True)).order_by("-start_year", "title"))


def plan_contents_count(*, plan: StrategicPlan) -> dict[str, int]:
    from priorities.models import Commitment

    return {
        "priorities": plan.priorities.count(),
        "commitments": Commitment.objects.filter(district_id=plan.district_id, priority__plan=plan).count(),
        "competencies": plan.competencies.count(),
    }


def plan_history_sources(plan: StrategicPlan) -> list[HistorySource]:
    """The plan page's history: the plan itself, its portrait and its priorities (added, changed, removed)."""
    from priorities.models import Priority

    return [
        HistorySource(StrategicPlan.history.filter(id=plan.pk), lambda r: "the plan"),
        HistorySource(
            Competency.history.filter(plan_id=plan.pk, district_id=plan.district_id),
            lambda r: f"competency “{r.name}”",
        ),
        HistorySource(
            Priority.history.filter(plan_id=plan.pk, district_id=plan.district_id),
            lambda r: f"priority {r.code} “{r.title}”",
        ),
    ]
