"""Writes for strategic plans and their Portrait of a Graduate.

Keyword-only, taking the district and the acting membership; each checks the
policy, validates with field messages, saves only what changed and records
who changed it (django-simple-history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.history import delete_with_history, save_with_history
from core.objects import apply_changes, ensure_same_district
from core.ordering import MoveDirection, move_in_order, next_position
from core.text import one_line
from districts.models import District, Membership
from districts.policy import Action, require
from districts.services import ensure_actor_in_district

from .models import Competency, PlanState, StrategicPlan

MAX_PLAN_YEARS = 10


def ensure_plan_editable(plan: StrategicPlan) -> None:
    if plan.is_archived:
        raise ValidationError(
            "This plan is archived and can no longer be changed. Start a new plan from it to build on its work."
        )


# --- Plans ----------------------------------------------------------------------


def _validate_plan(plan: StrategicPlan) -> None:
    errors: dict[str, str] = {}
    if not plan.title:
        errors["title"] = "Give the plan a title."
    elif (
        StrategicPlan.objects.filter(district_id=plan.district_id, title__iexact=plan.title)
        .exclude(pk=plan.pk)
        .exists()
    ):
        errors["title"] = f"Another plan is already called “{plan.title}”. Choose a different title."
    if plan.start_year and plan.end_year:
        if plan.end_year < plan.start_year:
            errors["end_year"] = "The last year can't be before the first year."
        elif plan.end_year - plan.start_year > MAX_PLAN_YEARS:
            errors["end_year"] = f"A strategic plan covers at most {MAX_PLAN_YEARS} years."
        elif plan.pk:
            errors.update(_commitments_outside_period(plan))
    if errors:
        raise ValidationError(errors)


def _commitments_outside_period(plan: StrategicPlan) -> dict[str, str]:
    from priorities.models import Commitment

    commitments = Commitment.objects.filter(district_id=plan.district_id, priority__plan=plan)
    early = commitments.filter(starts_on__lt=plan.first_day).count()
    late = commitments.filter(ends_on__gt=plan.last_day).count()
    errors = {}
    if early:
        errors["start_year"] = (
            f"{early} commitment{'s' if early != 1 else ''} in this plan start{'s' if early == 1 else ''} "
            f"before {plan.start_year}. Change {'its' if early == 1 else 'their'} dates first."
        )
    if late:
        errors["end_year"] = (
            f"{late} commitment{'s' if late != 1 else ''} in this plan end{'s' if late == 1 else ''} "
            f"after {plan.end_year}. Change {'its' if late == 1 else 'their'} dates first."
        )
    return errors


@transaction.atomic
def plan_create(
    *,
    district: District,
    actor: Membership,
    title: str,
    start_year: int,
    end_year: int,
    vision: str = "",
    mission: str = "",
    copy_from: StrategicPlan | None = None,
) -> StrategicPlan:
    """A new draft plan; with `copy_from`, starting from that plan's portrait, priorities and commitments."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(copy_from, district=district)
    plan = StrategicPlan(
        district=district,
        title=one_line(title),
        start_year=start_year,
        end_year=end_year,
        vision=vision.strip(),
        mission=mission.strip(),
        copied_from=copy_from,
    )
    _validate_plan(plan)
    save_with_history(plan, actor=actor)
    if copy_from is not None:
        _copy_plan_contents(source=copy_from, target=plan, actor=actor)
    return plan


@transaction.atomic
def plan_update(*, district: District, actor: Membership, plan: StrategicPlan, **changes: Any) -> StrategicPlan:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    ensure_plan_editable(plan)
    allowed = {"title", "start_year", "end_year", "vision", "mission"}
    if unknown := set(changes) - allowed:
        raise ValueError(f"Unknown plan fields: {', '.join(sorted(unknown))}")
    if "title" in changes:
        changes["title"] = one_line(changes["title"])
    for key in ("vision", "mission"):
        if key in changes:
            changes[key] = changes[key].strip()
    changed = apply_changes(plan, changes)
    if changed:
        _validate_plan(plan)
        save_with_history(plan, actor=actor, update_fields=[*changed, "updated_at"])
    return plan


@dataclass(frozen=True)
class PlanActivation:
    plan: StrategicPlan
    archived: StrategicPlan | None


@transaction.atomic
def plan_activate(*, district: District, actor: Membership, plan: StrategicPlan) -> PlanActivation:
    """Make a draft the district's active plan, archiving the one it replaces."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    # One activation at a time per district: the second waits here, then sees
    # (and archives) the plan the first one activated.
    district = District.objects.select_for_update().get(pk=district.pk)
    plan = StrategicPlan.objects.get(pk=plan.pk, district=district)
    if not plan.is_draft:
        raise ValidationError(f"Only a draft can be activated; this plan is {plan.get_state_display().lower()}.")
    priority_count = plan.priorities.count()
    if priority_count == 0:
        raise ValidationError("Add at least one priority before activating the plan.")
    if district.priority_hard_cap and priority_count > district.priority_hard_cap:
        raise ValidationError(
            f"This plan has {priority_count} priorities and the district allows at most "
            f"{district.priority_hard_cap}. Combine or remove some before activating it."
        )
    now = timezone.now()
    previous = StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).first()
    if previous is not None:
        previous.state, previous.archived_at = PlanState.ARCHIVED, now
        save_with_history(previous, actor=actor, update_fields=["state", "archived_at", "updated_at"])
    plan.state, plan.activated_at = PlanState.ACTIVE, now
    save_with_history(plan, actor=actor, update_fields=["state", "activated_at", "updated_at"])
    return PlanActivation(plan=plan, archived=previous)


@transaction.atomic
def plan_archive(*, district: District, actor: Membership, plan: StrategicPlan) -> StrategicPlan:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk, district=district)
    if not plan.is_active:
        raise ValidationError(f"Only the active plan can be archived; this plan is {plan.get_state_display().lower()}.")
    plan.state, plan.archived_at = PlanState.ARCHIVED, timezone.now()
    save_with_history(plan, actor=actor, update_fields=["state", "archived_at", "updated_at"])
    return plan


@transaction.atomic
def plan_delete(*, district: District, actor: Membership, plan: StrategicPlan) -> None:
    """Delete a draft. Active and archived plans are the district's record and stay."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    if not plan.is_draft:
        raise ValidationError("Only a draft can be deleted. Archive an active plan instead.")
    delete_with_history(plan, actor=actor, name=f"“{plan.title}”")


# --- Start from an earlier plan ----------------------------------------------------


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _fit_in_period(day: date, plan: StrategicPlan) -> date:
    return min(max(day, plan.first_day), plan.last_day)


def _copy_plan_contents(*, source: StrategicPlan, target: StrategicPlan, actor: Membership) -> None:
    """Copy the portrait, priorities, commitments and their live assignments into the new draft.

    Commitment dates move by the difference between the plans' first years and
    are kept inside the new period. Ended assignments stay behind; owners who
    have left the district are replaced by the place's default owner.
    """
    from priorities.models import Assignment, AssignmentStatus, Commitment, Priority
    from priorities.selectors import default_owners

    district, user = target.district, actor.user
    shift = target.start_year - source.start_year
    bulk_create_with_history(
        [
            Competency(district=district, plan=target, name=c.name, description=c.description, position=c.position)
            for c in source.competencies.all()
        ],
        Competency,
        default_user=user,
    )
    old_priorities = list(source.priorities.select_related("owner").order_by("position", "pk"))
    new_priorities = bulk_create_with_history(
        [
            Priority(
                district=district,
                plan=target,
                code=p.code,
                title=p.title,
                success_looks_like=p.success_looks_like,
                owner=p.owner if p.owner and p.owner.is_active else None,
                position=p.position,
            )
            for p in old_priorities
        ],
        Priority,
        default_user=user,
    )
    priority_map = {old.pk: new for old, new in zip(old_priorities, new_priorities, strict=True)}

    old_commitments = list(
        Commitment.objects.filter(district=district, priority__plan=source).order_by("priority_id", "position", "pk")
    )
    copies = []
    for c in old_commitments:
        starts_on = _fit_in_period(_shift_years(c.starts_on, shift), target)
        ends_on = max(_fit_in_period(_shift_years(c.ends_on, shift), target), starts_on)
        copies.append(
            Commitment(
                district=district,
                priority=priority_map[c.priority_id],
                title=c.title,
                description=c.description,
                role_label_id=c.role_label_id,
                lead_department_id=c.lead_department_id,
                starts_on=starts_on,
                ends_on=ends_on,
                evidence_expected=c.evidence_expected,
                reported_in=c.reported_in,
                position=c.position,
            )
        )
    new_commitments = bulk_create_with_history(copies, Commitment, default_user=user)
    commitment_map = {old.pk: new for old, new in zip(old_commitments, new_commitments, strict=True)}

    live = list(
        Assignment.objects.filter(
            district=district,
            commitment__priority__plan=source,
            status__in=[AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED],
        ).select_related("owner")
    )
    principals, leads = default_owners(
        district=district,
        school_ids={a.school_id for a in live if a.school_id},
        department_ids={a.department_id for a in live if a.department_id},
    )
    bulk_create_with_history(
        [
            Assignment(
                district=district,
                commitment=commitment_map[a.commitment_id],
                school_id=a.school_id,
                department_id=a.department_id,
                owner=a.owner
                if a.owner and a.owner.is_active
                else (principals.get(a.school_id) if a.school_id else leads.get(a.department_id)),
                status=a.status,
            )
            for a in live
        ],
        Assignment,
        batch_size=1000,
        default_user=user,
    )


# --- Portrait of a Graduate ------------------------------------------------------------


def _validate_competency(competency: Competency) -> None:
    if not competency.name:
        raise ValidationError({"name": "Name the competency."})
    clash = (
        Competency.objects.filter(
            district_id=competency.district_id, plan=competency.plan, name__iexact=competency.name
        )
        .exclude(pk=competency.pk)
        .exists()
    )
    if clash:
        raise ValidationError({"name": f"The portrait already has “{competency.name}”."})


@transaction.atomic
def competency_create(
    *, district: District, actor: Membership, plan: StrategicPlan, name: str, description: str = ""
) -> Competency:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    ensure_plan_editable(plan)
    siblings = Competency.objects.filter(district=district, plan=plan)
    competency = Competency(
        district=district,
        plan=plan,
        name=one_line(name),
        description=one_line(description),
        position=next_position(siblings, parent=plan),
    )
    _validate_competency(competency)
    save_with_history(competency, actor=actor)
    return competency


@transaction.atomic
def competency_update(*, district: District, actor: Membership, competency: Competency, **changes: Any) -> Competency:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(competency, district=district)
    ensure_plan_editable(competency.plan)
    if unknown := set(changes) - {"name", "description"}:
        raise ValueError(f"Unknown competency fields: {', '.join(sorted(unknown))}")
    changed = apply_changes(competency, {key: one_line(value) for key, value in changes.items()})
    if changed:
        _validate_competency(competency)
        save_with_history(competency, actor=actor, update_fields=changed)
    return competency


@transaction.atomic
def competency_move(*, district: District, actor: Membership, competency: Competency, direction: MoveDirection) -> bool:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(competency, district=district)
    ensure_plan_editable(competency.plan)
    siblings = Competency.objects.filter(district=district, plan_id=competency.plan_id)
    return move_in_order(competency, siblings, direction=direction, actor=actor)


@transaction.atomic
def competency_delete(*, district: District, actor: Membership, competency: Competency) -> None:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(competency, district=district)
    ensure_plan_editable(competency.plan)
    delete_with_history(competency, actor=actor, name=f"“{competency.name}”")
