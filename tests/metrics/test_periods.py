"""Periods: parsing what people type in files and forms, normalizing, labelling."""

from datetime import date

import pytest

from core.calendar import school_year_of
from metrics.choices import Frequency
from metrics.periods import (
    PeriodError,
    format_period,
    next_period,
    normalize_period,
    parse_period,
    period_code,
    period_end,
    periods_between,
)

AUGUST = 8


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-09", date(2025, 9, 1)),
        ("2025-9", date(2025, 9, 1)),
        (" 2025-09 ", date(2025, 9, 1)),
        ("2025/09", date(2025, 9, 1)),
        ("09/2025", date(2025, 9, 1)),
        ("2025-09-17", date(2025, 9, 1)),
        ("Sep 2025", date(2025, 9, 1)),
        ("september 2025", date(2025, 9, 1)),
        ("Sept. 2025", date(2025, 9, 1)),
    ],
)
def test_monthly_periods_people_write(text, expected):
    assert parse_period(text, Frequency.MONTHLY, AUGUST) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-25", date(2024, 8, 1)),
        ("2024-2025", date(2024, 8, 1)),
        ("2024–25", date(2024, 8, 1)),
        ("SY2024-25", date(2024, 8, 1)),
        ("sy 2024-25", date(2024, 8, 1)),
        ("2025-03-01", date(2024, 8, 1)),  # a date inside the school year
        ("2025-08-01", date(2025, 8, 1)),
        ("1999-00", date(1999, 8, 1)),  # the century turns
    ],
)
def test_yearly_periods_people_write(text, expected):
    assert parse_period(text, Frequency.YEARLY, AUGUST) == expected


@pytest.mark.parametrize(
    "text, frequency, fragment",
    [
        ("2024-25", Frequency.MONTHLY, "is a school year, but this metric is monthly"),
        ("2025-13", Frequency.MONTHLY, "isn't a month"),
        ("2025-02-30", Frequency.MONTHLY, "isn't a date"),
        ("last month", Frequency.MONTHLY, "write the month like 2025-09"),
        ("", Frequency.MONTHLY, "empty"),
        ("2024-26", Frequency.YEARLY, "second year must follow the first"),
        ("2025", Frequency.YEARLY, "write the school year like 2024-25"),
        ("Sep 2025", Frequency.YEARLY, "write the school year like 2024-25"),
    ],
)
def test_unreadable_periods_say_how_to_write_them(text, frequency, fragment):
    with pytest.raises(PeriodError) as error:
        parse_period(text, frequency, AUGUST)
    assert fragment in str(error.value)


def test_school_year_follows_the_districts_start_month():
    assert school_year_of(date(2025, 7, 31), AUGUST) == 2024
    assert school_year_of(date(2025, 8, 1), AUGUST) == 2025
    assert school_year_of(date(2025, 1, 1), 1) == 2025
    assert normalize_period(date(2025, 7, 31), Frequency.YEARLY, 7) == date(2025, 7, 1)
    assert normalize_period(date(2025, 7, 31), Frequency.MONTHLY, 7) == date(2025, 7, 1)


def test_period_ends_codes_and_labels():
    assert period_end(date(2024, 2, 1), Frequency.MONTHLY) == date(2024, 2, 29)
    assert period_end(date(2024, 8, 1), Frequency.YEARLY) == date(2025, 7, 31)
    assert next_period(date(2024, 12, 1), Frequency.MONTHLY) == date(2025, 1, 1)
    assert period_code(date(2025, 9, 1), Frequency.MONTHLY) == "2025-09"
    assert period_code(date(2024, 8, 1), Frequency.YEARLY) == "2024-25"
    assert format_period(date(2024, 8, 1), Frequency.YEARLY, AUGUST) == "2024–25"
    assert format_period(date(2025, 9, 1), Frequency.MONTHLY, AUGUST) == "Sep 2025"


def test_periods_between_covers_both_ends():
    months = periods_between(date(2024, 11, 15), date(2025, 2, 3), Frequency.MONTHLY, AUGUST)
    assert months == [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
    years = periods_between(date(2023, 9, 1), date(2025, 6, 30), Frequency.YEARLY, AUGUST)
    assert years == [date(2023, 8, 1), date(2024, 8, 1)]
