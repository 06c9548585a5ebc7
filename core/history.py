"""History: saving with who did it, and "who changed what and when" for pages.

Reads django-simple-history records, pairs each with the record before it for
the same object and renders `diff_against` as labelled old → new values.
Foreign keys are turned into names with one query per field, not per change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.text import Truncator

# Bookkeeping columns nobody needs to read in a history.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "district",
        "copied_from",
        "plan",
        "priority",
        "commitment",
        "activated_at",
        "archived_at",
        "status_changed_at",
    }
)
TEXT_PREVIEW_CHARS = 160
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    verb: str  # "added", "changed", "removed"
    subject: str
    changes: tuple[FieldChange, ...]
    reason: str = ""


@dataclass(frozen=True)
class HistorySource:
    """Historical records of one kind of object, and how to name one of them on the page."""

    records: models.QuerySet
    subject: Callable[[Any], str]


def save_with_history(obj: models.Model, *, actor: Any, update_fields: list[str] | None = None) -> None:
    """Validate and save, attributing the history record to the acting membership's user."""
    obj.full_clean()
    obj._history_user = actor.user  # read by django-simple-history
    obj.save(update_fields=update_fields)


def delete_with_history(obj: models.Model, *, actor: Any, name: str) -> None:
    """Delete, recording who did it; rows elsewhere that protect it (e.g. metrics) become a clear message."""
    obj._history_user = actor.user
    try:
        obj.delete()
    except models.ProtectedError as error:
        kinds = sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects})
        raise ValidationError(
            f"{name} can't be deleted while {len(error.protected_objects)} {' and '.join(kinds)} depend on it. "
            "Remove those first."
        ) from None


VERBS = {"+": "added", "~": "changed", "-": "removed"}


def history_entries(*sources: HistorySource, limit: int = 30) -> list[HistoryEntry]:
    """The newest `limit` changes across the sources, newest first."""
    pending: list[tuple[Any, Any, HistorySource]] = []  # (record, previous record or None, source)
    for source in sources:
        previous_of: dict[Any, Any] = {}
        for record in source.records.select_related("history_user").order_by("history_date", "history_id"):
            pending.append((record, previous_of.get(record.id), source))
            previous_of[record.id] = record
    pending.sort(key=lambda item: (item[0].history_date, item[0].history_id), reverse=True)

    diffs = []
    for record, previous, source in pending:
        changes = []
        if record.history_type == "~" and previous is not None:
            changes = [c for c in record.diff_against(previous).changes if c.field not in HIDDEN_FIELDS]
            if not changes:
                continue  # only bookkeeping changed
        diffs.append((record, changes, source))
        if len(diffs) == limit:
            break

    names = _related_names(diffs)
    entries = []
    for record, changes, source in diffs:
        model = record.instance_type
        order = {f.name: i for i, f in enumerate(model._meta.fields)}
        rendered = tuple(
            FieldChange(
                label=str(model._meta.get_field(c.field).verbose_name).capitalize(),
                old=_display(model, c.field, c.old, names),
                new=_display(model, c.field, c.new, names),
            )
            for c in sorted(changes, key=lambda c: order.get(c.field, 0))
        )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=user.get_full_name() if user else "Throughline (automatic)",
                verb=VERBS.get(record.history_type, "changed"),
                subject=source.subject(record),
                changes=rendered,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def _related_names(diffs: Iterable[tuple[Any, list, HistorySource]]) -> dict[tuple[type, Any], str]:
    """Names of every object a foreign-key change points at: one query per related model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for record, changes, _source in diffs:
        for change in changes:
            field = record.instance_type._meta.get_field(change.field)
            if field.is_relation:
                wanted[field.related_model].update(v for v in (change.old, change.new) if v is not None)
    names: dict[tuple[type, Any], str] = {}
    for model, ids in wanted.items():
        queryset = model._default_manager.filter(pk__in=ids)
        if related := getattr(model, "history_select_related", ()):
            queryset = queryset.select_related(*related)
        for obj in queryset:
            names[(model, obj.pk)] = history_name(obj)
    return names


def history_name(obj: models.Model) -> str:
    """How a history line names an object a change points at; a model may say (`history_name`)."""
    named = getattr(obj, "history_name", None)
    return named() if callable(named) else str(obj)


def _display(model: type[models.Model], field_name: str, value: Any, names: dict) -> str:
    field = model._meta.get_field(field_name)
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        return names.get((field.related_model, value), "(since removed)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return Truncator(str(value)).chars(TEXT_PREVIEW_CHARS)
