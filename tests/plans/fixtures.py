"""Fixtures shared by the plans and priorities tests (imported by their conftest.py)."""

from __future__ import annotations

import pytest

from districts.roles import Role
from tests.factories import DepartmentFactory, RoleLabelFactory, SchoolFactory
from tests.plans.factories import (
    ActivePlanFactory,
    AssignmentFactory,
    CommitmentFactory,
    PlanFactory,
    PriorityFactory,
)


@pytest.fixture
def active_plan(district):
    return ActivePlanFactory(district=district, title="Riverbend 2030")


@pytest.fixture
def draft_plan(district):
    return PlanFactory(district=district, title="Next plan draft")


@pytest.fixture
def role_label(district):
    return RoleLabelFactory(district=district, name="Principals", slug="principals", system_role=Role.PRINCIPAL)


@pytest.fixture
def priority(active_plan, cabinet_member):
    """A priority of the active plan, owned by `cabinet_member`."""
    return PriorityFactory(plan=active_plan, code="P1", title="Every student reads by grade 3", owner=cabinet_member)


@pytest.fixture
def commitment(priority, role_label):
    return CommitmentFactory(
        priority=priority, title="Principals hold a monthly attendance data meeting", role_label=role_label
    )


@pytest.fixture
def school(district):
    return SchoolFactory(district=district, name="Jefferson Middle School")


@pytest.fixture
def department(district):
    return DepartmentFactory(district=district, name="Operations")


@pytest.fixture
def assignment(commitment, school):
    return AssignmentFactory(commitment=commitment, school=school)
