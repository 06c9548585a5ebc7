"""Web requests in tests run as the application role, with row-level security on, as in production.

Tests connect as the owner of the tables (it created the test database), so
migrations, fixtures and factories keep working. Every request served while
a test runs — the Django test client and the live server alike — switches
its connection to `settings.DATABASE_APP_ROLE` for the length of the request:

* `request_started`: `SET ROLE <app role>` on the open connection, or, when
  the request has none yet (the live server opens one per request thread),
  on the connection as soon as it is made (`connection_created`);
* `request_finished`: `RESET ROLE`, so the test's own code after the
  request is the owner again.

In a test wrapped in a transaction (the default), `SET ROLE` happens inside
that transaction, so its rollback undoes it even if a request breaks off.
Nothing changes on SQLite. `as_owner()` lets a request run as the owner,
for the rare test that must.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from psycopg import sql

_state = threading.local()
_owner_requests = threading.Event()  # set by as_owner(): requests in any thread keep the owner


def _serving() -> bool:
    return getattr(_state, "serving", False)


def _execute(connection, statement: sql.Composable) -> None:
    """Run on the raw psycopg connection: not through Django's cursor, so query counts
    (django_assert_num_queries) and patched cursors don't see the switch."""
    with connection.connection.cursor() as cursor:
        cursor.execute(statement)


def _set_app_role(connection) -> None:
    try:
        _execute(connection, sql.SQL("SET ROLE {}").format(sql.Identifier(settings.DATABASE_APP_ROLE)))
    except psycopg.errors.InsufficientPrivilege as error:
        raise RuntimeError(
            f"Tests serve requests as the application role {settings.DATABASE_APP_ROLE!r}, but the test "
            f"database user may not SET ROLE to it ({error}). Connect as a superuser or grant the role."
        ) from error
    except psycopg.Error:
        pass  # a transaction already broken before the request: the request's own queries fail the same way


def current_role(connection=None) -> str:
    """The role the connection's statements run as now."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def _on_request_started(**kwargs: object) -> None:
    if _owner_requests.is_set():
        return
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    _state.serving = True
    if connection.connection is not None:
        _set_app_role(connection)
    # Otherwise _on_connection_created sets it when the request first queries.


def _on_connection_created(sender: object, connection, **kwargs: object) -> None:
    if connection.alias == DEFAULT_DB_ALIAS and connection.vendor == "postgresql" and _serving():
        _set_app_role(connection)


def _on_request_finished(**kwargs: object) -> None:
    if not _serving():
        return
    _state.serving = False
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is None:
        return  # closed: the role went with it
    # A transaction that broke inside the request refuses it; its rollback (the test's end) undoes SET ROLE.
    with suppress(psycopg.Error):
        _execute(connection, sql.SQL("RESET ROLE"))


@contextmanager
def as_owner() -> Iterator[None]:
    """Serve the requests made inside this block as the owner (skipping row-level security)."""
    _owner_requests.set()
    try:
        yield
    finally:
        _owner_requests.clear()


def install() -> None:
    # Connected after django.db's close_old_connections, so on the live server a
    # connection closed at the start of a request is reopened lazily, with the role.
    request_started.connect(_on_request_started, dispatch_uid="tests.app_role.started")
    request_finished.connect(_on_request_finished, dispatch_uid="tests.app_role.finished")
    connection_created.connect(_on_connection_created, dispatch_uid="tests.app_role.created")


def uninstall() -> None:
    request_started.disconnect(dispatch_uid="tests.app_role.started")
    request_finished.disconnect(dispatch_uid="tests.app_role.finished")
    connection_created.disconnect(dispatch_uid="tests.app_role.created")
