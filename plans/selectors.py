"""Reads for plan pages."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from core.history import HistorySource
from districts.models import District, Membership
from districts.policy import Action, can

from .extensions import plan_history_sources as contributed_history_sources
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
    """What deleting a draft takes with it, counted through the plan's reverse relations (one query)."""
    counts = StrategicPlan.objects.filter(district_id=plan.district_id, pk=plan.pk).aggregate(
        priority_count=Count("priorities", distinct=True),
        commitment_count=Count("priorities__commitments", distinct=True),
    )
    return {
        "priorities": counts["priority_count"],
        "commitments": counts["commitment_count"],
        "competencies": plan.competencies.count(),
    }


def plan_history_sources(plan: StrategicPlan) -> list[HistorySource]:
    """The plan page's history: the plan itself, its portrait, and what apps built on plans contribute
    (`plans.extensions.plan_history_sources`: priorities adds its priorities, added, changed, removed)."""
    return [
        HistorySource(StrategicPlan.history.filter(id=plan.pk), lambda r: _("the plan")),
        HistorySource(
            Competency.history.filter(plan_id=plan.pk, district_id=plan.district_id),
            lambda r: _("competency “%(name)s”") % {"name": r.name},
        ),
        *(source for contribute in contributed_history_sources for source in contribute(plan)),
    ]
