"""The permission matrix: every plans and priorities page and action, for every role.

Admins and the superintendent edit; a cabinet member edits only the priorities
they own and their commitments; principals, staff and board members read the
active plan only (a draft is a 404 for them: its existence is not revealed);
partner coaches read drafts too.

Exact outcomes (tests/role_matrix.py): an allowed post makes its change (the
case's `made` check), a refused one gets 403 (404 for a hidden draft) and
changes nothing, and no GET changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import get_resolver, reverse
from django_scopes import scopes_disabled

from districts.roles import Role
from plans.models import Competency, PlanState, StrategicPlan
from priorities.models import Assignment, AssignmentStatus, Commitment, Priority
from tests.factories import DepartmentFactory, RoleLabelFactory, SchoolFactory
from tests.plans.factories import (
    THIS_YEAR,
    ActivePlanFactory,
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PlanFactory,
    PriorityFactory,
)
from tests.role_matrix import expectation, is_exact, outcome_of, page_form_data

EVERYONE = frozenset(
    {"admin", "superintendent", "cabinet_owner", "cabinet_other", "principal", "staff", "board", "coach"}
)
DRAFT_READERS = frozenset({"admin", "superintendent", "cabinet_owner", "cabinet_other", "coach"})
MANAGERS = frozenset({"admin", "superintendent"})
PRIORITY_OWNERS = MANAGERS | {"cabinet_owner"}

ROLE_OF = {
    "admin": Role.DISTRICT_ADMIN,
    "superintendent": Role.SUPERINTENDENT,
    "cabinet_owner": Role.CABINET,
    "cabinet_other": Role.CABINET,
    "principal": Role.PRINCIPAL,
    "staff": Role.STAFF,
    "board": Role.BOARD_MEMBER,
    "coach": Role.PARTNER_COACH,
}


@dataclass
class World:
    objects: dict[str, Any]
    clients: dict[str, Any]
    members: dict[str, Any]


@pytest.fixture
def world(district, make_member, client_for) -> World:
    members = {name: make_member(district, role) for name, role in ROLE_OF.items()}
    active = ActivePlanFactory(district=district)
    draft = PlanFactory(district=district)
    priority = PriorityFactory(plan=active, owner=members["cabinet_owner"])
    commitment = CommitmentFactory(priority=priority)
    school = SchoolFactory(district=district)
    draft_priority = PriorityFactory(plan=draft, owner=members["cabinet_owner"])
    objects = {
        "active": active,
        "draft": draft,
        "competency": CompetencyFactory(plan=active),
        "second_competency": CompetencyFactory(plan=active),
        "priority": priority,
        "second_priority": PriorityFactory(plan=active, owner=members["cabinet_owner"]),
        "draft_priority": draft_priority,
        "commitment": commitment,
        "second_commitment": CommitmentFactory(priority=priority),
        "draft_commitment": CommitmentFactory(priority=draft_priority),
        "assignment": AssignmentFactory(commitment=commitment, school=school),
        "role_label": RoleLabelFactory(district=district),
        "second_role_label": RoleLabelFactory(district=district),
        "school": school,
        "department": DepartmentFactory(district=district),
        "school_principal": make_member(district, Role.PRINCIPAL, school=school),
    }
    return World(objects=objects, clients={name: client_for(m) for name, m in members.items()}, members=members)


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.filter(pk=obj.pk).first()


def exists(model, **filters) -> bool:
    with scopes_disabled():
        return model._base_manager.filter(**filters).exists()


@dataclass(frozen=True)
class Case:
    url_name: str
    arguments: Callable[[dict], dict]
    allowed: frozenset[str]
    method: str = "get"
    ok: int = 200
    denied: int = 403
    # The POST body: a dict, or a callable of (objects, the path, an allowed client) -> body.
    data: dict | Callable[..., dict] | None = None
    made: Callable[[dict], bool] | None = None  # after an allowed POST: is the change made?

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url_name}"


def form(**fields):
    """The POST body built from the page's own form (as an allowed role sees it), with `fields` over it."""
    return lambda objects, path, client: page_form_data(
        client, path, **{k: v(objects) if callable(v) else v for k, v in fields.items()}
    )


def posts(url_name, arguments, allowed, made, data=None, denied=403):
    """A POST that allowed roles make (302 and `made`), refused ones can't (`denied`, nothing changed)."""
    return Case(url_name, arguments, allowed, "post", 302, denied, data if data is not None else {}, made)


def plan(key):
    return lambda o: {"plan_id": o[key].pk}


def obj(argument, key):
    return lambda o: {argument: o[key].pk}


NO_ARGUMENTS = lambda o: {}  # noqa: E731 - a table entry


def position(key):
    """made: the object at `key` changed its position."""
    return lambda o: fresh(o[key]).position != o[key].position


def gone(key):
    return lambda o: fresh(o[key]) is None


def renamed(key, field, value):
    return lambda o: getattr(fresh(o[key]), field) == value


# Every page for every role (GET), and every change (POST) with a body that works and a check that it was made.
CASES = [
    Case("plans:current", NO_ARGUMENTS, EVERYONE, ok=302),
    Case("plans:plan_list", NO_ARGUMENTS, EVERYONE),
    Case("plans:plan_detail", plan("active"), EVERYONE),
    Case("plans:plan_detail", plan("draft"), DRAFT_READERS, denied=404),
    Case("plans:plan_create", NO_ARGUMENTS, MANAGERS),
    posts(
        "plans:plan_create",
        NO_ARGUMENTS,
        MANAGERS,
        lambda o: exists(StrategicPlan, title="Matrix plan"),
        form(title="Matrix plan", start_year=THIS_YEAR + 5, end_year=THIS_YEAR + 9),
    ),
    Case("plans:plan_edit", plan("active"), MANAGERS),
    posts(
        "plans:plan_edit",
        plan("active"),
        MANAGERS,
        renamed("active", "title", "Renamed plan"),
        form(title="Renamed plan"),
    ),
    Case("plans:plan_activate", plan("draft"), MANAGERS),
    posts("plans:plan_activate", plan("draft"), MANAGERS, renamed("draft", "state", PlanState.ACTIVE)),
    Case("plans:plan_archive", plan("active"), MANAGERS),
    posts("plans:plan_archive", plan("active"), MANAGERS, renamed("active", "state", PlanState.ARCHIVED)),
    Case("plans:plan_delete", plan("draft"), MANAGERS),
    posts("plans:plan_delete", plan("draft"), MANAGERS, gone("draft")),
    Case("plans:portrait", plan("active"), MANAGERS),
    posts(
        "plans:portrait",
        plan("active"),
        MANAGERS,
        lambda o: exists(Competency, plan=o["active"], name="Matrix competency"),
        form(name="Matrix competency"),
    ),
    Case("plans:competency_edit", obj("competency_id", "competency"), MANAGERS),
    posts(
        "plans:competency_edit",
        obj("competency_id", "competency"),
        MANAGERS,
        renamed("competency", "name", "Renamed competency"),
        form(name="Renamed competency"),
    ),
    Case("plans:competency_delete", obj("competency_id", "competency"), MANAGERS),
    posts("plans:competency_delete", obj("competency_id", "competency"), MANAGERS, gone("competency")),
    posts(
        "plans:competency_move",
        obj("competency_id", "second_competency"),
        MANAGERS,
        position("second_competency"),
        {"direction": "up"},
    ),
    Case("priorities:priority_create", plan("active"), MANAGERS),
    posts(
        "priorities:priority_create",
        plan("active"),
        MANAGERS,
        lambda o: exists(Priority, plan=o["active"], title="Matrix priority"),
        form(code="MX", title="Matrix priority", success_looks_like="Gains."),
    ),
    Case("priorities:priority_detail", obj("priority_id", "priority"), EVERYONE),
    Case("priorities:priority_detail", obj("priority_id", "draft_priority"), DRAFT_READERS, denied=404),
    Case("priorities:priority_edit", obj("priority_id", "priority"), PRIORITY_OWNERS),
    posts(
        "priorities:priority_edit",
        obj("priority_id", "priority"),
        PRIORITY_OWNERS,
        renamed("priority", "title", "Renamed priority"),
        form(title="Renamed priority"),
    ),
    posts(
        "priorities:priority_move",
        obj("priority_id", "priority"),
        MANAGERS,
        position("priority"),
        {"direction": "down"},
    ),
    Case("priorities:priority_delete", obj("priority_id", "priority"), MANAGERS),
    posts("priorities:priority_delete", obj("priority_id", "second_priority"), MANAGERS, gone("second_priority")),
    Case("priorities:commitment_create", obj("priority_id", "priority"), PRIORITY_OWNERS),
    posts(
        "priorities:commitment_create",
        obj("priority_id", "priority"),
        PRIORITY_OWNERS,
        lambda o: exists(Commitment, priority=o["priority"], title="Matrix commitment"),
        form(title="Matrix commitment", role_label=lambda o: o["role_label"].pk),
    ),
    Case("priorities:commitment_detail", obj("commitment_id", "commitment"), EVERYONE),
    Case("priorities:commitment_detail", obj("commitment_id", "draft_commitment"), DRAFT_READERS, denied=404),
    Case("priorities:commitment_edit", obj("commitment_id", "commitment"), PRIORITY_OWNERS),
    posts(
        "priorities:commitment_edit",
        obj("commitment_id", "commitment"),
        PRIORITY_OWNERS,
        renamed("commitment", "title", "Renamed commitment"),
        form(title="Renamed commitment"),
    ),
    posts(
        "priorities:commitment_move",
        obj("commitment_id", "commitment"),
        PRIORITY_OWNERS,
        position("commitment"),
        {"direction": "down"},
    ),
    Case("priorities:commitment_delete", obj("commitment_id", "commitment"), PRIORITY_OWNERS),
    posts(
        "priorities:commitment_delete",
        obj("commitment_id", "second_commitment"),
        PRIORITY_OWNERS,
        gone("second_commitment"),
    ),
    Case("priorities:commitment_assign", obj("commitment_id", "commitment"), PRIORITY_OWNERS),
    posts(
        "priorities:commitment_assign",
        obj("commitment_id", "commitment"),
        PRIORITY_OWNERS,
        lambda o: exists(Assignment, commitment=o["commitment"], department=o["department"]),
        lambda o, path, client: {"target": "departments", "departments": [o["department"].pk]},
    ),
    posts(
        "priorities:commitment_status",
        obj("commitment_id", "commitment"),
        PRIORITY_OWNERS,
        renamed("assignment", "status", AssignmentStatus.PAUSED),
        {"status": "paused"},
    ),
    Case("priorities:assignment_detail", obj("assignment_id", "assignment"), EVERYONE),
    posts(
        "priorities:assignment_detail",
        obj("assignment_id", "assignment"),
        PRIORITY_OWNERS,
        lambda o: fresh(o["assignment"]).owner == o["school_principal"],
        form(owner=lambda o: o["school_principal"].pk),
    ),
    posts(
        "priorities:assignment_status",
        obj("assignment_id", "assignment"),
        PRIORITY_OWNERS,
        renamed("assignment", "status", AssignmentStatus.PAUSED),
        {"status": "paused"},
    ),
    Case("priorities:role_list", NO_ARGUMENTS, EVERYONE),
    Case("priorities:role_card", lambda o: {"role_slug": o["role_label"].slug}, EVERYONE),
    Case("priorities:role_label_create", NO_ARGUMENTS, MANAGERS),
    posts(
        "priorities:role_label_create",
        NO_ARGUMENTS,
        MANAGERS,
        lambda o: exists(type(o["role_label"]), district=o["active"].district, name="Matrix role"),
        form(name="Matrix role"),
    ),
    Case("priorities:role_label_edit", obj("role_label_id", "role_label"), MANAGERS),
    posts(
        "priorities:role_label_edit",
        obj("role_label_id", "role_label"),
        MANAGERS,
        renamed("role_label", "name", "Renamed role"),
        form(name="Renamed role"),
    ),
    Case("priorities:role_label_delete", obj("role_label_id", "role_label"), MANAGERS),
    posts("priorities:role_label_delete", obj("role_label_id", "role_label"), MANAGERS, gone("role_label")),
    posts(
        "priorities:role_label_move",
        obj("role_label_id", "second_role_label"),
        MANAGERS,
        position("second_role_label"),
        {"direction": "up"},
    ),
    Case("priorities:load", NO_ARGUMENTS, EVERYONE),
    Case("priorities:school_load", obj("school_id", "school"), EVERYONE),
    Case("priorities:department_load", obj("department_id", "department"), EVERYONE),
]


def test_every_plans_and_priorities_url_is_in_the_matrix():
    names = {
        f"{namespace}:{name}"
        for namespace in ("plans", "priorities")
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == {case.url_name for case in CASES}


def test_every_post_case_checks_its_change():
    assert all(case.made is not None for case in CASES if case.method == "post")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(case, world, district):
    path = reverse(case.url_name, kwargs={"district_slug": district.slug, **case.arguments(world.objects)})
    data = case.data
    if callable(data):
        first_allowed = next(name for name in world.clients if name in case.allowed)
        data = data(world.objects, path, world.clients[first_allowed])
    made = (lambda: case.made(world.objects)) if case.made else None
    wrong = {}
    for role, client in world.clients.items():
        outcome = outcome_of(client, case.method, path, district=district, data=data, made=made)
        allowed = role in case.allowed
        expected = case.ok if allowed else case.denied
        if not is_exact(outcome, method=case.method, allowed=allowed, expected=expected):
            wrong[role] = f"got {outcome}; {expectation(method=case.method, allowed=allowed, expected=expected)}"
    assert not wrong, f"{case}: {wrong}"
