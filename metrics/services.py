"""Writes for metrics: definitions, values (one, or many at once), and their roll-ups.

Every function is keyword-only, takes the district and the acting
membership, checks the policy, validates with field messages, saves only
what changed and attributes history to the actor.

Values are written through one path, `write_values`, whoever calls it (the
form, the CSV import, check-ins and the API later): lock the affected
roll-up keys, read what is stored, create or update only what differs with
history, and recompute those roll-ups exactly, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import cache_versions
from core.calendar import school_year_label, school_year_of
from core.history import delete_with_history, save_with_history
from core.objects import apply_changes
from core.parsing import MAX_YEAR, MIN_YEAR
from districts import outbox
from districts.models import District, ImportBatch, Membership, School, SchoolLevel
from districts.policy import Action, MetricValueTarget, can, require
from districts.services import ensure_actor_in_district
from plans.services import ensure_plan_editable
from priorities.models import Priority

from . import bulk
from .bounds import definition_date_problems, period_problem, window_of_plan
from .choices import Aggregation, Direction, Level, ValueSource
from .formatting import MAX_DISPLAY_DECIMALS, format_value
from .models import Metric, MetricInterimTarget, MetricValue
from .periods import format_period, normalize_period
from .rollups import REFRESH_ROLLUPS, RollupKey, keys_filter, lock_rollup_keys, metric_rollup_keys, recompute_rollups
from .rules import range_settings_problems, value_range

# --- Values ------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueInput:
    """One value to store. `period` may be any day of the period; it is normalized."""

    metric: Metric
    school: School | None  # None: the district value of a district-only metric
    period: date
    value: Decimal
    note: str = ""


@dataclass(frozen=True)
class ValueProblem:
    index: int  # position in the list of inputs
    field: str  # "school", "period", "value", "note"
    message: str


@dataclass(frozen=True)
class PlannedValue:
    metric: Metric
    school_id: int | None
    period: date
    value: Decimal
    note: str

    @property
    def key(self) -> tuple[int, int | None, date]:
        return (self.metric.pk, self.school_id, self.period)


@dataclass(frozen=True)
class WriteResult:
    created: int
    updated: int
    unchanged: int
    values: list[MetricValue] = field(default_factory=list)


class ValueInputError(ValidationError):
    """Some inputs can't be stored; `problems` says which and why. Nothing was written."""

    def __init__(self, problems: list[ValueProblem]) -> None:
        self.problems = problems
        super().__init__([f"{p.field}: {p.message}" for p in problems])


def current_period(district: District, frequency: str, today: date | None = None) -> date:
    today = today or timezone.localdate(timezone=district.tzinfo)
    return normalize_period(today, frequency, district.school_year_start_month)


def value_problems(
    *, district: District, metric: Metric, school: School | None, period: date, value: Decimal, today: date
) -> dict[str, str]:
    """Field messages for one value, or {} when it can be stored. Reads nothing from the database but the
    metric's plan (once: it stays on the metric)."""
    problems: dict[str, str] = {}
    if metric.level == Level.DISTRICT and school is not None:
        problems["school"] = _("“%(metric)s” is a district-only metric: leave the school empty.") % {
            "metric": metric.name
        }
    elif metric.level == Level.SCHOOL and school is None:
        problems["school"] = _("“%(metric)s” is reported by each school: choose a school.") % {"metric": metric.name}
    elif school is not None and metric.school_levels and school.level not in metric.school_levels:
        problems["school"] = _("“%(metric)s” applies to %(levels)s only; %(school)s is not one.") % {
            "metric": metric.name,
            "levels": levels_text(metric.school_levels),
            "school": school.name,
        }
    window = window_of_plan(metric.priority.plan, district.school_year_start_month)
    if period > current_period(district, metric.frequency, today):
        problems["period"] = _("%(period)s hasn't started yet.") % {
            "period": format_period(period, metric.frequency, district.school_year_start_month)
        }
    elif not window.contains(period):
        label = format_period(period, metric.frequency, district.school_year_start_month)
        problems["period"] = period_problem(window, period, label)
    message = metric.valid_range.problem(value)
    if message:
        problems["value"] = message
    return problems


def levels_text(levels: Sequence[str]) -> str:
    labels = dict(SchoolLevel.choices)
    return ", ".join(_("%(level)s schools") % {"level": str(labels.get(level, level)).lower()} for level in levels)


def plan_values(
    *, district: District, items: Sequence[ValueInput], today: date | None = None
) -> tuple[list[PlannedValue], list[ValueProblem]]:
    """Validate and normalize inputs without writing. Two inputs for the same key are a problem."""
    today = today or timezone.localdate(timezone=district.tzinfo)
    planned: list[PlannedValue] = []
    problems: list[ValueProblem] = []
    seen: dict[tuple[int, int | None, date], int] = {}
    for index, item in enumerate(items):
        if item.metric.district_id != district.pk or (
            item.school is not None and item.school.district_id != district.pk
        ):
            raise ValueError("A value names a metric or school of another district.")
        if not MIN_YEAR <= item.period.year <= MAX_YEAR:  # year 1 has no school year before it to start in
            problems.append(ValueProblem(index, "period", _("The period is too far in the past or future.")))
            continue
        period = normalize_period(item.period, item.metric.frequency, district.school_year_start_month)
        found = value_problems(
            district=district, metric=item.metric, school=item.school, period=period, value=item.value, today=today
        )
        note = " ".join(item.note.split())
        if len(note) > 300:
            found["note"] = _("The note is longer than 300 characters.")
        school_id = item.school.pk if item.school is not None else None
        key = (item.metric.pk, school_id, period)
        if not found and key in seen:
            found[""] = _("Same school and period as item %(other)s.") % {"other": seen[key] + 1}
        seen.setdefault(key, index)
        if found:
            problems.extend(ValueProblem(index, name, message) for name, message in found.items())
        else:
            planned.append(PlannedValue(item.metric, school_id, period, item.value, note))
    return planned, problems


def existing_values(
    *, district: District, keys: Sequence[RollupKey]
) -> dict[tuple[int, int | None, date], MetricValue]:
    """The stored values of these (metric, period) keys, every school, in one query.

    Read after `lock_rollup_keys`, so no one else is writing these keys meanwhile.
    """
    if not keys:
        return {}
    return {
        (v.metric_id, v.school_id, v.period): v
        for v in MetricValue.objects.filter(keys_filter(keys), district=district)
    }


def write_values(
    *,
    district: District,
    actor: Membership,
    planned: Sequence[PlannedValue],
    source: str,
    batch: ImportBatch | None = None,
) -> WriteResult:
    """Store planned values (permission already checked by the caller) and recompute their roll-ups.

    A value equal to the stored one changes nothing (no history row). Runs in the caller's transaction.
    """
    for metric in {p.metric.pk: p.metric for p in planned}.values():
        ensure_metric_editable(metric)
    keys = sorted({(p.metric.pk, p.period) for p in planned})
    lock_rollup_keys(district=district, keys=keys)
    stored = existing_values(district=district, keys=keys)
    now = timezone.now()
    to_create: list[MetricValue] = []
    to_update: list[MetricValue] = []
    unchanged = 0
    touched: set[RollupKey] = set()
    for item in planned:
        current = stored.get(item.key)
        if current is None:
            to_create.append(
                MetricValue(
                    district_id=district.pk,
                    metric_id=item.metric.pk,
                    school_id=item.school_id,
                    period=item.period,
                    value=item.value,
                    source=source,
                    note=item.note,
                    entered_by_id=actor.pk,
                    import_batch_id=batch.pk if batch else None,
                )
            )
        elif current.value != item.value or (item.note and current.note != item.note):
            current.value = item.value
            current.note = item.note or current.note
            to_update.append(current)  # source, who and when are set by the update
        else:
            unchanged += 1
            continue
        touched.add((item.metric.pk, item.period))
    created = bulk.insert_values(district=district, values=to_create, now=now)
    bulk.insert_history(values=created, kind="+", actor=actor, now=now)
    bulk.update_values(district=district, values=to_update, actor=actor, source=source, batch=batch, now=now)
    bulk.insert_history(values=to_update, kind="~", actor=actor, now=now)
    recompute_rollups(district=district, keys=touched, metrics={p.metric.pk: p.metric for p in planned})
    return WriteResult(
        created=len(to_create), updated=len(to_update), unchanged=unchanged, values=[*created, *to_update]
    )


def ensure_metric_editable(metric: Metric) -> None:
    """An archived plan is read-only: its metrics' definitions and values can't change."""
    ensure_plan_editable(metric.priority.plan)


def require_value_permission(actor: Membership, item: ValueInput) -> None:
    require(actor, Action.ENTER_METRIC_VALUE, MetricValueTarget(metric=item.metric, school=item.school))


@transaction.atomic
def metric_values_upsert(
    *,
    district: District,
    actor: Membership,
    items: Sequence[ValueInput],
    source: str = ValueSource.API,
    today: date | None = None,
) -> WriteResult:
    """Create or update many values at once, all or nothing (the API's bulk upsert).

    Raises PermissionDenied if any value is not the actor's to enter, and
    ValueInputError listing every problem if any value can't be stored.
    """
    ensure_actor_in_district(district=district, actor=actor)
    for item in items:
        require_value_permission(actor, item)
    for metric in {item.metric.pk: item.metric for item in items}.values():
        ensure_metric_editable(metric)
    planned, problems = plan_values(district=district, items=items, today=today)
    if problems:
        raise ValueInputError(problems)
    return write_values(district=district, actor=actor, planned=planned, source=source)


@transaction.atomic
def metric_value_set(
    *,
    district: District,
    actor: Membership,
    metric: Metric,
    school: School | None,
    period: date,
    value: Decimal,
    note: str = "",
    source: str = ValueSource.FORM,
    today: date | None = None,
) -> MetricValue:
    """Enter one value (the form, a check-in). A second value for the same key updates the first; history keeps both."""
    ensure_actor_in_district(district=district, actor=actor)
    item = ValueInput(metric=metric, school=school, period=period, value=value, note=note)
    require_value_permission(actor, item)
    ensure_metric_editable(metric)
    planned, problems = plan_values(district=district, items=[item], today=today)
    if problems:
        raise ValidationError({p.field or "__all__": p.message for p in problems})
    result = write_values(district=district, actor=actor, planned=planned, source=source)
    if result.values:
        return result.values[0]
    return MetricValue.objects.get(district=district, **_key_lookup(planned[0]))


def _key_lookup(item: PlannedValue) -> dict[str, Any]:
    return {"metric": item.metric, "school_id": item.school_id, "period": item.period}


# --- Definitions ----------------------------------------------------------------------

METRIC_FIELDS = (
    "name",
    "name_es",
    "definition",
    "definition_es",
    "unit",
    "decimals",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "kind",
    "level",
    "school_levels",
    "source",
    "aggregation",
    "school_target_value",
    "frequency",
    "valid_min",
    "valid_max",
    "position",
)
# Changing any of these changes what the stored roll-ups say.
ROLLUP_INPUTS = frozenset(
    {
        "direction",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "level",
        "school_levels",
        "aggregation",
        "school_target_value",
    }
)
# These can't change once values exist: the stored values would mean something else.
FIXED_ONCE_VALUES_EXIST = ("frequency", "level", "unit")

InterimTargets = Sequence[tuple[int, Decimal]]


def _clean_metric_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    for key in ("name", "name_es"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = " ".join(str(cleaned[key]).split())
    for key in ("definition", "definition_es"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = str(cleaned[key]).strip()
    if "school_levels" in cleaned:
        order = {level: index for index, level in enumerate(SchoolLevel.values)}
        cleaned["school_levels"] = sorted(set(cleaned["school_levels"] or []), key=lambda level: order.get(level, 99))
    return cleaned


def metric_problems(metric: Metric, interim_targets: InterimTargets, *, district: District) -> dict[str, list[str]]:
    """Every field message for a metric definition and its interim targets."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if not isinstance(metric.decimals, int) or not 0 <= metric.decimals <= MAX_DISPLAY_DECIMALS:
        # Checked first: every message below formats numbers to this many places (10**decimals),
        # so they are worded with the most allowed; the metric is refused, so it is never saved so.
        add("decimals", _("Show between 0 and %(most)s decimal places.") % {"most": MAX_DISPLAY_DECIMALS})
        metric.decimals = MAX_DISPLAY_DECIMALS
    for name, message in range_settings_problems(
        metric.unit, metric.decimals, metric.valid_min, metric.valid_max
    ).items():
        add(name, message)
    for name, message in definition_date_problems(
        window_of_plan(metric.priority.plan, district.school_year_start_month),
        baseline_date=metric.baseline_date,
        target_date=metric.target_date,
    ).items():
        add(name, message)
    if metric.baseline_date and metric.target_date and metric.target_date <= metric.baseline_date:
        add("target_date", _("The target date must be after the baseline date."))
    unknown_levels = set(metric.school_levels or []) - set(SchoolLevel.values)
    if unknown_levels:
        add("school_levels", _("Unknown school level: %(levels)s.") % {"levels": ", ".join(sorted(unknown_levels))})
    if metric.level == Level.DISTRICT and metric.school_levels:
        add("school_levels", _("A district-only metric has no school levels."))

    share = metric.level == Level.SCHOOL and metric.aggregation == Aggregation.SHARE_MEETING_TARGET
    # Baseline, targets and interim targets are in the unit of the district value.
    target_range = value_range(
        metric.district_unit, metric.decimals, *((None, None) if share else (metric.valid_min, metric.valid_max))
    )
    for name in ("baseline_value", "target_value"):
        number = getattr(metric, name)
        if number is not None and (message := target_range.problem(number)):
            add(name, message)
    if share:
        if metric.school_target_value is None:
            add("school_target_value", _("Say what value each school should reach to count as meeting its target."))
        elif message := metric.valid_range.problem(metric.school_target_value):
            add("school_target_value", message)
    if metric.baseline_value is not None and metric.target_value is not None and "target_value" not in problems:
        shown = format_value(metric.baseline_value, metric.district_unit, metric.decimals)
        if metric.direction == Direction.HIGHER and metric.target_value < metric.baseline_value:
            add(
                "target_value",
                _("Higher is better, so the target can't be below the baseline (%(baseline)s).") % {"baseline": shown},
            )
        if metric.direction == Direction.LOWER and metric.target_value > metric.baseline_value:
            add(
                "target_value",
                _("Lower is better, so the target can't be above the baseline (%(baseline)s).") % {"baseline": shown},
            )

    if metric.baseline_date and metric.target_date:
        start_month = district.school_year_start_month
        first, last = school_year_of(metric.baseline_date, start_month), school_year_of(metric.target_date, start_month)
        seen: set[int] = set()
        for year, number in interim_targets:
            label = school_year_label(year, start_month)
            if year in seen:
                add("interim_targets", _("%(year)s has more than one interim target.") % {"year": label})
            seen.add(year)
            if not first <= year <= last:
                add(
                    "interim_targets",
                    _(
                        "The interim target for %(year)s must fall between the baseline and the target "
                        "(%(first)s to %(last)s)."
                    )
                    % {
                        "year": label,
                        "first": school_year_label(first, start_month),
                        "last": school_year_label(last, start_month),
                    },
                )
            if message := target_range.problem(number):
                add("interim_targets", f"{label}: {message}")
    return problems


def _check_name_free(*, district: District, priority: Priority, name: str, exclude: int | None) -> None:
    clash = Metric.objects.filter(district=district, priority=priority, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("This priority already has a metric named “%(name)s”.") % {"name": name}})


def _sync_interim_targets(*, metric: Metric, actor: Membership, interim_targets: InterimTargets) -> bool:
    """Make the stored interim targets equal the given ones; return whether anything changed."""
    wanted = dict(interim_targets)
    stored = {
        t.school_year: t for t in MetricInterimTarget.objects.filter(district_id=metric.district_id, metric=metric)
    }
    changed = False
    for year, target in stored.items():
        if year not in wanted:
            target._history_user = actor.user
            target.delete()
            changed = True
        elif target.value != wanted[year]:
            target.value = wanted[year]
            save_with_history(target, actor=actor, update_fields=["value"])
            changed = True
    for year, number in wanted.items():
        if year not in stored:
            save_with_history(
                MetricInterimTarget(district_id=metric.district_id, metric=metric, school_year=year, value=number),
                actor=actor,
            )
            changed = True
    return changed


def _raise_if(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError({name: [ValidationError(m) for m in messages] for name, messages in problems.items()})


def _definition_allowed(
    *, district: District, actor: Membership, target: Priority | Metric, fields: dict[str, Any]
) -> dict[str, Any]:
    """Check who defines what (under a priority, or an existing metric) and return the cleaned fields."""
    ensure_actor_in_district(district=district, actor=actor)
    if target.district_id != district.pk:
        raise ValueError(f"The {target._meta.verbose_name} belongs to another district.")
    require(actor, Action.DEFINE_METRIC, target)
    unknown = set(fields) - set(METRIC_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown metric fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    return _clean_metric_fields(fields)


@transaction.atomic
def metric_create(
    *,
    district: District,
    actor: Membership,
    priority: Priority,
    interim_targets: InterimTargets = (),
    **fields: Any,
) -> Metric:
    fields = _definition_allowed(district=district, actor=actor, target=priority, fields=fields)
    ensure_plan_editable(priority.plan)
    if "position" not in fields:
        fields["position"] = Metric.objects.filter(district=district, priority=priority).count()
    metric = Metric(district=district, priority=priority, **fields)
    if metric.aggregation != Aggregation.SHARE_MEETING_TARGET or metric.level == Level.DISTRICT:
        metric.school_target_value = None
    _raise_if(metric_problems(metric, interim_targets, district=district))
    _check_name_free(district=district, priority=priority, name=metric.name, exclude=None)
    save_with_history(metric, actor=actor)
    _sync_interim_targets(metric=metric, actor=actor, interim_targets=interim_targets)
    cache_versions.bump(district.pk, cache_versions.METRIC_ROLLUPS)  # dashboards list the metric
    return metric


@transaction.atomic
def metric_update(
    *,
    district: District,
    actor: Membership,
    metric: Metric,
    interim_targets: InterimTargets | None = None,
    **changes: Any,
) -> Metric:
    """Change a definition. Roll-ups are recomputed when anything they depend on changes."""
    changes = _definition_allowed(district=district, actor=actor, target=metric, fields=changes)
    ensure_metric_editable(metric)
    aggregation = changes.get("aggregation", metric.aggregation)
    if aggregation != Aggregation.SHARE_MEETING_TARGET or changes.get("level", metric.level) == Level.DISTRICT:
        changes["school_target_value"] = None
    has_values = MetricValue.objects.filter(district=district, metric=metric).exists()
    fixed = {}
    if has_values:
        for name in FIXED_ONCE_VALUES_EXIST:
            if name in changes and changes[name] != getattr(metric, name):
                fixed[name] = [
                    _("This metric already has values, so its %(field)s can't change. Define a new metric instead.")
                    % {"field": str(Metric._meta.get_field(name).verbose_name)}
                ]
    _raise_if(fixed)
    changed = apply_changes(metric, changes)
    interims = (
        interim_targets
        if interim_targets is not None
        else [(t.school_year, t.value) for t in metric.interim_targets.all()]
    )
    _raise_if(metric_problems(metric, interims, district=district))
    if "name" in changed:
        _check_name_free(district=district, priority=metric.priority, name=metric.name, exclude=metric.pk)
    if changed:
        save_with_history(metric, actor=actor, update_fields=[*changed, "updated_at"])
    if interim_targets is not None:
        _sync_interim_targets(metric=metric, actor=actor, interim_targets=interim_targets)
    if ROLLUP_INPUTS & set(changed):
        keys = metric_rollup_keys(district=district, metric=metric)
        lock_rollup_keys(district=district, keys=keys)
        recompute_rollups(district=district, keys=keys, metrics={metric.pk: metric})
    cache_versions.bump(district.pk, cache_versions.METRIC_ROLLUPS)  # targets and names on dashboards
    return metric


def can_enter_any_value(actor: Membership, metric: Metric) -> bool:
    """May the actor enter values for every school and the district (not only their own school)?"""
    return can(actor, Action.ENTER_METRIC_VALUE, MetricValueTarget(metric=metric, school=None))


@dataclass(frozen=True)
class MetricValueCount:
    """What deleting a metric takes with it: its values, and how many schools they come from."""

    values: int
    schools: int
    district_values: int  # values for the district as a whole


def metric_value_count(*, district: District, metric: Metric) -> MetricValueCount:
    counts = MetricValue.objects.filter(district=district, metric=metric).aggregate(
        values=Count("pk"),
        schools=Count("school_id", distinct=True),
        district_values=Count("pk", filter=Q(school=None)),
    )
    return MetricValueCount(**counts)


@transaction.atomic
def metric_delete(*, district: District, actor: Membership, metric: Metric) -> MetricValueCount:
    """Delete a metric with its interim targets, roll-ups and values (the confirmation page names how many).

    Every value leaves a "deleted" history row (written in bulk), so who removed what stays on record.
    Returns what went with it.
    """
    ensure_actor_in_district(district=district, actor=actor)
    if metric.district_id != district.pk:
        raise ValueError("The metric belongs to another district.")
    require(actor, Action.DEFINE_METRIC, metric)
    ensure_metric_editable(metric)
    keys = metric_rollup_keys(district=district, metric=metric)
    lock_rollup_keys(district=district, keys=keys)  # no value of it is being written meanwhile
    count = metric_value_count(district=district, metric=metric)
    values = list(MetricValue.objects.filter(district=district, metric=metric).order_by("pk"))
    bulk.insert_history(values=values, kind="-", actor=actor, now=timezone.now())
    bulk.delete_values(district=district, metric_id=metric.pk)
    for target in metric.interim_targets.all():
        target._history_user = actor.user
        target.delete()
    metric._history_user = actor.user
    metric.delete()
    return count


@transaction.atomic
def metric_value_delete(*, district: District, actor: Membership, value: MetricValue) -> None:
    """Remove a mistaken value: whoever may enter it may remove it. History keeps it; its roll-up is
    recomputed in the same transaction, exactly as after a value is written."""
    ensure_actor_in_district(district=district, actor=actor)
    if value.district_id != district.pk:
        raise ValueError("The value belongs to another district.")
    metric = value.metric
    require(actor, Action.ENTER_METRIC_VALUE, MetricValueTarget(metric=metric, school=value.school))
    ensure_metric_editable(metric)
    key = (metric.pk, value.period)
    lock_rollup_keys(district=district, keys=[key])
    stored = MetricValue.objects.filter(district=district, pk=value.pk).first()  # read after the lock
    if stored is None:
        return  # removed meanwhile: nothing left to do
    delete_with_history(stored, actor=actor, name=_("This value"))
    recompute_rollups(district=district, keys={key}, metrics={metric.pk: metric})


def schedule_rollup_refresh(district: District) -> None:
    """Recompute the district's stored roll-ups after the change that affects them (its schools, its
    tolerance: districts.signals.schools_changed) commits.

    An outbox row written in the change's transaction, so a broker down at the commit loses
    nothing (the tick delivers it later); a burst of changes is one refresh.
    """
    outbox.enqueue(district=district, kind=REFRESH_ROLLUPS)
