"""The permission matrix: every plans and priorities page and action, for every role.

Admins and the superintendent edit; a cabinet member edits only the priorities
they own and their commitments; principals, staff and board members read the
active plan only (a draft is a 404 for them: its existence is not revealed);
partner coaches read drafts too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import get_resolver, reverse

from districts.roles import Role
from tests.factories import DepartmentFactory, RoleLabelFactory, SchoolFactory
from tests.plans.factories import (
    ActivePlanFactory,
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PlanFactory,
    PriorityFactory,
)

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
        "priority": priority,
        "second_priority": PriorityFactory(plan=active, owner=members["cabinet_owner"]),
        "draft_priority": draft_priority,
        "commitment": commitment,
        "draft_commitment": CommitmentFactory(priority=draft_priority),
        "assignment": AssignmentFactory(commitment=commitment, school=school),
        "role_label": RoleLabelFactory(district=district),
        "school": school,
        "department": DepartmentFactory(district=district),
    }
    return World(objects=objects, clients={name: client_for(m) for name, m in members.items()})


@dataclass(frozen=True)
class Case:
    url_name: str
    arguments: Callable[[dict], dict]
    allowed: frozenset[str]
    method: str = "get"
    ok: int = 200
    denied: int = 403
    data: dict | None = None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url_name}"


def plan(key):
    return lambda o: {"plan_id": o[key].pk}


def obj(argument, key):
    return lambda o: {argument: o[key].pk}


NO_ARGUMENTS = lambda o: {}  # noqa: E731 - a table entry

CASES = [
    Case("plans:current", NO_ARGUMENTS, EVERYONE, ok=302),
    Case("plans:plan_list", NO_ARGUMENTS, EVERYONE),
    Case("plans:plan_detail", plan("active"), EVERYONE),
    Case("plans:plan_detail", plan("draft"), DRAFT_READERS, denied=404),
    Case("plans:plan_create", NO_ARGUMENTS, MANAGERS),
    Case("plans:plan_edit", plan("active"), MANAGERS),
    Case("plans:plan_activate", plan("draft"), MANAGERS),
    Case("plans:plan_archive", plan("active"), MANAGERS),
    Case("plans:plan_delete", plan("draft"), MANAGERS),
    Case("plans:portrait", plan("active"), MANAGERS),
    Case("plans:competency_edit", obj("competency_id", "competency"), MANAGERS),
    Case("plans:competency_delete", obj("competency_id", "competency"), MANAGERS),
    Case("plans:competency_move", obj("competency_id", "competency"), MANAGERS, "post", 302, data={"direction": "up"}),
    Case("priorities:priority_create", plan("active"), MANAGERS),
    Case("priorities:priority_detail", obj("priority_id", "priority"), EVERYONE),
    Case("priorities:priority_detail", obj("priority_id", "draft_priority"), DRAFT_READERS, denied=404),
    Case("priorities:priority_edit", obj("priority_id", "priority"), PRIORITY_OWNERS),
    Case("priorities:priority_move", obj("priority_id", "priority"), MANAGERS, "post", 302, data={"direction": "down"}),
    Case("priorities:priority_delete", obj("priority_id", "priority"), MANAGERS),
    Case("priorities:commitment_create", obj("priority_id", "priority"), PRIORITY_OWNERS),
    Case("priorities:commitment_detail", obj("commitment_id", "commitment"), EVERYONE),
    Case("priorities:commitment_detail", obj("commitment_id", "draft_commitment"), DRAFT_READERS, denied=404),
    Case("priorities:commitment_edit", obj("commitment_id", "commitment"), PRIORITY_OWNERS),
    Case(
        "priorities:commitment_move",
        obj("commitment_id", "commitment"),
        PRIORITY_OWNERS,
        "post",
        302,
        data={"direction": "up"},
    ),
    Case("priorities:commitment_delete", obj("commitment_id", "commitment"), PRIORITY_OWNERS),
    Case("priorities:commitment_assign", obj("commitment_id", "commitment"), PRIORITY_OWNERS),
    Case(
        "priorities:commitment_status",
        obj("commitment_id", "commitment"),
        PRIORITY_OWNERS,
        "post",
        302,
        data={"status": "paused"},
    ),
    Case("priorities:assignment_detail", obj("assignment_id", "assignment"), EVERYONE),
    Case(
        "priorities:assignment_detail",
        obj("assignment_id", "assignment"),
        PRIORITY_OWNERS,
        "post",
        302,
        data={"owner": ""},
    ),
    Case(
        "priorities:assignment_status",
        obj("assignment_id", "assignment"),
        PRIORITY_OWNERS,
        "post",
        302,
        data={"status": "paused"},
    ),
    Case("priorities:role_list", NO_ARGUMENTS, EVERYONE),
    Case("priorities:role_card", lambda o: {"role_slug": o["role_label"].slug}, EVERYONE),
    Case("priorities:role_label_create", NO_ARGUMENTS, MANAGERS),
    Case("priorities:role_label_edit", obj("role_label_id", "role_label"), MANAGERS),
    Case("priorities:role_label_delete", obj("role_label_id", "role_label"), MANAGERS),
    Case(
        "priorities:role_label_move",
        obj("role_label_id", "role_label"),
        MANAGERS,
        "post",
        302,
        data={"direction": "up"},
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


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(case, world, district):
    path = reverse(case.url_name, kwargs={"district_slug": district.slug, **case.arguments(world.objects)})
    wrong = {}
    for role, client in world.clients.items():
        response = getattr(client, case.method)(path, case.data or {})
        expected = case.ok if role in case.allowed else case.denied
        if response.status_code != expected:
            wrong[role] = (response.status_code, expected)
    assert not wrong, f"{case}: role → (got, expected) {wrong}"
