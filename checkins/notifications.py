"""Check-in emails. PLACEHOLDER: being built (issue 9 item 6)."""

from __future__ import annotations

from datetime import datetime

from .models import Checkin, CheckinCycle, CheckinResponse, CycleReminder


def notify_cycle_opened(cycle: CheckinCycle) -> None:
    pass


def notify_reminder(reminder: CycleReminder) -> None:
    pass


def notify_late(cycle: CheckinCycle) -> None:
    pass


def notify_escalated(cycle: CheckinCycle, *, at: datetime) -> None:
    pass


def notify_returned(checkin: Checkin, *, response: CheckinResponse) -> None:
    pass


def notify_response(checkin: Checkin, *, response: CheckinResponse) -> None:
    pass


def notify_digest(cycle: CheckinCycle) -> None:
    pass
