"""The exports' tables: the heat map of a cycle, check-in statuses and metric values for a period.

Each table is a translated header and rows of plain values (text, numbers, dates) that the safe
writers (core.csv, core.spreadsheets) turn into a CSV or an Excel file. Names are the district's
own (schools, departments, priorities, commitments, role labels), in the reader's language where
the district entered Spanish. The names are read once into dictionaries and the rows as ids and
scalars with one `.iterator()` query, so a table costs the same few queries however many rows it
holds, and a large one is never held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkins.models import CheckinCycle, CheckinEntry, CheckinState, EntryStatus
from checkins.rollups import REPORTED_STATES
from core.bilingual import localized
from core.csv import Cell
from dashboards.dashboard import HeatmapFilters, heatmap
from dashboards.summary import cycle_label
from districts.models import Department, District, School
from metrics.choices import Aggregation, Status
from metrics.formatting import round_to
from metrics.models import Metric, MetricValue
from metrics.periods import format_period
from plans.models import StrategicPlan
from priorities.models import Commitment, Priority

ROW_CHUNK = 2000  # rows fetched at a time from the server-side cursor


class ExportKind(models.TextChoices):
    HEATMAP = "heatmap", gettext_lazy("Heat map of a cycle")
    CHECKINS = "checkins", gettext_lazy("Check-in statuses")
    METRIC_VALUES = "metric-values", gettext_lazy("Metric values")


class ExportFormat(models.TextChoices):
    CSV = "csv", gettext_lazy("CSV (.csv)")
    XLSX = "xlsx", gettext_lazy("Excel (.xlsx)")


@dataclass(frozen=True)
class ExportPeriod:
    """A cycle, or whole months from `first` to `last` (both days included)."""

    first: date
    last: date
    cycle: CheckinCycle | None = None

    @property
    def slug(self) -> str:
        if self.cycle is not None or (self.first.year, self.first.month) == (self.last.year, self.last.month):
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m}-to-{self.last:%Y-%m}"


@dataclass(frozen=True)
class ExportTable:
    title: str  # the worksheet's name
    header: list[str]
    rows: Sequence[Sequence[Cell]] | Iterator[Sequence[Cell]]
    row_count: Callable[[], int]  # counted before an Excel file is written (a worksheet has a row limit)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _priority_name(priority: Priority) -> str:
    title = localized(priority, "title")
    return f"{priority.code} · {title}" if priority.code else str(title)


# --- Heat map ------------------------------------------------------------------------------------


def heatmap_table(*, district: District, plan: StrategicPlan, filters: HeatmapFilters) -> ExportTable:
    """Every school the filters keep × the plan's priorities in the filters' cycle: each cell's health and counts."""
    data = heatmap(district=district, plan=plan, filters=filters, page=None)
    header = [_("School"), _("Level"), _("Region")]
    for priority in data.priorities:
        name = _priority_name(priority)
        header += [
            _("%(priority)s: health") % {"priority": name},
            _("%(priority)s: entries reported") % {"priority": name},
            _("%(priority)s: entries expected") % {"priority": name},
            _("%(priority)s: on track") % {"priority": name},
            _("%(priority)s: at risk") % {"priority": name},
            _("%(priority)s: off track") % {"priority": name},
            _("%(priority)s: done") % {"priority": name},
        ]
    rows: list[list[Cell]] = []
    for row in data.rows:
        line: list[Cell] = [row.school.name, row.school.get_level_display(), row.school.region]
        for cell in row.cells:
            line += [cell.health.label, cell.reported, cell.expected, cell.on_track, cell.at_risk, cell.off_track]
            line.append(cell.done)
        rows.append(line)
    title = _("Heat map %(cycle)s") % {"cycle": cycle_label(data.cycle)} if data.cycle else _("Heat map")
    return ExportTable(title, header, rows, lambda: len(rows))


# --- Check-in statuses ---------------------------------------------------------------------------


def _cycles_in(*, district: District, plan: StrategicPlan, period: ExportPeriod) -> dict[int, CheckinCycle]:
    if period.cycle is not None:
        return {period.cycle.pk: period.cycle}
    cycles = CheckinCycle.objects.filter(
        district=district, plan=plan, period_start__gte=period.first, period_start__lte=period.last
    )
    return {cycle.pk: cycle for cycle in cycles}


def checkin_table(*, district: District, plan: StrategicPlan, period: ExportPeriod) -> ExportTable:
    """Every entry asked for in the period's cycles: its place, priority, commitment, status and the check-in's facts.

    The status is a draft's until its check-in is submitted, so it is written only for submitted
    (or acknowledged) check-ins; the check-in's state says which.
    """
    cycles = _cycles_in(district=district, plan=plan, period=period)
    schools = dict(School.objects.filter(district=district).values_list("pk", "name"))
    departments = dict(Department.objects.filter(district=district).values_list("pk", "name"))
    commitments = {
        c.pk: c
        for c in Commitment.objects.filter(district=district, priority__plan=plan).select_related(
            "priority", "role_label"
        )
    }
    entries = (
        CheckinEntry.objects.filter(district=district, set_aside=False, checkin__cycle_id__in=list(cycles))
        .order_by(
            "checkin__cycle__period_start",
            "checkin__school__name",
            "checkin__department__name",
            "assignment__commitment__priority__position",
            "assignment__commitment__position",
            "pk",
        )
        .values_list(
            "checkin__cycle_id",
            "checkin__school_id",
            "checkin__department_id",
            "assignment__commitment_id",
            "checkin__state",
            "status",
            "checkin__submitted_at",
            "checkin__late",
            "support_requested",
        )
    )
    header = [
        _("Cycle"),
        _("School or department"),
        _("Place"),
        _("Priority"),
        _("Commitment"),
        _("Asked of"),
        _("Check-in state"),
        _("Status"),
        _("Submitted at (%(zone)s)") % {"zone": district.time_zone},
        _("Late"),
        _("Support requested"),
    ]
    labels = {
        "cycles": {pk: cycle_label(cycle) for pk, cycle in cycles.items()},
        "priorities": {c.pk: _priority_name(c.priority) for c in commitments.values()},
        "commitments": {c.pk: str(localized(c, "title")) for c in commitments.values()},
        "states": dict(CheckinState.choices),
        "statuses": dict(EntryStatus.choices),
        "school": _("School"),
        "department": _("Department"),
    }

    def rows() -> Iterator[list[Cell]]:
        for (
            cycle_id,
            school_id,
            department_id,
            commitment_id,
            state,
            status,
            submitted,
            late,
            support,
        ) in entries.iterator(chunk_size=ROW_CHUNK):
            commitment = commitments.get(commitment_id)
            yield [
                labels["cycles"][cycle_id],
                schools.get(school_id) if school_id else departments.get(department_id),
                labels["school"] if school_id else labels["department"],
                labels["priorities"].get(commitment_id, ""),
                labels["commitments"].get(commitment_id, ""),
                commitment.role_label.name if commitment else "",
                str(labels["states"][state]),
                str(labels["statuses"][status]) if state in REPORTED_STATES else "",
                timezone.localtime(submitted, district.tzinfo).replace(tzinfo=None) if submitted else None,
                _yes_no(late),
                _yes_no(support),
            ]

    return ExportTable(_("Check-ins %(period)s") % {"period": period.slug}, header, rows(), entries.count)


# --- Metric values -------------------------------------------------------------------------------


def value_target(metric: Metric, period: date, *, of_school: bool) -> Decimal | None:
    """The target a value of the period is held to (as metrics.rollups judges it): a share metric's school
    target for a school, the target line at the period's end otherwise; a school's part of a sum has none."""
    if of_school and metric.aggregation == Aggregation.SUM:
        return None
    if of_school and metric.uses_school_target and metric.school_target_value is not None:
        return metric.school_target_value
    return round_to(metric.trajectory.expected_at(metric.period_end(period)), metric.decimals)


def metric_value_table(*, district: District, plan: StrategicPlan, period: ExportPeriod) -> ExportTable:
    """Every value of the plan's metrics whose period starts in the period: where, value, target and status."""
    metrics = {
        m.pk: m for m in Metric.objects.filter(district=district, priority__plan=plan).select_related("priority")
    }
    schools = dict(School.objects.filter(district=district).values_list("pk", "name"))
    values = (
        MetricValue.objects.filter(
            district=district, metric_id__in=list(metrics), period__gte=period.first, period__lte=period.last
        )
        .order_by(
            "metric__priority__position",
            "metric__position",
            "metric_id",
            "period",
            models.F("school__name").asc(nulls_first=True),
            "pk",
        )
        .values_list("metric_id", "school_id", "period", "value", "status")
    )
    header = [_("Priority"), _("Metric"), _("School"), _("Period"), _("Value"), _("Target"), _("Status")]
    names = {pk: (_priority_name(m.priority), str(localized(m, "name"))) for pk, m in metrics.items()}
    statuses = dict(Status.choices)
    whole_district = _("District")
    start_month = district.school_year_start_month

    def rows() -> Iterator[list[Cell]]:
        targets: dict[tuple[int, date, bool], Decimal | None] = {}
        for metric_id, school_id, value_period, value, status in values.iterator(chunk_size=ROW_CHUNK):
            metric = metrics[metric_id]
            key = (metric_id, value_period, school_id is not None)
            if key not in targets:
                targets[key] = value_target(metric, value_period, of_school=school_id is not None)
            yield [
                *names[metric_id],
                schools.get(school_id, "") if school_id else whole_district,
                format_period(value_period, metric.frequency, start_month),
                value,
                targets[key],
                str(statuses.get(status, status)),
            ]

    return ExportTable(_("Metric values %(period)s") % {"period": period.slug}, header, rows(), values.count)


def export_table(
    kind: str, *, district: District, plan: StrategicPlan, period: ExportPeriod, filters: HeatmapFilters
) -> ExportTable:
    """The table of one kind of export (the heat map reads `filters`, with the period's cycle)."""
    if kind == ExportKind.HEATMAP:
        cycle_id = period.cycle.pk if period.cycle else None
        narrowed = HeatmapFilters(cycle_id, filters.level, filters.region, filters.supervisor_id)
        return heatmap_table(district=district, plan=plan, filters=narrowed)
    if kind == ExportKind.CHECKINS:
        return checkin_table(district=district, plan=plan, period=period)
    return metric_value_table(district=district, plan=plan, period=period)
