"""Reads that feed metric pages, cards and (later) dashboards.

Every function here runs a fixed number of queries whatever the number of
schools, metrics or periods: stored roll-ups and each value's stored judgement
are read, never recomputed; the metric page's school table is filtered, sorted,
counted and cut to one page in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.bilingual import localized
from core.calendar import school_year_label, school_year_of, school_year_start
from core.history import FieldChange, HistoryEntry
from core.parsing import query_text
from districts.models import District, Membership, School, SchoolLevel
from priorities.models import Priority

from .access import visible_plan_states
from .aggregation import RollupResult, coverage_text, explain, median_of, rollup_of
from .bounds import MetricWindow, window_of_plan
from .charts import ChartMarker, ChartPoint, TrendChart, sparkline, trend_chart
from .choices import STATUS_BADGE, STATUS_SYMBOL, Frequency, Status
from .formatting import format_value
from .models import Metric, MetricInterimTarget, MetricRollup, MetricValue
from .periods import add_months, period_end, periods_between
from .rules import RuleDescription, describe_rule

STATUS_ORDER = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.NO_DATA: 3}
SPARKLINE_PERIODS = {"monthly": 12, "yearly": 6}


@dataclass(frozen=True)
class StatusView:
    """A status as a badge shows it: text and a shape, and a colour on top."""

    status: str

    @property
    def label(self) -> str:
        return str(Status(self.status).label)

    @property
    def badge(self) -> str:
        return STATUS_BADGE[Status(self.status)]

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOL[Status(self.status)]


def rule_for(metric: Metric, district: District) -> RuleDescription:
    return describe_rule(
        trajectory=metric.trajectory,
        unit=metric.unit,
        decimals=metric.decimals,
        tolerance_percent=district.metric_tolerance_percent,
        district_unit=metric.district_unit,
        aggregation=metric.aggregation if metric.is_school_level else "",
        school_target_value=metric.school_target_value,
    )


def short_rule(metric: Metric) -> str:
    """One sentence for cards: what the status compares with."""
    return _("Compared with the straight line from %(baseline)s (%(start)s) to %(target)s (%(end)s).") % {
        "baseline": format_value(metric.baseline_value, metric.district_unit, metric.decimals),
        "start": date_format(metric.baseline_date, "SHORT_YEAR_MONTH_FORMAT"),
        "target": format_value(metric.target_value, metric.district_unit, metric.decimals),
        "end": date_format(metric.target_date, "SHORT_YEAR_MONTH_FORMAT"),
    }


# --- Cards: metrics with their latest district value and a sparkline ---------------------


@dataclass
class MetricSummary:
    metric: Metric
    rollups: list[MetricRollup]  # every stored period, oldest first
    latest: MetricRollup | None  # the newest period with a district value
    sparkline: SafeString
    rule: str

    @property
    def status(self) -> StatusView:
        return StatusView(self.latest.status if self.latest else Status.NO_DATA)

    @property
    def value_text(self) -> str:
        return format_value(self.latest.value if self.latest else None, self.metric.district_unit, self.metric.decimals)

    @property
    def target_text(self) -> str:
        return format_value(self.metric.target_value, self.metric.district_unit, self.metric.decimals)

    @property
    def period_label(self) -> str:
        return self.metric.period_label(self.latest.period) if self.latest else ""

    @property
    def coverage(self) -> str:
        if not self.latest or not self.metric.is_school_level:
            return ""
        return _("%(reporting)s of %(total)s schools reported") % {
            "reporting": self.latest.reporting_schools,
            "total": self.latest.total_schools,
        }


def _series(
    metric: Metric, rollups: Sequence[MetricRollup], start_month: int, limit: int | None = None
) -> list[tuple[date, MetricRollup | None]]:
    """Every period from the first stored roll-up to the last, with gaps as None: the last `limit`
    periods, and never before the metric's window (metrics.bounds), so a value stored for year 1
    before the bounds existed doesn't draw 24,000 empty months."""
    valued = [r for r in rollups if r.value is not None]
    if not valued:
        return []
    by_period = {r.period: r for r in rollups}
    first, last = valued[0].period, valued[-1].period
    first = max(first, window_of_plan(metric.priority.plan, start_month).first_day)
    if limit:
        step = 12 if metric.frequency == Frequency.YEARLY else 1
        with suppress(ValueError):  # before year 1
            first = max(first, add_months(last, -(limit - 1) * step))
    return [(p, by_period.get(p)) for p in periods_between(first, last, metric.frequency, start_month)]


def _sparkline(metric: Metric, rollups: Sequence[MetricRollup], start_month: int) -> SafeString:
    series = _series(metric, rollups, start_month, SPARKLINE_PERIODS.get(metric.frequency, 12))
    unit, decimals = metric.district_unit, metric.decimals
    values = [r.value if r is not None else None for _p, r in series]
    if not series:
        return sparkline([], label=_("No values yet"))
    shown = [v for v in values if v is not None]
    last = next(r for _p, r in reversed(series) if r is not None and r.value is not None)
    label = _(
        "District value, %(first)s to %(last)s: from %(start)s to %(end)s, %(status)s. "
        "Dashed: the target line. Final target %(target)s."
    ) % {
        "first": metric.period_label(series[0][0]),
        "last": metric.period_label(series[-1][0]),
        "start": format_value(shown[0], unit, decimals),
        "end": format_value(shown[-1], unit, decimals),
        "status": str(Status(last.status).label).lower(),
        "target": format_value(metric.target_value, unit, decimals),
    }
    expected = [r.expected_value if r is not None else None for _p, r in series]
    return sparkline(values, label=label, expected=expected, last_status=last.status)


def summarize(*, district: District, metrics: Sequence[Metric]) -> list[MetricSummary]:
    """Cards for these metrics: one query for all their roll-ups."""
    by_metric: dict[int, list[MetricRollup]] = defaultdict(list)
    if metrics:
        for rollup in MetricRollup.objects.filter(district=district, metric__in=[m.pk for m in metrics]).order_by(
            "metric_id", "period"
        ):
            by_metric[rollup.metric_id].append(rollup)
    summaries = []
    for metric in metrics:
        rollups = by_metric.get(metric.pk, [])
        latest = next((r for r in reversed(rollups) if r.value is not None), None)
        summaries.append(
            MetricSummary(
                metric=metric,
                rollups=rollups,
                latest=latest,
                sparkline=_sparkline(metric, rollups, district.school_year_start_month),
                rule=short_rule(metric),
            )
        )
    return summaries


def priority_metric_summaries(*, district: District, priorities: Iterable[Priority]) -> dict[int, list[MetricSummary]]:
    """Metrics shown on their priority: {priority id: [summary, …]} in two queries."""
    ids = [p.pk for p in priorities]
    metrics = list(
        Metric.objects.filter(district=district, priority_id__in=ids)
        .select_related("district", "priority__plan")
        .order_by("priority_id", "position", "pk")
    )
    grouped: dict[int, list[MetricSummary]] = {pk: [] for pk in ids}
    for summary in summarize(district=district, metrics=metrics):
        grouped[summary.metric.priority_id].append(summary)
    return grouped


@dataclass
class PriorityMetrics:
    priority: Priority
    summaries: list[MetricSummary]


def metric_list(
    *, district: District, actor: Membership, priority_ids: Sequence[int] | None = None
) -> list[PriorityMetrics]:
    """The district's metrics grouped by priority (plans the actor may see), in two queries."""
    metrics = Metric.objects.filter(district=district, priority__plan__state__in=visible_plan_states(actor))
    if priority_ids:
        metrics = metrics.filter(priority_id__in=priority_ids)
    metrics = list(
        metrics.select_related("district", "priority__plan", "priority__owner__user").order_by(
            "priority__plan__state",
            "-priority__plan__start_year",
            "priority__position",
            "priority_id",
            "position",
            "pk",
        )
    )
    groups: dict[int, PriorityMetrics] = {}
    for summary in summarize(district=district, metrics=metrics):
        priority = summary.metric.priority
        groups.setdefault(priority.pk, PriorityMetrics(priority=priority, summaries=[])).summaries.append(summary)
    return list(groups.values())


def definable_priorities(*, district: District, actor: Membership) -> list[Priority]:
    """Priorities the actor may add metrics under (archived plans excluded), for the create form."""
    from districts.policy import Action, can
    from plans.models import PlanState

    states = [s for s in visible_plan_states(actor) if s != PlanState.ARCHIVED]
    priorities = Priority.objects.filter(district=district, plan__state__in=states).select_related("plan")
    return [
        p
        for p in priorities.order_by("plan__state", "-plan__start_year", "position", "pk")
        if can(actor, Action.DEFINE_METRIC, p)
    ]


# --- The metric page ---------------------------------------------------------------------

SORTS = ("name", "value", "change", "status")


@dataclass(frozen=True)
class MetricPageFilters:
    """What the metric page's school table shows: a period, a level, a region, a search, a sort.

    (Not districts.selectors.SchoolFilters, the school list's: this one also picks the period and sorts by value.)
    """

    level: str = ""
    region: str = ""
    q: str = ""  # a school's name or code, in part
    sort: str = "name"
    descending: bool = False
    period: str = ""  # period code, "" for the latest with data

    @classmethod
    def from_query(cls, query: QueryDict) -> MetricPageFilters:
        level = query_text(query, "level", 20)
        sort = query_text(query, "sort", 20)
        return cls(
            level=level if level in SchoolLevel.values else "",
            region=query_text(query, "region", 100),
            q=query_text(query, "q", 100),
            sort=sort if sort in SORTS else "name",
            descending=query.get("dir") == "desc",
            period=query_text(query, "period", 20),
        )

    @property
    def active(self) -> bool:
        return bool(self.level or self.region or self.q)

    def query(self, **changes: object) -> str:
        """The query string of these filters with some changed: for sort links and "clear" links."""
        filters = replace(self, **changes)  # type: ignore[arg-type]
        params = {
            "period": filters.period,
            "level": filters.level,
            "region": filters.region,
            "q": filters.q,
            "sort": filters.sort if filters.sort != "name" else "",
            "dir": "desc" if filters.descending else "",
        }
        return urlencode({k: v for k, v in params.items() if v})

    def sort_link(self, column: str) -> str:
        descending = not self.descending if self.sort == column else column in ("value", "change")
        return self.query(sort=column, descending=descending)

    def aria_sort(self, column: str) -> str:
        if self.sort != column:
            return ""
        return "descending" if self.descending else "ascending"


@dataclass(frozen=True)
class ValueCell:
    """One stored value as the metric page shows it."""

    pk: int
    value: Decimal
    updated_at: object
    entered_by: str  # the person's name, "" when unknown


@dataclass
class SchoolRow:
    """One school on the metric page, with its value's stored judgement (metrics.rollups.value_judgement)."""

    school: School
    value: ValueCell | None
    previous: Decimal | None
    judgement: tuple[str, bool | None] = (Status.NO_DATA, None)  # (status, meets target)

    @property
    def status(self) -> StatusView:
        return StatusView(self.judgement[0] if self.value is not None else Status.NO_DATA)

    @property
    def meets_target(self) -> bool | None:
        return self.judgement[1] if self.value is not None else None

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value.value - self.previous


@dataclass
class ChartRow:
    """One row of the chart's data table."""

    period: date
    label: str
    rollup: MetricRollup | None
    expected: Decimal | None
    interim: Decimal | None
    status: StatusView


@dataclass
class MetricPage:
    metric: Metric
    rule: RuleDescription
    periods: list[tuple[str, str]]  # (code, label), newest first: the period picker
    period: date | None
    rollup: MetricRollup | None
    result: RollupResult | None  # the stored roll-up's numbers, with the sums behind them (in SQL) to explain it
    explanation: str
    district_value: ValueCell | None  # district-only metrics
    previous_period: date | None
    schools: Page | None = None  # one page of the school table (SchoolRow), ordered and counted in SQL
    filtered: RollupResult | None = None
    regions: list[str] = field(default_factory=list)
    levels: list[tuple[str, str]] = field(default_factory=list)
    chart: SafeString = field(default_factory=SafeString)
    chart_rows: list[ChartRow] = field(default_factory=list)
    interims: list[MetricInterimTarget] = field(default_factory=list)

    @property
    def school_count(self) -> int:
        return self.schools.paginator.count if self.schools is not None else 0

    @property
    def coverage(self) -> str:
        return coverage_text(self.result) if self.result else ""

    @property
    def period_label(self) -> str:
        return self.metric.period_label(self.period) if self.period else ""

    @property
    def status(self) -> StatusView:
        return StatusView(self.rollup.status if self.rollup else Status.NO_DATA)

    @property
    def filtered_value_text(self) -> str:
        if not self.filtered:
            return ""
        return format_value(self.filtered.value, self.metric.district_unit, self.metric.decimals)


def _interim_markers(metric: Metric, interims: Sequence[MetricInterimTarget], start_month: int) -> list[ChartMarker]:
    markers = []
    for interim in interims:
        end = period_end(school_year_start(interim.school_year, start_month), "yearly")
        label = _("%(year)s interim target %(value)s") % {
            "year": school_year_label(interim.school_year, start_month),
            "value": format_value(interim.value, metric.district_unit, metric.decimals),
        }
        markers.append(ChartMarker(day=end, value=interim.value, label=label))
    return markers


def _interim_for(metric: Metric, period: date, interims: dict[int, Decimal], start_month: int) -> Decimal | None:
    """The interim target due at the end of this period: a school year, or the last month of one."""
    if metric.frequency == Frequency.YEARLY:
        return interims.get(period.year)
    last_month = (start_month + 10) % 12 + 1  # the month before the school year starts
    return interims.get(school_year_of(period, start_month)) if period.month == last_month else None


def chart_rows_of(
    metric: Metric,
    series: list[tuple[date, MetricRollup | None]],
    interims: Sequence[MetricInterimTarget],
    start_month: int,
) -> list[ChartRow]:
    """The chart's data table: a row per period of the series (also the board pages')."""
    interim_by_year = {i.school_year: i.value for i in interims}
    return [
        ChartRow(
            period=p,
            label=metric.period_label(p),
            rollup=r,
            expected=r.expected_value if r is not None else None,
            interim=_interim_for(metric, p, interim_by_year, start_month),
            status=StatusView(r.status if r is not None else Status.NO_DATA),
        )
        for p, r in series
    ]


def _chart(
    metric: Metric,
    series: list[tuple[date, MetricRollup | None]],
    interims: list[ChartMarker],
    latest: MetricRollup | None,
    window: MetricWindow,
) -> SafeString:
    unit, decimals = metric.district_unit, metric.decimals
    points = [
        ChartPoint(
            day=metric.period_end(p),
            label=metric.period_label(p),
            value=r.value if r is not None else None,
            status=r.status if r is not None else Status.NO_DATA,
        )
        for p, r in series
    ]
    target_text = format_value(metric.target_value, unit, decimals)
    if latest is not None:
        latest_text = _("Latest, %(period)s: %(value)s, %(status)s.") % {
            "period": metric.period_label(latest.period),
            "value": format_value(latest.value, unit, decimals),
            "status": str(Status(latest.status).label).lower(),
        }
    else:
        latest_text = _("No values yet.")
    valued = [pt for pt in points if pt.value is not None]
    trend: dict[str, str] = {}
    if len(valued) > 1:
        trend = {
            "first": format_value(valued[0].value, unit, decimals),
            "start": valued[0].label,
            "last": format_value(valued[-1].value, unit, decimals),
            "end": valued[-1].label,
        }
        sentence = _(
            "From %(first)s in %(start)s to %(last)s in %(end)s. %(latest)s Baseline %(baseline)s on "
            "%(baseline_date)s; target %(target)s by %(target_date)s, reached along a straight target line. "
            "The table after the chart lists every value."
        )
    else:
        sentence = _(
            "%(latest)s Baseline %(baseline)s on %(baseline_date)s; target %(target)s by %(target_date)s, "
            "reached along a straight target line. The table after the chart lists every value."
        )
    description = sentence % {
        **trend,
        "latest": latest_text,
        "baseline": format_value(metric.baseline_value, unit, decimals),
        "baseline_date": date_format(metric.baseline_date, "DATE_FORMAT"),
        "target": target_text,
        "target_date": date_format(metric.target_date, "DATE_FORMAT"),
    }
    return trend_chart(
        TrendChart(
            chart_id=f"metric-{metric.pk}-chart",
            title=_("%(name)s: district value over time") % {"name": localized(metric, "name")},
            description=description,
            unit=unit,
            decimals=decimals,
            points=points,
            # A baseline or target stored outside the plan's window before the bounds existed isn't drawn:
            # the axis would span thousands of years.
            baseline=ChartMarker(metric.baseline_date, metric.baseline_value, _("Baseline"))
            if window.contains(metric.baseline_date)
            else None,
            target=ChartMarker(
                metric.target_date,
                metric.target_value,
                _("Target %(value)s by %(date)s")
                % {"value": target_text, "date": date_format(metric.target_date, "SHORT_YEAR_MONTH_FORMAT")},
            )
            if window.contains(metric.target_date)
            else None,
            interims=interims,
            value_label=_("District value"),
        )
    )


def metric_page(
    *, district: District, metric: Metric, filters: MetricPageFilters, page_number: object = None
) -> MetricPage:
    """Everything the metric page shows, in a fixed number of queries whose work is proportional to what
    is shown: the school table is filtered, ordered, counted and cut to one page in SQL, each value's
    status is the one stored with it, and the explanation's sums are SQL aggregates."""
    start_month = district.school_year_start_month
    rollups = list(MetricRollup.objects.filter(district=district, metric=metric).order_by("period"))  # 1
    interims = list(MetricInterimTarget.objects.filter(district=district, metric=metric).order_by("school_year"))  # 2
    valued = [r for r in rollups if r.value is not None]
    periods = [(metric.period_code(r.period), metric.period_label(r.period)) for r in reversed(valued)]
    chosen = next((r for r in valued if metric.period_code(r.period) == filters.period), None)
    rollup = chosen or (valued[-1] if valued else None)
    period = rollup.period if rollup else None
    previous_period = next((r.period for r in reversed(valued) if period and r.period < period), None)

    markers = _interim_markers(metric, interims, start_month)
    series = _series(metric, rollups, start_month)
    chart_rows = chart_rows_of(metric, series, interims, start_month)
    page = MetricPage(
        metric=metric,
        rule=rule_for(metric, district),
        periods=periods,
        period=period,
        rollup=rollup,
        result=None,
        explanation="",
        district_value=None,
        previous_period=previous_period,
        chart=_chart(
            metric, series, markers, valued[-1] if valued else None, window_of_plan(metric.priority.plan, start_month)
        ),
        chart_rows=chart_rows,
        interims=interims,
    )
    if period is None:
        page.explanation = _("No values yet. Missing schools never count as zero.")
        if not metric.is_school_level:
            return page

    if not metric.is_school_level:
        page.explanation = _("A district-only metric: the value is entered for the district as a whole.")
        if period is not None:
            found = _value_cells(
                MetricValue.objects.filter(district=district, metric=metric, period=period, school=None)
            )
            page.district_value = found[None][0] if None in found else None
        return page

    applicable = School.objects.filter(district=district)
    if metric.school_levels:
        applicable = applicable.filter(level__in=metric.school_levels)
    places = set(applicable.values_list("level", "region").distinct().order_by())  # a few levels × regions
    page.regions = sorted({region for _level, region in places if region})
    present_levels = {level for level, _region in places}
    page.levels = [(value, label) for value, label in SchoolLevel.choices if value in present_levels]

    total_schools = applicable.count()
    if period is not None:
        page.result = _result_of(metric, period, applicable, district=district, total_schools=total_schools)
        page.explanation = explain(metric.aggregation, page.result, unit=metric.unit, decimals=metric.decimals)

    shown = applicable
    if filters.level:
        shown = shown.filter(level=filters.level)
    if filters.region:
        shown = shown.filter(region=filters.region)
    if filters.q:
        shown = shown.filter(Q(name__icontains=filters.q) | Q(code__iexact=filters.q))
    if filters.active and period is not None:
        page.filtered = _result_of(metric, period, shown, district=district)
    page.schools = _school_table(
        district=district,
        metric=metric,
        period=period,
        previous_period=previous_period,
        schools=shown,
        filters=filters,
        page_number=page_number,
        count=None if filters.active else total_schools,
    )
    return page


SCHOOLS_PER_PAGE = 100


def _value_cells(values: QuerySet[MetricValue]) -> dict[int | None, tuple[ValueCell, tuple[str, bool | None]]]:
    """These values as the page shows them, with their stored judgements, by school id (None: the district)."""
    rows = values.order_by().values_list(
        "pk",
        "school_id",
        "value",
        "updated_at",
        "entered_by__user__full_name",
        "entered_by__user__email",
        "status",
        "meets_target",
    )
    return {
        school_id: (ValueCell(pk, number, updated_at, full_name or email or ""), (status, meets))
        for pk, school_id, number, updated_at, full_name, email, status, meets in rows
    }


def _result_of(
    metric: Metric, period: date, schools: QuerySet[School], *, district: District, total_schools: int | None = None
) -> RollupResult:
    """The roll-up of these schools' values for the period, from SQL sums (exact: numeric in the database)
    and the values' stored judgements, with the numbers the explanation shows."""
    values = MetricValue.objects.filter(district=district, metric=metric, period=period, school__in=schools)
    sums = values.aggregate(
        reporting=Count("pk"),
        total=Sum("value"),
        weighted=Sum(F("value") * F("school__enrollment"), output_field=DecimalField(max_digits=40, decimal_places=6)),
        students=Sum("school__enrollment"),
        meeting=Count("pk", filter=Q(meets_target=True)),
    )
    if total_schools is None:
        total_schools = schools.count()
    return rollup_of(
        metric.aggregation,
        reporting=sums["reporting"],
        meeting=sums["meeting"],
        total_schools=total_schools,
        total=lambda: Fraction(sums["total"]),
        weighted=lambda: (Fraction(sums["weighted"] or 0), Fraction(sums["students"] or 0)),
        # The middle needs every value of the subset: read only for the median method.
        median=lambda: median_of(values.values_list("value", flat=True)),
    )


_STATUS_RANK = Case(
    *(When(value_status=status, then=Value(rank)) for status, rank in STATUS_ORDER.items() if status != Status.NO_DATA),
    default=Value(None),
    output_field=IntegerField(),
)


def _school_table(
    *,
    district: District,
    metric: Metric,
    period: date | None,
    previous_period: date | None,
    schools: QuerySet[School],
    filters: MetricPageFilters,
    page_number: object,
    count: int | None = None,
) -> Page:
    """One page of schools with their values, sorted in SQL; schools without a value always last, then by name."""

    def of_period(when: date | None) -> QuerySet[MetricValue]:
        return MetricValue.objects.filter(district=district, metric=metric, period=when, school=OuterRef("pk"))

    decimal = DecimalField(max_digits=24, decimal_places=6)
    table = schools.only("pk", "name", "level", "region")
    if period is not None:
        current = of_period(period)
        table = table.annotate(
            value_id=Subquery(current.values("pk")[:1]),
            value_number=Subquery(current.values("value")[:1], output_field=decimal),
            value_status=Subquery(current.values("status")[:1]),
        )
    else:
        table = table.annotate(
            value_id=Value(None, output_field=IntegerField()),
            value_number=Value(None, output_field=decimal),
            value_status=Value(None, output_field=CharField()),
        )
    if previous_period is not None:
        table = table.annotate(
            previous_number=Subquery(of_period(previous_period).values("value")[:1], output_field=decimal)
        )
    else:
        table = table.annotate(previous_number=Value(None, output_field=decimal))
    if period is not None and previous_period is not None:
        table = table.annotate(change_number=ExpressionWrapper(F("value_number") - F("previous_number"), decimal))
    else:
        table = table.annotate(change_number=Value(None, output_field=decimal))
    by_name = [Lower("name").desc() if filters.sort == "name" and filters.descending else Lower("name").asc(), "pk"]
    if filters.sort != "name":
        column = {"value": F("value_number"), "change": F("change_number"), "status": _STATUS_RANK}[filters.sort]
        key = column.desc(nulls_last=True) if filters.descending else column.asc(nulls_last=True)
        table = table.order_by(key, *by_name)
    else:
        table = table.order_by(*by_name)
    paginator = Paginator(table, SCHOOLS_PER_PAGE)
    paginator.__dict__["count"] = schools.count() if count is None else count  # counted without the annotations
    shown = paginator.get_page(page_number)
    schools_shown = list(shown.object_list)
    ids = [school.value_id for school in schools_shown if school.value_id]
    cells = _value_cells(MetricValue.objects.filter(district=district, pk__in=ids)) if ids else {}
    rows = []
    for school in schools_shown:
        cell, judgement = cells.get(school.pk, (None, (Status.NO_DATA, None)))
        rows.append(SchoolRow(school, cell, school.previous_number, judgement))
    shown.object_list = rows
    return shown


# --- One value: its history, and a school's recent values --------------------------------


VALUE_HISTORY_SHOWN = 100


def value_history(*, value: MetricValue, limit: int = VALUE_HISTORY_SHOWN) -> list[HistoryEntry]:
    """Who changed a value from what to what, newest first: the newest `limit` changes, in one query.

    Entries are core.history's: `verb` says entered, changed or deleted, the one change is the value's
    (from → to, shown exactly), `subject` says how it came (form, import…) and `reason` is its note.
    """
    metric = value.metric
    newest = value.history.select_related("history_user").order_by("-history_date", "-history_id")
    records = list(reversed(newest[: limit + 1]))  # one more: the value before the oldest shown
    shown = records[-limit:]
    before: Decimal | None = records[0].value if len(records) > limit else None
    entries = []
    for record in shown:
        kind = {"+": _("Entered"), "~": _("Changed"), "-": _("Deleted")}.get(record.history_type, record.history_type)
        user = record.history_user
        old = format_value(before, metric.unit, max(metric.decimals, _places(before))) if before is not None else ""
        new = format_value(record.value, metric.unit, max(metric.decimals, _places(record.value)))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() if user else _("Someone no longer in the system")),
                verb=str(kind),
                subject=record.get_source_display(),
                changes=(FieldChange(label=_("Value"), old=old, new=new),),
                reason=record.note,
            )
        )
        before = record.value
    return list(reversed(entries))


def _places(number: Decimal | None) -> int:
    """Decimal places needed to show a stored value exactly (up to 6)."""
    if number is None:
        return 0
    normalized = number.normalize()
    return max(0, min(6, -normalized.as_tuple().exponent))  # type: ignore[operator]


def school_recent_values(
    *, district: District, metric: Metric, school: School | None, limit: int = 6
) -> list[MetricValue]:
    """The latest values of one school (or the district value) for a metric, newest first."""
    return list(
        MetricValue.objects.filter(district=district, metric=metric, school=school)
        .select_related("entered_by__user")
        .order_by("-period")[:limit]
    )
