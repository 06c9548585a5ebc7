"""System checks for the tenancy walls."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import connections


@register(Tags.database)
def check_connection_role_is_subject_to_rls(databases: list[str] | None = None, **kwargs: Any) -> list[Warning]:
    """Runs with `manage.py check --database default`: warns when the app's
    database role would bypass row-level security (superuser, BYPASSRLS)."""
    problems: list[Warning] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        if row and (row[0] or row[1]):
            problems.append(
                Warning(
                    "The database role in DATABASE_URL bypasses row-level security.",
                    hint="Connect the app as the application role (DATABASE_APP_ROLE) and "
                    "run migrations with DATABASE_OWNER_URL.",
                    id="districts.W001",
                )
            )
    return problems
