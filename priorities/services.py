"""Writes for priorities, commitments, assignments and role labels.

Keyword-only, taking the district and the acting membership; each checks the
policy, validates with field messages, saves only what changed and records
who changed it (django-simple-history). Assignments are never deleted:
pausing or ending one keeps its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.history import delete_with_history, save_with_history
from core.objects import apply_changes, ensure_same_district, save_unique
from core.ordering import MoveDirection, move_in_order, next_position
from core.text import one_line
from districts.models import Department, District, Membership, RoleLabel, School
from districts.policy import Action, can, require
from districts.roles import Role
from districts.services import ensure_actor_in_district
from plans.models import StrategicPlan
from plans.services import ensure_plan_editable

from .loads import after_assignments_changed
from .models import Assignment, AssignmentStatus, Commitment, Priority, ReportedIn
from .selectors import assignment_owner_choices, default_owners

PRIORITY_OWNER_ROLES = (Role.SUPERINTENDENT, Role.CABINET)
ASSIGNMENT_BATCH_SIZE = 500


def _begin(*, district: District, actor: Membership, action: Action, obj: Any = None) -> None:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, action, obj)


# --- Priorities ---------------------------------------------------------------------------


def hard_cap_message(cap: int) -> str:
    return ngettext(
        "Your district allows at most %(cap)s priority in a plan, and this plan has reached it. "
        "Combine or remove a priority before adding another.",
        "Your district allows at most %(cap)s priorities in a plan, and this plan has reached it. "
        "Combine or remove a priority before adding another.",
        cap,
    ) % {"cap": cap}


def _next_code(siblings) -> str:
    used = {code.upper() for code in siblings.values_list("code", flat=True)}
    number = len(used) + 1
    while f"P{number}" in used:
        number += 1
    return f"P{number}"


def _validate_priority(priority: Priority) -> None:
    errors: dict[str, str] = {}
    siblings = Priority.objects.filter(district_id=priority.district_id, plan_id=priority.plan_id).exclude(
        pk=priority.pk
    )
    if not priority.title:
        errors["title"] = _("Give the priority a title.")
    elif siblings.filter(title__iexact=priority.title).exists():
        errors["title"] = _("This plan already has a priority called “%(title)s”.") % {"title": priority.title}
    if siblings.filter(code__iexact=priority.code).exists():
        errors["code"] = _("Another priority in this plan uses the code %(code)s.") % {"code": priority.code}
    if not priority.success_looks_like:
        errors["success_looks_like"] = _("Describe what success looks like, so everyone can tell when it is achieved.")
    owner = priority.owner
    if owner is not None and (not owner.is_active or owner.role not in PRIORITY_OWNER_ROLES):
        errors["owner"] = "A priority is owned by the superintendent or a cabinet member."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def priority_create(
    *,
    district: District,
    actor: Membership,
    plan: StrategicPlan,
    title: str,
    success_looks_like: str,
    owner: Membership | None = None,
    code: str = "",
    title_es: str = "",
    success_looks_like_es: str = "",
) -> Priority:
    _begin(district=district, actor=actor, action=Action.CREATE_PRIORITY)
    ensure_same_district(plan, owner, district=district)
    ensure_plan_editable(plan)
    # Lock the plan so two people adding at once cannot both slip under the cap.
    plan = StrategicPlan.objects.select_for_update().get(pk=plan.pk, district=district)
    siblings = Priority.objects.filter(district=district, plan=plan)
    cap = district.priority_hard_cap
    if cap and siblings.count() >= cap:
        raise ValidationError(hard_cap_message(cap))
    priority = Priority(
        district=district,
        plan=plan,
        title=one_line(title),
        success_looks_like=success_looks_like.strip(),
        title_es=one_line(title_es),
        success_looks_like_es=success_looks_like_es.strip(),
        owner=owner,
        code=one_line(code).upper() or _next_code(siblings),
        position=next_position(siblings, parent=plan),
    )
    _validate_priority(priority)
    save_with_history(priority, actor=actor)
    return priority


@transaction.atomic
def priority_update(*, district: District, actor: Membership, priority: Priority, **changes: Any) -> Priority:
    _begin(district=district, actor=actor, action=Action.EDIT_PRIORITY, obj=priority)
    ensure_same_district(priority, changes.get("owner"), district=district)
    ensure_plan_editable(priority.plan)
    if unknown := set(changes) - {"title", "title_es", "success_looks_like", "success_looks_like_es", "owner", "code"}:
        raise ValueError(f"Unknown priority fields: {', '.join(sorted(unknown))}")
    for key in ("title", "title_es", "code"):
        if key in changes:
            changes[key] = one_line(changes[key])
    if "code" in changes:
        changes["code"] = changes["code"].upper() or priority.code
    for key in ("success_looks_like", "success_looks_like_es"):
        if key in changes:
            changes[key] = changes[key].strip()
    if "owner" in changes and changes["owner"] != priority.owner and not can(actor, Action.MANAGE_PLANS):
        raise ValidationError(
            {"owner": _("Only the superintendent or a district admin can hand a priority to someone else.")}
        )
    changed = apply_changes(priority, changes)
    if changed:
        _validate_priority(priority)
        save_with_history(priority, actor=actor, update_fields=[*changed, "updated_at"])
    return priority


@transaction.atomic
def priority_move(*, district: District, actor: Membership, priority: Priority, direction: MoveDirection) -> bool:
    """Reordering the priorities shapes the whole plan, so it is the plan managers' call."""
    _begin(district=district, actor=actor, action=Action.MANAGE_PLANS)
    ensure_same_district(priority, district=district)
    ensure_plan_editable(priority.plan)
    siblings = Priority.objects.filter(district=district, plan_id=priority.plan_id)
    return move_in_order(priority, siblings, direction=direction, actor=actor)


@transaction.atomic
def priority_delete(*, district: District, actor: Membership, priority: Priority) -> None:
    _begin(district=district, actor=actor, action=Action.MANAGE_PLANS)
    ensure_same_district(priority, district=district)
    ensure_plan_editable(priority.plan)
    if priority.plan.is_active:
        count = priority.commitments.count()
        if count:
            raise ValidationError(
                ngettext(
                    "This priority has %(count)s commitment in the active plan. "
                    "Delete or end it first; its history stays either way.",
                    "This priority has %(count)s commitments in the active plan. "
                    "Delete or end them first; their history stays either way.",
                    count,
                )
                % {"count": count}
            )
    delete_with_history(priority, actor=actor, name=_("Priority %(code)s") % {"code": priority.code})


# --- Commitments -----------------------------------------------------------------------------

COMMITMENT_FIELDS = frozenset(
    {
        "title",
        "title_es",
        "description",
        "description_es",
        "role_label",
        "lead_department",
        "starts_on",
        "ends_on",
        "evidence_expected",
        "reported_in",
    }
)


def _validate_commitment(commitment: Commitment, plan: StrategicPlan) -> None:
    errors: dict[str, str] = {}
    if not commitment.title:
        errors["title"] = _("Say what the role will do, in one sentence.")
    if commitment.reported_in not in ReportedIn.values:
        errors["reported_in"] = _("Choose where this commitment is reported.")
    within = _("Choose a date within the plan's period, %(period)s.") % {"period": plan.period_label}
    for name in ("starts_on", "ends_on"):
        day: date | None = getattr(commitment, name)
        if day is not None and not plan.first_day <= day <= plan.last_day:
            errors[name] = within
    if (
        "ends_on" not in errors
        and commitment.starts_on
        and commitment.ends_on
        and commitment.ends_on < commitment.starts_on
    ):
        errors["ends_on"] = _("The end date can't be before the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def commitment_create(
    *,
    district: District,
    actor: Membership,
    priority: Priority,
    title: str,
    role_label: RoleLabel,
    starts_on: date,
    ends_on: date,
    description: str = "",
    lead_department: Department | None = None,
    evidence_expected: str = "",
    reported_in: str = ReportedIn.SCHOOL,
    assign_every_school: bool = False,
    title_es: str = "",
    description_es: str = "",
) -> Commitment:
    """A new commitment at the end of the priority's list; optionally asked of every school at once."""
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=priority)
    ensure_same_district(priority, role_label, lead_department, district=district)
    plan = priority.plan
    ensure_plan_editable(plan)
    siblings = Commitment.objects.filter(district=district, priority=priority)
    commitment = Commitment(
        district=district,
        priority=priority,
        title=one_line(title),
        description=description.strip(),
        title_es=one_line(title_es),
        description_es=description_es.strip(),
        role_label=role_label,
        lead_department=lead_department,
        starts_on=starts_on,
        ends_on=ends_on,
        evidence_expected=evidence_expected.strip(),
        reported_in=reported_in,
        position=next_position(siblings, parent=priority),
    )
    _validate_commitment(commitment, plan)
    save_with_history(commitment, actor=actor)
    if assign_every_school:
        assignments_create(district=district, actor=actor, commitment=commitment, every_school=True)
    return commitment


@transaction.atomic
def commitment_update(*, district: District, actor: Membership, commitment: Commitment, **changes: Any) -> Commitment:
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=commitment)
    ensure_same_district(commitment, changes.get("role_label"), changes.get("lead_department"), district=district)
    ensure_plan_editable(commitment.priority.plan)
    if unknown := set(changes) - COMMITMENT_FIELDS:
        raise ValueError(f"Unknown commitment fields: {', '.join(sorted(unknown))}")
    for key in ("title", "title_es"):
        if key in changes:
            changes[key] = one_line(changes[key])
    for key in ("description", "description_es", "evidence_expected"):
        if key in changes:
            changes[key] = changes[key].strip()
    changed = apply_changes(commitment, changes)
    if changed:
        _validate_commitment(commitment, commitment.priority.plan)
        save_with_history(commitment, actor=actor, update_fields=[*changed, "updated_at"])
        if "ends_on" in changed:  # its schools' loads are stored by end date
            after_assignments_changed(district=district, commitment=commitment)
    return commitment


@transaction.atomic
def commitment_move(*, district: District, actor: Membership, commitment: Commitment, direction: MoveDirection) -> bool:
    """Reorder within the priority: the priority's owner's call."""
    _begin(district=district, actor=actor, action=Action.EDIT_PRIORITY, obj=commitment.priority)
    ensure_same_district(commitment, district=district)
    ensure_plan_editable(commitment.priority.plan)
    siblings = Commitment.objects.filter(district=district, priority_id=commitment.priority_id)
    return move_in_order(commitment, siblings, direction=direction, actor=actor)


@transaction.atomic
def commitment_delete(*, district: District, actor: Membership, commitment: Commitment) -> None:
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=commitment)
    ensure_same_district(commitment, district=district)
    plan = commitment.priority.plan
    ensure_plan_editable(plan)
    if plan.is_active and commitment.assignments.exists():
        raise ValidationError(
            _(
                "This commitment has been assigned in the active plan, so it can't be deleted. "
                "End its assignments instead: schools stop being asked and the record stays."
            )
        )
    delete_with_history(commitment, actor=actor, name=_("This commitment"))


# --- Assignments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentResult:
    created: int
    already: int  # places that already had it, whatever its status
    without_owner: int  # new assignments whose place has no principal or lead yet


@transaction.atomic
def assignments_create(
    *,
    district: District,
    actor: Membership,
    commitment: Commitment,
    every_school: bool = False,
    schools: Iterable[School] = (),
    departments: Iterable[Department] = (),
) -> AssignmentResult:
    """Ask a commitment of schools and departments, each owned by its principal or lead.

    Places that already have it (active, paused or ended) are left as they are;
    new rows go in with one bulk insert, history included.
    """
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=commitment)
    schools, departments = list(schools), list(departments)
    ensure_same_district(commitment, *schools, *departments, district=district)
    ensure_plan_editable(commitment.priority.plan)
    if every_school:
        school_ids = set(School.objects.filter(district=district).values_list("pk", flat=True))
        if not school_ids:
            raise ValidationError(_("Your district has no schools yet. Add schools first."))
    else:
        school_ids = {school.pk for school in schools}
    department_ids = {department.pk for department in departments}
    if not school_ids and not department_ids:
        raise ValidationError(_("Choose at least one school or department."))
    # Serialise assigning one commitment, so two people assigning at once skip each other's rows.
    Commitment.objects.select_for_update().filter(pk=commitment.pk).exists()
    existing = Assignment.objects.filter(district=district, commitment=commitment)
    have_schools = set(existing.filter(school__isnull=False).values_list("school_id", flat=True))
    have_departments = set(existing.filter(department__isnull=False).values_list("department_id", flat=True))
    new_schools = sorted(school_ids - have_schools)
    new_departments = sorted(department_ids - have_departments)
    principals, leads = default_owners(
        district=district,
        school_ids=None if every_school else new_schools,
        department_ids=new_departments,
    )
    now = timezone.now()
    rows = [
        Assignment(
            district=district, commitment=commitment, school_id=pk, owner=principals.get(pk), status_changed_at=now
        )
        for pk in new_schools
    ] + [
        Assignment(
            district=district, commitment=commitment, department_id=pk, owner=leads.get(pk), status_changed_at=now
        )
        for pk in new_departments
    ]
    bulk_create_with_history(rows, Assignment, batch_size=ASSIGNMENT_BATCH_SIZE, default_user=actor.user)
    after_assignments_changed(district=district, commitment=commitment, school_ids=new_schools)
    return AssignmentResult(
        created=len(rows),
        already=len(school_ids & have_schools) + len(department_ids & have_departments),
        without_owner=sum(1 for row in rows if row.owner is None),
    )


@transaction.atomic
def assignment_update_owner(
    *, district: District, actor: Membership, assignment: Assignment, owner: Membership | None
) -> Assignment:
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=assignment.commitment)
    ensure_same_district(assignment, owner, district=district)
    ensure_plan_editable(assignment.commitment.priority.plan)
    if owner is not None and not assignment_owner_choices(assignment=assignment).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Choose someone who works at %(place)s.") % {"place": assignment.place}})
    if apply_changes(assignment, {"owner": owner}):
        save_with_history(assignment, actor=actor, update_fields=["owner"])
    return assignment


@transaction.atomic
def assignment_set_status(
    *, district: District, actor: Membership, assignment: Assignment, status: str, note: str = ""
) -> Assignment:
    """Pause, resume, end or restart one assignment; the change and its reason go into its history."""
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=assignment.commitment)
    ensure_same_district(assignment, district=district)
    ensure_plan_editable(assignment.commitment.priority.plan)
    if status not in AssignmentStatus.values:
        raise ValidationError({"status": _("Choose active, paused or ended.")})
    if status == assignment.status:
        raise ValidationError(
            {
                "status": _("This assignment is already %(status)s.")
                % {"status": assignment.get_status_display().lower()}
            }
        )
    assignment.status, assignment.status_changed_at = status, timezone.now()
    assignment._change_reason = one_line(note)[:100]
    save_with_history(assignment, actor=actor, update_fields=["status", "status_changed_at"])
    after_assignments_changed(
        district=district,
        commitment=assignment.commitment,
        school_ids=[assignment.school_id] if assignment.school_id else [],
    )
    return assignment


# What "everywhere" changes for each new status: assignments already there, or ended, are left alone.
NONE_TO_CHANGE = {
    AssignmentStatus.PAUSED: gettext_lazy("No assignment of this commitment is active."),
    AssignmentStatus.ACTIVE: gettext_lazy("No assignment of this commitment is paused."),
    AssignmentStatus.ENDED: gettext_lazy("No assignment of this commitment is active or paused."),
}
STATUS_EVERYWHERE_FROM = {
    AssignmentStatus.PAUSED: (AssignmentStatus.ACTIVE,),
    AssignmentStatus.ACTIVE: (AssignmentStatus.PAUSED,),
    AssignmentStatus.ENDED: (AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED),
}


@transaction.atomic
def commitment_set_status_everywhere(
    *, district: District, actor: Membership, commitment: Commitment, status: str, note: str = ""
) -> int:
    """Pause, resume or end a commitment at every place it is asked, in one update with history; returns how many."""
    _begin(district=district, actor=actor, action=Action.EDIT_COMMITMENT, obj=commitment)
    ensure_same_district(commitment, district=district)
    ensure_plan_editable(commitment.priority.plan)
    if status not in STATUS_EVERYWHERE_FROM:
        raise ValidationError({"status": _("Choose active, paused or ended.")})
    sources = STATUS_EVERYWHERE_FROM[AssignmentStatus(status)]
    rows = list(
        Assignment.objects.select_for_update()
        .filter(district=district, commitment=commitment, status__in=sources)
        .order_by("pk")  # not the default ordering: its outer joins cannot be locked
    )
    if not rows:
        raise ValidationError({"status": NONE_TO_CHANGE[AssignmentStatus(status)]})
    now = timezone.now()
    for row in rows:
        row.status, row.status_changed_at = status, now
    bulk_update_with_history(
        rows,
        Assignment,
        ["status", "status_changed_at"],
        batch_size=ASSIGNMENT_BATCH_SIZE,
        default_user=actor.user,
        default_change_reason=one_line(note)[:100] or None,
    )
    after_assignments_changed(
        district=district, commitment=commitment, school_ids=[row.school_id for row in rows if row.school_id]
    )
    return len(rows)


# --- Role labels ---------------------------------------------------------------------------------


def _unique_slug(district: District, base: str, *, exclude_pk: int | None) -> str:
    base = (base or "role")[:50]
    taken = set(RoleLabel.objects.filter(district=district).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _validate_role_label(label: RoleLabel, *, slug_given: bool) -> None:
    errors: dict[str, str] = {}
    others = RoleLabel.objects.filter(district_id=label.district_id).exclude(pk=label.pk)
    if not label.name:
        errors["name"] = _("Name the role, e.g. Bus drivers.")
    elif others.filter(name__iexact=label.name).exists():
        errors["name"] = _("There is already a role called “%(name)s”.") % {"name": label.name}
    if slug_given and others.filter(slug=label.slug).exists():
        errors["slug"] = _("Another role's card already uses the address “%(slug)s”.") % {"slug": label.slug}
    if label.system_role:
        clash = others.filter(system_role=label.system_role).first()
        if clash:
            errors["system_role"] = _("“%(name)s” is already the card for this role.") % {"name": clash.name}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def role_label_create(
    *,
    district: District,
    actor: Membership,
    name: str,
    description: str = "",
    system_role: str = "",
    slug: str = "",
    description_es: str = "",
) -> RoleLabel:
    _begin(district=district, actor=actor, action=Action.MANAGE_ROLE_LABELS)
    name = one_line(name)
    wanted = slugify(slug)
    label = RoleLabel(
        district=district,
        name=name,
        description=one_line(description),
        description_es=one_line(description_es),
        system_role=system_role,
        slug=wanted or _unique_slug(district, slugify(name), exclude_pk=None),
        position=next_position(RoleLabel.objects.filter(district=district), parent=district),
    )
    _validate_role_label(label, slug_given=bool(wanted))
    # Someone adding the same role a moment ago: the same message as the check above.
    save_unique(
        partial(save_with_history, label, actor=actor), recheck=partial(_validate_role_label, label, slug_given=True)
    )
    return label


@transaction.atomic
def role_label_update(*, district: District, actor: Membership, role_label: RoleLabel, **changes: Any) -> RoleLabel:
    _begin(district=district, actor=actor, action=Action.MANAGE_ROLE_LABELS)
    ensure_same_district(role_label, district=district)
    if unknown := set(changes) - {"name", "description", "description_es", "system_role", "slug"}:
        raise ValueError(f"Unknown role label fields: {', '.join(sorted(unknown))}")
    for key in ("name", "description", "description_es"):
        if key in changes:
            changes[key] = one_line(changes[key])
    if "slug" in changes:
        changes["slug"] = slugify(changes["slug"]) or role_label.slug
    changed = apply_changes(role_label, changes)
    if changed:
        _validate_role_label(role_label, slug_given="slug" in changed)
        save_unique(
            partial(save_with_history, role_label, actor=actor, update_fields=changed),
            recheck=partial(_validate_role_label, role_label, slug_given=True),
        )
    return role_label


@transaction.atomic
def role_label_move(*, district: District, actor: Membership, role_label: RoleLabel, direction: MoveDirection) -> bool:
    _begin(district=district, actor=actor, action=Action.MANAGE_ROLE_LABELS)
    ensure_same_district(role_label, district=district)
    return move_in_order(role_label, RoleLabel.objects.filter(district=district), direction=direction, actor=actor)


@transaction.atomic
def role_label_delete(*, district: District, actor: Membership, role_label: RoleLabel) -> None:
    _begin(district=district, actor=actor, action=Action.MANAGE_ROLE_LABELS)
    ensure_same_district(role_label, district=district)
    used = Commitment.objects.filter(district=district, role_label=role_label).count()
    if used:
        raise ValidationError(
            ngettext(
                "%(count)s commitment asks something of %(role)s, in this plan or an earlier one. "
                "Change it to another role first; role cards keep the plan's record straight.",
                "%(count)s commitments ask something of %(role)s, in this plan or an earlier one. "
                "Change them to another role first; role cards keep the plan's record straight.",
                used,
            )
            % {"count": used, "role": role_label.name}
        )
    delete_with_history(role_label, actor=actor, name=role_label.name)
