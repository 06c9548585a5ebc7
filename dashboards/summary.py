"""The shared read layer of the dashboard, board pages, public page and board reports.

Everything numeric here comes from stored roll-ups (checkins' CheckinRollup, metrics' MetricRollup),
never from counting entries, and is cached with core.cache_versions under the roll-up topics, so a
page costs the same few queries whatever the number of schools, commitments or cycles. Names and
titles are never cached (they can be renamed): priorities and cycles are read live, the cached values
are only numbers keyed by ids.

Health of a scope in a cycle (`health_of`), from its reported entries:
no reported entries → no data; off track ≥ 25 % of them → off track; at risk or off track ≥ 25 % →
at risk; otherwise on track. The codes are metrics' status codes, so badges and glyphs are shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checkins.models import CheckinCycle, CheckinRollup, CycleState, RollupScope
from core import cache_versions
from districts.models import District
from metrics.charts import sparkline
from metrics.choices import STATUS_BADGE, STATUS_SYMBOL, Status
from metrics.selectors import MetricSummary, priority_metric_summaries
from plans.models import StrategicPlan
from priorities.models import Priority

HEALTH_ON_TRACK, HEALTH_AT_RISK, HEALTH_OFF_TRACK, HEALTH_NO_DATA = "on_track", "at_risk", "off_track", "no_data"
HEALTH_CODES = (HEALTH_ON_TRACK, HEALTH_AT_RISK, HEALTH_OFF_TRACK, HEALTH_NO_DATA)
ROLLUP_TOPICS = [cache_versions.CHECKIN_ROLLUPS]

# The counters the summaries read, in the order they are cached (tuples of ints keep cache entries small).
_HEALTH_FIELDS = ("entries_reported", "on_track", "at_risk", "off_track", "done")
_CYCLE_FIELDS = (
    "checkins_expected",
    "checkins_submitted",
    "checkins_on_time",
    "checkins_late",
    "responded",
    "loop_seconds_median",
    "loop_seconds_max",
)


def health_of_counts(reported: int, at_risk: int, off_track: int) -> str:
    if not reported:
        return HEALTH_NO_DATA
    # Integer comparisons: a quarter exactly counts (4 × part ≥ whole), no float rounding.
    if 4 * off_track >= reported:
        return HEALTH_OFF_TRACK
    if 4 * (at_risk + off_track) >= reported:
        return HEALTH_AT_RISK
    return HEALTH_ON_TRACK


def health_of(rollup: CheckinRollup | None) -> str:
    """The health code of a scope in a cycle from its roll-up (None: nothing expected → no data)."""
    if rollup is None:
        return HEALTH_NO_DATA
    return health_of_counts(rollup.entries_reported, rollup.at_risk, rollup.off_track)


@dataclass(frozen=True)
class HealthView:
    code: str
    label: str  # translated: "On track", "At risk", "Off track", "No data"
    icon: str  # a text glyph, so health never rests on colour alone

    @property
    def css(self) -> str:
        """Classes of its badge: the shared badge colour and `health-<code>`."""
        return f"badge {STATUS_BADGE[Status(self.code)]} health-{self.code}"


def health_view(code: str) -> HealthView:
    status = Status(code if code in HEALTH_CODES else HEALTH_NO_DATA)
    return HealthView(code=status.value, label=str(status.label), icon=STATUS_SYMBOL[status])


def percent(part: int, whole: int) -> int | None:
    """Whole percent, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def cycle_label(cycle: CheckinCycle) -> str:
    """A cycle as a short label in the active language ("Sep 2026")."""
    return date_format(cycle.period_start, "SHORT_YEAR_MONTH_FORMAT")


def recent_cycles(
    *, district: District, plan: StrategicPlan, limit: int = 12, closed_only: bool = True
) -> list[CheckinCycle]:
    """The plan's last `limit` cycles, oldest first: closed ones, or (closed_only=False) open ones too."""
    states = [CycleState.CLOSED] if closed_only else [CycleState.CLOSED, CycleState.OPEN]
    newest = CheckinCycle.objects.filter(district=district, plan=plan, state__in=states).order_by("-period_start")
    return list(reversed(newest[:limit]))


def _rollup_counts(
    *, district: District, cycles: list[CheckinCycle], scope: str, fields: tuple[str, ...], name: str
) -> dict[tuple[int, int | None], tuple]:
    """{(cycle id, priority id or None): counters} of one scope over these cycles, cached until roll-ups change."""
    cycle_ids = [cycle.pk for cycle in cycles]

    def compute() -> dict[tuple[int, int | None], tuple]:
        if not cycle_ids:
            return {}
        rows = CheckinRollup.objects.filter(district=district, cycle_id__in=cycle_ids, scope=scope).values_list(
            "cycle_id", "priority_id", *fields
        )
        return {(row[0], row[1]): tuple(row[2:]) for row in rows}

    key = f"summary:{name}:{'.'.join(map(str, cycle_ids))}"
    return cache_versions.cached(district.pk, ROLLUP_TOPICS, key, compute)


# --- Priority cards ------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    cycle: CheckinCycle
    health: str
    share_on_track: int | None  # percent of reported entries on track or done; None without reports


@dataclass
class PriorityCard:
    priority: Priority
    health: HealthView  # in the latest closed cycle
    trend: list[TrendPoint]  # oldest first
    sparkline: SafeString
    trend_text: str  # the sparkline's text alternative, also shown to screen readers and in print
    metrics: list[MetricSummary]

    @property
    def latest(self) -> TrendPoint | None:
        return self.trend[-1] if self.trend else None


def _trend_text(trend: list[TrendPoint]) -> str:
    known = [point for point in trend if point.share_on_track is not None]
    if not known:
        return _("No check-ins reported in the last cycles.")
    first, last = known[0], known[-1]
    if first is last:
        return _("%(share)s%% of commitments reported on track or done in %(cycle)s.") % {
            "share": last.share_on_track,
            "cycle": cycle_label(last.cycle),
        }
    return _("Commitments reported on track or done: %(first_share)s%% in %(first)s, %(last_share)s%% in %(last)s.") % {
        "first_share": first.share_on_track,
        "first": cycle_label(first.cycle),
        "last_share": last.share_on_track,
        "last": cycle_label(last.cycle),
    }


def priority_cards(*, district: District, plan: StrategicPlan, cycles: int = 6) -> list[PriorityCard]:
    """The plan's priorities with health, trend over the last closed cycles and metrics (five queries at most)."""
    priorities = list(Priority.objects.filter(district=district, plan=plan).order_by("position", "pk"))
    if not priorities:
        return []
    shown = recent_cycles(district=district, plan=plan, limit=cycles)
    counts = _rollup_counts(
        district=district, cycles=shown, scope=RollupScope.PRIORITY, fields=_HEALTH_FIELDS, name="priority"
    )
    metrics = priority_metric_summaries(district=district, priorities=priorities)
    cards = []
    for priority in priorities:
        trend = []
        for cycle in shown:
            reported, on_track, at_risk, off_track, done = counts.get((cycle.pk, priority.pk), (0, 0, 0, 0, 0))
            trend.append(
                TrendPoint(
                    cycle=cycle,
                    health=health_of_counts(reported, at_risk, off_track),
                    share_on_track=percent(on_track + done, reported),
                )
            )
        text = _trend_text(trend)
        last_health = trend[-1].health if trend else HEALTH_NO_DATA
        cards.append(
            PriorityCard(
                priority=priority,
                health=health_view(last_health),
                trend=trend,
                sparkline=sparkline([p.share_on_track for p in trend], label=text, last_status=last_health),
                trend_text=text,
                metrics=metrics.get(priority.pk, []),
            )
        )
    return cards


# --- Completion and feedback loop per cycle (the DISTRICT roll-ups) ------------------------------


@dataclass
class CycleCompletion:
    cycle: CheckinCycle
    expected: int  # check-ins asked for
    submitted: int  # submitted or acknowledged
    on_time: int  # of those, not late
    late: int  # late, submitted or not
    percent: int | None  # submitted of expected
    on_time_percent: int | None  # on time of expected


@dataclass
class CycleLoop:
    cycle: CheckinCycle
    responded: int  # submitted check-ins with a first response
    submitted: int
    median_seconds: int | None  # submission → first response
    max_seconds: int | None


def _district_counts(*, district: District, plan: StrategicPlan, limit: int) -> list[tuple[CheckinCycle, tuple]]:
    cycles = recent_cycles(district=district, plan=plan, limit=limit)
    counts = _rollup_counts(
        district=district, cycles=cycles, scope=RollupScope.DISTRICT, fields=_CYCLE_FIELDS, name="district"
    )
    empty = (0, 0, 0, 0, 0, None, None)
    return [(cycle, counts.get((cycle.pk, None), empty)) for cycle in cycles]


def completion_by_cycle(*, district: District, plan: StrategicPlan, limit: int = 12) -> list[CycleCompletion]:
    """Check-ins asked for, submitted, on time and late in each of the last closed cycles, oldest first."""
    rows = []
    for cycle, (expected, submitted, on_time, late, *_loop) in _district_counts(
        district=district, plan=plan, limit=limit
    ):
        rows.append(
            CycleCompletion(
                cycle=cycle,
                expected=expected,
                submitted=submitted,
                on_time=on_time,
                late=late,
                percent=percent(submitted, expected),
                on_time_percent=percent(on_time, expected),
            )
        )
    return rows


def loop_times(*, district: District, plan: StrategicPlan, limit: int = 12) -> list[CycleLoop]:
    """Time from submission to first response in each of the last closed cycles, oldest first."""
    return [
        CycleLoop(cycle=cycle, responded=responded, submitted=submitted, median_seconds=median, max_seconds=longest)
        for cycle, (_expected, submitted, _on_time, _late, responded, median, longest) in _district_counts(
            district=district, plan=plan, limit=limit
        )
    ]


def duration_text(seconds: int | None) -> str:
    """A duration as people say it: "45 minutes", "3 hours", "2 days"; "—" when unknown."""
    if seconds is None:
        return "—"
    minutes = seconds // 60
    if minutes < 60:
        minutes = max(minutes, 1)
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours = (seconds + 1800) // 3600
    if hours < 48:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = (seconds + 43200) // 86400
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
