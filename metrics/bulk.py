"""Fast writes of many metric values with their history, for imports and the API's bulk upsert.

Django's `bulk_create` compiles every field of every row in Python, and
django-simple-history builds a model instance per history row: about 15
seconds for 50,000 new values and their history. Here rows go to the
database with `executemany` after converting each distinct date and
timestamp once (COPY would be faster on PostgreSQL, but row-level security
forbids COPY FROM for the application role), and updates are one
UPDATE per 2,000 rows joined to a VALUES list. The SQL is plain enough for
PostgreSQL and SQLite (3.33+) alike, and every statement names the district.

History rows are what django-simple-history would write (same table and
columns, history_type "+" or "~", the actor's user, one timestamp), so the
value's history page and `value.history` read them like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model

from core.bulk import BATCH, quote_name, update_from_values
from districts.models import District, ImportBatch, Membership

from .models import MetricValue
from .rollups import keys_filter

VALUE_COLUMNS = (
    "district_id",
    "metric_id",
    "school_id",
    "period",
    "value",
    "source",
    "note",
    "entered_by_id",
    "import_batch_id",
    "created_at",
    "updated_at",
)


def _insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT many rows with executemany, 2,000 at a time (psycopg pipelines them; sqlite3 loops in C)."""
    table = quote_name(model._meta.db_table)
    names = ", ".join(quote_name(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows[start : start + BATCH])


class _Prepared:
    """Database forms of dates and timestamps, each converted once."""

    def __init__(self) -> None:
        self.period_field = MetricValue._meta.get_field("period")
        self.stamp_field = MetricValue._meta.get_field("updated_at")
        self.periods: dict[object, object] = {}

    def period(self, day: object) -> object:
        if day not in self.periods:
            self.periods[day] = self.period_field.get_db_prep_value(day, connection)
        return self.periods[day]

    def stamp(self, moment: datetime) -> object:
        return self.stamp_field.get_db_prep_value(moment, connection)

    @staticmethod
    def value(number: object) -> object:
        # Already a validated Decimal: both drivers take it as it is (Django registers sqlite3's adapter).
        return number


def insert_values(*, district: District, values: Sequence[MetricValue], now: datetime) -> list[MetricValue]:
    """Insert new values; return them with their ids (read back by key: one query)."""
    if not values:
        return []
    prepared = _Prepared()
    stamp = prepared.stamp(now)
    _insert(
        MetricValue,
        VALUE_COLUMNS,
        (
            (
                district.pk,
                v.metric_id,
                v.school_id,
                prepared.period(v.period),
                prepared.value(v.value),
                v.source,
                v.note,
                v.entered_by_id,
                v.import_batch_id,
                stamp,
                stamp,
            )
            for v in values
        ),
    )
    keys = {(v.metric_id, v.period) for v in values}
    ids = {
        (metric_id, school_id, period): pk
        for pk, metric_id, school_id, period in MetricValue.objects.filter(
            keys_filter(keys), district=district
        ).values_list("pk", "metric_id", "school_id", "period")
    }
    for v in values:
        v.pk = ids[(v.metric_id, v.school_id, v.period)]
        v.created_at = v.updated_at = now
        v._state.adding = False
    return list(values)


def update_values(
    *,
    district: District,
    values: Sequence[MetricValue],
    actor: Membership,
    source: str,
    batch: ImportBatch | None,
    now: datetime,
) -> None:
    """Write new values and notes: one UPDATE per 2,000 rows, joined to a VALUES list.

    (Django's bulk_update builds a CASE expression per row and field: about
    100 seconds for 50,000 rows.)
    """
    if not values:
        return
    table = quote_name(MetricValue._meta.db_table)
    prepared = _Prepared()
    stamp = prepared.stamp(now)
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            chunk = values[start : start + BATCH]
            rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS NUMERIC), %s)"] * len(chunk))
            params: list[Any] = []
            for item in chunk:
                params += [item.pk, prepared.value(item.value), item.note]
            cursor.execute(
                f"WITH changed(id, value, note) AS (VALUES {rows}) "
                f"UPDATE {table} SET value = changed.value, note = changed.note, source = %s, "
                f"entered_by_id = %s, import_batch_id = %s, updated_at = %s "
                f"FROM changed WHERE {table}.id = changed.id AND {table}.district_id = %s",
                [*params, source, actor.pk, batch.pk if batch else None, stamp, district.pk],
            )
    for item in values:
        item.source, item.entered_by_id, item.import_batch_id, item.updated_at = (
            source,
            actor.pk,
            batch.pk if batch else None,
            now,
        )


def insert_history(*, values: Sequence[MetricValue], kind: str, actor: Membership, now: datetime) -> None:
    """One history row per value, as django-simple-history writes them ("+" created, "~" changed, "-" deleted)."""
    if not values:
        return
    history = MetricValue.history.model
    tracked = [f.attname for f in history.tracked_fields]
    columns = [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"]
    prepared = _Prepared()
    stamp = prepared.stamp(now)
    converters = {
        "period": prepared.period,
        "value": prepared.value,
        "created_at": lambda moment: stamp if moment == now else prepared.stamp(moment),
        "updated_at": lambda moment: stamp if moment == now else prepared.stamp(moment),
    }

    def row(value: MetricValue) -> list[Any]:
        cells = []
        for name in tracked:
            cell = getattr(value, name)
            convert = converters.get(name)
            cells.append(convert(cell) if convert else cell)
        return [*cells, stamp, None, kind, actor.user_id]

    _insert(history, columns, (row(v) for v in values))


def delete_values(*, district: District, metric_id: int) -> None:
    """DELETE every value of a metric in one statement (their "-" history rows are the caller's)."""
    table = quote_name(MetricValue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE district_id = %s AND metric_id = %s", [district.pk, metric_id])


def update_judgements(*, district: District, judgements: Sequence[tuple[int, str, bool | None]]) -> None:
    """Store values' judgements (id, status, meets target): one UPDATE per 2,000, joined to a VALUES list."""
    update_from_values(MetricValue, ["status", "meets_target"], judgements, district_id=district.pk)
