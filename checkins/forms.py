"""The check-in form: one set of fields per entry and one per metric value, all in one Django form.

Every field is optional here: a draft keeps whatever was typed, and what a submission needs (a note when
at risk, an http(s) link, what support is needed, a value in range) is checked by
checkins.services.submit_checkin, whose messages land on these fields. Field labels name the commitment
or the metric, so the error summary says which entry a message is about; the page shows short labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.bilingual import localized

from .models import CheckinEntry, CheckinMetricValue, EntryStatus
from .services import EntryInput

# The order a principal thinks in: on track first, not started last.
STATUS_CHOICES = [
    (EntryStatus.ON_TRACK, EntryStatus.ON_TRACK.label),
    (EntryStatus.AT_RISK, EntryStatus.AT_RISK.label),
    (EntryStatus.OFF_TRACK, EntryStatus.OFF_TRACK.label),
    (EntryStatus.DONE, EntryStatus.DONE.label),
    (EntryStatus.NOT_STARTED, EntryStatus.NOT_STARTED.label),
]
ENTRY_FIELDS = ("status", "note", "evidence_url", "blocker", "support_requested", "support_needed")


def entry_field(entry_pk: int, name: str) -> str:
    return f"e{entry_pk}-{name}"


def value_field(metric_pk: int) -> str:
    return f"m{metric_pk}-value"


_ENTRY_KEY = re.compile(rf"^e(\d+)-({'|'.join(ENTRY_FIELDS)})$")
_VALUE_KEY = re.compile(r"^m(\d+)-value$")
_EVIDENCE_URL_MAX = CheckinEntry._meta.get_field("evidence_url").max_length
_VALUE_TEXT_MAX = CheckinMetricValue._meta.get_field("value_text").max_length
_STATUS_VALUES = frozenset(value for value, _label in STATUS_CHOICES)
_FALSE_CHECKBOX = frozenset({"", "false", "False", "0"})  # as forms.BooleanField reads a checkbox


@dataclass(frozen=True)
class DraftPost:
    """An autosave's fields, read as CheckinForm would read them (stripped text, the same limits)."""

    version: int
    entries: dict[int, EntryInput]
    values: dict[int, str]


def draft_from_post(data: QueryDict) -> DraftPost | None:
    """The typed entries and values of an autosave, straight from the post; None when one is out of bounds.

    An autosave only writes a draft, so it needs none of the form's labels and widgets: a 20-entry
    check-in has 120 fields, and building them all costs more than the save. The service still checks
    every entry and metric belongs to the check-in. A status no radio button was chosen for is empty
    (the stored one is kept).
    """
    try:
        version = int(data.get("version", ""))
    except ValueError:
        return None
    if version < 1:
        return None
    typed: dict[int, dict[str, str]] = {}
    values: dict[int, str] = {}
    for key, raw in data.items():
        if "\x00" in raw:
            return None
        if match := _ENTRY_KEY.match(key):
            typed.setdefault(int(match[1]), {})[match[2]] = raw.strip()
        elif match := _VALUE_KEY.match(key):
            values[int(match[1])] = raw.strip()
    entries = {}
    for pk, fields in typed.items():
        status = fields.get("status", "")
        evidence_url = fields.get("evidence_url", "")
        if (status and status not in _STATUS_VALUES) or len(evidence_url) > _EVIDENCE_URL_MAX:
            return None
        entries[pk] = EntryInput(
            status=status,
            note=fields.get("note", ""),
            evidence_url=evidence_url,
            blocker=fields.get("blocker", ""),
            support_requested=fields.get("support_requested", "") not in _FALSE_CHECKBOX,
            support_needed=fields.get("support_needed", ""),
        )
    if any(len(text) > _VALUE_TEXT_MAX for text in values.values()):
        return None
    return DraftPost(version=version, entries=entries, values=values)


class CheckinForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        data: Any = None,
        *,
        entries: list[CheckinEntry],
        values: list[tuple[Any, CheckinMetricValue | None]],
        version: int,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {"version": version}
        super().__init__(data, initial=initial, **kwargs)
        self.entries = entries
        self.metrics = [metric for metric, _row in values]
        for entry in entries:
            title = str(localized(entry.assignment.commitment, "title"))
            self._add_entry_fields(entry, title)
        for metric, row in values:
            name = value_field(metric.pk)
            self.fields[name] = forms.CharField(
                label=str(localized(metric, "name")),
                required=False,
                max_length=CheckinMetricValue._meta.get_field("value_text").max_length,
                help_text=_("Allowed: %(range)s.") % {"range": metric.valid_range.describe()},
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
            self.initial[name] = row.value_text if row else ""

    def _add_entry_fields(self, entry: CheckinEntry, title: str) -> None:
        about = {"title": title}
        fields = {
            "status": forms.ChoiceField(
                label=pgettext("check-in field", "Status of “%(title)s”") % about,
                choices=STATUS_CHOICES,
                widget=forms.RadioSelect,
            ),
            "note": forms.CharField(
                label=pgettext("check-in field", "Note on “%(title)s”") % about,
                required=False,
                help_text=_("Required when at risk or off track."),
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            "evidence_url": forms.CharField(
                label=pgettext("check-in field", "Evidence link for “%(title)s”") % about,
                required=False,
                max_length=CheckinEntry._meta.get_field("evidence_url").max_length,
                help_text=_("A link starting with https:// (a document, a photo, a report)."),
                widget=forms.URLInput(attrs={"autocomplete": "off"}),
            ),
            "blocker": forms.CharField(
                label=pgettext("check-in field", "Blocker for “%(title)s”") % about,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            ),
            "support_requested": forms.BooleanField(
                label=pgettext("check-in field", "Support requested for “%(title)s”") % about, required=False
            ),
            "support_needed": forms.CharField(
                label=pgettext("check-in field", "Support needed for “%(title)s”") % about,
                required=False,
                help_text=_("Required when support is requested."),
                widget=forms.Textarea(attrs={"rows": 2}),
            ),
        }
        for name, field in fields.items():
            key = entry_field(entry.pk, name)
            self.fields[key] = field
            self.initial[key] = getattr(entry, name)

    def entry_rows(self) -> list[dict[str, Any]]:
        """Per entry: the entry and its bound fields by short name, for the template."""
        return [
            {"entry": entry, **{name: self[entry_field(entry.pk, name)] for name in ENTRY_FIELDS}}
            for entry in self.entries
        ]

    def value_rows(self) -> list[dict[str, Any]]:
        return [{"metric": metric, "field": self[value_field(metric.pk)]} for metric in self.metrics]

    def typed_entries(self) -> dict[int, EntryInput]:
        data = self.cleaned_data
        return {
            entry.pk: EntryInput(
                status=data.get(entry_field(entry.pk, "status")) or entry.status,
                note=data.get(entry_field(entry.pk, "note"), ""),
                evidence_url=data.get(entry_field(entry.pk, "evidence_url"), ""),
                blocker=data.get(entry_field(entry.pk, "blocker"), ""),
                support_requested=bool(data.get(entry_field(entry.pk, "support_requested"))),
                support_needed=data.get(entry_field(entry.pk, "support_needed"), ""),
            )
            for entry in self.entries
        }

    def typed_values(self) -> dict[int, str]:
        return {metric.pk: self.cleaned_data.get(value_field(metric.pk), "") for metric in self.metrics}

    def add_problems(self, problems: Any) -> None:
        """Put a CheckinProblems' messages on their fields."""
        for entry_pk, found in problems.entries.items():
            for name, message in found.items():
                key = entry_field(entry_pk, name)
                self.add_error(key if key in self.fields else None, message)
        for metric_pk, message in problems.values.items():
            key = value_field(metric_pk)
            self.add_error(key if key in self.fields else None, message)
