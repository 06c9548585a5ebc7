"""Writing many rows' columns in one statement: UPDATE … FROM (VALUES …).

Django's bulk_update builds a CASE WHEN per column and row, which PostgreSQL plans and evaluates per
row and Django spends as long compiling; joining the table to a VALUES list of the new values is one
short statement whatever the number of rows. Works on PostgreSQL and SQLite (3.33+, UPDATE FROM).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BATCH = 2000


def quote_name(name: str) -> str:
    return connection.ops.quote_name(name)


def update_from_values(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, district_id: int
) -> int:
    """Set `fields` of the rows given as (pk, value of each field…), within one district; rows updated.

    Values go through each field's own preparation (dates, times, booleans) and are cast to its
    column type, so the VALUES list is typed like the table.
    """
    if not rows:
        return 0
    table = quote_name(model._meta.db_table)
    columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    placeholder = "(" + ", ".join(f"CAST(%s AS {column.db_type(connection)})" for column in columns) + ")"
    names = ", ".join(quote_name(column.column) for column in columns)
    assignments = ", ".join(f"{quote_name(column.column)} = new.{quote_name(column.column)}" for column in columns[1:])
    pk_column = quote_name(columns[0].column)
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            params = [
                column.get_db_prep_value(value, connection)
                for row in chunk
                for column, value in zip(columns, row, strict=True)
            ]
            cursor.execute(
                f"WITH new({names}) AS (VALUES {', '.join([placeholder] * len(chunk))}) "
                f"UPDATE {table} SET {assignments} FROM new "
                f"WHERE {table}.{pk_column} = new.{pk_column} AND {table}.district_id = %s",
                [*params, district_id],
            )
            updated += cursor.rowcount
    return updated
