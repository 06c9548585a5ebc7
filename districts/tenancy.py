"""The one tenancy mechanism.

Wall one, the application: district-owned models use a manager that fails
closed (django-scopes): outside `district_context` a query raises ScopeError
instead of returning every district's rows.

Wall two, PostgreSQL row-level security: `district_context` also writes the
district id into a transaction-local setting (`app.district_id`) that every
district-owned table's policy compares with `district_id` (see rls.py).
The setting dies with the transaction, so it cannot leak to the next request
on a pooled connection.

The only way across districts is `dangerously_cross_district()`, named so it
stands out in review.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled

if TYPE_CHECKING:
    from .models import District

RLS_DISTRICT_SETTING = "app.district_id"
RLS_CROSS_DISTRICT_SETTING = "app.cross_district"

# The district id written to the database in the current transaction, so a
# nested context can put the outer one back.
_rls_district_id: ContextVar[int | None] = ContextVar("rls_district_id", default=None)


def DistrictScopedManager():  # noqa: N802 - a manager factory, named like the class it returns
    return ScopedManager(district="district")


def _set_transaction_setting(name: str, value: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


@contextmanager
def district_context(district: District) -> Iterator[District]:
    """Run the enclosed code for one district, inside a transaction, in the district's time zone.

    Templates, `timezone.localtime()` and `timezone.localdate()` inside show the
    district's local time, for requests, tasks and the emails they render alike.
    """
    outer_district_id = _rls_district_id.get()
    with transaction.atomic():
        _set_transaction_setting(RLS_DISTRICT_SETTING, str(district.pk))
        with _inside_district(district):
            yield district
    if outer_district_id is not None and outer_district_id != district.pk and connection.in_atomic_block:
        _set_transaction_setting(RLS_DISTRICT_SETTING, str(outer_district_id))


@contextmanager
def district_context_by_slug(slug: str) -> Iterator[District | None]:
    """`district_context` for the district with `slug` (None when there is none), for a request's start.

    On PostgreSQL the district is read and written to the transaction's setting in one statement: a
    district page's first query costs one round trip, not two. Not for nesting in another district's
    context (a request has none around it).
    """
    from .models import District

    with transaction.atomic():
        if connection.vendor == "postgresql":
            district = next(iter(District.objects.raw(_district_by_slug_sql(), [RLS_DISTRICT_SETTING, slug])), None)
            if district is not None:
                del district.rls_setting  # the statement's side effect, not a field
        else:
            district = District.objects.filter(slug=slug).first()
        if district is None:
            yield None
            return
        with _inside_district(district):
            yield district


@contextmanager
def _inside_district(district: District) -> Iterator[None]:
    """The fail-closed ORM scope and the time zone of a district whose setting the transaction carries."""
    token = _rls_district_id.set(district.pk)
    try:
        with timezone.override(district.tzinfo), scope(district=district):
            yield
    finally:
        _rls_district_id.reset(token)


@functools.cache
def _district_by_slug_sql() -> str:
    """SELECT the district by slug (the ORM's own SQL, so it follows the model) and set the RLS setting to its id.

    Parameters: the setting's name, the slug. The setting is written only when a district matches.
    """
    from .models import District

    select, _ = District.objects.filter(slug="").order_by().query.sql_with_params()
    return f"SELECT district.*, set_config(%s, district.id::text, true) AS rls_setting FROM ({select}) AS district"


@contextmanager
def dangerously_cross_district() -> Iterator[None]:
    """Read or write across districts: platform staff, fan-outs, a user's own district list.

    Every use must be reviewed: nothing inside is filtered by district.
    """
    with transaction.atomic():
        _set_transaction_setting(RLS_CROSS_DISTRICT_SETTING, "on")
        try:
            with scopes_disabled():
                yield
        finally:
            if connection.in_atomic_block and not connection.needs_rollback:
                _set_transaction_setting(RLS_CROSS_DISTRICT_SETTING, "")


def current_district() -> District | None:
    """The district of the enclosing district_context, if any."""
    return get_scope().get("district")
