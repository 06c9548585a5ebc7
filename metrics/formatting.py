"""Numbers as people read them: a metric's unit and decimals, rounded half up, written the way the
reader's language writes numbers (separators and the percent sign come from config/formats)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from .choices import Unit

# Roll-ups are computed exactly (fractions) and stored truncated to this many
# places. Truncation, not rounding: rounding the stored value half up to any
# display precision of STORED_PLACES - 1 places or fewer then gives the same
# digits as rounding the exact value.
STORED_PLACES = 6
MAX_DISPLAY_DECIMALS = 4

Number = Decimal | Fraction | int


def to_decimal(number: Number) -> Decimal:
    """Exact for Decimal and int; for a Fraction, exact to 28 significant digits (display only)."""
    if isinstance(number, Fraction):
        return Decimal(number.numerator) / Decimal(number.denominator)
    return Decimal(number)


def truncate_for_storage(number: Number) -> Decimal:
    """The exact number truncated toward zero at STORED_PLACES decimal places."""
    fraction = Fraction(number)
    scale = 10**STORED_PLACES
    scaled = abs(fraction.numerator) * scale // fraction.denominator  # floor of |x| * scale
    return (Decimal(scaled if fraction >= 0 else -scaled) / scale).quantize(Decimal(1).scaleb(-STORED_PLACES))


def round_to(number: Number, decimals: int) -> Decimal:
    """Round half up (away from zero at .5) to `decimals` places, computed exactly in integers."""
    fraction = Fraction(number)
    whole = int(abs(fraction) * 10**decimals + Fraction(1, 2))  # floor of a non-negative number
    result = Decimal(whole).scaleb(-decimals)
    return -result if fraction < 0 else result


def plain_number(number: Number, decimals: int) -> str:
    """Digits grouped and pointed as the active language writes them: 1234.5 → "1,234.5"."""
    rounded = round_to(number, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.0"
    # Rounded exactly above; number_format only places the separators (grouping even though
    # USE_THOUSAND_SEPARATOR is off: that setting would also group years and ids in templates).
    return number_format(rounded, decimals, use_l10n=True, force_grouping=True)


def percent(text: str) -> str:
    """A formatted number with the percent sign as the active language writes it: "61.3%", "61.3 %"."""
    pattern = get_format("PERCENT_FORMAT")
    # get_format returns the name itself for a language without our format module.
    return pattern.format(number=text) if "{number}" in pattern else f"{text}%"


def format_value(number: Number | None, unit: str, decimals: int) -> str:
    """92.5 → "92.5%" ("92.5 %" in Spanish), 1234 → "1,234", 12.5 days → "12.5 days", 1500 → "$1,500"."""
    if number is None:
        return "—"
    text = plain_number(number, decimals)
    if unit == Unit.PERCENT:
        return percent(text)
    if unit == Unit.CURRENCY:
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
    if unit == Unit.DAYS:
        return _("%(number)s days") % {"number": text} if text != "1" else _("1 day")
    return text


def format_difference(number: Number, unit: str, decimals: int) -> str:
    """A distance between two values: "1.3 percentage points", "2 days", "$40.00"."""
    text = plain_number(abs(Fraction(number)), decimals)
    if unit == Unit.PERCENT:
        return _("%(number)s percentage points") % {"number": text}
    if unit == Unit.CURRENCY:
        return f"${text}"
    if unit == Unit.DAYS:
        return _("%(number)s days") % {"number": text}
    if unit == Unit.SCORE:
        return _("%(number)s points") % {"number": text}
    return text


def input_number(number: Decimal | None) -> str:
    """A value as a form shows it for editing: no exponent, no trailing zeros."""
    if number is None:
        return ""
    normalized = number.normalize()
    text = f"{normalized:f}"
    return text


def stored_decimal(number: Decimal) -> Decimal:
    """A value as it is stored: at most STORED_PLACES decimal places (the caller has checked the places)."""
    return number.quantize(Decimal(1).scaleb(-STORED_PLACES), rounding=ROUND_DOWN)
