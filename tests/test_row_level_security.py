"""Wall two: PostgreSQL row-level security, checked as the application role.

The test connection is the owner (it created the test database); each test
here switches to the application role with SET LOCAL ROLE, exactly the
privileges the running app has.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from psycopg import sql

from districts.models import School
from districts.rls import POLICY_NAME, district_owned_models
from districts.roles import Role
from districts.tenancy import current_district, dangerously_cross_district, district_context, district_context_by_slug
from tests.factories import DepartmentFactory, MembershipFactory, SchoolFactory

pytestmark = pytest.mark.postgres

# Tables that are not owned by a district: the tenant table itself, people
# (a user can belong to several districts), and Django's / libraries' own.
GLOBAL_TABLES = {
    "districts_district",
    "districts_historicaldistrict",
    "districts_user",
    "districts_user_groups",
    "districts_user_user_permissions",
    "django_migrations",
    "django_content_type",
    "django_session",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "axes_accessattemptexpiration",
}


def as_app_role() -> None:
    """Switch this transaction to the application role."""
    with connection.cursor() as cursor:
        statement = sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(settings.DATABASE_APP_ROLE))
        cursor.execute(statement.as_string(cursor.connection))


def count_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)).as_string(cursor.connection))
        return cursor.fetchone()[0]


def set_district(district_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.district_id', %s, true)", [str(district_id)])


@pytest.fixture
def two_populated_districts(district, other_district):
    for d in (district, other_district):
        MembershipFactory(district=d, role=Role.PRINCIPAL)
        MembershipFactory(district=d, role=Role.CABINET)
        SchoolFactory(district=d)
        DepartmentFactory(district=d)
    return district, other_district


def test_every_table_is_district_owned_or_known_global(db):
    owned = {m._meta.db_table for m in district_owned_models()}
    tables = set(connection.introspection.table_names())
    unexplained = sorted(tables - owned - GLOBAL_TABLES)
    assert not unexplained, (
        f"Tables without a district_id that are not known to be global: {unexplained}. "
        "Give them a district (inherit DistrictOwned) or add them to GLOBAL_TABLES with a reason."
    )


def test_every_district_owned_table_has_row_level_security_and_the_policy(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        rls_enabled = dict(cursor.fetchall())
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [POLICY_NAME])
        with_policy = {row[0] for row in cursor.fetchall()}
    owned = [m._meta.db_table for m in district_owned_models()]
    assert len(owned) >= 8
    for table in owned:
        assert rls_enabled.get(table) is True, f"RLS is not enabled on {table}"
        assert table in with_policy, f"{table} has no {POLICY_NAME} policy"


def test_unique_constraints_on_district_owned_tables_start_with_district(db):
    """So the schema can be distributed by district."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, a.attname
            FROM pg_index x
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
            WHERE x.indisunique AND NOT x.indisprimary
            """
        )
        rows = cursor.fetchall()
    owned = {m._meta.db_table for m in district_owned_models()}
    wrong = [(table, index, first) for table, index, first in rows if table in owned and first != "district_id"]
    assert not wrong, f"Unique indexes that don't start with district_id: {wrong}"


def test_application_role_owns_nothing_and_cannot_bypass_rls(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_ROLE])
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [settings.DATABASE_APP_ROLE],
        )
        assert cursor.fetchone()[0] == 0


def test_application_role_without_a_district_sees_no_rows(two_populated_districts):
    with transaction.atomic():
        as_app_role()
        for model in district_owned_models():
            assert count_rows(model._meta.db_table) == 0, model._meta.db_table


def test_application_role_with_a_district_sees_only_that_district(two_populated_districts):
    district, _other = two_populated_districts
    with transaction.atomic():
        as_app_role()
        set_district(district.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT district_id FROM districts_membership")
            assert [row[0] for row in cursor.fetchall()] == [district.pk]
            cursor.execute("SELECT count(*) FROM districts_school")
            assert cursor.fetchone()[0] >= 1


def test_application_role_cannot_write_into_another_district(two_populated_districts):
    district, other = two_populated_districts
    from django.db import DatabaseError

    with transaction.atomic():
        as_app_role()
        set_district(district.pk)
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO districts_department (district_id, name, description, created_at, updated_at) "
                "VALUES (%s, 'Smuggled', '', now(), now())",
                [other.pk],
            )
        with connection.cursor() as cursor:
            cursor.execute("UPDATE districts_school SET name = name || ' (changed)' WHERE district_id = %s", [other.pk])
            assert cursor.rowcount == 0


def test_district_context_sets_the_wall_for_the_orm(two_populated_districts):
    district, other = two_populated_districts
    with transaction.atomic():
        as_app_role()
        with district_context(district):
            # Even the unscoped base manager cannot see the other district under RLS.
            assert set(School._base_manager.values_list("district_id", flat=True)) == {district.pk}
        with dangerously_cross_district():
            assert set(School._base_manager.values_list("district_id", flat=True)) == {district.pk, other.pk}


def test_the_request_context_found_by_slug_sets_the_wall_in_the_same_statement(two_populated_districts):
    """A district page's first query finds the district and writes its id to the setting: the rows of the
    other district stay invisible even to the unscoped base manager, and an unknown slug sets nothing."""
    district, _other = two_populated_districts
    with transaction.atomic():
        as_app_role()
        with district_context_by_slug("no-such-district") as missing:  # first: the setting outlives a savepoint
            assert missing is None
            assert School._base_manager.count() == 0
        with CaptureQueriesContext(connection) as queries, district_context_by_slug(district.slug) as found:
            assert found == district and not hasattr(found, "rls_setting")
            assert set(School._base_manager.values_list("district_id", flat=True)) == {district.pk}
            assert current_district() == district
        statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert len(statements) == 2 and "set_config" in statements[0]  # the district with the wall, the schools


@pytest.mark.django_db(transaction=True)
def test_district_setting_does_not_carry_over_to_the_next_transaction(district, other_district):
    SchoolFactory(district=district)
    connection.ensure_connection()
    with transaction.atomic():
        as_app_role()
        set_district(district.pk)
        assert count_rows("districts_school") == 1
    # Same connection, next transaction: neither the role nor the district survives.
    with transaction.atomic():
        as_app_role()
        assert count_rows("districts_school") == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.district_id', true)")
            assert cursor.fetchone()[0] in (None, "")


def test_pages_work_through_both_walls_as_the_application_role(two_populated_districts, make_member, client_for):
    """A real request, served with the app role's privileges, shows its district and nothing else."""
    district, other = two_populated_districts
    admin = make_member(district, Role.DISTRICT_ADMIN)
    mine = SchoolFactory(district=district, name="Maple Grove Elementary")
    SchoolFactory(district=other, name="Hidden Valley Elementary")
    client = client_for(admin)
    with transaction.atomic():
        as_app_role()
        response = client.get(reverse("districts:school_list", kwargs={"district_slug": district.slug}))
        assert response.status_code == 200
        assert mine.name in response.content.decode()
        assert "Hidden Valley" not in response.content.decode()
        # The picker at / crosses districts on purpose, through the named escape.
        assert client.get("/").status_code == 302
