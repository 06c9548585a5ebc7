"""Reads for the check-in pages: each returns what one page shows, in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from districts.models import Membership
from districts.roles import Role
from metrics.choices import Frequency, Level, Source
from metrics.models import Metric

from .models import Checkin, CheckinCycle, CheckinEntry, CheckinMetricValue, CheckinResponse, CheckinState

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
        return bool(self.thread or self.can_acknowledge or self.can_return or self.can_comment)

    def for_entry(self, entry: CheckinEntry | int) -> EntryThread | None:
        return self.entries.get(entry if isinstance(entry, int) else entry.pk)


def loop_seconds(checkin: Checkin) -> int | None:
    """Whole seconds from the latest submission to its first response; None while unanswered."""
    if checkin.first_response_at is None or checkin.submitted_at is None:
        return None
    return max(0, int((checkin.first_response_at - checkin.submitted_at).total_seconds()))


def response_panel(*, checkin: Checkin, actor: Membership) -> ResponsePanel:
    from districts.policy import Action, can

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
