"""The school-year calendar: which school year a day falls in, its months, and a plan's period.

A school year is named by the calendar year it starts in; it starts on the 1st
of the district's `school_year_start_month`. Functions take that month (an
int) rather than a district, so every app can use them.

A plan's period has one meaning everywhere: a 2025–2030 plan runs from the
start of the school year that begins in 2025 to the end of the school year
that ends in 2030 (2029–30), i.e. the school years starting 2025 … 2029.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format


def school_year_of(day: date, start_month: int) -> int:
    """The calendar year in which the school year containing `day` starts."""
    return day.year if day.month >= start_month else day.year - 1


def school_year_start(year: int, start_month: int) -> date:
    """The first day of the school year that starts in `year`."""
    return date(year, start_month, 1)


def school_year_end(year: int, start_month: int) -> date:
    """The last day of the school year that starts in `year`."""
    return school_year_start(year + 1, start_month) - timedelta(days=1)


def school_year_label(year: int, start_month: int) -> str:
    """2024 → "2024–25"; a district whose school year is the calendar year says "2024"."""
    if start_month == 1:
        return str(year)
    return f"{year}–{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Month:
    first_day: date
    last_day: date

    @property
    def short_label(self) -> str:
        return date_format(self.first_day, "SHORT_MONTH_FORMAT")  # strftime would ignore the language

    @property
    def long_label(self) -> str:
        return date_format(self.first_day, "YEAR_MONTH_FORMAT")


def school_year_months(year: int, start_month: int) -> list[Month]:
    """The twelve months of the school year that starts in `year`, in order."""
    months = []
    y, m = year, start_month
    for _ in range(12):
        months.append(Month(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


@dataclass(frozen=True)
class PlanPeriod:
    """When a plan with years `start_year`–`end_year` runs, in a district whose school year starts in `start_month`."""

    start_year: int
    end_year: int
    start_month: int

    @property
    def school_years(self) -> range:
        """The start years of the school years the plan covers: 2025–2030 → 2025 … 2029."""
        return range(self.start_year, max(self.end_year, self.start_year + 1))

    @property
    def first_day(self) -> date:
        return school_year_start(self.start_year, self.start_month)

    @property
    def last_day(self) -> date:
        return school_year_end(self.school_years[-1], self.start_month)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def clamp(self, day: date) -> date:
        """The day itself if inside the period, else the nearer end."""
        return min(max(day, self.first_day), self.last_day)

    def school_year_containing(self, day: date) -> int:
        """The school year of `day`, kept within the plan's school years."""
        years = self.school_years
        return min(max(school_year_of(day, self.start_month), years[0]), years[-1])


def plan_period(start_year: int, end_year: int, start_month: int) -> PlanPeriod:
    return PlanPeriod(start_year=start_year, end_year=end_year, start_month=start_month)
