"""Small template helpers for plan and priority pages."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.simple_tag
def dom_id(*parts: object) -> str:
    """`{% dom_id "priority" priority.pk "up" as up_id %}` → "priority-12-up": ids that HTMX swaps and focus rely on."""
    return "-".join(str(part) for part in parts if part not in (None, ""))


@register.filter
def month_span(commitment: object) -> str:
    """ "Aug 2025 – Jun 2030" for a commitment's dates."""
    starts, ends = commitment.starts_on, commitment.ends_on
    first = date_format(starts, "SHORT_YEAR_MONTH_FORMAT")  # in the reader's language, unlike strftime
    if (starts.year, starts.month) == (ends.year, ends.month):
        return first
    return f"{first} – {date_format(ends, 'SHORT_YEAR_MONTH_FORMAT')}"


@register.filter
def as_common_noun(name: str) -> str:
    """A district-entered group name inside a sentence: "Principals" → "principals",
    "ELL Teachers" → "ELL teachers". Only capitalised words are lowered, so acronyms stay as entered
    (`|lower` made "ell teachers")."""
    return " ".join(
        word.lower() if word[:1].isupper() and word[1:] == word[1:].lower() else word for word in str(name).split(" ")
    )
