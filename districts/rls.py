"""Wall two: PostgreSQL row-level security on every district-owned table.

Applied after every `migrate` (post_migrate), so a new district-owned table
gets its policy without anyone remembering to write one. The application
role (settings.DATABASE_APP_ROLE) gets table privileges but owns nothing and
cannot bypass RLS; the migrating owner role is exempt as table owner.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from psycopg import sql

from .tenancy import RLS_CROSS_DISTRICT_SETTING, RLS_DISTRICT_SETTING

POLICY_NAME = "district_isolation"

# A row is visible when its district is the transaction's district, or when
# the code has explicitly gone cross-district (tenancy.dangerously_cross_district).
# Each setting is read in a sub-select, so PostgreSQL evaluates it once per query
# (an InitPlan) rather than once per row, and can use district_id indexes.
POLICY_CONDITION = (
    f"district_id = (SELECT NULLIF(current_setting('{RLS_DISTRICT_SETTING}', true), '')::bigint)"
    f" OR (SELECT current_setting('{RLS_CROSS_DISTRICT_SETTING}', true) = 'on')"
)


def district_owned_models() -> list[type[models.Model]]:
    """Every concrete model with a `district` column pointing at District, history tables included."""
    District = apps.get_model("districts", "District")
    owned = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.abstract or model._meta.proxy or not model._meta.managed:
            continue
        try:
            field = model._meta.get_field("district")
        except FieldDoesNotExist:
            continue
        if getattr(field, "related_model", None) is District and field.concrete:
            owned.append(model)
    return owned


def apply_row_level_security(using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    role = sql.Identifier(settings.DATABASE_APP_ROLE)
    existing_tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_ROLE])
        if cursor.fetchone() is None:
            create_role = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(role)
            cursor.execute(create_role.as_string(cursor.connection))
        for statement in (
            "GRANT USAGE ON SCHEMA public TO {}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}",
        ):
            cursor.execute(sql.SQL(statement).format(role).as_string(cursor.connection))
        for model in district_owned_models():
            table = model._meta.db_table
            if table not in existing_tables:
                continue
            names = {"table": sql.Identifier(table), "policy": sql.Identifier(POLICY_NAME)}
            for statement in (
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
                "DROP POLICY IF EXISTS {policy} ON {table}",
                f"CREATE POLICY {{policy}} ON {{table}} USING ({POLICY_CONDITION}) WITH CHECK ({POLICY_CONDITION})",
            ):
                cursor.execute(sql.SQL(statement).format(**names).as_string(cursor.connection))
