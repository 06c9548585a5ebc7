"""Writes for districts, schools, departments and people.

Every function is keyword-only, takes the district and the acting membership,
checks the policy, validates (raising ValidationError with field messages)
and records who made the change in the object's history.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import District, Membership, School
from .policy import Action, require


def ensure_actor_in_district(*, district: District, actor: Membership) -> None:
    """Services are called with the request's district and membership; a mismatch is a bug."""
    if actor.district_id != district.pk:
        raise ValueError("The acting membership belongs to another district.")


def save_with_history(obj: models.Model, *, actor: Membership, update_fields: list[str] | None = None) -> None:
    """Validate and save, attributing the history record to the actor's user."""
    obj.full_clean()
    obj._history_user = actor.user  # read by django-simple-history
    obj.save(update_fields=update_fields)


def apply_changes(obj: models.Model, changes: dict[str, Any]) -> list[str]:
    """Set only the attributes that differ; return their names."""
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _clean_school_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    for key in ("name", "code", "region"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = " ".join(str(cleaned[key]).split())
    return cleaned


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
) -> School:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    fields = _clean_school_fields({"name": name, "code": code, "region": region})
    school = School(district=district, level=level, enrollment=enrollment, **fields)
    save_with_history(school, actor=actor)
    return school


@transaction.atomic
def school_update(*, district: District, actor: Membership, school: School, **changes: Any) -> School:
    ensure_actor_in_district(district=district, actor=actor)
    require(actor, Action.MANAGE_DISTRICT)
    if school.district_id != district.pk:
        raise ValueError("The school belongs to another district.")
    allowed = {"name", "code", "level", "enrollment", "region"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Unknown school fields: {', '.join(sorted(unknown))}")
    changed = apply_changes(school, _clean_school_fields(changes))
    if changed:
        save_with_history(school, actor=actor, update_fields=[*changed, "updated_at"])
    return school
