"""Periods of metric values: a month, or a school year.

A period is stored as a date: the first day of the month, or the first day of
the school year (the district's `school_year_start_month`). Files and URLs
write them as "2025-09" (monthly) and "2024-25" (yearly). A value describes
its period as a whole, so it is judged against the target trajectory at the
period's last day (`period_end`).
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.calendar import school_year_label, school_year_of, school_year_start
from core.parsing import MAX_YEAR, MIN_YEAR

from .choices import Frequency


class PeriodError(ValueError):
    """A period can't be read; the message says how to write it."""


def month_start(day: date) -> date:
    return day.replace(day=1)


def normalize_period(day: date, frequency: str, start_month: int) -> date:
    """The period containing `day`."""
    if frequency == Frequency.YEARLY:
        return school_year_start(school_year_of(day, start_month), start_month)
    return month_start(day)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def next_period(period: date, frequency: str) -> date:
    return add_months(period, 12 if frequency == Frequency.YEARLY else 1)


def period_end(period: date, frequency: str) -> date:
    """The last day of the period."""
    following = next_period(period, frequency)
    return date.fromordinal(following.toordinal() - 1)


def periods_between(first: date, last: date, frequency: str, start_month: int) -> list[date]:
    """Every period from the one containing `first` to the one containing `last`, in order."""
    period = normalize_period(first, frequency, start_month)
    end = normalize_period(last, frequency, start_month)
    periods = []
    while period <= end:
        periods.append(period)
        period = next_period(period, frequency)
    return periods


def period_code(period: date, frequency: str) -> str:
    """The machine form used in files and URLs: "2025-09" or "2024-25"."""
    if frequency == Frequency.YEARLY:
        return f"{period.year}-{(period.year + 1) % 100:02d}"
    return f"{period.year}-{period.month:02d}"


def format_period(period: date, frequency: str, start_month: int) -> str:
    """The form people read: "Sep 2025" or "2024–25"."""
    if frequency == Frequency.YEARLY:
        return school_year_label(period.year, start_month)
    return date_format(period, "SHORT_YEAR_MONTH_FORMAT")


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_SCHOOL_YEAR = re.compile(r"^(?:sy\s*)?(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_NAMED_MONTH = re.compile(r"^([a-z]+)\.?\s+(\d{4})$", re.IGNORECASE)


def _month(year: int, month: int, text: str) -> date:
    if not 1 <= month <= 12 or not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(_("“%(text)s” isn't a month. Write the month like 2025-09.") % {"text": text})
    return date(year, month, 1)


def _parse_school_year(match: re.Match[str], text: str) -> int:
    first = int(match.group(1))
    second = match.group(2)
    if not MIN_YEAR <= first <= MAX_YEAR:
        raise PeriodError(_("“%(text)s” isn't a school year. Write the school year like 2024-25.") % {"text": text})
    expected = first + 1
    if (len(second) == 2 and int(second) != expected % 100) or (len(second) == 4 and int(second) != expected):
        raise PeriodError(
            _("“%(text)s” isn't a school year: the second year must follow the first, like %(example)s.")
            % {"text": text, "example": period_code(date(first, 1, 1), Frequency.YEARLY)}
        )
    return first


def _iso_day(match: re.Match[str], text: str) -> date:
    """The day an ISO date names, within the years the app handles (year 1 would mean 24,000 empty months)."""
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise PeriodError(_("“%(text)s” isn't a date.") % {"text": text}) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PeriodError(_("“%(text)s” is too far in the past or future. Write it like 2025-09.") % {"text": text})
    return day


def parse_period(text: str, frequency: str, start_month: int) -> date:
    """Read a period as people write it in files and forms; raise PeriodError with a fix-it message."""
    raw = " ".join(text.split())
    if not raw:
        raise PeriodError(_("The period is empty."))
    if frequency == Frequency.YEARLY:
        if match := _SCHOOL_YEAR.match(raw):
            return school_year_start(_parse_school_year(match, raw), start_month)
        if match := _ISO_DATE.match(raw):
            return normalize_period(_iso_day(match, raw), frequency, start_month)
        raise PeriodError(
            _("“%(text)s” isn't a school year. This metric is yearly: write the school year like 2024-25.")
            % {"text": raw}
        )
    if (match := _YEAR_MONTH.match(raw)) and 1 <= int(match.group(2)) <= 12:
        return _month(int(match.group(1)), int(match.group(2)), raw)
    if (match := _SCHOOL_YEAR.match(raw)) and int(match.group(2)) % 100 == (int(match.group(1)) + 1) % 100:
        raise PeriodError(
            _("“%(text)s” is a school year, but this metric is monthly: write the month like 2025-09.") % {"text": raw}
        )
    if match := _MONTH_YEAR.match(raw):
        return _month(int(match.group(2)), int(match.group(1)), raw)
    if match := _ISO_DATE.match(raw):
        return month_start(_iso_day(match, raw))
    if (match := _NAMED_MONTH.match(raw)) and match.group(1).lower() in _MONTH_NAMES:
        return _month(int(match.group(2)), _MONTH_NAMES[match.group(1).lower()], raw)
    raise PeriodError(
        _("“%(text)s” isn't a month. This metric is monthly: write the month like 2025-09.") % {"text": raw}
    )
