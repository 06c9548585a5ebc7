"""Ordered lists the people in a district arrange by hand: priorities, commitments, competencies, role labels.

Positions are renumbered 1..n on every move, under a row lock on the whole
list, so two people moving items at once take turns and never leave gaps or
ties behind. Adding an item locks the list's parent row before reading the
last position, so two people adding at once never take the same one.
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


def next_position(siblings: models.QuerySet, *, parent: models.Model) -> int:
    """The position after the last of `siblings`, for an item about to be added to them.

    Locks `parent` (the row that owns the list: the plan, the priority, the
    district) until the caller's transaction ends, so two people adding to one
    list take turns: the second reads the last position after the first's item
    is committed. (An empty list has no rows to lock, so the lock is the parent's.)
    """
    list(type(parent)._base_manager.select_for_update().filter(pk=parent.pk).values_list("pk", flat=True))
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
