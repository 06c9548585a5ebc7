"""Reads for the check-in pages: each returns what one page shows, in a bounded number of queries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone

from districts.models import District, Membership
from districts.policy import Action, can
from districts.roles import Role
from metrics.choices import Frequency, Level, Source
from metrics.models import Metric

from .models import (
    Checkin,
    CheckinCycle,
    CheckinEntry,
    CheckinMetricValue,
    CheckinResponse,
    CheckinRollup,
    CheckinState,
    CycleState,
)

# --- The check-in page and a place's check-ins -----------------------------------------------------


def checkin_period(cycle: CheckinCycle) -> date:
    """The metric period a check-in's values are for: the cycle's last month (a first of the month)."""
    return cycle.period_end.replace(day=1)


def checkin_metrics(checkin: Checkin) -> list[Metric]:
    """The metrics whose values this check-in asks for (one query): values from check-ins, reported by
    each school, monthly, under the cycle's plan and applying to the school's level. None for a department."""
    if checkin.school_id is None:
        return []
    school = checkin.school
    metrics = (
        Metric.objects.filter(
            district_id=checkin.district_id,
            priority__plan_id=checkin.cycle.plan_id,
            source=Source.CHECKINS,
            level=Level.SCHOOL,
            frequency=Frequency.MONTHLY,
        )
        .select_related("priority__plan")
        .order_by("priority__position", "priority_id", "position", "pk")
    )
    return [m for m in metrics if not m.school_levels or school.level in m.school_levels]


@dataclass(frozen=True)
class CheckinPage:
    """What the check-in page shows: the check-in, its entries asked for, and the metric values it asks."""

    checkin: Checkin
    entries: list[CheckinEntry]
    values: list[tuple[Metric, CheckinMetricValue | None]]


def checkin_page(*, checkin: Checkin) -> CheckinPage:
    """The entries (with commitment and priority) and metric values of one check-in: three queries."""
    entries = list(
        CheckinEntry.objects.filter(district_id=checkin.district_id, checkin=checkin, set_aside=False)
        .select_related("assignment__commitment__priority")
        .order_by("assignment__commitment__priority__position", "assignment__commitment__position", "pk")
    )
    metrics = checkin_metrics(checkin)
    rows = {}
    if metrics:
        rows = {
            row.metric_id: row
            for row in CheckinMetricValue.objects.filter(district_id=checkin.district_id, checkin=checkin)
        }
    return CheckinPage(checkin=checkin, entries=entries, values=[(m, rows.get(m.pk)) for m in metrics])


def place_checkins(*, actor: Membership) -> list[Checkin]:
    """The check-ins of the actor's school (a principal) or department (a department lead), newest cycle
    first; none for anyone else."""
    if actor.role == Role.PRINCIPAL and actor.school_id:
        place = {"school_id": actor.school_id}
    elif actor.role == Role.CABINET and actor.department_id:
        place = {"department_id": actor.department_id}
    else:
        return []
    return list(
        Checkin.objects.filter(district_id=actor.district_id, **place)
        .select_related("cycle", "school", "department", "submitted_by__user")
        .order_by("-cycle__period_start")
    )


# --- Review: a cycle's check-ins, the support-request queue, responses ------------------------------


@dataclass
class EntryThread:
    """The responses on one entry and what the reader may do there."""

    entry: CheckinEntry
    responses: list[CheckinResponse]
    can_comment: bool = False
    can_resolve: bool = False

    @property
    def support_open(self) -> bool:
        return self.entry.support_requested and self.entry.support_resolved_at is None


@dataclass
class ResponsePanel:
    """The district's responses beside a check-in: the whole-check-in thread, a thread per entry, and
    which response forms the reader gets (none on a draft). Three queries whatever the number of entries
    (entries, responses, and the cabinet rule's one)."""

    checkin: Checkin
    thread: list[CheckinResponse]
    entries: dict[int, EntryThread]
    can_acknowledge: bool
    can_return: bool
    can_comment: bool
    loop_seconds: int | None

    @property
    def has_anything(self) -> bool:
        """Something to show at the top: a response, a form, or the loop time."""
        return bool(
            self.thread
            or self.can_acknowledge
            or self.can_return
            or self.can_comment
            or self.loop_seconds is not None
            or any(t.responses for t in self.entries.values())
        )

    def for_entry(self, entry: CheckinEntry | int) -> EntryThread | None:
        return self.entries.get(entry if isinstance(entry, int) else entry.pk)


def loop_seconds(checkin: Checkin) -> int | None:
    """Whole seconds from the latest submission to its first response; None while unanswered."""
    if checkin.first_response_at is None or checkin.submitted_at is None:
        return None
    return max(0, int((checkin.first_response_at - checkin.submitted_at).total_seconds()))


def response_panel(*, checkin: Checkin, actor: Membership) -> ResponsePanel:
    from .services import COMMENTABLE_STATES, SUPPORT_OPEN_STATES

    entries = list(
        CheckinEntry.objects.filter(district_id=checkin.district_id, checkin=checkin, set_aside=False)
        .select_related("assignment__commitment__priority", "support_resolved_by__user")
        .order_by("pk")
    )
    responses = list(
        CheckinResponse.objects.filter(district_id=checkin.district_id, checkin=checkin)
        .select_related("author__user")
        .order_by("created_at", "pk")
    )
    by_entry: dict[int, list[CheckinResponse]] = {}
    thread: list[CheckinResponse] = []
    for response in responses:
        if response.entry_id is None:
            thread.append(response)
        else:
            by_entry.setdefault(response.entry_id, []).append(response)
    state = checkin.state
    may_respond = state in (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED) and can(
        actor, Action.RESPOND_CHECKIN, checkin
    )
    commentable = state in COMMENTABLE_STATES
    threads = {}
    for entry in entries:
        threads[entry.pk] = EntryThread(
            entry=entry,
            responses=by_entry.get(entry.pk, []),
            can_comment=commentable and can(actor, Action.COMMENT, entry),
            can_resolve=state in SUPPORT_OPEN_STATES
            and entry.support_requested
            and entry.support_resolved_at is None
            and can(actor, Action.RESOLVE_SUPPORT, entry),
        )
    return ResponsePanel(
        checkin=checkin,
        thread=thread,
        entries=threads,
        can_acknowledge=may_respond and state == CheckinState.SUBMITTED,
        can_return=may_respond,
        can_comment=commentable and can(actor, Action.COMMENT, checkin),
        loop_seconds=loop_seconds(checkin),
    )


# The review lists: a page of rows at a time, in a fixed number of queries.
CYCLES_PER_PAGE = 24
CHECKINS_PER_PAGE = 50
REQUESTS_PER_PAGE = 50


@dataclass(frozen=True)
class CycleRow:
    cycle: CheckinCycle
    rollup: CheckinRollup | None

    @property
    def on_time_percent(self) -> int | None:
        r = self.rollup
        if r is None or not r.checkins_expected:
            return None
        return round(100 * r.checkins_on_time / r.checkins_expected)


@dataclass(frozen=True)
class CycleList:
    next_scheduled: CheckinCycle | None
    page: Page
    rows: list[CycleRow]


def _page_number(value: object) -> int | str:
    return value if isinstance(value, str) and value.isdigit() else 1


def cycle_list(*, district: District, page: object = 1) -> CycleList:
    """Open cycles first, then closed ones newest first, each with its district roll-up; and the next
    scheduled cycle. Four queries (count, page, roll-ups, next) whatever the number of cycles."""
    cycles = (
        CheckinCycle.objects.filter(district=district)
        .exclude(state=CycleState.SCHEDULED)
        .annotate(open_first=Case(When(state=CycleState.OPEN, then=Value(0)), default=Value(1)))
        .order_by("open_first", "-period_start")
    )
    shown = Paginator(cycles, CYCLES_PER_PAGE).get_page(_page_number(page))
    listed = list(shown.object_list)
    rollups = {
        r.cycle_id: r
        for r in CheckinRollup.objects.filter(district=district, cycle__in=[c.pk for c in listed], key="district")
    }
    next_scheduled = (
        CheckinCycle.objects.filter(district=district, state=CycleState.SCHEDULED).order_by("opens_at").first()
    )
    return CycleList(next_scheduled, shown, [CycleRow(c, rollups.get(c.pk)) for c in listed])


def district_rollup(*, cycle: CheckinCycle) -> CheckinRollup | None:
    return CheckinRollup.objects.filter(district_id=cycle.district_id, cycle=cycle, key="district").first()


@dataclass(frozen=True)
class CheckinRow:
    checkin: Checkin
    support_open: int
    late_days: int | None  # whole days (rounded up) past due when submitted, or until now if not yet
    loop_seconds: int | None


@dataclass(frozen=True)
class CycleCheckins:
    cycle: CheckinCycle
    rollup: CheckinRollup | None
    page: Page
    rows: list[CheckinRow]
    state: str


REVIEW_STATE_FILTERS = ("late", *CheckinState.values)


def _days_after(later: datetime, earlier: datetime) -> int:
    return max(1, math.ceil((later - earlier) / timedelta(days=1)))


def cycle_checkins(
    *, cycle: CheckinCycle, state: str = "", page: object = 1, now: datetime | None = None
) -> CycleCheckins:
    """The cycle's check-ins, schools (by name) then departments, optionally of one state (or late);
    each with its open support requests. Three queries (count, page with the counts, roll-up)."""
    now = now or timezone.now()
    checkins = Checkin.objects.filter(district_id=cycle.district_id, cycle=cycle)
    if state == "late":
        checkins = checkins.filter(late=True)
    elif state in CheckinState.values:
        checkins = checkins.filter(state=state)
    else:
        state = ""
    total = checkins.count()
    checkins = (
        checkins.select_related("school", "department", "submitted_by__user")
        .annotate(
            support_open=Count(
                "entries",
                filter=Q(
                    entries__support_requested=True,
                    entries__support_resolved_at__isnull=True,
                    entries__set_aside=False,
                    state__in=SUPPORT_STATES,
                ),
            ),
            is_department=Case(When(school__isnull=True, then=Value(1)), default=Value(0)),
        )
        .order_by("is_department", "school__name", "department__name", "pk")
    )
    paginator = Paginator(checkins, CHECKINS_PER_PAGE)
    paginator.__dict__["count"] = total  # counted without the annotations
    shown = paginator.get_page(_page_number(page))
    rows = []
    for checkin in shown.object_list:
        checkin.cycle = cycle
        late_days = None
        if checkin.late:
            late_days = _days_after(checkin.submitted_at or now, cycle.due_at)
        rows.append(CheckinRow(checkin, checkin.support_open, late_days, loop_seconds(checkin)))
    return CycleCheckins(cycle, district_rollup(cycle=cycle), shown, rows, state)


@dataclass(frozen=True)
class SupportRow:
    entry: CheckinEntry
    owner: Membership | None  # the priority's owner, else the superintendent
    open_days: int  # since the check-in asking was submitted (0: today)
    mine: bool
    can_resolve: bool


@dataclass(frozen=True)
class SupportQueue:
    page: Page
    rows: list[SupportRow]
    tab: str  # "open" or "resolved"
    show: str  # "all" or "mine"
    open_count: int


SUPPORT_STATES = (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED, CheckinState.RETURNED)


def support_queue(
    *,
    district: District,
    actor: Membership,
    tab: str = "open",
    show: str = "all",
    page: object = 1,
    now: datetime | None = None,
) -> SupportQueue:
    """Support requests of submitted, acknowledged or returned check-ins: open ones oldest first, or
    resolved ones newest first; all, or those the actor owns (their priorities; the superintendent also
    owns those whose priority has no owner). Five queries whatever the number of requests."""
    now = now or timezone.now()
    tab = tab if tab in ("open", "resolved") else "open"
    show = show if show in ("all", "mine") else "all"
    requests = CheckinEntry.objects.filter(
        district=district, support_requested=True, set_aside=False, checkin__state__in=SUPPORT_STATES
    )
    open_requests = requests.filter(support_resolved_at__isnull=True)
    if show == "mine":
        mine = Q(assignment__commitment__priority__owner=actor)
        if actor.role == Role.SUPERINTENDENT:
            mine |= Q(assignment__commitment__priority__owner__isnull=True)
        requests, open_requests = requests.filter(mine), open_requests.filter(mine)
    if tab == "open":
        listed = open_requests.order_by("checkin__submitted_at", "pk")
    else:
        listed = requests.filter(support_resolved_at__isnull=False).order_by("-support_resolved_at", "-pk")
    listed = listed.select_related(
        "checkin__school",
        "checkin__department",
        "checkin__cycle",
        "assignment__commitment__priority__owner__user",
        "support_resolved_by__user",
    )
    open_count = open_requests.count()
    shown = Paginator(listed, REQUESTS_PER_PAGE).get_page(_page_number(page))
    superintendent = (
        Membership.objects.filter(district=district, role=Role.SUPERINTENDENT, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    rows = []
    for entry in shown.object_list:
        owner = entry.assignment.commitment.priority.owner or superintendent
        asked = entry.checkin.submitted_at or now
        end = entry.support_resolved_at or now
        rows.append(
            SupportRow(
                entry,
                owner,
                max(0, (end - asked) // timedelta(days=1)),
                mine=owner is not None and owner.pk == actor.pk,
                can_resolve=entry.support_resolved_at is None and can(actor, Action.RESOLVE_SUPPORT, entry),
            )
        )
    return SupportQueue(shown, rows, tab, show, open_count)
