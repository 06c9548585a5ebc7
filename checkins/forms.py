"""The check-in form: one set of fields per entry and one per metric value, all in one Django form.

Every field is optional here: a draft keeps whatever was typed, and what a submission needs (a note when
at risk, an http(s) link, what support is needed, a value in range) is checked by
checkins.services.submit_checkin, whose messages land on these fields. Field labels name the commitment
or the metric, so the error summary says which entry a message is about; the page shows short labels.
"""

from __future__ import annotations

from typing import Any

from django import forms
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
