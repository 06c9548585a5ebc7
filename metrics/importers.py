"""CSV import of one metric's values: the way districts bring numbers over from their student information system.

One file holds one metric (the batch's `target_id`): a district's SIS
exports one measure at a time, the period format depends on the metric
(2025-09 or 2024-25), and permission is the metric's priority owner's.
Schools are matched by code, then by name (case-insensitive); an empty
school or "district" means the district value of a district-only metric.

Planning reads the metric, every school and the stored values of the file's
periods: three queries whatever the file's size. Applying goes through
`metrics.services.write_values`, the same path every value takes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from core.csv import write_csv
from districts.imports import Column, CsvTable, ImportCounts, Importer, ImportPlan, RowPlan
from districts.models import District, ImportKind, Membership, School
from districts.policy import Action, require

from .choices import Frequency, ValueSource
from .formatting import format_value
from .forms import parse_number
from .models import Metric, MetricValue
from .periods import PeriodError, format_period, parse_period
from .rollups import keys_filter
from .services import PlannedValue, current_period, ensure_metric_editable, value_problems, write_values

DISTRICT_WORDS = frozenset({"", "district", "district-wide", "districtwide", "all", "all schools"})


class RowDescription:
    """What an import row will do, in words, worked out only when shown (a preview shows the first 200 rows)."""

    __slots__ = ("decimals", "unit", "value", "was", "where")

    def __init__(self, where: str, value: Decimal, was: Decimal | None, unit: str, decimals: int) -> None:
        self.where, self.value, self.was, self.unit, self.decimals = where, value, was, unit, decimals

    def __str__(self) -> str:
        shown = format_value(self.value, self.unit, self.decimals)
        if self.was is None:
            return f"{self.where}: {shown}"
        return f"{self.where}: {format_value(self.was, self.unit, self.decimals)} → {shown}"


class MetricValueImporter(Importer):
    kind = ImportKind.METRIC_VALUES
    title = gettext_lazy("Import values")
    created_sentence = ngettext_lazy("%(count)s value was created.", "%(count)s values were created.", "count")
    updated_sentence = ngettext_lazy("%(count)s value was updated.", "%(count)s values were updated.", "count")

    def __init__(self, *, district: District, metric: Metric) -> None:
        super().__init__(district=district, target_id=metric.pk)
        self.metric = metric
        frequency = _("month") if metric.frequency == Frequency.MONTHLY else _("school year")
        self.lede = _(
            "One file per metric, one row per school and %(frequency)s. A row for a school and period that "
            "already has a value updates it; the earlier value stays in its history."
        ) % {"frequency": frequency}
        monthly = metric.frequency == Frequency.MONTHLY
        school_help = (
            _("The school's code (as in Throughline's school list) or its exact name.")
            if metric.is_school_level
            else _("Leave empty, or write “district”: this metric has one value for the whole district.")
        )
        self.columns = (
            Column("school", metric.is_school_level, str(school_help), "" if metric.is_school_level else "district"),
            Column(
                "period",
                True,
                str(_("The month, like 2025-09.") if monthly else _("The school year, like 2024-25.")),
                "2025-09" if monthly else "2024-25",
            ),
            Column(
                "value",
                True,
                _("A number: %(range)s. Signs like %% and $ are fine. Leave empty to skip a row.")
                % {"range": metric.valid_range.describe()},
                "92.5",
            ),
            Column("note", False, str(_("Optional, up to 300 characters.")), ""),
        )
        self.title = _("Import values: %(metric)s") % {"metric": metric.name}

    def sample_csv(self) -> str:
        """The columns and one example row naming a real school of the district and the current period."""
        metric = self.metric
        school = None
        if metric.is_school_level:
            schools = School.objects.filter(district=self.district).order_by("name")
            if metric.school_levels:
                schools = schools.filter(level__in=metric.school_levels)
            school = schools.first()
        period = current_period(self.district, metric.frequency)
        place = (school.code or school.name) if school else ("" if metric.is_school_level else "district")
        example = [place, metric.period_code(period), Decimal("92.5") if metric.unit == "percent" else 12, ""]
        return write_csv([c.name for c in self.columns], [example])

    def check_permission(self, actor: Membership) -> None:
        require(actor, Action.IMPORT_METRIC_VALUES, self.metric)

    def _school_index(self) -> tuple[dict[str, School], dict[str, School]]:
        by_code: dict[str, School] = {}
        by_name: dict[str, School] = {}
        for school in School.objects.filter(district=self.district):
            if school.code:
                by_code[school.code.strip().lower()] = school
            by_name[" ".join(school.name.split()).lower()] = school
        return by_code, by_name

    def plan(self, table: CsvTable) -> ImportPlan:
        plan = ImportPlan()
        metric = self.metric
        try:
            ensure_metric_editable(metric)
        except ValidationError as error:  # an archived plan: nothing in the file can be imported
            plan.problem(1, "", " ".join(error.messages))
            return plan
        start_month = self.district.school_year_start_month
        today = timezone.localdate(timezone=self.district.tzinfo)
        by_code, by_name = self._school_index()
        unit, decimals = metric.unit, max(metric.decimals, 1)
        candidates: list[tuple[int, PlannedValue, str]] = []
        seen: dict[tuple[int | None, date], int] = {}
        periods: dict[str, date | str] = {}  # each distinct text parsed once: a period, or why it isn't one
        labels: dict[date, str] = {}
        skipped = 0
        for row in table.rows:
            school_text, period_text, value_text = row.get("school"), row.get("period"), row.get("value")
            if not value_text:
                skipped += 1
                continue
            problems: dict[str, str] = {}
            school: School | None = None
            if metric.is_school_level or school_text.lower() not in DISTRICT_WORDS:
                key = " ".join(school_text.split()).lower()
                school = by_code.get(key) or by_name.get(key)
                if school is None:
                    problems["school"] = (
                        _("No school has the code or name “%(text)s”.") % {"text": school_text}
                        if school_text
                        else _("The school is empty. Write the school's code or name.")
                    )
            if period_text not in periods:
                try:
                    periods[period_text] = parse_period(period_text, metric.frequency, start_month)
                except PeriodError as error:
                    periods[period_text] = str(error)
            period: date | None = None
            if isinstance(periods[period_text], date):
                period = periods[period_text]  # type: ignore[assignment]
            else:
                problems["period"] = periods[period_text]  # type: ignore[assignment]
            number = parse_number(value_text)
            if number is None:
                problems["value"] = _("“%(text)s” isn't a number.") % {"text": value_text}
            if "school" not in problems and period is not None and number is not None:
                problems.update(
                    value_problems(
                        district=self.district, metric=metric, school=school, period=period, value=number, today=today
                    )
                )
            note = " ".join(row.get("note").split())
            if len(note) > 300:
                problems["note"] = _("The note is longer than 300 characters.")
            if not problems and period is not None:
                key = (school.pk if school else None, period)
                if key in seen:
                    problems[""] = _("Duplicate row: same school and period as row %(row)s.") % {"row": seen[key]}
                else:
                    seen[key] = row.number
            for column, message in problems.items():
                plan.problem(row.number, column, message)
            if problems:
                continue
            planned = PlannedValue(metric, school.pk if school else None, period, number, note)  # type: ignore[arg-type]
            place = school.name if school else _("District")
            if period not in labels:
                labels[period] = format_period(period, metric.frequency, start_month)  # type: ignore[index]
            candidates.append((row.number, planned, f"{place} · {labels[period]}"))  # type: ignore[index]
        if skipped:
            plan.notes.append(
                ngettext(
                    "%(count)s row with an empty value will be skipped: nothing is stored for it.",
                    "%(count)s rows with an empty value will be skipped: nothing is stored for them.",
                    skipped,
                )
                % {"count": skipped}
            )
        keys = sorted({(metric.pk, p.period) for _r, p, _d in candidates})
        stored = {
            (metric_id, school_id, period): (value, note)
            for metric_id, school_id, period, value, note in MetricValue.objects.filter(
                keys_filter(keys), district=self.district
            ).values_list("metric_id", "school_id", "period", "value", "note")
        }
        for number, planned, where in candidates:
            current = stored.get(planned.key)
            if current is None:
                action, was = "create", None
            elif current[0] == planned.value and (not planned.note or planned.note == current[1]):
                action, was = "unchanged", None
            else:
                action, was = "update", current[0]
            plan.rows.append(
                RowPlan(number, action, RowDescription(where, planned.value, was, unit, decimals), planned)
            )
        return plan

    def apply(self, plan: ImportPlan, *, actor: Membership) -> ImportCounts:
        planned = [row.payload for row in plan.rows if row.action != "unchanged"]
        result = write_values(
            district=self.district, actor=actor, planned=planned, source=ValueSource.IMPORT, batch=self.batch
        )
        return ImportCounts(created=result.created, updated=result.updated)
