"""History: saving with who did it, and "who changed what and when" for pages.

Reads django-simple-history records, pairs each with the record before it for
the same object and renders `diff_against` as labelled old → new values.
Foreign keys are turned into names with one query per field, not per change.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext
from simple_history.models import ModelChange

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
class Action:
    verb: str  # the word alone, for a table's "Change" column: "changed"
    sentence: str  # the whole history line, so each language orders who, verb and what itself


# What a history line can say. A sentence without %(subject)s names what it is about itself
# ("joined the district"), so no language has to fit an article after a preposition.
ACTIONS = {
    "added": Action(gettext_lazy("added"), gettext_lazy("%(who)s added %(subject)s")),
    "changed": Action(gettext_lazy("changed"), gettext_lazy("%(who)s changed %(subject)s")),
    "removed": Action(gettext_lazy("removed"), gettext_lazy("%(who)s removed %(subject)s")),
    "joined": Action(gettext_lazy("joined"), gettext_lazy("%(who)s joined the district")),
    "rejoined": Action(gettext_lazy("rejoined"), gettext_lazy("%(who)s rejoined the district")),
    "deactivated": Action(gettext_lazy("deactivated"), gettext_lazy("%(who)s deactivated %(subject)s")),
    "reactivated": Action(gettext_lazy("reactivated"), gettext_lazy("%(who)s reactivated %(subject)s")),
}
RECORD_ACTIONS = {"+": "added", "~": "changed", "-": "removed"}  # simple-history's history_type


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    verb: str  # "added", "changed", "removed": a table's "Change" column
    subject: str
    changes: tuple[FieldChange, ...]
    reason: str = ""
    action: str = "changed"  # a key of ACTIONS: which sentence `line` is

    @property
    def line(self) -> SafeString:
        """The entry as one sentence, e.g. "<strong>Ana Ruiz</strong> changed the plan"; every part HTML-escaped."""
        parts = {"who": format_html("<strong>{}</strong>", self.who), "subject": conditional_escape(self.subject)}
        return mark_safe(conditional_escape(ACTIONS[self.action].sentence) % parts)


@dataclass(frozen=True)
class HistorySource:
    """Historical records of one kind of object, and how to name one of them on the page.

    A kind may hide more of its columns (`hidden`), list the values an object was added with
    (`added_values`: "Role: — → Principal") and word some changes itself: `describe(record, previous)`
    gives (action, subject), an action being a key of ACTIONS, e.g. ("deactivated", "Grace Okafor"), or None
    for added/changed/removed and `subject`. A change so worded is shown even when every column it touched is hidden.
    """

    records: models.QuerySet
    subject: Callable[[Any], str]
    hidden: frozenset[str] = frozenset()
    added_values: bool = False
    describe: Callable[[Any, Any], tuple[str, str] | None] | None = None


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
        kinds = sorted({capfirst(o._meta.verbose_name_plural) for o in error.protected_objects})
        count = len(error.protected_objects)
        # The kinds are a list after a colon, not words inside the sentence, so no language needs their plural.
        raise ValidationError(
            ngettext(
                "%(name)s can't be deleted while %(count)s other record depends on it (%(kinds)s). Remove it first.",
                "%(name)s can't be deleted while %(count)s other records depend on it (%(kinds)s). Remove those first.",
                count,
            )
            % {"name": name, "count": count, "kinds": ", ".join(kinds)}
        ) from None


class History(list):
    """The entries a page shows, newest first; `more` says whether older ones exist beyond `limit`."""

    def __init__(self, entries: Iterable[HistoryEntry] = (), *, limit: int = 0, more: bool = False) -> None:
        super().__init__(entries)
        self.limit = limit
        self.more = more


def history_entries(*sources: HistorySource, limit: int = 30) -> History:
    """The newest `limit` changes across the sources, newest first.

    Reads only what it shows: each source is read newest first in chunks ordered and limited in SQL
    (`ORDER BY history_date DESC, history_id DESC LIMIT limit + 1`), each record with the record
    before it for the same object, and the sources are merged as they are read. A source reads
    another chunk only when changes that touched nothing a reader sees were skipped.
    """
    chunk = limit + 1  # one more than shown says whether there is more
    streams = [_newest_first(source, chunk=chunk) for source in sources]
    merged = heapq.merge(*streams, key=lambda item: (item[0].history_date, item[0].history_id), reverse=True)

    diffs = []
    more = False
    for record, previous, source in merged:
        changes = []
        if record.history_type == "~" and previous is not None:
            changes = record.diff_against(previous).changes
        elif record.history_type == "+" and source.added_values:
            changes = _added_values(record)
        changes = [c for c in changes if c.field not in HIDDEN_FIELDS and c.field not in source.hidden]
        worded = source.describe(record, previous) if source.describe is not None else None
        if record.history_type == "~" and previous is not None and not changes and worded is None:
            continue  # only bookkeeping changed
        if len(diffs) == limit:
            more = True
            break
        diffs.append((record, changes, source, worded))

    names = _related_names((record, changes) for record, changes, _source, _worded in diffs)
    entries = []
    for record, changes, source, worded in diffs:
        model = record.instance_type
        order = {f.name: i for i, f in enumerate(model._meta.fields)}
        rendered = tuple(
            FieldChange(
                label=capfirst(str(model._meta.get_field(c.field).verbose_name)),  # keeps "Spanish" capital
                old=_display(model, c.field, c.old, names),
                new=_display(model, c.field, c.new, names),
            )
            for c in sorted(changes, key=lambda c: order.get(c.field, 0))
        )
        user = record.history_user
        action = worded[0] if worded else RECORD_ACTIONS.get(record.history_type, "changed")
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=user.get_full_name() if user else gettext("Throughline (automatic)"),
                verb=str(ACTIONS[action].verb),
                action=action,
                subject=str(worded[1] if worded else source.subject(record)),
                changes=rendered,
                reason=record.history_change_reason or "",
            )
        )
    return History(entries, limit=limit, more=more)


def _newest_first(source: HistorySource, *, chunk: int) -> Iterator[tuple[Any, Any, HistorySource]]:
    """A source's records newest first, each with the record before it for the same object (or None).

    Two queries per chunk of `chunk` records: the chunk, with the id of each record's previous record
    from a correlated subquery, and the previous records that fall outside the chunk.
    """
    records = source.records
    pk = records.model.instance_type._meta.pk.attname
    previous_id = (
        records.filter(**{pk: OuterRef(pk)})
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    newest = records.select_related("history_user").annotate(previous_history_id=Subquery(previous_id))
    newest = newest.order_by("-history_date", "-history_id")
    while True:
        rows = list(newest[:chunk])
        in_chunk = {row.history_id: row for row in rows}
        wanted = {
            row.previous_history_id for row in rows if row.history_type == "~" and row.previous_history_id is not None
        } - in_chunk.keys()
        earlier = {row.history_id: row for row in records.filter(history_id__in=wanted)} if wanted else {}
        for row in rows:
            yield row, in_chunk.get(row.previous_history_id) or earlier.get(row.previous_history_id), source
        if len(rows) < chunk:
            return
        last = rows[-1]
        newest = newest.filter(
            Q(history_date__lt=last.history_date) | Q(history_date=last.history_date, history_id__lt=last.history_id)
        )


def _added_values(record: Any) -> list[ModelChange]:
    """The values an object was added with, as changes from nothing (empty ones and untracked columns left out)."""
    tracked = {field.attname for field in record._meta.fields}
    return [
        ModelChange(field.name, None, value)
        for field in record.instance_type._meta.fields
        if field.attname in tracked and (value := getattr(record, field.attname)) not in (None, "")
    ]


def _related_names(diffs: Iterable[tuple[Any, list]]) -> dict[tuple[type, Any], str]:
    """Names of every object a foreign-key change points at: one query per related model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for record, changes in diffs:
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
        return names.get((field.related_model, value), gettext("(since removed)"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        # In the district's time zone (activated per request), as the page's other times are.
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return Truncator(str(value)).chars(TEXT_PREVIEW_CHARS)
