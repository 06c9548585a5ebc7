"""Writes to check-ins: filling in and submitting (the school's or department's side), and the
district's responses. Every function takes the district and the acting membership, checks permission
through districts.policy, runs in one transaction and reports what changed through checkins.events
(roll-ups and emails follow from there)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.bulk import update_from_values
from districts.models import District, Membership
from districts.policy import Action, MetricValueTarget, require
from districts.services import ensure_actor_in_district
from metrics.choices import ValueSource
from metrics.forms import parse_number
from metrics.models import Metric, MetricValue
from metrics.services import PlannedValue, ValueInput, plan_values, write_values

from . import events
from .models import (
    EDITABLE_CHECKIN_STATES,
    STATUSES_NEEDING_A_NOTE,
    Checkin,
    CheckinCycle,
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
    """The check-in has problems (`problems`); nothing was submitted. `checkin`: the draft as saved, if it was."""

    def __init__(self, problems: CheckinProblems, *, checkin: Checkin | None = None) -> None:
        self.problems = problems
        self.checkin = checkin
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


def _draft_state(state: str) -> str:
    # A check-in not started becomes a draft; a returned one stays returned until resubmitted.
    return CheckinState.DRAFT if state == CheckinState.NOT_STARTED else state


def _claim_version(*, district: District, actor: Membership, checkin: Checkin, version: int, now: datetime) -> Checkin:
    """Take the next version of the check-in, or refuse: one conditional UPDATE in the usual case.

    The UPDATE succeeds only while the stored version is `version` and the state the one the caller read
    (an editable one, in an open cycle); it also locks the row for the rest of the transaction. When it changes
    nothing, the row is read under a lock to say why (StaleCheckin, CheckinNotEditableError) — or, if
    only the state differs from the caller's copy (returned since it was read), taken under that lock.
    """
    checkin = copy.copy(checkin)  # the caller's copy keeps what it read
    cycle_open = Exists(
        CheckinCycle.objects.filter(district=district, pk=OuterRef("cycle_id"), state=CycleState.OPEN)
    )  # EXISTS, not a join: Django would turn a join into "WHERE id IN (SELECT …)"
    claimed = checkin.state in EDITABLE_CHECKIN_STATES and Checkin.objects.filter(
        cycle_open, district=district, pk=checkin.pk, version=version, state=checkin.state
    ).update(state=_draft_state(checkin.state), version=F("version") + 1, updated_by=actor, updated_at=now)
    if claimed != 1:
        checkin = _locked_checkin(district=district, checkin=checkin)
        if not checkin_is_editable(checkin):
            raise CheckinNotEditableError(checkin)
        if checkin.version != version:
            raise StaleCheckin(checkin)
        Checkin.objects.filter(district=district, pk=checkin.pk).update(
            state=_draft_state(checkin.state), version=F("version") + 1, updated_by=actor, updated_at=now
        )
    checkin.state, checkin.version, checkin.updated_by, checkin.updated_at = (
        _draft_state(checkin.state),
        version + 1,
        actor,
        now,
    )
    return checkin


@dataclass
class _Draft:
    """A check-in as just saved, with what the save read (so a submission need not read it again)."""

    checkin: Checkin
    entries: list[CheckinEntry]  # every entry of the check-in, set-aside ones included
    metrics: list[Metric] | None = None  # the metrics it asks values of, when the save read them
    value_rows: dict[int, CheckinMetricValue] = field(default_factory=dict)  # by metric pk


def _write_draft(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    version: int,
    entries: Mapping[int, EntryInput],
    values: Mapping[int, str],
    now: datetime,
) -> _Draft:
    """Claim the next version, then write the typed text: a fixed number of queries, whatever the entries.

    An entry's empty status keeps the stored one (a status no radio button was chosen for)."""
    current = _claim_version(district=district, actor=actor, checkin=checkin, version=version, now=now)
    stored = list(
        CheckinEntry.objects.filter(district=district, checkin=current).only("pk", "set_aside", *_ENTRY_FIELDS)
    )
    by_pk = {entry.pk: entry for entry in stored}
    changed: list[tuple] = []
    for pk, typed in entries.items():
        entry = by_pk.get(pk)
        if entry is None:
            raise ValidationError(_("An entry of the form isn't part of this check-in."), code="unknown_entry")
        status = typed.status or entry.status
        if status not in EntryStatus.values:
            raise ValidationError(_("Choose one of the statuses."), code="invalid_status")
        new = {
            "status": status,
            "note": typed.note,
            "evidence_url": typed.evidence_url.strip()[:_EVIDENCE_URL_MAX],
            "blocker": typed.blocker,
            "support_requested": bool(typed.support_requested),
            "support_needed": typed.support_needed,
        }
        if any(getattr(entry, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(entry, name, value)
            changed.append((entry.pk, *new.values(), now))
    update_from_values(CheckinEntry, [*_ENTRY_FIELDS, "updated_at"], changed, district_id=district.pk)
    draft = _Draft(checkin=current, entries=stored)
    if values:
        draft.metrics = checkin_metrics(current)
        metric_pks = {metric.pk for metric in draft.metrics}
        if set(values) - metric_pks:
            raise ValidationError(_("A value of the form isn't asked for in this check-in."), code="unknown_metric")
        period = checkin_period(current.cycle)
        draft.value_rows = {
            v.metric_id: v for v in CheckinMetricValue.objects.filter(district=district, checkin=current)
        }
        to_create: list[CheckinMetricValue] = []
        to_update: list[tuple] = []
        for metric_pk, text in values.items():
            text = (text or "").strip()[:_VALUE_TEXT_MAX]
            row = draft.value_rows.get(metric_pk)
            if row is None:
                row = CheckinMetricValue(
                    district=district, checkin=current, metric_id=metric_pk, period=period, value_text=text
                )
                draft.value_rows[metric_pk] = row
                to_create.append(row)
            elif row.value_text != text or row.period != period:
                row.value_text, row.period, row.updated_at = text, period, now
                to_update.append((row.pk, text, period, now))
        if to_create:
            CheckinMetricValue.objects.bulk_create(to_create)
        update_from_values(
            CheckinMetricValue, ["value_text", "period", "updated_at"], to_update, district_id=district.pk
        )
    return draft


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
    ).checkin
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
    *,
    district: District,
    checkin: Checkin,
    today: date,
    metrics: list[Metric] | None = None,
    rows: dict[int, CheckinMetricValue] | None = None,
) -> tuple[list[PlannedValue], list[CheckinMetricValue], dict[int, str]]:
    """Parse and validate the check-in's typed values through metrics.services (no writes).

    `metrics` and `rows` (by metric pk) are what a save just read, if it did; else they are read here."""
    if metrics is None:
        metrics = checkin_metrics(checkin)
    if not metrics:
        return [], [], {}
    period = checkin_period(checkin.cycle)
    if rows is None:
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


def _problems_of(entries: list[CheckinEntry]) -> dict[int, dict[str, str]]:
    return {entry.pk: found for entry in entries if not entry.set_aside and (found := _entry_problems(entry))}


def checkin_problems(checkin: Checkin, *, today: date | None = None) -> CheckinProblems:
    """Everything that keeps the check-in (as saved) from being submitted; empty when it can be."""
    district = checkin.district
    today = today or timezone.localdate(timezone=district.tzinfo)
    entries = list(CheckinEntry.objects.filter(district_id=checkin.district_id, checkin=checkin, set_aside=False))
    return CheckinProblems(
        entries=_problems_of(entries), values=_planned_values(district=district, checkin=checkin, today=today)[2]
    )


def _submit_draft(*, district: District, actor: Membership, draft: _Draft, now: datetime) -> Checkin | CheckinProblems:
    """Submit a check-in just saved (in the caller's transaction), or return what keeps it from that."""
    current = draft.checkin
    today = timezone.localdate(now, timezone=district.tzinfo)
    problems = CheckinProblems(entries=_problems_of(draft.entries))
    planned, rows, problems.values = _planned_values(
        district=district,
        checkin=current,
        today=today,
        metrics=draft.metrics,
        rows=draft.value_rows if draft.metrics is not None else None,
    )
    if problems:
        return problems
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
        update_from_values(
            CheckinMetricValue,
            ["written_value", "updated_at"],
            [(r.pk, r.written_value_id, now) for r in rows if r not in new_rows],
            district_id=district.pk,
        )
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
    draft = _write_draft(
        district=district,
        actor=actor,
        checkin=checkin,
        version=version,
        entries=entries or {},
        values=values or {},
        now=now,
    )
    submitted = _submit_draft(district=district, actor=actor, draft=draft, now=now)
    if isinstance(submitted, CheckinProblems):
        raise CheckinIncompleteError(submitted)
    return submitted


def save_and_submit_checkin(
    *,
    district: District,
    actor: Membership,
    checkin: Checkin,
    version: int,
    entries: Mapping[int, EntryInput],
    values: Mapping[int, str],
    now: datetime | None = None,
) -> Checkin:
    """Save what was typed and submit it, in one pass: the check-in page's "Submit check-in".

    Unlike submit_checkin, what was typed is kept when the check-in can't be submitted yet: the draft is
    saved (committed with the caller's transaction) and CheckinIncompleteError is raised afterwards, with
    the saved draft as its `checkin`. Raises StaleCheckin / CheckinNotEditableError like a save.
    """
    _check_can_edit(district=district, actor=actor, checkin=checkin)
    now = now or timezone.now()
    with transaction.atomic():
        draft = _write_draft(
            district=district, actor=actor, checkin=checkin, version=version, entries=entries, values=values, now=now
        )
        submitted = _submit_draft(district=district, actor=actor, draft=draft, now=now)
        if isinstance(submitted, Checkin):
            return submitted
        events.checkin_saved(draft.checkin)
    raise CheckinIncompleteError(submitted, checkin=draft.checkin)


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
