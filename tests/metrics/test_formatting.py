"""Dates, numbers and percentages read the way the reader's language writes them (issue 8).

English is US English; Spanish follows CLDR's es-US conventions (config/formats/es): a decimal
point and comma grouping as in English, "2 de diciembre de 2026", lowercase month abbreviations,
and a no-break space before the percent sign.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from core.calendar import school_year_months
from core.templatetags.core_tags import month_span
from metrics.choices import Unit
from metrics.formatting import format_difference, format_value, plain_number
from metrics.periods import format_period

NBSP = "\u00a0"
DAY = date(2026, 12, 2)
MOMENT = datetime(2026, 12, 2, 16, 43)


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "DATE_FORMAT", "December 2, 2026"),
        ("en", "SHORT_DATE_FORMAT", "Dec 2, 2026"),
        ("en", "YEAR_MONTH_FORMAT", "December 2026"),
        ("en", "SHORT_YEAR_MONTH_FORMAT", "Dec 2026"),
        ("es", "DATE_FORMAT", "2 de diciembre de 2026"),
        ("es", "SHORT_DATE_FORMAT", "2 dic 2026"),
        ("es", "YEAR_MONTH_FORMAT", "diciembre de 2026"),
        ("es", "SHORT_YEAR_MONTH_FORMAT", "dic 2026"),
        ("es", "MONTH_DAY_FORMAT", "2 de diciembre"),
    ],
)
def test_named_date_formats_read_as_each_language_writes_dates(language, name, expected):
    with translation.override(language):
        assert date_format(DAY, name) == expected


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "DATETIME_FORMAT", "December 2, 2026, 4:43 p.m."),
        ("en", "SHORT_DATETIME_FORMAT", "Dec 2, 2026, 4:43 p.m."),
        ("es", "DATETIME_FORMAT", "2 de diciembre de 2026, 4:43 p.m."),
        ("es", "SHORT_DATETIME_FORMAT", "2 dic 2026, 4:43 p.m."),
    ],
)
def test_named_datetime_formats(language, name, expected):
    with translation.override(language):
        assert date_format(MOMENT, name) == expected


def test_templates_name_the_format_and_get_the_readers_language():
    template = Template('{{ day|date:"DATE_FORMAT" }} · {{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("es"):
        assert template.render(Context({"day": DAY})) == "2 de diciembre de 2026 · 2 dic 2026"
    with translation.override("en"):
        assert template.render(Context({"day": DAY})) == "December 2, 2026 · Dec 2, 2026"


def test_month_labels_periods_and_commitment_spans_follow_the_language():
    """These used strftime, which writes English whatever the reader's language."""
    september = school_year_months(2026, 8)[1]
    commitment = SimpleNamespace(starts_on=date(2025, 8, 1), ends_on=date(2026, 12, 31))
    with translation.override("en"):
        assert (september.short_label, september.long_label) == ("Sep", "September 2026")
        assert format_period(date(2026, 12, 1), "monthly", 8) == "Dec 2026"
        assert month_span(commitment) == "Aug 2025 – Dec 2026"
    with translation.override("es"):
        assert (september.short_label, september.long_label) == ("sep", "septiembre de 2026")
        assert format_period(date(2026, 12, 1), "monthly", 8) == "dic 2026"
        assert month_span(commitment) == "ago 2025 – dic 2026"


def test_percentages_in_english_and_spanish():
    with translation.override("en"):
        assert format_value(Decimal("61.25"), Unit.PERCENT, 1) == "61.3%"
        assert format_value(Decimal("1234.5"), Unit.PERCENT, 1) == "1,234.5%"
    with translation.override("es"):
        # The no-break space keeps "61.3" and "%" on one line.
        assert format_value(Decimal("61.25"), Unit.PERCENT, 1) == f"61.3{NBSP}%"
        assert format_value(Decimal("-0.01"), Unit.PERCENT, 1) == f"0.0{NBSP}%"


@pytest.mark.parametrize("language", ["en", "es"])
def test_counts_money_and_days_group_thousands_in_both_languages(language):
    with translation.override(language):
        assert format_value(Decimal("1234567"), Unit.COUNT, 0) == "1,234,567"
        assert format_value(Decimal("-1234.5"), Unit.CURRENCY, 2) == "-$1,234.50"
        assert format_value(Decimal("1500"), Unit.SCORE, 1) == "1,500.0"
    with translation.override("es"):
        assert format_value(Decimal("1234"), Unit.DAYS, 0) == "1,234 días"
        assert format_difference(Decimal("-1.25"), Unit.PERCENT, 1) == "1.3 puntos porcentuales"


def test_separators_come_from_the_language_not_from_the_code():
    """A language whose numbers use a decimal comma gets one: nothing hard-codes "," and "."."""
    with translation.override("de"):
        assert plain_number(Decimal("1234567.25"), 2) == "1.234.567,25"
        assert format_value(Decimal("61.25"), Unit.PERCENT, 1) == "61,3%"


def test_rounding_stays_exact_half_up_whatever_the_separators():
    with translation.override("es"):
        assert plain_number(Decimal("2.675"), 2) == "2.68"  # a float would give 2.67
        assert plain_number(Decimal("999999.995"), 2) == "1,000,000.00"


def test_a_roll_ups_exact_sum_keeps_every_digit_with_the_languages_separators():
    from fractions import Fraction

    from metrics.aggregation import exact_number

    with translation.override("es"):
        assert exact_number(Fraction(2221, 2)) == "1,110.5"
        assert exact_number(Fraction(1000)) == "1,000"  # not "1E+3"
    with translation.override("de"):
        assert exact_number(Fraction(2221, 2)) == "1.110,5"


def test_a_charts_labels_and_tooltips_write_percentages_as_the_language_does():
    from metrics.charts import ChartPoint, TrendChart, trend_chart

    chart = TrendChart(
        chart_id="c",
        title="Asistencia",
        description="",
        unit=Unit.PERCENT,
        decimals=1,
        points=[
            ChartPoint(date(2025, 7, 31), "2024–25", Decimal("88")),
            ChartPoint(date(2026, 7, 31), "2025–26", None),
        ],
    )
    with translation.override("es"):
        svg = trend_chart(chart)
        assert f"2024–25: 88.0{NBSP}%</title>" in svg  # the point's tooltip
        assert f"88.0{NBSP}%</text>" in svg  # the last value's label
        assert "88.0%" not in svg
    with translation.override("en"):
        assert "2024–25: 88.0%</title>" in trend_chart(chart)
