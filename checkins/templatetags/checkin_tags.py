"""Template helpers of the check-in review pages: an entry's thread from the response panel, and a
length of time in words ("3 hours", "12 days")."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def entry_thread(panel: Any, entry: Any) -> Any:
    """`response_panel|entry_thread:entry`: that entry's EntryThread, or None."""
    if panel is None or entry is None:
        return None
    return panel.for_entry(entry)


def duration_text(seconds: int | float | None) -> str:
    """A length of time in its largest whole unit: minutes under two hours, hours under two days, else days."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 2 * 3600:
        minutes = max(1, seconds // 60)
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if seconds < 2 * 86400:
        hours = seconds // 3600
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = seconds // 86400
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


@register.filter(name="duration")
def duration_filter(seconds: int | float | None) -> str:
    return duration_text(seconds)
