"""Selectors of the board progress pages and the public page: published, aggregate content only.

What these pages may show: the active plan's priorities with their health and trend (the stored
roll-ups, through dashboards.summary), metrics against targets with their charts and data tables, the
cycle-by-cycle completion of the whole district, and published highlights. Never drafts, check-in
text, people's names (no priority owner, no author of a highlight) or unpublished highlights. The
query count is fixed whatever the number of schools, commitments or cycles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.http import Http404
from django.utils.safestring import SafeString

from checkins.models import CheckinCycle, CheckinRollup, RollupScope
from core import cache_versions
from districts.models import District
from metrics.bounds import window_of_plan
from metrics.models import MetricInterimTarget

# The metric page's chart and data-table builders: the board shows the same chart a metric page does.
from metrics.selectors import ChartRow, MetricSummary, _chart, _interim_markers, _series, chart_rows_of
from plans.models import PlanState, StrategicPlan
from plans.selectors import active_plan
from priorities.models import Commitment, Priority

from . import summary
from .highlights import published_highlights
from .models import Highlight

TREND_CYCLES = 6
COMPLETION_CYCLES = 12


@dataclass
class BoardMetric:
    summary: MetricSummary
    chart: SafeString
    rows: list[ChartRow]  # the chart's data table, oldest first


@dataclass
class BoardPriority:
    card: summary.PriorityCard
    metrics: list[BoardMetric]
    highlights: list[Highlight]  # published, about this priority

    @property
    def priority(self) -> Priority:
        return self.card.priority


@dataclass
class BoardPage:
    plan: StrategicPlan | None
    priorities: list[BoardPriority]
    completion: list[summary.CycleCompletion]  # oldest first
    highlights: list[Highlight]  # published, newest first
    health_legend: list[summary.HealthView]

    @property
    def latest_cycle(self) -> CheckinCycle | None:
        return self.completion[-1].cycle if self.completion else None


def _board_metrics(*, district: District, summaries: list[MetricSummary]) -> list[BoardMetric]:
    """Each metric's chart and data table from its already-read roll-ups (one query for the interim targets)."""
    if not summaries:
        return []
    start_month = district.school_year_start_month
    interims: dict[int, list[MetricInterimTarget]] = defaultdict(list)
    for interim in MetricInterimTarget.objects.filter(
        district=district, metric__in=[s.metric.pk for s in summaries]
    ).order_by("school_year"):
        interims[interim.metric_id].append(interim)
    shown = []
    for each in summaries:
        metric = each.metric
        series = _series(metric, each.rollups, start_month)
        rows = chart_rows_of(metric, series, interims[metric.pk], start_month)
        chart = _chart(
            metric,
            series,
            _interim_markers(metric, interims[metric.pk], start_month),
            each.latest,
            window_of_plan(metric.priority.plan, start_month),
        )
        shown.append(BoardMetric(summary=each, chart=chart, rows=rows))
    return shown


def _by_priority(highlights: list[Highlight]) -> dict[int | None, list[Highlight]]:
    grouped: dict[int | None, list[Highlight]] = defaultdict(list)
    for highlight in highlights:
        grouped[highlight.priority_id].append(highlight)
    return grouped


def board_page(*, district: District) -> BoardPage:
    """The board's progress page (also the public page's content). About ten queries, whatever the size."""
    legend = [summary.health_view(code) for code in summary.HEALTH_CODES]
    plan = active_plan(district=district)
    if plan is None:
        return BoardPage(plan=None, priorities=[], completion=[], highlights=[], health_legend=legend)
    cards = summary.priority_cards(district=district, plan=plan, cycles=TREND_CYCLES)
    metrics = _board_metrics(district=district, summaries=[m for card in cards for m in card.metrics])
    metrics_of: dict[int, list[BoardMetric]] = defaultdict(list)
    for each in metrics:
        metrics_of[each.summary.metric.priority_id].append(each)
    highlights = published_highlights(district=district, plan=plan)
    about = _by_priority(highlights)
    return BoardPage(
        plan=plan,
        priorities=[
            BoardPriority(card=card, metrics=metrics_of[card.priority.pk], highlights=about[card.priority.pk])
            for card in cards
        ],
        completion=summary.completion_by_cycle(district=district, plan=plan, limit=COMPLETION_CYCLES),
        highlights=highlights,
        health_legend=legend,
    )


@dataclass
class CommitmentLine:
    commitment: Commitment
    health: summary.HealthView  # in the latest closed cycle
    reported: int
    expected: int


@dataclass
class BoardPriorityPage:
    plan: StrategicPlan
    priority: BoardPriority
    commitments: list[CommitmentLine]
    cycle: CheckinCycle | None  # the latest closed cycle the commitments' health is from, or None


def board_priority(*, district: District, priority_id: int) -> BoardPriorityPage:
    """One priority of the active plan for the board: its card, metrics, commitments' health in aggregate."""
    priority = (
        Priority.objects.filter(district=district, pk=priority_id, plan__state=PlanState.ACTIVE)
        .select_related("plan")
        .first()
    )
    if priority is None:
        raise Http404("No such priority in the active plan.")
    plan = priority.plan
    card = next(
        c for c in summary.priority_cards(district=district, plan=plan, cycles=TREND_CYCLES) if c.priority == priority
    )
    metrics = _board_metrics(district=district, summaries=card.metrics)
    highlights = [h for h in published_highlights(district=district, plan=plan) if h.priority_id == priority.pk]
    commitments = list(Commitment.objects.filter(district=district, priority=priority).order_by("position", "pk"))
    cycles = summary.recent_cycles(district=district, plan=plan, limit=1)
    cycle = cycles[-1] if cycles else None
    counts = _commitment_counts(district=district, cycle=cycle, priority_id=priority.pk)
    lines = []
    for commitment in commitments:
        reported, expected, at_risk, off_track = counts.get(commitment.pk, (0, 0, 0, 0))
        health = summary.health_view(summary.health_of_counts(reported, at_risk, off_track))
        lines.append(CommitmentLine(commitment, health, reported, expected))
    return BoardPriorityPage(
        plan=plan,
        priority=BoardPriority(card=card, metrics=metrics, highlights=highlights),
        commitments=lines,
        cycle=cycle,
    )


def _commitment_counts(
    *, district: District, cycle: CheckinCycle | None, priority_id: int
) -> dict[int, tuple[int, int, int, int]]:
    if cycle is None:
        return {}

    def compute() -> dict[int, tuple[int, int, int, int]]:
        rows = CheckinRollup.objects.filter(
            district=district, cycle=cycle, scope=RollupScope.COMMITMENT, priority_id=priority_id
        ).values_list("commitment_id", "entries_reported", "entries_expected", "at_risk", "off_track")
        return {row[0]: tuple(row[1:]) for row in rows}

    return cache_versions.cached(
        district.pk, summary.ROLLUP_TOPICS, f"board-commitments:{cycle.pk}:{priority_id}", compute
    )
