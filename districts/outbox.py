"""Follow-up work that must not be lost when the broker is down: one outbox for every kind.

A change that causes follow-up work (roll-ups to refresh, an email to send) calls `enqueue()` in
its own transaction, so the `PendingWork` row commits or rolls back with the change. After the
commit a task is nudged to deliver it now; if the broker is down the nudge is only logged, and the
platform tick re-queues rows still undelivered after `DELIVERY_GRACE` (districts.tasks).

Delivery (`deliver()`) claims the row with a conditional UPDATE, so a repeated or concurrent
delivery runs the handler once; a handler that raises is retried with exponential back-off and
given up after `MAX_ATTEMPTS` (the row stays, with `failed_at` and `last_error`).

Apps above districts register a handler per kind in their AppConfig.ready() (districts imports no
app above it). A handler receives `district=` and `payload=`, runs outside any transaction and
opens its own (`district_context`), in bounded pieces. It must be idempotent: a worker that dies
after the work but before marking it done leaves the row to be claimed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import District, PendingWork
from .tenancy import district_context

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]  # handler(*, district: District, payload: dict) -> Any

# A nudge not delivered this long after the row became due was lost (broker down, worker gone).
DELIVERY_GRACE = timedelta(minutes=2)
# A claim older than this belongs to a worker that died mid-delivery; the row may be claimed again.
CLAIM_TIMEOUT = timedelta(minutes=30)
MAX_ATTEMPTS = 5
RETRY_BACKOFF = timedelta(minutes=1)  # doubled per failed attempt: 1, 2, 4, 8 minutes
MAX_ERROR_LENGTH = 2000

_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """Deliver rows of `kind` with `handler`; called from an AppConfig.ready()."""
    existing = _handlers.get(kind)
    if existing is not None and existing is not handler:
        raise ValueError(f"Pending work {kind!r} already has a handler: {existing!r}.")
    _handlers[kind] = handler


def enqueue(*, district: District, kind: str, key: str = "", payload: dict | None = None) -> PendingWork:
    """Record follow-up work in the caller's transaction, and nudge delivery after the commit.

    Joins the row of the same (district, kind, key) still waiting to be claimed (its payload is
    replaced by the newest one), so a burst of changes is delivered once.
    """
    if kind not in _handlers:
        raise ValueError(f"No handler is registered for pending work {kind!r}.")
    payload = payload or {}
    with transaction.atomic():
        for _attempt in range(3):
            waiting = _waiting(district=district, kind=kind, key=key).select_for_update().first()
            if waiting is not None:
                if waiting.payload != payload:
                    waiting.payload = payload
                    waiting.save(update_fields=["payload"])
                return waiting
            try:
                with transaction.atomic():
                    item = PendingWork.objects.create(district=district, kind=kind, key=key, payload=payload)
                break
            except IntegrityError:
                continue  # a concurrent transaction enqueued the same work first: join its row
        else:
            raise RuntimeError(f"Could not enqueue pending work {kind!r} {key!r}.")
    transaction.on_commit(lambda: _nudge(item), robust=True)
    return item


def _waiting(*, district: District, kind: str, key: str):
    return PendingWork.objects.filter(
        district=district, kind=kind, key=key, claimed_at__isnull=True, done_at__isnull=True, failed_at__isnull=True
    )


def _nudge(item: PendingWork) -> None:
    from .tasks import deliver_pending_work

    # on_commit(robust=True) logs a broker error and carries on; the row stays for the tick.
    deliver_pending_work.delay(item.district_id, item.pk)


def deliver(*, district: District, item_id: int) -> bool:
    """Claim one row of this district, run its handler, and mark it done. True if it was delivered.

    Quietly False if the row is gone, another district's, already done or failed, not yet due,
    or claimed by a delivery still running.
    """
    now = timezone.now()
    with district_context(district):
        undelivered = PendingWork.objects.filter(
            pk=item_id, district=district, done_at__isnull=True, failed_at__isnull=True, available_at__lte=now
        )
        claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
        if not undelivered.filter(claimable).update(claimed_at=now, attempts=F("attempts") + 1):
            return False
        item = PendingWork.objects.get(pk=item_id)
    handler = _handlers.get(item.kind)
    try:
        if handler is None:
            raise LookupError(f"No handler is registered for pending work {item.kind!r}.")
        handler(district=district, payload=item.payload)
    except Exception as error:
        logger.exception("Pending work %s (%s) failed, attempt %s", item.pk, item.kind, item.attempts)
        _record_failure(district=district, item=item, error=error)
        return False
    with district_context(district):
        PendingWork.objects.filter(pk=item.pk, claimed_at=now).update(done_at=timezone.now(), last_error="")
    return True


def _record_failure(*, district: District, item: PendingWork, error: Exception) -> None:
    now = timezone.now()
    message = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    with district_context(district):
        mine = PendingWork.objects.filter(pk=item.pk, claimed_at=item.claimed_at)
        if item.attempts >= MAX_ATTEMPTS:
            mine.update(failed_at=now, last_error=message)
            return
        if _waiting(district=district, kind=item.kind, key=item.key).exists():
            # Newer work of the same key waits already and will do this too.
            mine.update(done_at=now, last_error=message)
            return
        backoff = RETRY_BACKOFF * 2 ** (item.attempts - 1)
        mine.update(claimed_at=None, available_at=now + backoff, last_error=message)


def undelivered_due(*, now=None, limit: int) -> list[tuple[int, int]]:
    """(district id, row id) of rows due but not delivered after the grace period, oldest first.

    One query across districts on the partial index `pendingwork_undelivered`; the caller must be
    inside `dangerously_cross_district()`.
    """
    now = now or timezone.now()
    return list(
        PendingWork.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
            done_at__isnull=True,
            failed_at__isnull=True,
            available_at__lt=now - DELIVERY_GRACE,
        )
        .order_by("available_at")
        .values_list("district_id", "pk")[:limit]
    )
