"""Writes for districts, schools, departments and people.

Every function is keyword-only, takes the district and the acting membership,
checks the policy, validates (raising ValidationError with field messages)
and records who made the change in the object's history. The invitation
accept path has no acting membership yet: the invitee's user stands in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import cache_versions
from core.history import save_with_history
from core.objects import apply_changes, ensure_same_district, save_unique
from core.text import one_line

from . import ticks
from .auth import normalize_email
from .models import (
    CheckinCadence,
    Department,
    District,
    Invitation,
    Membership,
    RoleLabel,
    School,
    User,
    checkin_schedule_problems,
    enrollment_problem,
    new_invitation_nonce,
    person_sort_name,
    us_time_zone_choices,
)
from .policy import Action, require
from .roles import Role, place_problem
from .signals import schools_changed
from .tenancy import dangerously_cross_district


def ensure_actor_in_district(*, district: District, actor: Membership) -> None:
    """Services are called with the request's district and membership; a mismatch is a bug."""
    if actor.district_id != district.pk:
        raise ValueError("The acting membership belongs to another district.")


def _reject_unknown(changes: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")  # i18n: not shown


# Names for what can block a delete, where the model's own verbose name would read oddly.
_REFERENCE_NAMES: dict[str, tuple[str, str]] = {
    "districts.membership": (gettext_lazy("person"), gettext_lazy("people (including deactivated ones)")),
}


def references_to(obj: models.Model) -> list[str]:
    """What still points at `obj`, e.g. ["3 people (including deactivated ones)", "1 invitation"].

    Reads every reverse relation, so rows added later by other apps (commitment
    assignments, metric values, check-ins) block a delete without anyone
    listing them here. History rows (DO_NOTHING) keep their own copy and do not count.
    """
    found = []
    for relation in obj._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.on_delete is models.DO_NOTHING:
            continue
        model = relation.related_model
        count = model._base_manager.filter(**{relation.field.name: obj}).count()
        if count:
            singular, plural = _REFERENCE_NAMES.get(
                model._meta.label_lower, (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
            )
            found.append(f"{count} {singular if count == 1 else plural}")
    return found


def _save_changes(
    obj: School | Department, changes: dict[str, Any], *, actor: Membership, recheck: Callable[[], None]
) -> list[str]:
    """Save only the fields that changed (and the update time), with history; return their names.

    `recheck` is the name check, run again if a unique constraint refuses the save (core.objects.save_unique).
    """
    changed = apply_changes(obj, changes)
    if changed:
        save_unique(
            partial(save_with_history, obj, actor=actor, update_fields=[*changed, "updated_at"]), recheck=recheck
        )
    return changed


# Stored metric roll-ups count a district's schools, weigh them by enrollment,
# filter them by level and judge status with the district's tolerance.
ROLLUP_SCHOOL_FIELDS = frozenset({"level", "enrollment"})
ROLLUP_DISTRICT_FIELDS = frozenset({"metric_tolerance_percent"})


def announce_schools_changed(district: District) -> None:
    """Tell the apps built on districts that the district's schools or tolerance changed (see districts.signals)."""
    schools_changed.send(sender=District, district=district)


def _delete_unreferenced(obj: models.Model, *, actor: Membership) -> None:
    references = references_to(obj)
    if references:
        raise ValidationError(
            _(
                "%(name)s can't be deleted while it still has %(references)s. "
                "Move or remove them first; deleting would lose their history."
            )
            % {"name": obj, "references": ", ".join(references)}
        )
    obj._history_user = actor.user
    obj.delete()


# --- District settings --------------------------------------------------------

# What the check-in schedule (checkins.schedule) is computed from: a change makes the tick replan it.
CHECKIN_SCHEDULE_FIELDS = frozenset(
    {
        "time_zone",
        "school_year_start_month",
        "checkin_cadence",
        "checkin_open_day",
        "checkin_due_days",
        "checkin_reminder_days",
        "checkin_escalation_days",
        "checkin_close_days",
    }
)
DISTRICT_SETTINGS_FIELDS = CHECKIN_SCHEDULE_FIELDS | {
    "name",
    "languages",
    "public_page_enabled",
    "priority_hard_cap",
    "commitment_load_threshold",
    "metric_tolerance_percent",
}


def _check_checkin_schedule(district: District, cleaned: dict[str, Any]) -> None:
    """The schedule as it would be after the change (unchanged fields as they are) must be able to run."""
    value = {field: cleaned.get(field, getattr(district, field)) for field in CHECKIN_SCHEDULE_FIELDS}
    problems = checkin_schedule_problems(
        cadence=value["checkin_cadence"],
        open_day=value["checkin_open_day"],
        due_days=value["checkin_due_days"],
        reminder_days=list(value["checkin_reminder_days"] or []),
        escalation_days=value["checkin_escalation_days"],
        close_days=value["checkin_close_days"],
    )
    if problems:
        raise ValidationError(problems)


def _clean_district_settings(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(changes)
    errors: dict[str, str] = {}
    if "name" in cleaned:
        cleaned["name"] = one_line(cleaned["name"])
    if "time_zone" in cleaned and cleaned["time_zone"] not in {z for z, _ in us_time_zone_choices()}:
        errors["time_zone"] = _("Choose a US time zone from the list.")
    if "languages" in cleaned:
        offered = [code for code, _ in settings.LANGUAGES]
        languages = [code for code in offered if code in set(cleaned["languages"] or [])]
        if not languages or len(languages) != len(set(cleaned["languages"])):
            errors["languages"] = _("Choose at least one of the languages offered.")
        cleaned["languages"] = languages
    if "checkin_cadence" in cleaned and cleaned["checkin_cadence"] not in CheckinCadence.values:
        errors["checkin_cadence"] = _("Choose how often schools check in.")
    if cleaned.get("metric_tolerance_percent") is not None:
        cleaned["metric_tolerance_percent"] = Decimal(cleaned["metric_tolerance_percent"])
    if "checkin_reminder_days" in cleaned:
        # Stored latest first, once each: [3, 0] is "3 days before, and on the due day".
        cleaned["checkin_reminder_days"] = sorted(set(cleaned["checkin_reminder_days"] or []), reverse=True)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def district_update(*, district: District, actor: Membership, **changes: Any) -> District:
    """Save district settings. Saving, changed or not, counts as reviewing them (setup checklist)."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    _reject_unknown(changes, set(DISTRICT_SETTINGS_FIELDS), "district")
    cleaned = _clean_district_settings(changes)
    _check_checkin_schedule(district, cleaned)
    changed = apply_changes(district, cleaned)
    district.settings_reviewed_at = timezone.now()
    save_with_history(district, actor=actor, update_fields=[*changed, "settings_reviewed_at"])
    if ROLLUP_DISTRICT_FIELDS.intersection(changed):
        announce_schools_changed(district)
    if CHECKIN_SCHEDULE_FIELDS.intersection(changed):
        ticks.nudge(district)  # cycles not yet open are replanned on the next tick
    if PUBLIC_PAGE_FIELDS.intersection(changed):  # the public page's cached HTML and ETag are built on PUBLISHED
        cache_versions.bump(district.pk, cache_versions.PUBLISHED)
    return district


# What the public progress page (dashboards.views.public) shows of the district itself.
PUBLIC_PAGE_FIELDS = frozenset({"public_page_enabled", "name", "languages", "time_zone"})


# --- Schools --------------------------------------------------------------------

SCHOOL_FIELDS = frozenset({"name", "code", "level", "enrollment", "region", "principal_supervisor"})


def _check_principal_supervisor(*, district: District, supervisor: Membership | None) -> None:
    """A school's principal supervisor is an active cabinet member (or department lead) of its district."""
    if supervisor is None:
        return
    ensure_same_district(supervisor, district=district)
    if supervisor.role != Role.CABINET or not supervisor.is_active:
        raise ValidationError(
            {"principal_supervisor": _("Choose an active cabinet member or department lead of the district.")}
        )


def _clean_school_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    for key in ("name", "code", "region"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = one_line(cleaned[key])
    return cleaned


def school_name_conflicts(*, district: District, name: str, code: str, exclude_pk: int | None) -> dict[str, str]:
    """Field messages for a name or code another school in the district already uses."""
    others = School.objects.filter(district=district).exclude(pk=exclude_pk)
    problems = {}
    if name and others.filter(name__iexact=name).exists():
        problems["name"] = _("Another school is already called “%(name)s”.") % {"name": name}
    if code and others.filter(code=code).exists():
        problems["code"] = _("Another school already uses the code %(code)s.") % {"code": code}
    return problems


def _check_school_names(*, district: District, name: str, code: str, exclude_pk: int | None) -> None:
    if conflicts := school_name_conflicts(district=district, name=name, code=code, exclude_pk=exclude_pk):
        raise ValidationError(conflicts)


@transaction.atomic
def school_create(
    *,
    district: District,
    actor: Membership,
    name: str,
    level: str,
    enrollment: int = 0,
    code: str = "",
    region: str = "",
    principal_supervisor: Membership | None = None,
) -> School:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    _check_principal_supervisor(district=district, supervisor=principal_supervisor)
    fields = _clean_school_fields({"name": name, "code": code, "region": region})
    check = partial(_check_school_names, district=district, name=fields["name"], code=fields["code"], exclude_pk=None)
    if problem := enrollment_problem(enrollment):
        raise ValidationError({"enrollment": problem})
    check()
    school = School(
        district=district, level=level, enrollment=enrollment, principal_supervisor=principal_supervisor, **fields
    )
    save_unique(partial(save_with_history, school, actor=actor), recheck=check)
    announce_schools_changed(district)
    return school


@transaction.atomic
def school_update(*, district: District, actor: Membership, school: School, **changes: Any) -> School:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    ensure_same_district(school, district=district)
    _reject_unknown(changes, set(SCHOOL_FIELDS), "school")
    if "principal_supervisor" in changes:
        _check_principal_supervisor(district=district, supervisor=changes["principal_supervisor"])
    changes = _clean_school_fields(changes)
    if problem := enrollment_problem(changes.get("enrollment")):
        raise ValidationError({"enrollment": problem})
    check = partial(
        _check_school_names,
        district=district,
        name=changes.get("name", ""),
        code=changes.get("code", ""),
        exclude_pk=school.pk,
    )
    check()
    if ROLLUP_SCHOOL_FIELDS.intersection(_save_changes(school, changes, actor=actor, recheck=check)):
        announce_schools_changed(district)
    return school


@transaction.atomic
def school_delete(*, district: District, actor: Membership, school: School) -> None:
    """Delete a school nothing refers to (no members, invitations or plan rows); otherwise explain."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    ensure_same_district(school, district=district)
    _delete_unreferenced(school, actor=actor)
    announce_schools_changed(district)


# --- Departments ----------------------------------------------------------------


def _department_name_conflict(*, district: District, name: str, exclude_pk: int | None) -> None:
    if Department.objects.filter(district=district, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("Another department is already called “%(name)s”.") % {"name": name}})


@transaction.atomic
def department_create(*, district: District, actor: Membership, name: str, description: str = "") -> Department:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    name = one_line(name)
    check = partial(_department_name_conflict, district=district, name=name, exclude_pk=None)
    check()
    department = Department(district=district, name=name, description=description.strip())
    save_unique(partial(save_with_history, department, actor=actor), recheck=check)
    return department


@transaction.atomic
def department_update(*, district: District, actor: Membership, department: Department, **changes: Any) -> Department:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    ensure_same_district(department, district=district)
    _reject_unknown(changes, {"name", "description"}, "department")
    check = partial(
        _department_name_conflict, district=district, name=one_line(changes.get("name", "")), exclude_pk=department.pk
    )
    if "name" in changes:
        changes["name"] = one_line(changes["name"])
        check()
    if "description" in changes:
        changes["description"] = (changes["description"] or "").strip()
    _save_changes(department, changes, actor=actor, recheck=check)
    return department


@transaction.atomic
def department_delete(*, district: District, actor: Membership, department: Department) -> None:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    ensure_same_district(department, district=district)
    _delete_unreferenced(department, actor=actor)


# --- People: roles and places ---------------------------------------------------------


def check_role_and_place(
    *,
    district: District,
    role: str,
    school: School | None,
    department: Department | None,
    role_label: RoleLabel | None = None,
) -> None:
    """Raise ValidationError at the field when the role is unknown or its school/department is wrong."""
    ensure_same_district(school, department, role_label, district=district)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    problem = place_problem(role, has_school=school is not None, has_department=department is not None)
    if problem:
        raise ValidationError({problem[0]: problem[1]})


def _ensure_another_admin_remains(*, district: District, leaving: Membership) -> None:
    """Keep at least one active district admin. Locks the admin rows, so two admins
    removing each other at the same moment cannot both succeed."""
    admin_ids = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(district=district, role=Role.DISTRICT_ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not [pk for pk in admin_ids if pk != leaving.pk]:
        raise ValidationError(
            _(
                "%(name)s is the district's last active district admin. "
                "Make someone else a district admin first, so the district is never left without one."
            )
            % {"name": leaving.user}
        )


@transaction.atomic
def membership_update(
    *,
    district: District,
    actor: Membership,
    membership: Membership,
    role: str,
    school: School | None = None,
    department: Department | None = None,
    role_label: RoleLabel | None = None,
    title: str = "",
) -> Membership:
    """Change a member's role, school or department, role card and title."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PEOPLE)
    ensure_same_district(membership, district=district)
    check_role_and_place(district=district, role=role, school=school, department=department, role_label=role_label)
    if membership.pk == actor.pk and role != membership.role:
        raise ValidationError({"role": _("You can't change your own role. Ask another district admin to do it.")})
    if membership.role == Role.DISTRICT_ADMIN and role != Role.DISTRICT_ADMIN and membership.is_active:
        try:
            _ensure_another_admin_remains(district=district, leaving=membership)
        except ValidationError as error:
            raise ValidationError({"role": error.messages}) from None
    changed = apply_changes(
        membership,
        {"role": role, "school": school, "department": department, "role_label": role_label, "title": one_line(title)},
    )
    if changed:
        save_with_history(membership, actor=actor, update_fields=changed)
    return membership


@transaction.atomic
def membership_deactivate(*, district: District, actor: Membership, membership: Membership) -> Membership:
    """Turn off a member's access at once; the membership and its history stay."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PEOPLE)
    ensure_same_district(membership, district=district)
    if membership.pk == actor.pk:
        raise ValidationError(_("You can't deactivate yourself. Ask another district admin to do it."))
    if not membership.is_active:
        return membership
    if membership.role == Role.DISTRICT_ADMIN:
        _ensure_another_admin_remains(district=district, leaving=membership)
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    save_with_history(membership, actor=actor, update_fields=["is_active", "deactivated_at"])
    _end_open_invitations(district=district, membership=membership)
    return membership


@transaction.atomic
def membership_reactivate(*, district: District, actor: Membership, membership: Membership) -> Membership:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PEOPLE)
    ensure_same_district(membership, district=district)
    if membership.is_active:
        return membership
    membership.is_active = True
    membership.deactivated_at = None
    save_with_history(membership, actor=actor, update_fields=["is_active", "deactivated_at"])
    _end_open_invitations(district=district, membership=membership)
    return membership


def _end_open_invitations(*, district: District, membership: Membership) -> int:
    """Revoke the person's open invitations here: an admin who changes their access
    directly decides it, and an older link must not undo that later."""
    return Invitation.objects.filter(
        district=district,
        email__iexact=membership.user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now(), nonce=new_invitation_nonce(), link_changed_at=timezone.now())


# --- Invitations ------------------------------------------------------------------


def email_problem(email: str) -> str | None:
    """A message when `email` (normalized) is not a usable address."""
    if not email:
        return _("Enter the person's email address.")
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” isn't a valid email address.") % {"email": email}
    if len(email) > Invitation._meta.get_field("email").max_length:
        return _("This email address is too long.")
    return None


def open_invitation_for(*, district: District, email: str) -> Invitation | None:
    """The invitation not yet accepted or revoked for this address (expired ones count: they can be re-sent)."""
    return Invitation.objects.filter(
        district=district, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()


def active_member_emails(*, district: District, emails: list[str] | None = None) -> set[str]:
    members = Membership.objects.filter(district=district, is_active=True)
    if emails is not None:
        members = members.filter(user__email__in=emails)
    return {email.lower() for email in members.values_list("user__email", flat=True)}


def invitation_expiry() -> datetime:
    return timezone.now() + settings.INVITATION_VALID_FOR


def email_invitation_after_commit(invitation: Invitation) -> None:
    """Queue the email once the invitation is committed. If the broker is down the
    page still succeeds: the platform tick sends invitations that were never emailed."""
    from .tasks import send_invitation_email

    transaction.on_commit(partial(send_invitation_email.delay, invitation.district_id, invitation.pk), robust=True)


@transaction.atomic
def invitation_create(
    *,
    district: District,
    actor: Membership,
    email: str,
    role: str,
    full_name: str = "",
    school: School | None = None,
    department: Department | None = None,
    role_label: RoleLabel | None = None,
    title: str = "",
) -> Invitation:
    """Invite someone by email with a role; the email goes out after commit."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PEOPLE)
    email = normalize_email(email)
    # Every field's problem at once, so one correction round is enough.
    errors: dict[str, list[ValidationError]] = {}
    if problem := email_problem(email):
        errors["email"] = [ValidationError(problem)]
    elif email in active_member_emails(district=district, emails=[email]):
        errors["email"] = [
            ValidationError(
                _("%(email)s is already an active member of this district. Change their role on their page instead.")
                % {"email": email}
            )
        ]
    elif open_invitation_for(district=district, email=email) is not None:
        errors["email"] = [
            ValidationError(_("%(email)s already has an open invitation.") % {"email": email}, code="already_invited")
        ]
    try:
        check_role_and_place(district=district, role=role, school=school, department=department, role_label=role_label)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    invitation = Invitation(
        district=district,
        email=email,
        full_name=one_line(full_name),
        role=role,
        school=school,
        department=department,
        role_label=role_label,
        title=one_line(title),
        invited_by=actor,
        expires_at=invitation_expiry(),
    )
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        # Someone invited the same address a moment ago (invitation_one_open_per_email).
        raise ValidationError(
            {
                "email": ValidationError(
                    _("%(email)s already has an open invitation.") % {"email": email}, code="already_invited"
                )
            }
        ) from None
    email_invitation_after_commit(invitation)
    return invitation


def _lock_invitation(district: District, invitation: Invitation) -> Invitation:
    ensure_same_district(invitation, district=district)
    return Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk, district=district)


@transaction.atomic
def invitation_resend(*, district: District, actor: Membership, invitation: Invitation) -> Invitation:
    """Send a fresh link: the old one stops working and the new one gets the full validity again."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PEOPLE)
    locked = _lock_invitation(district, invitation)
    if locked.accepted_at:
        raise ValidationError(_("This invitation was already accepted; there is nothing to re-send."))
    if locked.revoked_at:
        raise ValidationError(_("This invitation was revoked. Invite the person again instead."))
    locked.nonce = new_invitation_nonce()
    locked.link_changed_at = timezone.now()
    locked.expires_at = invitation_expiry()
    locked.save(update_fields=["nonce", "link_changed_at", "expires_at"])
    email_invitation_after_commit(locked)
    return locked


@transaction.atomic
def invitation_revoke(*, district: District, actor: Membership, invitation: Invitation) -> Invitation:
    """Kill the link at once (the nonce changes too). Revoking twice is harmless."""
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_PEOPLE)
    locked = _lock_invitation(district, invitation)
    if locked.accepted_at:
        raise ValidationError(_("This invitation was already accepted. Deactivate the person instead."))
    if locked.revoked_at:
        return locked
    locked.revoked_at = timezone.now()
    locked.nonce = new_invitation_nonce()
    locked.link_changed_at = locked.revoked_at
    locked.save(update_fields=["revoked_at", "nonce", "link_changed_at"])
    return locked


def invitation_problem(invitation: Invitation) -> str | None:
    """Why an invitation can't be accepted now, or None."""
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        return "used"
    if state == Invitation.State.REVOKED:
        return "revoked"
    if state == Invitation.State.EXPIRED:
        return "expired"
    return None


_ACCEPT_MESSAGES = {
    "used": gettext_lazy("This invitation was already used."),
    "revoked": gettext_lazy("This invitation was withdrawn."),
    "expired": gettext_lazy("This invitation has expired."),
    "replaced": gettext_lazy("This link was replaced by a newer one."),
    "superseded": gettext_lazy(
        "This invitation was sent before your access to the district was last changed, so it no longer works."
    ),
}


def _accept_problem(locked: Invitation, nonce: str) -> str | None:
    """Why the locked invitation can't be accepted with the link carrying `nonce`, or None."""
    if problem := invitation_problem(locked):
        return problem
    if not constant_time_compare(nonce, locked.nonce):
        return "replaced"
    return None


@transaction.atomic
def invitation_accept(*, district: District, invitation: Invitation, user: User, nonce: str) -> Membership:
    """Join the district with the invited role and place, or come back to it.

    Creates the membership, or reactivates an inactive one with the invited
    role; an already active membership is left as it is. Idempotent: accepting
    again as the same user returns the same membership. The link (`nonce`) is
    checked on the locked row, so a re-send or revocation committed a moment
    earlier wins over the old link.
    """
    locked = _lock_invitation(district, invitation)
    if locked.accepted_at and locked.accepted_membership_id:
        membership = Membership.objects.select_related("user").get(pk=locked.accepted_membership_id)
        if membership.user_id == user.pk:
            return membership
    if problem := _accept_problem(locked, nonce):
        raise ValidationError(_ACCEPT_MESSAGES[problem], code=problem)
    if normalize_email(user.email) != normalize_email(locked.email):
        raise ValidationError(
            _("This invitation is for %(email)s. Log in with that address to accept it.") % {"email": locked.email}
        )
    membership = Membership.objects.select_for_update(of=("self",)).filter(district=district, user=user).first()
    if membership is not None and membership.deactivated_at and locked.created_at < membership.deactivated_at:
        # An admin deactivated them after this invitation was made; the old link must not undo that.
        raise ValidationError(_ACCEPT_MESSAGES["superseded"], code="superseded")
    invited = {
        "role": locked.role,
        "school": locked.school,
        "department": locked.department,
        "role_label": locked.role_label,
        "title": locked.title or (membership.title if membership else ""),
    }
    if membership is None:
        membership = Membership(district=district, user=user, **invited)
        changed = None
    elif not membership.is_active:
        changed = [*apply_changes(membership, {**invited, "is_active": True, "deactivated_at": None})]
    else:
        changed = []
    if changed is None or changed:
        membership.full_clean()
        membership._history_user = user
        membership.save(update_fields=changed or None)
    locked.accepted_at = timezone.now()
    locked.accepted_membership = membership
    locked.save(update_fields=["accepted_at", "accepted_membership"])
    if not user.full_name and locked.full_name:
        user.full_name = locked.full_name
        user.save(update_fields=["full_name"])
        sync_sort_names(user)
    return membership


def sync_sort_names(user: User) -> None:
    """After a user's name or email changed: their memberships' copy of it (the people list's order), made exact."""
    # Crosses districts on purpose: the rows are the user's own, in every district they belong to.
    with dangerously_cross_district():
        memberships = Membership.objects.filter(user=user)
        memberships.update(sort_name=person_sort_name(user))
        district_ids = list(memberships.values_list("district_id", flat=True))
    for district_id in district_ids:  # cached pages that show the name (core.cache_versions.NAMES)
        cache_versions.bump(district_id, cache_versions.NAMES)


@transaction.atomic
def invitation_accept_as_new_user(
    *, district: District, invitation: Invitation, full_name: str, password: str, nonce: str
) -> Membership:
    """Create the invitee's account with their password, then accept. One transaction.

    The invitation row is locked first, so a second sign-up on the same link
    waits and then finds it used; two sign-ups for the same address from
    different invitations meet at the email's unique constraint.
    """
    locked = _lock_invitation(district, invitation)
    if problem := _accept_problem(locked, nonce):
        raise ValidationError(_ACCEPT_MESSAGES[problem], code=problem)
    taken = ValidationError(
        _("An account already uses %(email)s. Log in with it to accept the invitation.") % {"email": locked.email},
        code="account_exists",
    )
    if User.objects.filter(email__iexact=locked.email).exists():
        raise taken
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=locked.email, password=password, full_name=one_line(full_name))
    except IntegrityError:
        raise taken from None
    return invitation_accept(district=district, invitation=locked, user=user, nonce=nonce)


def invitation_send_email(*, district: District, invitation_id: int) -> bool:
    """Email the invitation's current link, at most once per link. Returns whether it sent.

    The conditional UPDATE claims the link (emailed_nonce ← nonce where they
    differ) before sending, so a retried or concurrent run finds nothing to do.
    The claim and the send share the caller's transaction: a failed send
    rolls the claim back and a retry sends it.
    """
    from .invitations import invitation_email

    invitation = Invitation.objects.select_related("invited_by__user").filter(pk=invitation_id).first()
    if invitation is None or invitation_problem(invitation):
        return False
    nonce = invitation.nonce
    claimed = (
        Invitation.objects.filter(pk=invitation.pk, nonce=nonce, accepted_at__isnull=True, revoked_at__isnull=True)
        .exclude(emailed_nonce=nonce)
        .update(emailed_nonce=nonce, sent_at=timezone.now())
    )
    if not claimed:
        return False
    invitation_email(invitation, district=district, nonce=nonce).send()
    return True
