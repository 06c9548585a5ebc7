"""Stored roll-ups, kept current in the transaction that writes the values.

Writers call `lock_rollup_keys` before reading or writing the values of a
(metric, period): the roll-up row is created if missing and locked, so two
people saving values for the same metric and period take turns and the
second roll-up sees the first one's value (READ COMMITTED gives each
statement after the lock a fresh snapshot). Keys are locked in one order, so
two writers never deadlock. Then `recompute_rollups` rebuilds exactly the
affected rows from the values, in a fixed number of queries however many
schools or keys: every value of the keys, every school, one upsert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone

from core import cache_versions
from districts.models import District, School
from districts.tenancy import district_context

from .aggregation import SchoolValue, aggregate
from .choices import Aggregation, Direction, Level, Status
from .formatting import truncate_for_storage
from .models import Metric, MetricRollup, MetricValue
from .rules import meets_bar

RollupKey = tuple[int, date]  # (metric id, period)

ROLLUP_FIELDS = [
    "value",
    "reporting_schools",
    "total_schools",
    "meeting_target",
    "expected_value",
    "status",
    "computed_at",
]


def keys_filter(keys: Iterable[RollupKey]) -> Q:
    by_metric: dict[int, set[date]] = defaultdict(set)
    for metric_id, period in keys:
        by_metric[metric_id].add(period)
    condition = Q(pk__in=[])
    for metric_id, periods in by_metric.items():
        condition |= Q(metric_id=metric_id, period__in=sorted(periods))
    return condition


def lock_rollup_keys(*, district: District, keys: Iterable[RollupKey]) -> None:
    """Create the roll-up rows of these keys if missing and lock them until the transaction ends."""
    ordered = sorted(set(keys))
    if not ordered:
        return
    now = timezone.now()
    MetricRollup.objects.bulk_create(
        [MetricRollup(district=district, metric_id=m, period=p, computed_at=now) for m, p in ordered],
        ignore_conflicts=True,
        batch_size=1000,
    )
    list(
        MetricRollup.objects.select_for_update()
        .filter(keys_filter(ordered), district=district)
        .order_by("metric_id", "period")
        .values_list("pk", flat=True)
    )


class SchoolDirectory:
    """Every school of the district, loaded once: the population a roll-up's coverage counts."""

    def __init__(self, schools: Iterable[tuple[int, str, int]]) -> None:
        self.schools = list(schools)  # (id, level, enrollment)
        self.enrollment = {pk: enrollment for pk, _level, enrollment in self.schools}
        self.level = {pk: level for pk, level, _enrollment in self.schools}

    @classmethod
    def for_district(cls, district: District) -> SchoolDirectory:
        return cls(School.objects.filter(district=district).values_list("pk", "level", "enrollment"))

    @classmethod
    def from_schools(cls, schools: Iterable[School]) -> SchoolDirectory:
        return cls((s.pk, s.level, s.enrollment) for s in schools)

    def applicable(self, metric: Metric) -> set[int]:
        """The schools a metric applies to (its school levels, or all)."""
        if metric.school_levels:
            levels = set(metric.school_levels)
            return {pk for pk, level, _enrollment in self.schools if level in levels}
        return {pk for pk, _level, _enrollment in self.schools}


def target_test(metric: Metric, period: date) -> Callable[[Decimal], bool]:
    """Whether a school's value for the period meets its target: the school target for share
    metrics, else the trajectory at the period's end. The threshold is worked out once.

    A school's part of a sum has no target of its own (the line is for the district's total).
    """
    if metric.aggregation == Aggregation.SUM:
        return lambda value: False
    if metric.uses_school_target and metric.school_target_value is not None:
        bar = metric.school_target_value
        return lambda value: meets_bar(value, bar, metric.direction)
    expected = metric.trajectory.expected_at(metric.period_end(period))
    if metric.direction == Direction.LOWER:
        return lambda value: Fraction(value) <= expected
    return lambda value: Fraction(value) >= expected


Judgement = tuple[str, bool | None]  # (status, meets its target)


def value_judgement(metric: Metric, period: date, tolerance_percent: Decimal) -> Callable[[Decimal], Judgement]:
    """A value's own status and whether it meets its target, for values of this period, worked out once.

    A school's: against the target line, or (share metrics) the school target; a school's part of a sum
    has none (the line is for the district's total). A district value: against the target line.
    """
    judged_on = metric.period_end(period)
    if metric.level == Level.DISTRICT:
        line = metric.trajectory.judge(judged_on, tolerance_percent)
        return lambda value: (line(value), None)
    if metric.aggregation == Aggregation.SUM:
        return lambda value: (Status.NO_DATA, None)
    meets = target_test(metric, period)
    if metric.uses_school_target:

        def against_school_target(value: Decimal) -> Judgement:
            met = meets(value)
            return (Status.ON_TRACK if met else Status.OFF_TRACK), met

        return against_school_target
    line = metric.trajectory.judge(judged_on, tolerance_percent)
    return lambda value: (line(value), meets(value))


def compute_rollup(
    *,
    metric: Metric,
    period: date,
    values: dict[int | None, Decimal],
    directory: SchoolDirectory,
    tolerance_percent: Decimal,
    applicable: set[int] | None = None,
) -> MetricRollup:
    """The roll-up row of one (metric, period) from its values keyed by school id (None: the district value)."""
    judged_on = metric.period_end(period)
    expected = metric.trajectory.expected_at(judged_on)
    value: Fraction | None
    if metric.level == Level.DISTRICT:
        district_value = values.get(None)
        value = Fraction(district_value) if district_value is not None else None
        reporting = total = meeting = 0
    else:
        applicable = directory.applicable(metric) if applicable is None else applicable
        reported = [
            SchoolValue(school_id=pk, value=v, enrollment=directory.enrollment.get(pk, 0))
            for pk, v in values.items()
            if pk is not None and pk in applicable
        ]
        result = aggregate(
            metric.aggregation,
            reported,
            total_schools=len(applicable),
            meets=target_test(metric, period),
        )
        value, reporting, total, meeting = result.value, result.reporting, result.total, result.meeting
    return MetricRollup(
        district_id=metric.district_id,
        metric=metric,
        period=period,
        value=truncate_for_storage(value) if value is not None else None,
        reporting_schools=reporting,
        total_schools=total,
        meeting_target=meeting,
        expected_value=truncate_for_storage(expected),
        status=metric.trajectory.status(value, judged_on, tolerance_percent),
        computed_at=timezone.now(),
    )


def recompute_rollups(
    *, district: District, keys: Iterable[RollupKey], metrics: dict[int, Metric] | None = None
) -> list[MetricRollup]:
    """Rebuild the roll-ups of these (metric, period) keys from the values, exactly."""
    wanted = set(keys)
    if not wanted:
        return []
    metric_ids = {m for m, _p in wanted}
    if metrics is None or not metric_ids <= metrics.keys():
        metrics = {m.pk: m for m in Metric.objects.filter(district=district, pk__in=metric_ids)}
    directory = SchoolDirectory.for_district(district)
    grouped: dict[RollupKey, dict[int | None, Decimal]] = defaultdict(dict)
    stored: dict[RollupKey, list[tuple[int, Decimal, Judgement]]] = defaultdict(list)
    rows = (
        MetricValue.objects.filter(keys_filter(wanted), district=district)
        .values_list("metric_id", "period", "school_id", "value", "pk", "status", "meets_target")
        .iterator(chunk_size=5000)
    )
    for metric_id, period, school_id, value, pk, status, meets in rows:
        if (metric_id, period) in wanted:
            grouped[(metric_id, period)][school_id] = value
            stored[(metric_id, period)].append((pk, value, (status, meets)))
    tolerance = district.metric_tolerance_percent
    judged: list[tuple[int, str, bool | None]] = []  # values whose stored judgement is no longer right
    for (metric_id, period), items in stored.items():
        if metric_id not in metrics:
            continue
        judge = value_judgement(metrics[metric_id], period, tolerance)
        for pk, value, before in items:
            if (after := judge(value)) != before:
                judged.append((pk, *after))
    from .bulk import update_judgements  # bulk builds on this module

    update_judgements(district=district, judgements=judged)
    applicable = {pk: directory.applicable(metric) for pk, metric in metrics.items()}
    rollups = [
        compute_rollup(
            metric=metrics[metric_id],
            period=period,
            values=grouped.get((metric_id, period), {}),
            directory=directory,
            tolerance_percent=district.metric_tolerance_percent,
            applicable=applicable[metric_id],
        )
        for metric_id, period in sorted(wanted)
        if metric_id in metrics
    ]
    MetricRollup.objects.bulk_create(
        rollups,
        update_conflicts=True,
        unique_fields=["district", "metric", "period"],
        update_fields=ROLLUP_FIELDS,
        batch_size=1000,
    )
    cache_versions.bump(district.pk, cache_versions.METRIC_ROLLUPS)
    return rollups


def metric_rollup_keys(*, district: District, metric: Metric) -> set[RollupKey]:
    """Every period of a metric that has values or a roll-up: what a definition change must recompute."""
    periods = set(
        MetricValue.objects.filter(district=district, metric=metric).values_list("period", flat=True).distinct()
    )
    periods |= set(MetricRollup.objects.filter(district=district, metric=metric).values_list("period", flat=True))
    return {(metric.pk, period) for period in periods}


def refresh_district_rollups(*, district: District) -> int:
    """Recompute every roll-up of a district (after schools, enrollments or the tolerance change).

    One transaction per metric, so memory stays bounded and no transaction locks every roll-up of
    the district at once (value entry elsewhere in the district waits for one metric at most).
    Called outside a transaction. Returns the number of rows.
    """
    with district_context(district):
        metric_ids = list(Metric.objects.filter(district=district).order_by("pk").values_list("pk", flat=True))
    count = 0
    for metric_id in metric_ids:
        with district_context(district):
            metric = Metric.objects.filter(district=district, pk=metric_id).first()
            if metric is None:  # deleted since
                continue
            keys = metric_rollup_keys(district=district, metric=metric)
            lock_rollup_keys(district=district, keys=keys)
            count += len(recompute_rollups(district=district, keys=keys, metrics={metric.pk: metric}))
    return count


REFRESH_ROLLUPS = "metrics.refresh_rollups"  # the outbox kind (districts.outbox)


def deliver_rollup_refresh(*, district: District, payload: dict) -> int:
    """The outbox handler of REFRESH_ROLLUPS: recompute the district's roll-ups (idempotent)."""
    return refresh_district_rollups(district=district)
