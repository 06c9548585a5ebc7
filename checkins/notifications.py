"""Check-in emails: who hears about what, each email sent at most once per event and person.

Each `notify_*` runs inside the transaction of its event (checkins.events) and records one outbox row
(districts.outbox, kind NOTIFY_KIND, keyed by the event), so the email commits or rolls back with the
change. After the commit the outbox runs `deliver()`, outside any transaction:

1. It works out the recipients and creates their `Notification` rows with `bulk_create(ignore_conflicts=True)`:
   the row unique per (district, kind, event, recipient) is the claim that the email exists once.
2. For each row still pending it takes a claim (a conditional UPDATE: pending and not claimed, or claimed
   longer ago than CLAIM_TIMEOUT), commits it, renders the email in the recipient's language and the
   district's time zone, sends it, and marks the row sent (a conditional UPDATE on its own claim).
   A person who turned the kind off (districts.email_preferences), or whose membership or account is no
   longer active, or who no longer has anything to hear about, is marked skipped and sent nothing.
3. A send that raises puts the row back to pending with its error and one more attempt; the handler
   raises at the end so the outbox retries with back-off; after MAX_SEND_ATTEMPTS the row is failed
   (the outbox gives up at the same attempt). A re-run finds sent rows sent and sends nothing again.

The one window no database can close: a worker killed after the mail server accepted an email but
before the row was marked sent leaves it claimed; once the claim is older than CLAIM_TIMEOUT a later
run sends it again. So an email goes at most once per claim timeout, never in a tight loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from districts import email_preferences, outbox
from districts.invitations import site_url
from districts.languages import choose_language, offered_languages
from districts.models import District, Membership
from districts.roles import Role
from districts.tenancy import district_context

from .models import (
    EDITABLE_CHECKIN_STATES,
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinResponse,
    CheckinRollup,
    CheckinState,
    CycleReminder,
    EntryStatus,
    Notification,
    NotificationKind,
    NotificationState,
    ResponseKind,
    RollupScope,
)

NOTIFY_KIND = "checkins.notify"
# A claim older than this belongs to a worker that died mid-send; the email may be sent again.
CLAIM_TIMEOUT = timedelta(minutes=15)
MAX_SEND_ATTEMPTS = outbox.MAX_ATTEMPTS
MAX_ERROR_LENGTH = 2000

# The kinds a person may turn off on "My settings"; the others are always sent.
OPTIONAL_KINDS = (
    NotificationKind.CYCLE_OPENED,
    NotificationKind.REMINDER,
    NotificationKind.RESPONSE,
    NotificationKind.DIGEST,
)
ESSENTIAL_KINDS = (NotificationKind.LATE, NotificationKind.ESCALATION, NotificationKind.RETURNED)


def register_email_kinds() -> None:
    """Name the check-in emails on "My settings" (called from CheckinsConfig.ready)."""
    register = email_preferences.register
    register(
        NotificationKind.CYCLE_OPENED,
        label=_("A check-in opens"),
        description=_("When your school's or department's check-in opens, with a link to fill it in."),
    )
    register(
        NotificationKind.REMINDER,
        label=_("Check-in reminders"),
        description=_("Before the due date, while your check-in is not submitted yet."),
    )
    register(
        NotificationKind.RESPONSE,
        label=_("Responses to your check-in"),
        description=_("When someone acknowledges your check-in, comments on it or resolves a support request."),
    )
    register(
        NotificationKind.DIGEST,
        label=_("Cycle digest"),
        description=_("For the superintendent: how the district's check-ins went, after each cycle closes."),
    )
    register(
        NotificationKind.LATE,
        label=_("A check-in is late"),
        description=_("When your check-in was not submitted by its due date."),
        essential=True,
    )
    register(
        NotificationKind.ESCALATION,
        label=_("Late check-ins escalated"),
        description=_("For principal supervisors: the late check-ins of the schools you supervise."),
        essential=True,
    )
    register(
        NotificationKind.RETURNED,
        label=_("A check-in is returned"),
        description=_("When your check-in is returned for revision, with the reviewer's comment."),
        essential=True,
    )


# --- Recording (inside the event's transaction) ---------------------------------------------------


def _enqueue(district: District, kind: str, event_key: str, **ids: Any) -> None:
    outbox.enqueue(
        district=district,
        kind=NOTIFY_KIND,
        key=f"{kind}/{event_key}",
        payload={"kind": str(kind), "event_key": event_key, **ids},
    )


def notify_cycle_opened(cycle: CheckinCycle) -> None:
    _enqueue(cycle.district, NotificationKind.CYCLE_OPENED, f"cycle:{cycle.pk}:opened", cycle_id=cycle.pk)


def notify_reminder(reminder: CycleReminder) -> None:
    _enqueue(
        reminder.district,
        NotificationKind.REMINDER,
        f"reminder:{reminder.pk}",
        cycle_id=reminder.cycle_id,
        reminder_id=reminder.pk,
    )


def notify_late(cycle: CheckinCycle) -> None:
    _enqueue(cycle.district, NotificationKind.LATE, f"cycle:{cycle.pk}:late", cycle_id=cycle.pk)


def notify_escalated(cycle: CheckinCycle, *, at: datetime) -> None:
    _enqueue(
        cycle.district,
        NotificationKind.ESCALATION,
        f"cycle:{cycle.pk}:escalated",
        cycle_id=cycle.pk,
        at=at.isoformat(),
    )


def notify_returned(checkin: Checkin, *, response: CheckinResponse) -> None:
    _enqueue(
        checkin.district,
        NotificationKind.RETURNED,
        f"response:{response.pk}",
        checkin_id=checkin.pk,
        response_id=response.pk,
    )


def notify_response(checkin: Checkin, *, response: CheckinResponse) -> None:
    _enqueue(
        checkin.district,
        NotificationKind.RESPONSE,
        f"response:{response.pk}",
        checkin_id=checkin.pk,
        response_id=response.pk,
    )


def notify_digest(cycle: CheckinCycle) -> None:
    _enqueue(cycle.district, NotificationKind.DIGEST, f"cycle:{cycle.pk}:digest", cycle_id=cycle.pk)


# --- Who hears about an event --------------------------------------------------------------------


@dataclass
class Plan:
    """An event's recipients (membership id → what that person's email is about) and what all share."""

    template: str
    shared: dict[str, Any]
    recipients: dict[int, dict[str, Any]] = field(default_factory=dict)


def _checkins(district: District, **filters: Any) -> list[Checkin]:
    return list(
        Checkin.objects.filter(district=district, **filters)
        .select_related("cycle", "school", "department")
        .order_by("school__name", "department__name", "pk")
    )


def _place_people(district: District, checkins: Iterable[Checkin]) -> dict[int, Checkin]:
    """The principals of each school and the department leads (cabinet) of each department, by membership
    id, each with their place's check-in (a membership has one place, so one check-in per cycle)."""
    by_school = {c.school_id: c for c in checkins if c.school_id}
    by_department = {c.department_id: c for c in checkins if c.department_id}
    if not by_school and not by_department:
        return {}
    people = Membership.objects.filter(district=district, is_active=True, user__is_active=True).filter(
        Q(role=Role.PRINCIPAL, school_id__in=list(by_school))
        | Q(role=Role.CABINET, department_id__in=list(by_department))
    )
    found = {}
    for pk, school_id, department_id in people.values_list("pk", "school_id", "department_id"):
        found[pk] = by_school.get(school_id) if school_id else by_department.get(department_id)
    return found


def _superintendents(district: District) -> list[int]:
    return list(
        Membership.objects.filter(
            district=district, role=Role.SUPERINTENDENT, is_active=True, user__is_active=True
        ).values_list("pk", flat=True)
    )


def _cycle(district: District, payload: dict) -> CheckinCycle | None:
    return CheckinCycle.objects.filter(district=district, pk=payload.get("cycle_id")).first()


def _place_plan(template: str, district: District, cycle: CheckinCycle, checkins: list[Checkin]) -> Plan:
    plan = Plan(template=template, shared={"cycle": cycle})
    for member_id, checkin in _place_people(district, checkins).items():
        plan.recipients[member_id] = {
            "checkin": checkin,
            "link": _link(district, "checkin_detail", checkin_id=checkin.pk),
        }
    return plan


def _plan_cycle_opened(district: District, payload: dict) -> Plan | None:
    cycle = _cycle(district, payload)
    if cycle is None:
        return None
    return _place_plan("cycle_opened", district, cycle, _checkins(district, cycle=cycle))


def _plan_reminder(district: District, payload: dict) -> Plan | None:
    cycle = _cycle(district, payload)
    reminder = CycleReminder.objects.filter(district=district, pk=payload.get("reminder_id"), cycle=cycle).first()
    if cycle is None or reminder is None:
        return None
    waiting = _checkins(district, cycle=cycle, state__in=EDITABLE_CHECKIN_STATES)
    return _place_plan("reminder", district, cycle, waiting)


def _plan_late(district: District, payload: dict) -> Plan | None:
    cycle = _cycle(district, payload)
    if cycle is None:
        return None
    late = _checkins(district, cycle=cycle, late=True, submitted_at__isnull=True)
    return _place_plan("late", district, cycle, late)


def _plan_escalation(district: District, payload: dict) -> Plan | None:
    cycle = _cycle(district, payload)
    at = parse_datetime(str(payload.get("at", "")))
    if cycle is None or at is None:
        return None
    escalated = _checkins(district, cycle=cycle, late=True, escalated_at=at, submitted_at__isnull=True)
    supervisors = {
        pk: True
        for pk in Membership.objects.filter(
            district=district,
            is_active=True,
            user__is_active=True,
            pk__in={c.school.principal_supervisor_id for c in escalated if c.school_id},
        ).values_list("pk", flat=True)
    }
    superintendents = _superintendents(district)
    lists: dict[int, list[Checkin]] = {}
    for checkin in escalated:
        supervisor = checkin.school.principal_supervisor_id if checkin.school_id else None
        for member_id in [supervisor] if supervisor in supervisors else superintendents:
            lists.setdefault(member_id, []).append(checkin)
    plan = Plan(
        template="escalation",
        shared={"cycle": cycle, "cycle_link": _link(district, "cycle_detail", cycle_id=cycle.pk)},
    )
    for member_id, checkins in lists.items():
        plan.recipients[member_id] = {
            "checkins": [(c, _link(district, "checkin_detail", checkin_id=c.pk)) for c in checkins]
        }
    return plan


def _plan_response(district: District, payload: dict, *, template: str) -> Plan | None:
    response = (
        CheckinResponse.objects.filter(
            district=district, pk=payload.get("response_id"), checkin_id=payload.get("checkin_id")
        )
        .select_related(
            "checkin__cycle", "checkin__school", "checkin__department", "author__user", "entry__assignment__commitment"
        )
        .first()
    )
    if response is None:
        return None
    if template == "returned" and response.kind != ResponseKind.RETURNED:
        return None
    checkin = response.checkin
    author = response.author.user.get_full_name() if response.author_id else _("A reviewer")
    commitment = response.entry.assignment.commitment if response.entry_id else None
    plan = Plan(
        template=template,
        shared={"cycle": checkin.cycle, "response": response, "author": author, "entry_commitment": commitment},
    )
    for member_id, their_checkin in _place_people(district, [checkin]).items():
        if member_id != response.author_id:  # never tell people about their own comment
            plan.recipients[member_id] = {
                "checkin": their_checkin,
                "link": _link(district, "checkin_detail", checkin_id=checkin.pk),
            }
    return plan


@dataclass(frozen=True)
class Digest:
    expected: int
    submitted: int
    on_time: int
    late: int
    at_risk: int
    off_track: int
    support_open: int
    loop_seconds_median: int | None

    @property
    def completion_percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


def cycle_digest(district: District, cycle: CheckinCycle) -> Digest:
    """A closed cycle's numbers: the roll-up's district row when there is one, else counted from check-ins."""
    row = CheckinRollup.objects.filter(
        district=district, cycle=cycle, scope=RollupScope.DISTRICT, key="district"
    ).first()
    if row is not None:
        return Digest(
            expected=row.checkins_expected,
            submitted=row.checkins_submitted,
            on_time=row.checkins_on_time,
            late=row.checkins_late,
            at_risk=row.at_risk,
            off_track=row.off_track,
            support_open=row.support_open,
            loop_seconds_median=row.loop_seconds_median,
        )
    reported = (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED)
    checkins = Checkin.objects.filter(district=district, cycle=cycle)
    counts = checkins.aggregate(
        expected=Count("pk"),
        submitted=Count("pk", filter=Q(state__in=reported)),
        on_time=Count("pk", filter=Q(state__in=reported, late=False)),
        late=Count("pk", filter=Q(late=True)),
    )
    entries = CheckinEntry.objects.filter(district=district, checkin__cycle=cycle, set_aside=False)
    statuses = entries.filter(checkin__state__in=reported).aggregate(
        at_risk=Count("pk", filter=Q(status=EntryStatus.AT_RISK)),
        off_track=Count("pk", filter=Q(status=EntryStatus.OFF_TRACK)),
    )
    support_open = entries.filter(
        checkin__state__in=reported, support_requested=True, support_resolved_at__isnull=True
    ).count()
    loops = [
        (responded - submitted).total_seconds()
        for submitted, responded in checkins.filter(
            submitted_at__isnull=False, first_response_at__isnull=False
        ).values_list("submitted_at", "first_response_at")
    ]
    return Digest(
        **counts,
        **statuses,
        support_open=support_open,
        loop_seconds_median=round(median(loops)) if loops else None,
    )


def loop_time(seconds: int | None) -> str:
    """A feedback loop's length in words: hours under two days, else days."""
    if seconds is None:
        return ""
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = round(seconds / 86400)
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def _plan_digest(district: District, payload: dict) -> Plan | None:
    cycle = _cycle(district, payload)
    if cycle is None:
        return None
    plan = Plan(
        template="digest",
        shared={
            "cycle": cycle,
            "digest": cycle_digest(district, cycle),
            "cycle_link": _link(district, "cycle_detail", cycle_id=cycle.pk),
        },
    )
    plan.recipients = {member_id: {} for member_id in _superintendents(district)}
    return plan


_PLANS = {
    NotificationKind.CYCLE_OPENED: _plan_cycle_opened,
    NotificationKind.REMINDER: _plan_reminder,
    NotificationKind.LATE: _plan_late,
    NotificationKind.ESCALATION: _plan_escalation,
    NotificationKind.RETURNED: lambda district, payload: _plan_response(district, payload, template="returned"),
    NotificationKind.RESPONSE: lambda district, payload: _plan_response(district, payload, template="response"),
    NotificationKind.DIGEST: _plan_digest,
}


def _link(district: District, name: str, **kwargs: int) -> str:
    return site_url() + reverse(f"checkins:{name}", kwargs={"district_slug": district.slug, **kwargs})


# --- Delivering (the outbox handler, after the commit) -------------------------------------------


class NotificationSendError(RuntimeError):
    """Some emails of an event could not be sent this time; the outbox retries them with back-off."""


def deliver(*, district: District, payload: dict) -> int:
    """The outbox handler of NOTIFY_KIND (registered in CheckinsConfig.ready): send what is still to send.

    Returns how many emails this run sent; raises NotificationSendError when a send failed.
    """
    kind, event_key = str(payload.get("kind", "")), str(payload.get("event_key", ""))
    make_plan = _PLANS.get(kind)
    if make_plan is None or not event_key:
        return 0
    with district_context(district):
        plan = make_plan(district, payload)
        if plan is None:
            return 0  # the event's objects are gone, or are not this district's
        Notification.objects.bulk_create(
            [
                Notification(district=district, kind=kind, event_key=event_key, recipient_id=member_id)
                for member_id in plan.recipients
            ],
            ignore_conflicts=True,
        )
        pending = list(
            Notification.objects.filter(
                district=district, kind=kind, event_key=event_key, state=NotificationState.PENDING
            ).values_list("pk", flat=True)
        )
    sent, errors = 0, []
    for notification_id in pending:
        try:
            sent += _deliver_one(district=district, notification_id=notification_id, plan=plan)
        except Exception as error:  # any failed send is retried; the others still go
            errors.append(f"{type(error).__name__}: {error}")
    if errors:
        raise NotificationSendError("; ".join(errors)[:MAX_ERROR_LENGTH])
    return sent


def _deliver_one(*, district: District, notification_id: int, plan: Plan) -> int:
    """Claim, render, send and mark one email; 1 if this run sent it. Raises when the send failed."""
    now = timezone.now()
    with district_context(district):
        claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
        mine = Notification.objects.filter(pk=notification_id, district=district, state=NotificationState.PENDING)
        if not mine.filter(claimable).update(claimed_at=now):
            return 0  # sent, skipped or being sent by another run
        notification = Notification.objects.select_related("recipient__user").get(pk=notification_id)
        claimed = Notification.objects.filter(pk=notification_id, claimed_at=now)
        member = notification.recipient
        if (
            not member.is_active
            or not member.user.is_active
            or not member.user.email
            or not email_preferences.wants(member.user, notification.kind)
            or member.pk not in plan.recipients
        ):
            claimed.update(state=NotificationState.SKIPPED)
            return 0
        message = _render(district=district, plan=plan, member=member)
    try:
        message.send()
    except Exception as error:
        text = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
        with district_context(district):
            attempts = notification.attempts + 1
            state = NotificationState.FAILED if attempts >= MAX_SEND_ATTEMPTS else NotificationState.PENDING
            claimed.update(state=state, claimed_at=None, attempts=F("attempts") + 1, last_error=text)
        raise
    with district_context(district):
        claimed.update(state=NotificationState.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1)
    return 1


def recipient_language(member: Membership, *, district: District) -> str:
    """The recipient's own language if the district offers it, else the district's first language."""
    return choose_language(offered=offered_languages(district), chosen=member.user.language)


def _render(*, district: District, plan: Plan, member: Membership) -> EmailMultiAlternatives:
    """The email for one person, in their language and the district's time zone (district_context)."""
    language = recipient_language(member, district=district)
    context = {
        **plan.shared,
        **plan.recipients[member.pk],
        "district": district,
        "recipient": member,
        "name": member.user.get_short_name(),
        "zone": district.time_zone.replace("_", " "),
        "settings_link": site_url() + reverse("my_settings"),
        "optional": plan.template in {str(kind) for kind in OPTIONAL_KINDS},
        "language": language,
    }
    with translation.override(language), timezone.override(district.tzinfo):
        if "digest" in context:
            context["loop_time"] = loop_time(context["digest"].loop_seconds_median)
        base = f"checkins/email/{plan.template}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[member.user.email]
    )
    message.attach_alternative(html, "text/html")
    return message
