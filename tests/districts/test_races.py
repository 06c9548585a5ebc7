"""Two people creating the same thing at once: the second gets the form's own message, never a 500.

The forced tests make the pre-check miss once (as it does when the other
person's row is not committed yet), so the unique constraint decides. The
threaded tests run two real transactions on PostgreSQL at the same moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scopes_disabled

from districts import imports, services
from districts.importers import SchoolImporter
from districts.models import Department, ImportBatch, RoleLabel, School, User
from districts.roles import Role
from districts.tenancy import district_context
from priorities import services as priority_services
from tests.factories import DepartmentFactory, InvitationFactory, RoleLabelFactory, SchoolFactory

from .helpers import count, fresh


@pytest.fixture
def miss_once(monkeypatch) -> Callable[..., None]:
    """miss_once(module, "check", Model): the service's check finds nothing the first time it
    runs, and the model's own constraint check (full_clean) never does: the other person's
    row was not committed yet, so only the database constraint can stop the save."""

    def patch(module: Any, name: str, model: type) -> None:
        monkeypatch.setattr(model, "validate_constraints", lambda self, exclude=None: None)
        real = getattr(module, name)
        calls = {"n": 0}

        def check(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                return {} if name == "school_name_conflicts" else None
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, check)

    return patch


# --- Forced: the pre-check misses, the constraint decides -----------------------------------


def test_a_school_added_a_moment_ago_gets_the_forms_message_not_a_500(district, admin_member, client_for, miss_once):
    SchoolFactory(district=district, name="Lincoln High", code="LH")
    miss_once(services, "school_name_conflicts", School)

    response = client_for(admin_member).post(
        f"/d/{district.slug}/schools/new/", {"name": "lincoln high", "code": "LH", "level": "high", "enrollment": "9"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Another school is already called “lincoln high”." in errors["name"]
    assert "Another school already uses the code LH." in errors["code"]
    assert count(School, district=district) == 1


def test_renaming_a_school_to_one_added_a_moment_ago_is_refused_at_the_field(
    district, admin_member, in_district, miss_once
):
    SchoolFactory(district=district, name="Birch")
    adams = SchoolFactory(district=district, name="Adams")
    miss_once(services, "school_name_conflicts", School)
    with in_district(district), pytest.raises(ValidationError) as refused:
        services.school_update(district=district, actor=admin_member, school=adams, name="BIRCH")
    assert refused.value.message_dict == {"name": ["Another school is already called “BIRCH”."]}
    assert fresh(adams).name == "Adams"


@pytest.mark.parametrize("action", ["create", "update"])
def test_a_department_name_taken_a_moment_ago_is_refused_at_the_field(
    action, district, admin_member, in_district, miss_once
):
    DepartmentFactory(district=district, name="Teaching and Learning")
    other = DepartmentFactory(district=district, name="Finance")
    miss_once(services, "_department_name_conflict", Department)
    with in_district(district), pytest.raises(ValidationError) as refused:
        if action == "create":
            services.department_create(district=district, actor=admin_member, name="teaching and learning")
        else:
            services.department_update(
                district=district, actor=admin_member, department=other, name="teaching and learning"
            )
    assert refused.value.message_dict == {"name": ["Another department is already called “teaching and learning”."]}
    assert count(Department, district=district) == 2
    assert fresh(other).name == "Finance"


@pytest.mark.parametrize("action", ["create", "update"])
def test_a_role_label_taken_a_moment_ago_is_refused_at_the_field(
    action, district, admin_member, in_district, miss_once
):
    RoleLabelFactory(district=district, name="Bus drivers", slug="bus-drivers")
    other = RoleLabelFactory(district=district, name="Counselors", slug="counselors")
    miss_once(priority_services, "_validate_role_label", RoleLabel)
    with in_district(district), pytest.raises(ValidationError) as refused:
        if action == "create":
            priority_services.role_label_create(district=district, actor=admin_member, name="Bus Drivers")
        else:
            priority_services.role_label_update(
                district=district, actor=admin_member, role_label=other, name="Bus Drivers"
            )
    assert refused.value.message_dict["name"] == ["There is already a role called “Bus Drivers”."]
    assert count(RoleLabel, district=district) == 2
    assert fresh(other).name == "Counselors"


def test_a_school_committed_between_the_check_and_the_save_gets_the_field_message(
    district, admin_member, in_district, monkeypatch
):
    """The other row lands after the service's check but before the model's own validation."""
    SchoolFactory(district=district, name="Lincoln High")
    real = services.school_name_conflicts
    answers = [{}]  # the check's first answer: nothing yet
    monkeypatch.setattr(services, "school_name_conflicts", lambda **kw: answers.pop() if answers else real(**kw))
    with in_district(district), pytest.raises(ValidationError) as refused:
        services.school_create(district=district, actor=admin_member, name="Lincoln High", level="high")
    assert refused.value.message_dict == {"name": ["Another school is already called “Lincoln High”."]}


# --- Real concurrency on PostgreSQL ------------------------------------------------------------


def _run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread and connection, all starting at once; their results or errors."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            results[index] = call()
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _wait_after_first_call(module: Any, name: str, parties: int, monkeypatch) -> None:
    """Both threads pass the check before either saves: the window a real race needs."""
    real = getattr(module, name)
    both_checked = threading.Barrier(parties)
    seen = threading.local()

    def check(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if not getattr(seen, "once", False):
            seen.once = True
            both_checked.wait(timeout=10)
        return result

    monkeypatch.setattr(module, name, check)


def _refused(results: list[Any]) -> list[ValidationError]:
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, ValidationError)]
    assert not unexpected, unexpected
    return [r for r in results if isinstance(r, ValidationError)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_adding_the_same_school_at_once(district, make_member, monkeypatch):
    admins = [make_member(district, Role.DISTRICT_ADMIN) for _ in range(2)]
    _wait_after_first_call(services, "school_name_conflicts", 2, monkeypatch)

    def add(admin):
        def call():
            with district_context(district):
                return services.school_create(district=district, actor=admin, name="Lincoln High", level="high")

        return call

    results = _run_together(*(add(a) for a in admins))

    (refused,) = _refused(results)
    assert refused.message_dict == {"name": ["Another school is already called “Lincoln High”."]}
    assert count(School, district=district) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_for_the_same_new_address_at_once(district, other_district, monkeypatch):
    """Two districts invited the same person; both links are used at the same moment to make the account."""
    invitations = [InvitationFactory(district=d, email="grace@example.org") for d in (district, other_district)]
    _wait_after_first_call(services, "_lock_invitation", 2, monkeypatch)

    def sign_up(invitation):
        def call():
            home = invitation.district
            with district_context(home):
                return services.invitation_accept_as_new_user(
                    district=home,
                    invitation=invitation,
                    full_name="Grace",
                    password="plum-orchard-lantern-42",
                    nonce=invitation.nonce,
                )

        return call

    results = _run_together(*(sign_up(i) for i in invitations))

    (refused,) = _refused(results)
    assert refused.messages == ["An account already uses grace@example.org. Log in with it to accept the invitation."]
    with scopes_disabled():
        assert User.objects.filter(email="grace@example.org").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_adding_the_same_school_at_once(district, make_member, monkeypatch):
    admins = [make_member(district, Role.DISTRICT_ADMIN) for _ in range(2)]
    text = b"name,level\nLincoln High,high\n"
    batches = []
    for admin in admins:
        with district_context(district):
            batch, plan = imports.import_preview(
                district=district, actor=admin, importer=SchoolImporter(district=district), filename="s.csv", data=text
            )
        assert plan.ok
        batches.append(batch)
    _wait_after_first_call(imports, "import_batch_plan", 2, monkeypatch)

    def confirm(admin, batch):
        def call():
            with district_context(district):
                return imports.import_confirm(
                    district=district, actor=admin, importer=SchoolImporter(district=district), batch=batch
                )

        return call

    results = _run_together(*(confirm(a, b) for a, b in zip(admins, batches, strict=True)))

    (refused,) = _refused(results)
    assert refused.code == "conflict"
    assert "Nothing was imported" in refused.messages[0]
    assert count(School, district=district) == 1
    statuses = sorted(fresh(b).status for b in batches)
    assert statuses == sorted([ImportBatch.Status.IMPORTED, ImportBatch.Status.PREVIEWED])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_role_labels_added_at_once_take_positions_one_after_another(district, make_member, monkeypatch):
    """core.ordering promises no ties: concurrent adds take turns at reading the last position."""
    import time

    admins = [make_member(district, Role.DISTRICT_ADMIN) for _ in range(3)]
    RoleLabelFactory(district=district, name="Teachers", slug="teachers", position=1)
    real = priority_services.next_position

    def slow_next_position(*args: Any, **kwargs: Any) -> int:
        position = real(*args, **kwargs)
        time.sleep(0.3)  # the others read the last position meanwhile, unless they must wait
        return position

    monkeypatch.setattr(priority_services, "next_position", slow_next_position)

    def add(admin, name):
        def call():
            with district_context(district):
                return priority_services.role_label_create(district=district, actor=admin, name=name)

        return call

    results = _run_together(*(add(a, f"Role {i}") for i, a in enumerate(admins)))

    assert not [r for r in results if isinstance(r, BaseException)], results
    with scopes_disabled():
        positions = sorted(RoleLabel.objects.filter(district=district).values_list("position", flat=True))
    assert positions == [1, 2, 3, 4]
