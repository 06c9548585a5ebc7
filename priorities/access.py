"""Fetch one priority, commitment, assignment or role label within the actor's district, or 404.

Objects under a draft or archived plan are 404 for members who may only read
the active plan, like the plan itself (plans.access).
"""

from __future__ import annotations

from django.http import Http404

from districts.access import access_in_district
from districts.models import Membership, RoleLabel
from plans.access import ensure_plan_visible

from .models import Assignment, Commitment, Priority


def access_priority(*, actor: Membership, priority_id: object) -> Priority:
    priority = access_in_district(
        Priority.objects.select_related("plan__district", "owner__user"), actor=actor, pk=priority_id
    )
    ensure_plan_visible(actor=actor, plan=priority.plan)
    return priority


def access_commitment(*, actor: Membership, commitment_id: object) -> Commitment:
    commitment = access_in_district(
        Commitment.objects.select_related(
            "priority__plan__district", "priority__owner__user", "role_label", "lead_department"
        ),
        actor=actor,
        pk=commitment_id,
    )
    ensure_plan_visible(actor=actor, plan=commitment.priority.plan)
    return commitment


def access_assignment(*, actor: Membership, assignment_id: object) -> Assignment:
    assignment = access_in_district(
        Assignment.objects.select_related(
            "commitment__priority__plan__district",
            "commitment__priority__owner__user",
            "commitment__role_label",
            "school",
            "department",
            "owner__user",
        ),
        actor=actor,
        pk=assignment_id,
    )
    ensure_plan_visible(actor=actor, plan=assignment.commitment.priority.plan)
    return assignment


def access_role_label_by_slug(*, actor: Membership, slug: str) -> RoleLabel:
    label = RoleLabel.objects.filter(district_id=actor.district_id, slug=slug).first()
    if label is None:
        raise Http404("No such role.")
    return label
