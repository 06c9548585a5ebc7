"""Template helpers for metrics: values in a metric's unit, period labels, status badges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.calendar import school_year_label
from metrics.choices import STATUS_BADGE, STATUS_SYMBOL, Status
from metrics.formatting import format_difference, format_value
from metrics.models import Metric
from metrics.services import levels_text as services_levels_text

register = template.Library()


@register.filter
def district_value(number: Decimal | None, metric: Metric) -> str:
    """A district value (roll-up, baseline, target) in the unit of the district value."""
    return format_value(number, metric.district_unit, metric.decimals)


@register.filter
def school_value(number: Decimal | None, metric: Metric) -> str:
    """A value as entered (a school's, or a district-only metric's), in the metric's unit."""
    return format_value(number, metric.unit, metric.decimals)


@register.filter
def signed_change(number: Decimal | None, metric: Metric) -> str:
    """+1.2 percentage points / −3 days / no change."""
    if number is None:
        return "—"
    if number == 0:
        return _("no change")
    sign = "+" if number > 0 else "−"
    return f"{sign}{format_difference(number, metric.unit, metric.decimals)}"


@register.filter
def period_of(period: date | None, metric: Metric) -> str:
    return metric.period_label(period) if period else ""


@register.filter
def period_code_of(period: date | None, metric: Metric) -> str:
    return metric.period_code(period) if period else ""


@register.simple_tag
def status_badge(status: object) -> str:
    """A badge with a shape and the status in words: colour is never the only carrier."""
    value = Status(getattr(status, "status", status) or Status.NO_DATA)
    return format_html(
        '<span class="badge {} status-badge"><span class="status-symbol" aria-hidden="true">{}</span> {}</span>',
        STATUS_BADGE[value],
        STATUS_SYMBOL[value],
        value.label,
    )


@register.filter
def sort_query(filters: object, column: str) -> str:
    """The query string that sorts the school table by `column` (toggling direction when already sorted by it)."""
    return filters.sort_link(column)  # type: ignore[attr-defined]


@register.filter
def sort_state(filters: object, column: str) -> str:
    """ "ascending" / "descending" for the column the table is sorted by, else "" (for aria-sort)."""
    return filters.aria_sort(column)  # type: ignore[attr-defined]


@register.filter
def clear_query(filters: object) -> str:
    return filters.query(level="", region="", q="")  # type: ignore[attr-defined]


@register.filter
def school_year(year: int, start_month: int) -> str:
    """`{{ interim.school_year|school_year:district.school_year_start_month }}` → "2026–27"."""
    return school_year_label(year, start_month)


@register.filter
def levels_text(levels: list[str]) -> str:
    return services_levels_text(levels)
