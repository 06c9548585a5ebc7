"""Fetch one metric, value or import target within the actor's district, or 404.

A metric under a draft or archived plan is 404 for members who may read only
the active plan (board members, principals, staff), like the plan itself.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from districts.access import access_in_district
from districts.models import Membership
from districts.policy import Action, can
from plans.models import PlanState
from priorities.models import Priority

from .models import Metric, MetricValue


def sees_draft_plans(actor: Membership) -> bool:
    return can(actor, Action.VIEW_DRAFT_PLANS)


def visible_plan_states(actor: Membership) -> list[str]:
    return list(PlanState.values) if sees_draft_plans(actor) else [PlanState.ACTIVE]


def _ensure_visible(actor: Membership, priority: Priority) -> None:
    if priority.plan.state not in visible_plan_states(actor):
        raise Http404("No such metric.")


def metric_queryset() -> QuerySet[Metric]:
    return Metric.objects.select_related("district", "priority__plan", "priority__owner__user")


def access_metric(*, actor: Membership, metric_id: object) -> Metric:
    metric = access_in_district(metric_queryset(), actor=actor, pk=metric_id)
    _ensure_visible(actor, metric.priority)
    return metric


def access_metric_value(*, actor: Membership, metric_value_id: object) -> MetricValue:
    value = access_in_district(
        MetricValue.objects.select_related("metric__priority__plan", "school", "entered_by__user"),
        actor=actor,
        pk=metric_value_id,
    )
    _ensure_visible(actor, value.metric.priority)
    return value


def access_priority_for_metrics(*, actor: Membership, priority_id: object) -> Priority:
    """The priority a new metric goes under (from ?priority=): visible to the actor, or 404."""
    priority = access_in_district(Priority.objects.select_related("plan", "owner__user"), actor=actor, pk=priority_id)
    _ensure_visible(actor, priority)
    return priority
