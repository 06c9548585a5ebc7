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
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.history import delete_with_history, save_with_history
from core.objects import apply_changes, ensure_same_district
from core.ordering import MoveDirection, move_in_order, next_position
from core.text import one_line
from districts.models import District, Membership
from districts.policy import Action, require
from districts.services import ensure_actor_in_district

from .extensions import plan_copiers, plan_period_checks, plan_state_changes
from .models import Competency, PlanState, StrategicPlan

MAX_PLAN_YEARS = 10


def ensure_plan_editable(plan: StrategicPlan) -> None:
    if plan.is_archived:
        raise ValidationError(
            _("This plan is archived and can no longer be changed. Start a new plan from it to build on its work.")
        )


# --- Plans ----------------------------------------------------------------------


def _validate_plan(plan: StrategicPlan) -> None:
    errors: dict[str, str] = {}
    if not plan.title:
        errors["title"] = _("Give the plan a title.")
    elif (
        StrategicPlan.objects.filter(district_id=plan.district_id, title__iexact=plan.title)
        .exclude(pk=plan.pk)
        .exists()
    ):
        errors["title"] = _("Another plan is already called “%(title)s”. Choose a different title.") % {
            "title": plan.title
        }
    if plan.start_year and plan.end_year:
        if plan.end_year <= plan.start_year:
            errors["end_year"] = _(
                "The last year must come after the first: a 2025–2030 plan runs from the start of the 2025–26 "
                "school year to the end of 2029–30."
            )
        elif plan.end_year - plan.start_year > MAX_PLAN_YEARS:
            errors["end_year"] = _("A strategic plan covers at most %(years)s years.") % {"years": MAX_PLAN_YEARS}
        elif plan.pk:
            for check in plan_period_checks:
                errors.update(check(plan))
    if errors:
        raise ValidationError(errors)


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
    vision_es: str = "",
    mission_es: str = "",
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
        vision_es=vision_es.strip(),
        mission_es=mission_es.strip(),
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
    allowed = {"title", "start_year", "end_year", "vision", "mission", "vision_es", "mission_es"}
    if unknown := set(changes) - allowed:
        raise ValueError(f"Unknown plan fields: {', '.join(sorted(unknown))}")
    if "title" in changes:
        changes["title"] = one_line(changes["title"])
    for key in ("vision", "mission", "vision_es", "mission_es"):
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
        raise ValidationError(
            _("Only a draft can be activated; this plan is %(state)s.") % {"state": plan.get_state_display().lower()}
        )
    priority_count = plan.priorities.count()
    if priority_count == 0:
        raise ValidationError(_("Add at least one priority before activating the plan."))
    if district.priority_hard_cap and priority_count > district.priority_hard_cap:
        raise ValidationError(
            _(
                "This plan has %(count)s priorities and the district allows at most %(cap)s. "
                "Combine or remove some before activating it."
            )
            % {"count": priority_count, "cap": district.priority_hard_cap}
        )
    now = timezone.now()
    previous = StrategicPlan.objects.filter(district=district, state=PlanState.ACTIVE).first()
    if previous is not None:
        previous.state, previous.archived_at = PlanState.ARCHIVED, now
        save_with_history(previous, actor=actor, update_fields=["state", "archived_at", "updated_at"])
    plan.state, plan.activated_at = PlanState.ACTIVE, now
    save_with_history(plan, actor=actor, update_fields=["state", "activated_at", "updated_at"])
    for follow in plan_state_changes:
        follow(plan=plan)
    return PlanActivation(plan=plan, archived=previous)


@transaction.atomic
def plan_archive(*, district: District, actor: Membership, plan: StrategicPlan) -> StrategicPlan:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk, district=district)
    if not plan.is_active:
        raise ValidationError(
            _("Only the active plan can be archived; this plan is %(state)s.")
            % {"state": plan.get_state_display().lower()}
        )
    plan.state, plan.archived_at = PlanState.ARCHIVED, timezone.now()
    save_with_history(plan, actor=actor, update_fields=["state", "archived_at", "updated_at"])
    for follow in plan_state_changes:
        follow(plan=plan)
    return plan


@transaction.atomic
def plan_delete(*, district: District, actor: Membership, plan: StrategicPlan) -> None:
    """Delete a draft. Active and archived plans are the district's record and stay."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PLANS)
    ensure_same_district(plan, district=district)
    if not plan.is_draft:
        raise ValidationError(_("Only a draft can be deleted. Archive an active plan instead."))
    delete_with_history(plan, actor=actor, name=f"“{plan.title}”")


# --- Start from an earlier plan ----------------------------------------------------


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _fit_in_period(day: date, plan: StrategicPlan) -> date:
    return plan.period.clamp(day)


def _copy_plan_contents(*, source: StrategicPlan, target: StrategicPlan, actor: Membership) -> None:
    """Copy the portrait into the new draft; the apps built on plans copy their own parts
    (plans.extensions.plan_copiers: priorities copies priorities, commitments, live assignments)."""
    district, user = target.district, actor.user
    bulk_create_with_history(
        [
            Competency(
                district=district,
                plan=target,
                name=c.name,
                name_es=c.name_es,
                description=c.description,
                description_es=c.description_es,
                position=c.position,
            )
            for c in source.competencies.all()
        ],
        Competency,
        default_user=user,
    )
    for copy_contents in plan_copiers:
        copy_contents(source=source, target=target, actor=actor)


# --- Portrait of a Graduate ------------------------------------------------------------


def _validate_competency(competency: Competency) -> None:
    if not competency.name:
        raise ValidationError({"name": _("Name the competency.")})
    clash = (
        Competency.objects.filter(
            district_id=competency.district_id, plan=competency.plan, name__iexact=competency.name
        )
        .exclude(pk=competency.pk)
        .exists()
    )
    if clash:
        raise ValidationError({"name": _("The portrait already has “%(name)s”.") % {"name": competency.name}})


@transaction.atomic
def competency_create(
    *,
    district: District,
    actor: Membership,
    plan: StrategicPlan,
    name: str,
    description: str = "",
    name_es: str = "",
    description_es: str = "",
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
        name_es=one_line(name_es),
        description_es=one_line(description_es),
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
    if unknown := set(changes) - {"name", "description", "name_es", "description_es"}:
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
