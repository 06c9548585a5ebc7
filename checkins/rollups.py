"""Stored roll-ups of check-ins per cycle (CheckinRollup). PLACEHOLDER: being built (issue 9 item 7)."""

from __future__ import annotations

from .models import Checkin, CheckinCycle


def schedule_checkin_refresh(checkin: Checkin) -> None:
    """Record (in the caller's transaction) that the roll-ups this check-in counts in must be recomputed."""


def schedule_cycle_refresh(cycle: CheckinCycle) -> None:
    """Record (in the caller's transaction) that every roll-up of the cycle must be recomputed."""
