"""Selectors of the role homes: a principal's or department lead's place panel, and the admin's cycle health.

`place_home(actor=)` is what a principal (their school) or a cabinet member (their department) reports
for: the check-in of the open cycle with what is left to do, the place's status by priority over the
last closed cycles (from the stored SCHOOL_PRIORITY / DEPARTMENT_PRIORITY roll-ups, never counting
entries), and the district's latest responses. `cycle_health(district=)` is the district admin's view of
what the tick did: the recent cycles, the emails sent and failed, and the follow-up work that failed or
is stuck. Every function runs a fixed number of queries, whatever the number of schools or cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from checkins.models import (
    EDITABLE_CHECKIN_STATES,
    STATUSES_NEEDING_A_NOTE,
    Checkin,
    CheckinCycle,
    CheckinMetricValue,
    CheckinResponse,
    CheckinRollup,
    CycleState,
    EntryStatus,
    Notification,
    NotificationState,
    RollupScope,
)
from checkins.notifications import NOTIFY_KIND
from checkins.rollups import REFRESH_KIND as CHECKIN_ROLLUPS_KIND
from checkins.selectors import checkin_metrics
from core import cache_versions
from dashboards.summary import HealthView, health_of, health_view, recent_cycles
from districts import outbox
from districts.models import Department, District, Membership, PendingWork, School
from districts.roles import Role
from metrics.rollups import REFRESH_ROLLUPS as METRIC_ROLLUPS_KIND
from plans.selectors import active_plan
from priorities.models import Priority

HISTORY_CYCLES = 6
RECENT_RESPONSES = 5
BLANK = r"^\s*$"  # a note or support text of only spaces is as good as none


# --- The place panel (principal: their school; cabinet: their department) -------------------------


@dataclass(frozen=True)
class CheckinTodo:
    """The open cycle's check-in of the place and what is still missing before it can be submitted."""

    checkin: Checkin
    entries_total: int
    entries_filled: int
    notes_missing: int  # at risk or off track without a note
    support_missing: int  # support requested without saying what
    values_total: int
    values_missing: int

    @property
    def editable(self) -> bool:
        return self.checkin.state in EDITABLE_CHECKIN_STATES

    @property
    def left_to_do(self) -> list[str]:
        """One sentence per kind of thing still missing (what the submit button would refuse)."""
        if not self.editable:
            return []
        items = []
        unset = self.entries_total - self.entries_filled
        if unset:
            items.append(
                ngettext("%(count)s commitment has no status yet.", "%(count)s commitments have no status yet.", unset)
                % {"count": unset}
            )
        if self.notes_missing:
            items.append(
                ngettext(
                    "%(count)s commitment at risk or off track needs a note.",
                    "%(count)s commitments at risk or off track need a note.",
                    self.notes_missing,
                )
                % {"count": self.notes_missing}
            )
        if self.support_missing:
            items.append(
                ngettext(
                    "%(count)s support request does not say what is needed.",
                    "%(count)s support requests do not say what is needed.",
                    self.support_missing,
                )
                % {"count": self.support_missing}
            )
        if self.values_missing:
            items.append(
                ngettext(
                    "%(count)s metric value is not entered yet.",
                    "%(count)s metric values are not entered yet.",
                    self.values_missing,
                )
                % {"count": self.values_missing}
            )
        return items


@dataclass(frozen=True)
class StatusRow:
    priority: Priority
    cells: list[HealthView]  # one per cycle of PlaceHistory.cycles, oldest first


@dataclass(frozen=True)
class PlaceHistory:
    cycles: list[CheckinCycle]  # the last closed cycles, oldest first
    rows: list[StatusRow]


@dataclass(frozen=True)
class PlaceHome:
    place: School | Department
    current: CheckinTodo | None
    history: PlaceHistory | None  # None without an active plan
    responses: list[CheckinResponse]  # newest first
    # The latest check-in the place submitted: responses to it are the ones waiting to be read.
    latest_submitted_id: int | None

    @property
    def is_school(self) -> bool:
        return isinstance(self.place, School)

    @property
    def waiting(self) -> list[CheckinResponse]:
        return [r for r in self.responses if r.checkin_id == self.latest_submitted_id]

    @property
    def earlier(self) -> list[CheckinResponse]:
        return [r for r in self.responses if r.checkin_id != self.latest_submitted_id]


def _place_filter(actor: Membership) -> dict[str, int] | None:
    if actor.role == Role.PRINCIPAL and actor.school_id:
        return {"school_id": actor.school_id}
    if actor.role == Role.CABINET and actor.department_id:
        return {"department_id": actor.department_id}
    return None


def place_home(*, actor: Membership) -> PlaceHome | None:
    """The panel of the school or department the actor reports for; None for anyone else. Ten queries at most."""
    place = _place_filter(actor)
    if place is None:
        return None
    district = actor.district
    current = _current_checkin(district=district, place=place)
    place_object = current.checkin.place if current else (actor.school or actor.department)
    # The place's check-ins (one a cycle), then their responses' ids and times through the (district,
    # check-in, created) index: asked for the newest five directly, PostgreSQL walks the district's newest
    # responses of every school until it finds five of this one (80 ms at 1,800 schools).
    checkins = list(
        Checkin.objects.filter(district=district, **place)
        .order_by("-cycle__period_start")
        .values_list("pk", "submitted_at")
    )
    answered = CheckinResponse.objects.filter(district=district, checkin_id__in=[pk for pk, _at in checkins])
    newest = sorted(answered.values_list("created_at", "pk"), reverse=True)[:RECENT_RESPONSES]
    responses = list(
        CheckinResponse.objects.filter(district=district, pk__in=[pk for _at, pk in newest])
        .select_related("author__user", "checkin__cycle", "entry__assignment__commitment")
        .order_by("-created_at", "-pk")
    )
    latest_submitted = next((pk for pk, submitted_at in checkins if submitted_at is not None), None)
    return PlaceHome(
        place=place_object,
        current=current,
        history=_place_history(district=district, place=place),
        responses=responses,
        latest_submitted_id=latest_submitted,
    )


def _current_checkin(*, district: District, place: dict[str, int]) -> CheckinTodo | None:
    in_scope = Q(entries__set_aside=False)
    checkin = (
        Checkin.objects.filter(district=district, cycle__state=CycleState.OPEN, **place)
        .select_related("cycle", "school", "department")
        .annotate(
            entries_total=Count("entries", filter=in_scope),
            entries_filled=Count("entries", filter=in_scope & ~Q(entries__status=EntryStatus.NOT_STARTED)),
            notes_missing=Count(
                "entries",
                filter=in_scope & Q(entries__status__in=STATUSES_NEEDING_A_NOTE, entries__note__regex=BLANK),
            ),
            support_missing=Count(
                "entries",
                filter=in_scope & Q(entries__support_requested=True, entries__support_needed__regex=BLANK),
            ),
        )
        .order_by("-cycle__period_start")
        .first()
    )
    if checkin is None:
        return None
    metrics = checkin_metrics(checkin)
    entered = (
        CheckinMetricValue.objects.filter(district=district, checkin=checkin, metric__in=metrics)
        .exclude(value_text__regex=BLANK)
        .count()
        if metrics
        else 0
    )
    return CheckinTodo(
        checkin=checkin,
        entries_total=checkin.entries_total,
        entries_filled=checkin.entries_filled,
        notes_missing=checkin.notes_missing,
        support_missing=checkin.support_missing,
        values_total=len(metrics),
        values_missing=len(metrics) - entered,
    )


def _place_history(*, district: District, place: dict[str, int]) -> PlaceHistory | None:
    plan = active_plan(district=district)
    if plan is None:
        return None
    cycles = recent_cycles(district=district, plan=plan, limit=HISTORY_CYCLES, closed_only=True)
    priorities = list(Priority.objects.filter(district=district, plan=plan).order_by("position", "pk"))
    scope = RollupScope.SCHOOL_PRIORITY if "school_id" in place else RollupScope.DEPARTMENT_PRIORITY
    cycle_ids = [cycle.pk for cycle in cycles]

    def compute() -> dict[tuple[int, int], str]:
        rows = CheckinRollup.objects.filter(district=district, cycle_id__in=cycle_ids, scope=scope, **place)
        return {(row.cycle_id, row.priority_id): health_of(row) for row in rows}

    # Health codes only change with the roll-ups; names are read live above.
    place_key = "-".join(f"{name}{value}" for name, value in place.items())
    codes = cache_versions.cached(
        district.pk,
        [cache_versions.CHECKIN_ROLLUPS],
        f"place-history:{place_key}:{'.'.join(map(str, cycle_ids))}",
        compute,
    )
    no_data = health_of(None)
    rows = [
        StatusRow(priority, [health_view(codes.get((cycle.pk, priority.pk), no_data)) for cycle in cycles])
        for priority in priorities
    ]
    return PlaceHistory(cycles=cycles, rows=rows)


# --- The district admin's cycle health -----------------------------------------------------------

HEALTH_CYCLES = 6
EMAIL_WINDOW = timedelta(days=30)
LISTED_PROBLEMS = 10
ERROR_SUMMARY_LENGTH = 160
# A cycle step this late has not been done by the tick (it runs every few minutes).
STEP_GRACE = timedelta(hours=1)

# What each kind of follow-up work is, and what to do when it fails (districts.outbox kinds).
WORK_KINDS = {
    CHECKIN_ROLLUPS_KIND: (
        gettext_lazy("Updating the check-in summaries"),
        gettext_lazy(
            "Dashboards may show old check-in counts for this cycle. Ask your Throughline support "
            "contact to rebuild the check-in roll-ups of the district."
        ),
    ),
    METRIC_ROLLUPS_KIND: (
        gettext_lazy("Updating the metric summaries"),
        gettext_lazy(
            "District figures for this metric may be out of date. Saving any value of the metric again "
            "retries it; if it keeps failing, contact Throughline support."
        ),
    ),
    NOTIFY_KIND: (
        gettext_lazy("Sending check-in emails"),
        gettext_lazy(
            "Some people did not get this email. Check their addresses on the People page; the failed "
            "emails are listed above with the reason."
        ),
    ),
}
UNKNOWN_WORK = (
    gettext_lazy("Follow-up work"),
    gettext_lazy("Contact Throughline support and give them the error shown."),
)


@dataclass(frozen=True)
class CycleLine:
    cycle: CheckinCycle
    overdue_step: str  # "" or what the tick should have done by now ("open", "close")


@dataclass(frozen=True)
class EmailCounts:
    sent: int
    failed: int
    retrying: int  # pending with an error: the outbox tries again with back-off
    waiting: int
    skipped: int


@dataclass(frozen=True)
class WorkProblem:
    item: PendingWork
    failed: bool  # gave up after its attempts; otherwise stuck (not delivered past the grace period)
    label: str
    advice: str
    error: str


@dataclass(frozen=True)
class CycleHealth:
    cycles: list[CycleLine]  # newest first
    emails: EmailCounts
    failed_emails: list[tuple[Notification, str]]  # newest first, with the error summarised
    work: list[WorkProblem]
    work_count: int

    @property
    def all_clear(self) -> bool:
        return not (self.emails.failed or self.work_count or any(line.overdue_step for line in self.cycles))


def summarise_error(text: str) -> str:
    """The last line of an error (a traceback's last line says what went wrong), cut short."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= ERROR_SUMMARY_LENGTH else last[: ERROR_SUMMARY_LENGTH - 1] + "…"


def cycle_health(*, district: District, now: datetime | None = None) -> CycleHealth:
    """Recent cycles, emails of the last 30 days and follow-up work that failed or is stuck. Five queries."""
    now = now or timezone.now()
    cycles = [
        CycleLine(cycle, _overdue_step(cycle, now))
        for cycle in CheckinCycle.objects.filter(district=district).order_by("-period_start")[:HEALTH_CYCLES]
    ]
    recent = Notification.objects.filter(district=district, created_at__gte=now - EMAIL_WINDOW)
    counts = recent.aggregate(
        sent=Count("pk", filter=Q(state=NotificationState.SENT)),
        failed=Count("pk", filter=Q(state=NotificationState.FAILED)),
        retrying=Count("pk", filter=Q(state=NotificationState.PENDING) & ~Q(last_error="")),
        waiting=Count("pk", filter=Q(state=NotificationState.PENDING, last_error="")),
        skipped=Count("pk", filter=Q(state=NotificationState.SKIPPED)),
    )
    failed_emails = [
        (notification, summarise_error(notification.last_error))
        for notification in recent.filter(state=NotificationState.FAILED)
        .select_related("recipient__user")
        .order_by("-created_at", "-pk")[:LISTED_PROBLEMS]
    ]
    problems = PendingWork.objects.filter(district=district, done_at__isnull=True).filter(
        Q(failed_at__isnull=False)
        | (
            (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - outbox.CLAIM_TIMEOUT))
            & Q(available_at__lt=now - outbox.DELIVERY_GRACE)
        )
    )
    work = [
        WorkProblem(
            item, item.failed_at is not None, *WORK_KINDS.get(item.kind, UNKNOWN_WORK), summarise_error(item.last_error)
        )
        for item in problems.order_by("-created_at", "-pk")[:LISTED_PROBLEMS]
    ]
    return CycleHealth(
        cycles=cycles,
        emails=EmailCounts(**counts),
        failed_emails=failed_emails,
        work=work,
        work_count=len(work) if len(work) < LISTED_PROBLEMS else problems.count(),
    )


def _overdue_step(cycle: CheckinCycle, now: datetime) -> str:
    if cycle.state == CycleState.SCHEDULED and cycle.opens_at < now - STEP_GRACE:
        return "open"
    if cycle.state == CycleState.OPEN and cycle.closes_at < now - STEP_GRACE:
        return "close"
    return ""
