"""Small invariants of the model instances that services receive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

T = TypeVar("T")


def ensure_same_district(*objects: Any, district: Any) -> None:
    """Services get objects from access helpers or district-scoped forms; another district's is a bug, not input."""
    for obj in objects:
        if obj is not None and obj.district_id != district.pk:
            raise ValueError(f"The {obj._meta.verbose_name} belongs to another district.")


def apply_changes(obj: models.Model, changes: dict[str, Any]) -> list[str]:
    """Set only the attributes that differ; return their names."""
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def save_unique(save: Callable[[], T], *, recheck: Callable[[], None]) -> T:
    """Run `save` in a savepoint; when a unique constraint stops it, run the pre-check again.

    Two people saving the same name at once both pass the pre-check; the
    database lets one through and makes the other wait, then refuse. By then
    the winner is committed, so `recheck` (the same check the form relies on)
    sees it and raises its own field message. Anything the check does not
    explain propagates unchanged.
    """
    try:
        with transaction.atomic():
            return save()
    except (IntegrityError, ValidationError):
        # A ValidationError here is the model's own constraint check (full_clean) seeing the
        # other row committed just after the pre-check: same race, same message.
        recheck()
        raise
