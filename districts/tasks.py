"""Periodic work for the platform and the invitation email. Beat runs one tick; the tick fans out per district."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from config.health import BEAT_HEARTBEAT_CACHE_KEY

from . import outbox, ticks
from .models import District, Invitation
from .services import invitation_send_email
from .tenancy import dangerously_cross_district, district_context

# An invitation link not emailed this long after it was made (the first link
# or a re-sent one) lost its task, e.g. the broker was down at commit time;
# the tick queues it again.
UNSENT_INVITATION_GRACE = timedelta(minutes=5)
UNSENT_INVITATIONS_PER_TICK = 500
UNDELIVERED_WORK_PER_TICK = 500
# A district's task not started within this long is dropped; the district is due again after its lease.
DISTRICT_TICK_EXPIRES = 55


@shared_task(name="districts.tasks.platform_tick")
def platform_tick() -> None:
    """Record that beat and a worker are alive (shown by /healthz), catch up on unsent invitations
    and on undelivered follow-up work (districts.outbox), and fan out one task per district whose
    registered steps are due (districts.ticks: check-in cycles).
    """
    cache.set(BEAT_HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=None)
    queue_unsent_invitations()
    queue_undelivered_work()
    queue_due_districts()


def queue_due_districts() -> int:
    """One `run_district_tick` per district with steps due, from one indexed query (districts.ticks)."""
    due = ticks.queue_due()
    for district_id in due:
        run_district_tick.apply_async((district_id,), expires=DISTRICT_TICK_EXPIRES)
    return len(due)


# Idempotent (every step is), so it may be acknowledged late.
@shared_task(name="districts.tasks.run_district_tick", acks_late=True)
def run_district_tick(district_id: int) -> None:
    """Run the registered tick steps for one district, inside its own district; quietly nothing if it is gone."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return
    ticks.run_district(district)


# Idempotent (the send claims its link first), so it may be acknowledged late and retried.
@shared_task(
    name="districts.tasks.send_invitation_email",
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    max_retries=5,
)
def send_invitation_email(district_id: int, invitation_id: int) -> None:
    """Email an invitation's current link once; quietly nothing if the district or invitation is gone."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return
    with district_context(district):
        invitation_send_email(district=district, invitation_id=invitation_id)


def queue_unsent_invitations() -> int:
    """Queue a send for open invitations whose current link was never emailed.

    Reads the partial index `invitation_unsent_link`, which holds only open
    invitations whose link differs from the one emailed.
    """
    now = timezone.now()
    # Crosses districts on purpose: it only reads ids, and each send enters its own district.
    with dangerously_cross_district():
        pending = list(
            Invitation.objects.filter(
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                link_changed_at__lt=now - UNSENT_INVITATION_GRACE,
                expires_at__gt=now,
            )
            .exclude(emailed_nonce=F("nonce"))
            .order_by("link_changed_at")
            .values_list("district_id", "pk")[:UNSENT_INVITATIONS_PER_TICK]
        )
    for district_id, invitation_id in pending:
        send_invitation_email.apply_async((district_id, invitation_id), expires=55)
    return len(pending)


# Idempotent (the delivery claims its row first; handlers are idempotent), so it may be acknowledged late.
@shared_task(name="districts.tasks.deliver_pending_work", acks_late=True)
def deliver_pending_work(district_id: int, item_id: int) -> bool:
    """Deliver one outbox row of a district (districts.outbox); quietly nothing if either is gone.

    Failures are retried by the outbox itself (back-off on the row, picked up by the tick), not by
    Celery, so a retry survives a broker outage too.
    """
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return False
    return outbox.deliver(district=district, item_id=item_id)


def queue_undelivered_work() -> int:
    """Queue a delivery for outbox rows whose nudge was lost, whose retry is due, or whose worker died."""
    # Crosses districts on purpose: it only reads ids, and each delivery enters its own district.
    with dangerously_cross_district():
        pending = outbox.undelivered_due(limit=UNDELIVERED_WORK_PER_TICK)
    for district_id, item_id in pending:
        deliver_pending_work.apply_async((district_id, item_id), expires=55)
    return len(pending)
