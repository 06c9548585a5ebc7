"""What happens after a check-in changes: the one place services and the tick report changes to.

Each function is called inside the transaction of the change, and records its follow-up work as
database state in that transaction (outbox rows, districts.outbox), so the work commits or rolls back
with the change and survives a broker outage: roll-ups to refresh (checkins.rollups) and emails to send
(checkins.notifications). Nothing here sends or computes anything itself.
"""

from __future__ import annotations

from datetime import datetime

from core import cache_versions
from districts.models import Membership

from . import notifications, rollups
from .models import Checkin, CheckinCycle, CheckinResponse, CheckinState, CycleReminder

# --- From the services (a person did something) -------------------------------------------------


def checkin_saved(checkin: Checkin) -> None:
    """A draft was saved. Drafts count only as expected; a returned check-in's support requests count."""
    if checkin.state == CheckinState.RETURNED:
        rollups.schedule_checkin_refresh(checkin)


def checkin_submitted(checkin: Checkin, *, actor: Membership) -> None:
    rollups.schedule_checkin_refresh(checkin)


def checkin_returned(checkin: Checkin, *, response: CheckinResponse) -> None:
    rollups.schedule_checkin_refresh(checkin)
    notifications.notify_returned(checkin, response=response)


def response_added(checkin: Checkin, *, response: CheckinResponse) -> None:
    """An acknowledgement, a comment or a resolved support request (a return is `checkin_returned`)."""
    rollups.schedule_checkin_refresh(checkin)
    notifications.notify_response(checkin, response=response)


# --- From the tick (checkins.cycles) -------------------------------------------------------------


def _cycle_state_changed(cycle: CheckinCycle) -> None:
    """A cycle opened, closed, or its check-ins turned late or escalated: pages cached under the roll-ups
    show it (the dashboard's "this cycle" panel), though the refresh may change no roll-up row."""
    cache_versions.bump(cycle.district_id, cache_versions.CHECKIN_ROLLUPS)


def cycle_opened(cycle: CheckinCycle) -> None:
    _cycle_state_changed(cycle)
    rollups.schedule_cycle_refresh(cycle)
    notifications.notify_cycle_opened(cycle)


def cycle_filled(cycle: CheckinCycle) -> None:
    """Check-ins or entries were added to an open cycle, or entries set aside or asked for again."""
    rollups.schedule_cycle_refresh(cycle)


def reminder_due(reminder: CycleReminder) -> None:
    notifications.notify_reminder(reminder)


def checkins_marked_late(cycle: CheckinCycle) -> None:
    _cycle_state_changed(cycle)
    rollups.schedule_cycle_refresh(cycle)
    notifications.notify_late(cycle)


def checkins_escalated(cycle: CheckinCycle, *, at: datetime) -> None:
    _cycle_state_changed(cycle)
    notifications.notify_escalated(cycle, at=at)


def cycle_closed(cycle: CheckinCycle) -> None:
    _cycle_state_changed(cycle)
    rollups.schedule_cycle_refresh(cycle)
    notifications.notify_digest(cycle)
