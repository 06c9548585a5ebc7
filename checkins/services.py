"""Writes to check-ins: filling in and submitting (the school's or department's side), and the
district's responses. Every function takes the district and the acting membership, checks permission
through districts.policy, runs in one transaction and reports what changed through checkins.events
(roll-ups and emails follow from there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from districts.models import District, Membership
from districts.policy import Action, MetricValueTarget, require
from districts.services import ensure_actor_in_district
from metrics.choices import ValueSource
from metrics.forms import parse_number
from metrics.models import MetricValue
from metrics.services import PlannedValue, ValueInput, plan_values, write_values

from . import events
from .models import (
    EDITABLE_CHECKIN_STATES,
    STATUSES_NEEDING_A_NOTE,
    Checkin,
    CheckinEntry,
    CheckinMetricValue,
    CheckinResponse,
    CheckinState,
    CycleState,
    EntryStatus,
    ResponseKind,
)
from .selectors import checkin_metrics, checkin_period

# --- Filling in and submitting -------------------------------------------------------------------

# The longest texts a draft keeps (the columns' lengths); anything longer is cut there.
_EVIDENCE_URL_MAX = CheckinEntry._meta.get_field("evidence_url").max_length or 500
_VALUE_TEXT_MAX = CheckinMetricValue._meta.get_field("value_text").max_length or 50
_ENTRY_FIELDS = ("status", "note", "evidence_url", "blocker", "support_requested", "support_needed")
_evidence_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class EntryInput:
    """What a person typed for one entry (raw: a draft keeps it even if it isn't complete yet)."""

    status: str = EntryStatus.NOT_STARTED
    note: str = ""
    evidence_url: str = ""
    blocker: str = ""
    support_requested: bool = False
    support_needed: str = ""


class StaleCheckin(ValidationError):  # noqa: N818 (the contract's name)
    """Someone saved the check-in since this version was read: nothing was written.

    `saved_by` (a Membership or None) and `saved_at` say who saved and when, for the message."""

    def __init__(self, checkin: Checkin) -> None:
        self.checkin = checkin
        self.saved_by = checkin.updated_by
        self.saved_at = checkin.updated_at
        self.version = checkin.version
        super().__init__(_("Someone else saved this check-in after you opened it."), code="stale")


class CheckinNotEditableError(ValidationError):
    """The check-in was submitted (and not returned) or its cycle isn't open: nothing was written."""

    def __init__(self, checkin: Checkin) -> None:
        self.checkin = checkin
        if checkin.cycle.state != CycleState.OPEN:
            message = _("This check-in's cycle is closed, so it can't be changed any more.")
        else:
            message = _("This check-in was already submitted, so it can't be changed.")
        super().__init__(message, code="not_editable")


@dataclass
class CheckinProblems:
    """Why a check-in can't be submitted yet: messages by entry pk and field, and by metric pk."""

    entries: dict[int, dict[str, str]] = field(default_factory=dict)
    values: dict[int, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.entries or self.values)

    @property
    def count(self) -> int:
        return sum(len(fields) for fields in self.entries.values()) + len(self.values)


class CheckinIncompleteError(ValidationError):
    """The check-in has problems (`problems`); nothing was submitted."""

    def __init__(self, problems: CheckinProblems) -> None:
        self.problems = problems
        super().__init__(
            ngettext(
                "The check-in has %(count)s problem to fix before it can be submitted.",
                "The check-in has %(count)s problems to fix before it can be submitted.",
                problems.count,
            )
            % {"count": problems.count},
            code="incomplete",
        )


def checkin_is_editable(checkin: Checkin) -> bool:
    """Its school or department may still change it: not submitted (or returned), and the cycle open."""
    return checkin.state in EDITABLE_CHECKIN_STATES and checkin.cycle.state == CycleState.OPEN


def _locked_checkin(*, district: District, checkin: Checkin) -> Checkin:
    return (
        Checkin.objects.select_for_update(of=("self",))
        .select_related("cycle", "school", "updated_by__user")
        .get(district=district, pk=checkin.pk)
    )


def _check_can_edit(*, district: District, actor: Membership, checkin: Checkin) -> None:
    ensure_actor_in_district(district=district, actor=actor)
    if checkin.district_id != district.pk:
        raise ValueError("The check-in belongs to another district.")
    require(actor, Action.EDIT_CHECKIN, checkin)


def _write_draft(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    version: int,
    entries: Mapping[int, EntryInput],
    values: Mapping[int, str],
    now: datetime,
) -> Checkin:
    """Lock, check, write the typed text and bump the version. A fixed number of queries."""
    current = _locked_checkin(district=district, checkin=checkin)
    if not checkin_is_editable(current):
        raise CheckinNotEditableError(current)
    if current.version != version:
        raise StaleCheckin(current)
    if entries:
        stored = {
            e.pk: e for e in CheckinEntry.objects.filter(district=district, checkin=current, pk__in=list(entries))
        }
        changed: list[CheckinEntry] = []
        for pk, typed in entries.items():
            entry = stored.get(pk)
            if entry is None:
                raise ValidationError(_("An entry of the form isn't part of this check-in."), code="unknown_entry")
            if typed.status not in EntryStatus.values:
                raise ValidationError(_("Choose one of the statuses."), code="invalid_status")
            new = {
                "status": typed.status,
                "note": typed.note,
                "evidence_url": typed.evidence_url.strip()[:_EVIDENCE_URL_MAX],
                "blocker": typed.blocker,
                "support_requested": bool(typed.support_requested),
                "support_needed": typed.support_needed,
            }
            if any(getattr(entry, name) != value for name, value in new.items()):
                for name, value in new.items():
                    setattr(entry, name, value)
                entry.updated_at = now
                changed.append(entry)
        if changed:
            CheckinEntry.objects.bulk_update(changed, [*_ENTRY_FIELDS, "updated_at"])
    if values:
        metrics = {m.pk: m for m in checkin_metrics(current)}
        unknown = set(values) - set(metrics)
        if unknown:
            raise ValidationError(_("A value of the form isn't asked for in this check-in."), code="unknown_metric")
        period = checkin_period(current.cycle)
        stored_values = {v.metric_id: v for v in CheckinMetricValue.objects.filter(district=district, checkin=current)}
        to_create: list[CheckinMetricValue] = []
        to_update: list[CheckinMetricValue] = []
        for metric_pk, text in values.items():
            text = (text or "").strip()[:_VALUE_TEXT_MAX]
            row = stored_values.get(metric_pk)
            if row is None:
                to_create.append(
                    CheckinMetricValue(
                        district=district, checkin=current, metric_id=metric_pk, period=period, value_text=text
                    )
                )
            elif row.value_text != text or row.period != period:
                row.value_text, row.period, row.updated_at = text, period, now
                to_update.append(row)
        if to_create:
            CheckinMetricValue.objects.bulk_create(to_create)
        if to_update:
            CheckinMetricValue.objects.bulk_update(to_update, ["value_text", "period", "updated_at"])
    new_state = CheckinState.DRAFT if current.state == CheckinState.NOT_STARTED else current.state
    updated = Checkin.objects.filter(district=district, pk=current.pk, version=version).update(
        state=new_state, version=F("version") + 1, updated_by=actor, updated_at=now
    )
    if updated != 1:  # can't happen under the lock; refuse rather than overwrite
        raise StaleCheckin(current)
    current.state, current.version, current.updated_by, current.updated_at = new_state, version + 1, actor, now
    return current


@transaction.atomic
def save_checkin_draft(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    version: int,
    entries: Mapping[int, EntryInput],
    values: Mapping[int, str],
) -> Checkin:
    """Save what was typed (entries by CheckinEntry pk, values by Metric pk, raw text), complete or not.

    Raises StaleCheckin if `version` isn't the stored one (someone saved meanwhile) and
    CheckinNotEditableError if the check-in was submitted or its cycle closed; nothing is written then.
    A check-in not started becomes a draft; a returned one stays returned until resubmitted.
    """
    _check_can_edit(district=district, actor=actor, checkin=checkin)
    saved = _write_draft(
        district=district,
        actor=actor,
        checkin=checkin,
        version=version,
        entries=entries,
        values=values,
        now=timezone.now(),
    )
    events.checkin_saved(saved)
    return saved


def _entry_problems(entry: CheckinEntry) -> dict[str, str]:
    problems: dict[str, str] = {}
    if entry.status not in EntryStatus.values:
        problems["status"] = _("Choose a status.")
    if entry.status in STATUSES_NEEDING_A_NOTE and not entry.note.strip():
        problems["note"] = _("Add a note: it is required when the commitment is at risk or off track.")
    url = entry.evidence_url.strip()
    if url:
        try:
            _evidence_url_validator(url)
        except ValidationError:
            problems["evidence_url"] = _("Enter a link that starts with http:// or https://.")
    if entry.support_requested and not entry.support_needed.strip():
        problems["support_needed"] = _("Say what support is needed, or uncheck “Support requested”.")
    return problems


def _planned_values(
    *, district: District, checkin: Checkin, today: date
) -> tuple[list[PlannedValue], list[CheckinMetricValue], dict[int, str]]:
    """Parse and validate the check-in's typed values through metrics.services (no writes)."""
    metrics = checkin_metrics(checkin)
    if not metrics:
        return [], [], {}
    period = checkin_period(checkin.cycle)
    rows = {v.metric_id: v for v in CheckinMetricValue.objects.filter(district=district, checkin=checkin)}
    problems: dict[int, str] = {}
    items: list[ValueInput] = []
    item_rows: list[CheckinMetricValue] = []
    for metric in metrics:
        row = rows.get(metric.pk) or CheckinMetricValue(
            district=district, checkin=checkin, metric=metric, period=period, value_text=""
        )
        row.metric = metric
        text = row.value_text.strip()
        if not text:
            problems[metric.pk] = _("Enter a value, e.g. 92.5.")
            continue
        number = parse_number(text)
        if number is None:
            problems[metric.pk] = _("“%(text)s” isn't a number. Write it like 92.5.") % {"text": text}
            continue
        items.append(ValueInput(metric=metric, school=checkin.school, period=period, value=number))
        item_rows.append(row)
    planned, value_problems = plan_values(district=district, items=items, today=today)
    for problem in value_problems:
        problems.setdefault(items[problem.index].metric.pk, problem.message)
    return planned, item_rows, problems


def checkin_problems(checkin: Checkin, *, today: date | None = None) -> CheckinProblems:
    """Everything that keeps the check-in (as saved) from being submitted; empty when it can be."""
    district = checkin.district
    today = today or timezone.localdate(timezone=district.tzinfo)
    problems = CheckinProblems()
    for entry in CheckinEntry.objects.filter(district_id=checkin.district_id, checkin=checkin, set_aside=False):
        found = _entry_problems(entry)
        if found:
            problems.entries[entry.pk] = found
    problems.values = _planned_values(district=district, checkin=checkin, today=today)[2]
    return problems


@transaction.atomic
def submit_checkin(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    version: int,
    entries: Mapping[int, EntryInput] | None = None,
    values: Mapping[int, str] | None = None,
    now: datetime | None = None,
) -> Checkin:
    """Submit the check-in (saving `entries` and `values` first if given), all or nothing.

    Every entry asked for and every value is validated (CheckinIncompleteError lists the problems); the
    values are written through metrics.services (source: check-in, history names the actor, metric
    roll-ups recomputed). Submitting at or after the due instant marks the check-in late. The feedback
    loop restarts: first_response_at is cleared. Raises StaleCheckin / CheckinNotEditableError like a save.
    """
    _check_can_edit(district=district, actor=actor, checkin=checkin)
    now = now or timezone.now()
    current = _write_draft(
        district=district,
        actor=actor,
        checkin=checkin,
        version=version,
        entries=entries or {},
        values=values or {},
        now=now,
    )
    today = timezone.localdate(now, timezone=district.tzinfo)
    problems = CheckinProblems()
    for entry in CheckinEntry.objects.filter(district=district, checkin=current, set_aside=False):
        found = _entry_problems(entry)
        if found:
            problems.entries[entry.pk] = found
    planned, rows, problems.values = _planned_values(district=district, checkin=current, today=today)
    if problems:
        raise CheckinIncompleteError(problems)
    if planned:
        for item in planned:
            require(actor, Action.ENTER_METRIC_VALUE, MetricValueTarget(metric=item.metric, school=current.school))
        write_values(district=district, actor=actor, planned=planned, source=ValueSource.CHECKIN)
        written = {
            v.metric_id: v.pk
            for v in MetricValue.objects.filter(
                district=district,
                metric_id__in=[p.metric.pk for p in planned],
                school_id=current.school_id,
                period=planned[0].period,
            )
        }
        new_rows = [r for r in rows if r.pk is None]
        for row in rows:
            row.written_value_id = written.get(row.metric_id)
            row.updated_at = now
        if new_rows:
            CheckinMetricValue.objects.bulk_create(new_rows)
        old_rows = [r for r in rows if r not in new_rows]
        if old_rows:
            CheckinMetricValue.objects.bulk_update(old_rows, ["written_value", "updated_at"])
    late = current.late or now >= current.cycle.due_at
    Checkin.objects.filter(district=district, pk=current.pk).update(
        state=CheckinState.SUBMITTED,
        submitted_at=now,
        submitted_by=actor,
        late=late,
        first_response_at=None,
        updated_at=now,
    )
    current.state, current.submitted_at, current.submitted_by, current.late = CheckinState.SUBMITTED, now, actor, late
    current.first_response_at = None
    events.checkin_submitted(current, actor=actor)
    return current


# --- Responses -----------------------------------------------------------------------------------

# Check-ins the district may answer: acknowledged or returned only once submitted; comments also on a
# returned one (the conversation about what to change goes on while its school revises it).
RESPONDABLE_STATES = (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED)
COMMENTABLE_STATES = (CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED, CheckinState.RETURNED)
SUPPORT_OPEN_STATES = COMMENTABLE_STATES


def _current_checkin(*, district: District, actor: Membership, checkin: Checkin) -> Checkin:
    """The check-in as stored now (its state may have changed since the page was read)."""
    ensure_actor_in_district(district=district, actor=actor)
    if checkin.district_id != district.pk:
        raise ValueError("The check-in belongs to another district.")
    return (
        Checkin.objects.select_for_update(of=("self",))
        .select_related("cycle", "school", "department", "district")
        .get(district=district, pk=checkin.pk)
    )


def _mark_first_response(*, district: District, checkin: Checkin, now: datetime) -> None:
    """The feedback loop closes at the first response after the latest submission (once)."""
    updated = Checkin.objects.filter(
        district=district, pk=checkin.pk, first_response_at__isnull=True, submitted_at__isnull=False
    ).update(first_response_at=now)
    if updated:
        checkin.first_response_at = now


def _add_response(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    kind: str,
    body: str,
    now: datetime,
    entry: CheckinEntry | None = None,
) -> CheckinResponse:
    response = CheckinResponse.objects.create(
        district=district, checkin=checkin, entry=entry, kind=kind, author=actor, body=body, created_at=now
    )
    _mark_first_response(district=district, checkin=checkin, now=now)
    return response


@transaction.atomic
def acknowledge_checkin(
    *, district: District, actor: Membership, checkin: Checkin, body: str = "", now: datetime | None = None
) -> CheckinResponse:
    """Acknowledge a submitted check-in (an optional comment goes with it): submitted → acknowledged."""
    require(actor, Action.RESPOND_CHECKIN, checkin)
    current = _current_checkin(district=district, actor=actor, checkin=checkin)
    now = now or timezone.now()
    updated = Checkin.objects.filter(district=district, pk=current.pk, state=CheckinState.SUBMITTED).update(
        state=CheckinState.ACKNOWLEDGED, acknowledged_at=now
    )
    if updated != 1:
        if current.state == CheckinState.ACKNOWLEDGED:
            raise ValidationError(_("This check-in was already acknowledged."), code="already_acknowledged")
        raise ValidationError(_("Only a submitted check-in can be acknowledged."), code="not_submitted")
    current.state, current.acknowledged_at = CheckinState.ACKNOWLEDGED, now
    response = _add_response(
        district=district,
        actor=actor,
        checkin=current,
        kind=ResponseKind.ACKNOWLEDGED,
        body=(body or "").strip(),
        now=now,
    )
    events.response_added(current, response=response)
    return response


@transaction.atomic
def return_checkin(
    *, district: District, actor: Membership, checkin: Checkin, comment: str, now: datetime | None = None
) -> CheckinResponse:
    """Send a submitted (or acknowledged) check-in back to its school or department for revision, saying
    what to change (required): → returned, editable again until resubmitted."""
    require(actor, Action.RESPOND_CHECKIN, checkin)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Say what should be changed: the school or department reads this comment.")},
            code="required",
        )
    current = _current_checkin(district=district, actor=actor, checkin=checkin)
    now = now or timezone.now()
    updated = Checkin.objects.filter(district=district, pk=current.pk, state__in=RESPONDABLE_STATES).update(
        state=CheckinState.RETURNED, returned_at=now, return_comment=comment
    )
    if updated != 1:
        if current.state == CheckinState.RETURNED:
            raise ValidationError(_("This check-in was already returned for revision."), code="already_returned")
        raise ValidationError(_("Only a submitted check-in can be returned for revision."), code="not_submitted")
    current.state, current.returned_at, current.return_comment = CheckinState.RETURNED, now, comment
    response = _add_response(
        district=district, actor=actor, checkin=current, kind=ResponseKind.RETURNED, body=comment, now=now
    )
    events.checkin_returned(current, response=response)
    return response


def _entry_of(*, district: District, checkin: Checkin, entry: CheckinEntry | int) -> CheckinEntry:
    pk = entry if isinstance(entry, int) else entry.pk
    found = (
        CheckinEntry.objects.select_related("assignment__commitment__priority")
        .filter(district=district, checkin_id=checkin.pk, pk=pk)
        .first()
    )
    if found is None:
        raise ValidationError(_("That entry isn't part of this check-in."), code="unknown_entry")
    return found


@transaction.atomic
def comment_on_checkin(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    body: str,
    entry: CheckinEntry | int | None = None,
    now: datetime | None = None,
) -> CheckinResponse:
    """Comment on one entry of a check-in, or on the whole check-in (entry None)."""
    body = (body or "").strip()
    current = _current_checkin(district=district, actor=actor, checkin=checkin)
    target_entry = _entry_of(district=district, checkin=current, entry=entry) if entry is not None else None
    require(actor, Action.COMMENT, target_entry if target_entry is not None else current)
    if not body:
        raise ValidationError({"body": _("Write a comment first.")}, code="required")
    if current.state not in COMMENTABLE_STATES:
        raise ValidationError(_("Only a submitted check-in can be commented on."), code="not_submitted")
    response = _add_response(
        district=district,
        actor=actor,
        checkin=current,
        kind=ResponseKind.COMMENT,
        body=body,
        now=now or timezone.now(),
        entry=target_entry,
    )
    events.response_added(current, response=response)
    return response


@transaction.atomic
def resolve_support_request(
    *, district: District, actor: Membership, entry: CheckinEntry, body: str = "", now: datetime | None = None
) -> CheckinResponse:
    """Mark an entry's support request resolved (an optional note says how); once."""
    ensure_actor_in_district(district=district, actor=actor)
    if entry.district_id != district.pk:
        raise ValueError("The entry belongs to another district.")
    stored = (
        CheckinEntry.objects.select_related("assignment__commitment__priority")
        .filter(district=district, pk=entry.pk)
        .first()
    )
    if stored is None:
        raise ValidationError(_("That entry isn't part of this district's check-ins."), code="unknown_entry")
    require(actor, Action.RESOLVE_SUPPORT, stored)
    current = _current_checkin(district=district, actor=actor, checkin=Checkin(pk=stored.checkin_id, district=district))
    if not stored.support_requested or current.state not in SUPPORT_OPEN_STATES:
        raise ValidationError(_("This entry has no support request to resolve."), code="no_request")
    now = now or timezone.now()
    updated = CheckinEntry.objects.filter(
        district=district, pk=stored.pk, support_requested=True, support_resolved_at__isnull=True
    ).update(support_resolved_at=now, support_resolved_by=actor)
    if updated != 1:
        raise ValidationError(_("This support request was already resolved."), code="already_resolved")
    stored.support_resolved_at, stored.support_resolved_by = now, actor
    response = _add_response(
        district=district,
        actor=actor,
        checkin=current,
        kind=ResponseKind.SUPPORT_RESOLVED,
        body=(body or "").strip(),
        now=now,
        entry=stored,
    )
    events.response_added(current, response=response)
    return response
