"""Showing district-entered text in the reader's language (core.bilingual).

{{ priority|localized:"title" }}          escaped text, in <span lang="en"> when it fell back to English
{{ metric|localized_text:"name" }}        plain text, for <title>, attributes and <option> labels
{% localized plan "vision" paragraphs=True %}   as `linebreaks`, in <div lang="en"> when English
{% localized plan "vision" words=40 %}          as `truncatewords`
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from core.bilingual import LocalizedText
from core.bilingual import localized as localized_text_of

register = template.Library()


def _html(text: LocalizedText, *, paragraphs: bool = False, words: int | None = None) -> SafeString:
    value: str = text
    if words:
        value = Truncator(value).words(words, truncate=" …")
    if paragraphs:
        # linebreaks escapes its input when autoescaping; the mark goes round all the paragraphs.
        body = linebreaks_filter(value, autoescape=True)
        return format_html('<div lang="{}">{}</div>', text.lang, body) if text.marked else body
    if text.marked:
        return format_html('<span lang="{}">{}</span>', text.lang, value)
    return escape(value)


@register.filter(name="localized")
def localized_filter(obj: Any, field: str) -> SafeString:
    """`{{ priority|localized:"title" }}`: also usable in `blocktranslate with …=`, the mark included."""
    if obj in (None, ""):
        return mark_safe("")
    return _html(localized_text_of(obj, field))


@register.filter
def localized_text(obj: Any, field: str) -> str:
    """`{{ metric|localized_text:"name" }}`: plain text, escaped like any variable; no mark is possible
    inside <title>, attributes or <option>, so none is added."""
    if obj in (None, ""):
        return ""
    return localized_text_of(obj, field)


@register.simple_tag
def localized(obj: Any, field: str, *, paragraphs: bool = False, words: int | None = None) -> SafeString:
    """`{% localized plan "vision" paragraphs=True %}`: multi-line text keeps its paragraphs."""
    if obj in (None, ""):
        return mark_safe("")
    return _html(localized_text_of(obj, field), paragraphs=paragraphs, words=words)
