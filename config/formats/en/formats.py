"""How dates and numbers read in English (US). Templates and Python name these formats
(`|date:"SHORT_DATE_FORMAT"`, `date_format(day, "SHORT_DATE_FORMAT")`), never a literal pattern,
so the Spanish module can say the same thing its own way."""

DATE_FORMAT = "F j, Y"  # December 2, 2026
SHORT_DATE_FORMAT = "M j, Y"  # Dec 2, 2026
DATETIME_FORMAT = "F j, Y, g:i a"  # December 2, 2026, 4:43 p.m.
SHORT_DATETIME_FORMAT = "M j, Y, g:i a"  # Dec 2, 2026, 4:43 p.m.
TIME_FORMAT = "g:i a"  # 4:43 p.m.
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "F j"  # December 2
# Our own names (Django resolves any name a format module defines):
SHORT_YEAR_MONTH_FORMAT = "M Y"  # Dec 2026
SHORT_MONTH_FORMAT = "M"  # Dec (a month column in a school-year table)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# Our own: where a percentage's number goes (metrics.formatting.format_value).
PERCENT_FORMAT = "{number}%"  # 61.3%
