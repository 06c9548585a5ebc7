"""The per-district part of the platform tick: steps that apps above districts register.

Beat runs one tick (districts.tasks.platform_tick). It reads the districts whose `next_tick_at` has
come, in one query on the index `district_next_tick` (thousands of districts with nothing due cost
that one query), and sends one `run_district_tick` task per district, with `expires`. The task runs
every registered step inside the district's `district_context`; each step does what is due and
returns when it next needs to run, and the district's `next_tick_at` becomes the earliest of those.

A step is `step(*, district, now) -> datetime | None` (None: nothing until something changes; the
district is still looked at once a day). Steps must be idempotent: a repeated, concurrent or
crashed run must never do anything twice. Apps register in their AppConfig.ready(); districts
imports none of them (checkins registers the check-in cycles).

Something that changes what a step would do (the district's schedule settings, a plan activated)
calls `nudge(district)` in its transaction, so the next tick runs the district.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import District
from .tenancy import district_context

logger = logging.getLogger(__name__)

Step = Callable[..., datetime | None]  # step(*, district: District, now: datetime) -> next run or None

# A district the tick has queued is not queued again for this long (its task may still be waiting in
# the broker); if the task was lost, the district is due again after it.
QUEUED_LEASE = timedelta(minutes=5)
# Even with nothing scheduled, a district is looked at once a day.
IDLE_RECHECK = timedelta(days=1)
# A step that failed is tried again after this long.
FAILED_STEP_RETRY = timedelta(minutes=5)
DISTRICTS_PER_TICK = 1000

_steps: dict[str, Step] = {}


def register(name: str, step: Step) -> None:
    """Run `step` for every district on the tick; called from an AppConfig.ready()."""
    existing = _steps.get(name)
    if existing is not None and existing is not step:
        raise ValueError(f"Tick step {name!r} is already registered: {existing!r}.")
    _steps[name] = step


def registered_steps() -> dict[str, Step]:
    return dict(_steps)


def nudge(district: District) -> None:
    """Make the district due on the next tick (in the caller's transaction)."""
    District.objects.filter(pk=district.pk).update(next_tick_at=timezone.now())


def queue_due(*, now: datetime | None = None, limit: int = DISTRICTS_PER_TICK) -> list[int]:
    """Ids of districts whose steps are due, earliest first; each is leased for QUEUED_LEASE.

    The lease is a conditional UPDATE (still due), so a second tick at the same moment leases none of them
    again; a duplicate queued anyway is harmless, the steps being idempotent.
    """
    now = now or timezone.now()
    due = list(
        District.objects.filter(next_tick_at__lte=now).order_by("next_tick_at").values_list("pk", flat=True)[:limit]
    )
    if due:
        District.objects.filter(pk__in=due, next_tick_at__lte=now).update(next_tick_at=now + QUEUED_LEASE)
    return due


def run_district(district: District, *, now: datetime | None = None) -> datetime:
    """Run every registered step for one district; store and return when it is next due.

    The run leases the district first; its result is stored only if nothing nudged the district while it
    ran (a nudge moves `next_tick_at` off the lease, and the next tick runs the district again).
    """
    now = now or timezone.now()
    lease = now + QUEUED_LEASE
    District.objects.filter(pk=district.pk).update(next_tick_at=lease)
    upcoming = [now + IDLE_RECHECK]
    for name, step in _steps.items():
        try:
            with district_context(district):
                when = step(district=district, now=now)
        except Exception:
            logger.exception("Tick step %s failed for district %s", name, district.pk)
            when = now + FAILED_STEP_RETRY
        if when is not None:
            upcoming.append(when)
    # Never in the past: a step that is already due again runs on the next tick.
    next_at = max(min(upcoming), now + timedelta(seconds=1))
    District.objects.filter(Q(pk=district.pk), Q(next_tick_at=lease)).update(next_tick_at=next_at)
    return next_at
