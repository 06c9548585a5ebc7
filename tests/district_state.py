"""What a district holds, to assert that a request changed nothing in it (or that it did).

`district_rows(district)` reads the district's own row and every row of every
district-owned table (history tables included) for it; compare two readings with `changes`.
`cross_district_references(district, other)` lists the foreign keys by which rows
of `district` point at rows of `other`: a form that accepted another district's
id would leave one. On PostgreSQL each is one query.
"""

from __future__ import annotations

from functools import cache

from django.db import connection, models

from districts.models import District
from districts.rls import district_owned_models
from districts.tenancy import dangerously_cross_district

Rows = dict[str, list[str]]  # table -> its rows as text, sorted


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables() -> list[tuple[type[models.Model], str]]:
    """(model, the column naming the district): the district's own row and history, then every owned table."""
    own = [(model, "id") for model in (District, District.history.model)]
    return own + [(model, "district_id") for model in district_owned_models()]


def district_rows(district: District) -> Rows:
    rows: Rows = {}
    tables = _tables()
    with dangerously_cross_district():
        if connection.vendor == "postgresql":
            union = " UNION ALL ".join(
                f"SELECT %s, t::text FROM {_quote(model._meta.db_table)} t WHERE t.{_quote(column)} = %s"
                for model, column in tables
            )
            with connection.cursor() as cursor:
                cursor.execute(union, [v for model, _column in tables for v in (model._meta.db_table, district.pk)])
                for table, row in cursor.fetchall():
                    rows.setdefault(table, []).append(row)
        else:
            for model, column in tables:
                fields = [f.attname for f in model._meta.concrete_fields]
                queryset = model._base_manager.filter(**{column: district.pk}).order_by().values_list(*fields)
                rows[model._meta.db_table] = list(map(repr, queryset))
    return {model._meta.db_table: sorted(rows.get(model._meta.db_table, [])) for model, _column in tables}


def changes(before: Rows, after: Rows) -> dict[str, str]:
    """{table: "+added -removed: a few of them"} for every table whose rows differ."""
    found = {}
    for table in sorted(set(before) | set(after)):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        if old != new:
            found[table] = f"+{len(new - old)} -{len(old - new)}: {sorted(new ^ old)[:3]}"
    return found


@cache
def _references() -> list[tuple[type[models.Model], models.Field]]:
    """(model, foreign key) for every foreign key between two district-owned tables."""
    owned = set(district_owned_models())
    found = []
    for model in owned:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name != "district" and field.related_model in owned:
                found.append((model, field))
    return sorted(found, key=lambda pair: (pair[0]._meta.db_table, pair[1].column))


def cross_district_references(district: District, other: District) -> list[str]:
    """ "table.column" for each foreign key by which a row of `district` points at a row of `other`."""
    checks, params = [], []
    for model, field in _references():
        target = field.related_model._meta
        checks.append(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {_quote(model._meta.db_table)} r "
            f"JOIN {_quote(target.db_table)} t ON r.{_quote(field.column)} = t.{_quote(target.pk.column)} "
            "WHERE r.district_id = %s AND t.district_id = %s)"
        )
        params += [f"{model._meta.db_table}.{field.column}", district.pk, other.pk]
    with dangerously_cross_district(), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(checks), params)
        return sorted(row[0] for row in cursor.fetchall())
