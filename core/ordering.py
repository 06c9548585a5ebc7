"""Ordered lists the people in a district arrange by hand: priorities, commitments, competencies, role labels.

Positions are renumbered 1..n on every move, under a row lock on the whole
list, so two people moving items at once take turns and never leave gaps or
ties behind.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import Max

from .history import save_with_history


class MoveDirection(StrEnum):
    """Which way an item moves in its list (not to be confused with a metric's better direction)."""

    UP = "up"
    DOWN = "down"


def next_position(siblings: models.QuerySet) -> int:
    return (siblings.aggregate(top=Max("position"))["top"] or 0) + 1


def move_in_order(item: models.Model, siblings: models.QuerySet, *, direction: MoveDirection, actor: Any) -> bool:
    """Swap `item` with its neighbour in `siblings`; False when it is already first (or last)."""
    ordered = list(siblings.select_for_update().order_by("position", "pk"))
    index = next((i for i, other in enumerate(ordered) if other.pk == item.pk), None)
    if index is None:
        raise ValueError("The item is not in the list it is moved in.")
    target = index - 1 if direction == MoveDirection.UP else index + 1
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    timestamps = [f.name for f in item._meta.concrete_fields if getattr(f, "auto_now", False)]
    for position, other in enumerate(ordered, start=1):
        if other.position != position:
            other.position = position
            save_with_history(other, actor=actor, update_fields=["position", *timestamps])
    item.position = next(o.position for o in ordered if o.pk == item.pk)
    return True
