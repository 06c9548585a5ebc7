"""District-entered text in two languages: which version a reader sees.

A bilingual field `<field>` (a priority's title, a metric's definition …) has a sibling column
`<field>_es`, blank until someone enters the Spanish. The models keep their own managers and every
column reads as itself, so services, history and exports see both texts as stored; only the pages
choose, here: a Spanish reader gets the Spanish where it was entered and the English, marked as
English (lang="en"), where it was not. An English reader always gets the English, unmarked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language

ENGLISH = "en"


class LocalizedText(str):
    """The text to show, carrying its language (`lang`) and whether it must be marked as such:
    `marked` is true when the page is in another language and this is the English it fell back to."""

    lang: str
    marked: bool

    def __new__(cls, value: str, *, lang: str, marked: bool = False) -> LocalizedText:
        text = super().__new__(cls, value)
        text.lang, text.marked = lang, marked
        return text


def reading_language() -> str:
    """The active language's base code ("es" for "es-us")."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def localized(obj: Any, field: str) -> LocalizedText:
    """`obj.<field>` in the reader's language: `<field>_<lang>` when entered, else the English."""
    english = getattr(obj, field, "") or ""
    lang = reading_language()
    if lang == ENGLISH:
        return LocalizedText(english, lang=ENGLISH)
    translated = getattr(obj, f"{field}_{lang}", "") or ""
    if translated.strip():
        return LocalizedText(translated, lang=lang)
    # Empty English needs no mark: there is nothing to read in the wrong language.
    return LocalizedText(english, lang=ENGLISH, marked=bool(english))


def spanish_field(field: str) -> str:
    """The name of a bilingual field's Spanish column."""
    return f"{field}_es"
