"""Small invariants of the model instances that services receive."""

from __future__ import annotations

from typing import Any

from django.db import models


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
