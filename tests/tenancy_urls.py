"""Every URL pattern under /d/<district_slug>/, and how to fill its arguments.

The cross-district matrix (tests/test_cross_district.py) walks all district
URL patterns. A pattern whose argument has no entry in URL_ARGUMENTS fails
that test, so a new page cannot escape the matrix: add an entry here that
creates an object in the given district and returns the argument's value.
The object's visible name must contain `marker`, so list pages can be checked
for rows that leaked from another district.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from districts.models import District, ImportKind
from districts.roles import Role
from tests.factories import (
    DepartmentFactory,
    InvitationFactory,
    MembershipFactory,
    RoleLabelFactory,
    SchoolFactory,
    UserFactory,
)
from tests.metrics.factories import MetricFactory, MetricValueFactory
from tests.plans.factories import (
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PlanFactory,
    PriorityFactory,
)

DISTRICT_PREFIX = "d/<slug:district_slug>/"
ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")

ArgumentMaker = Callable[[District, str], object]


def _import_batch(district: District, marker: str) -> int:
    from districts.models import ImportBatch

    return ImportBatch.objects.create(
        district=district, kind=ImportKind.SCHOOLS, filename=f"{marker}.csv", content="name,level\n"
    ).pk


URL_ARGUMENTS: dict[str, ArgumentMaker] = {
    "school_id": lambda d, m: SchoolFactory(district=d, name=f"{m} School").pk,
    "department_id": lambda d, m: DepartmentFactory(district=d, name=f"{m} Department").pk,
    "membership_id": lambda d, m: MembershipFactory(
        district=d, role=Role.BOARD_MEMBER, user=UserFactory(full_name=f"{m} Person")
    ).pk,
    "invitation_id": lambda d, m: InvitationFactory(district=d, full_name=f"{m} Invitee").pk,
    "batch_id": _import_batch,
    "role_label_id": lambda d, m: RoleLabelFactory(district=d, name=f"{m} Role").pk,
    # Plans and priorities (drafts: several may exist in one district, and admins see them).
    "plan_id": lambda d, m: PlanFactory(district=d, title=f"{m} Plan").pk,
    "competency_id": lambda d, m: CompetencyFactory(plan=PlanFactory(district=d), name=f"{m} Competency").pk,
    "priority_id": lambda d, m: PriorityFactory(plan=PlanFactory(district=d), title=f"{m} Priority").pk,
    "commitment_id": lambda d, m: CommitmentFactory(
        priority=PriorityFactory(plan=PlanFactory(district=d)), title=f"{m} Commitment"
    ).pk,
    "assignment_id": lambda d, m: AssignmentFactory(
        commitment=CommitmentFactory(priority=PriorityFactory(plan=PlanFactory(district=d)), title=f"{m} Commitment")
    ).pk,
    "role_slug": lambda d, m: RoleLabelFactory(district=d, name=f"{m} Card").slug,
    # Metrics (under a priority of the district's active plan).
    "metric_id": lambda d, m: MetricFactory(district=d, name=f"{m} Metric").pk,
    "metric_value_id": lambda d, m: MetricValueFactory(
        district=d, metric=MetricFactory(district=d, name=f"{m} Metric"), school=SchoolFactory(district=d)
    ).pk,
}


@dataclass(frozen=True)
class DistrictURL:
    name: str  # "namespace:url_name"
    route: str  # the full route, e.g. "d/<slug:district_slug>/schools/<int:school_id>/"
    arguments: tuple[str, ...]  # every argument but district_slug

    def __str__(self) -> str:
        return self.name


def _walk(patterns: list, prefix: str, namespace: str) -> list[DistrictURL]:
    found: list[DistrictURL] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found.extend(_walk(entry.url_patterns, route, ns))
        elif isinstance(entry, URLPattern) and route.startswith(DISTRICT_PREFIX):
            if not entry.name:
                raise AssertionError(f"District URL {route} has no name")
            arguments = tuple(a for a in ROUTE_ARGUMENT.findall(route) if a != "district_slug")
            found.append(DistrictURL(f"{namespace}:{entry.name}" if namespace else entry.name, route, arguments))
    return found


def district_urls() -> list[DistrictURL]:
    return _walk(get_resolver().url_patterns, "", "")
