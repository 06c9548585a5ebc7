"""Every URL pattern of the app, filled from the demo districts' objects: what the all-pages walk visits.

`DEMO_ARGUMENTS` maps a URL argument to the demo object that fills it (in Riverbend, the
demo district that offers English and Spanish). A URL with an argument not listed here
fails the walk (tests/gates/test_all_pages.py), so a new page cannot be missed: register its
argument here. `DEMO_URL_KWARGS` fills all of one URL's arguments together where they
depend on each other (an import batch of the right kind, of the right metric).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from checkins.models import Checkin, CheckinCycle, CheckinEntry, CheckinState, CycleState
from dashboards.models import BoardReport, Highlight
from districts.demo import RIVERBEND_SLUG
from districts.invitations import make_token
from districts.models import Department, District, ImportBatch, ImportKind, Invitation, Membership, RoleLabel, School
from districts.tenancy import district_context
from metrics.models import Metric, MetricValue
from plans.models import Competency, PlanState, StrategicPlan
from priorities.models import Assignment, Commitment, Priority

ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")

# The demo's people, one per role (districts/demo.py); None is a visitor who has not logged in.
DEMO_ROLES: dict[str, str | None] = {
    "anonymous": None,
    "district admin": "admin@riverbend.example",
    "superintendent": "superintendent@riverbend.example",
    "cabinet lead": "cao@riverbend.example",
    "principal": "principal@riverbend.example",
    "staff": "teacher@riverbend.example",
    "board member": "board@riverbend.example",
    "partner coach": "coach@partner.example",
}

DemoMaker = Callable[[District], object]


def _active_plan(district: District) -> StrategicPlan:
    return StrategicPlan.objects.get(district=district, state=PlanState.ACTIVE)


def _priority(district: District) -> Priority:
    return Priority.objects.filter(plan=_active_plan(district)).order_by("position", "pk").first()


def _commitment(district: District) -> Commitment:
    return Commitment.objects.filter(priority__plan=_active_plan(district)).order_by("pk").first()


def _metric(district: District) -> Metric:
    return Metric.objects.filter(district=district).order_by("pk").first()


def _batch(district: District, kind: str, target_id: int | None = None) -> int:
    """An import batch waiting for confirmation (the demo has none: its imports are done)."""
    content = {
        ImportKind.SCHOOLS: "name,level\nRiverside Elementary,elementary\n",
        ImportKind.PEOPLE: "email,full_name,role\nnew.teacher@riverbend.example,Sam Lee,staff\n",
    }.get(kind, "school,period,value\n,2024-25,85\n")
    batch, _ = ImportBatch.objects.get_or_create(
        district=district, kind=kind, target_id=target_id, defaults={"filename": "demo.csv", "content": content}
    )
    return batch.pk


def _pending_invitation(district: District) -> Invitation:
    return Invitation.objects.filter(district=district, accepted_at=None, revoked_at=None).order_by("pk").first()


def _reset_link(district: District) -> dict[str, str]:
    # Someone the walk never logs in as: logging in changes last_login, which voids the link.
    user = (
        Membership.objects.select_related("user").get(district=district, user__email="counselor@riverbend.example").user
    )
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


def _draft_plan(district: District) -> dict[str, object]:
    """A draft plan (the demo's plans are active and archived): only a draft can be activated or deleted."""
    plan, _ = StrategicPlan.objects.get_or_create(
        district=district, title="Riverbend 2031 (draft)", defaults={"start_year": 2031, "end_year": 2036}
    )
    return {"plan_id": plan.pk}


def _principal_draft(district: District) -> Checkin:
    principal = Membership.objects.get(district=district, user__email="principal@riverbend.example")
    return Checkin.objects.get(district=district, cycle__state=CycleState.OPEN, school=principal.school)


def _open_support_request(district: District) -> CheckinEntry:
    return (
        CheckinEntry.objects.filter(
            district=district,
            support_requested=True,
            support_resolved_at__isnull=True,
            checkin__state__in=[CheckinState.SUBMITTED, CheckinState.ACKNOWLEDGED],
        )
        .order_by("-checkin__cycle__period_start", "checkin__submitted_at", "pk")  # the open cycle's first
        .first()
    )


DEMO_ARGUMENTS: dict[str, DemoMaker] = {
    "district_slug": lambda d: d.slug,
    "school_id": lambda d: School.objects.get(district=d, name="Jefferson Middle School").pk,
    "department_id": lambda d: Department.objects.filter(district=d).order_by("pk").first().pk,
    "membership_id": lambda d: Membership.objects.get(district=d, user__email="principal@riverbend.example").pk,
    "invitation_id": lambda d: _pending_invitation(d).pk,
    "role_label_id": lambda d: RoleLabel.objects.filter(district=d).order_by("position", "pk").first().pk,
    "role_slug": lambda d: RoleLabel.objects.filter(district=d).order_by("position", "pk").first().slug,
    "plan_id": lambda d: _active_plan(d).pk,
    "competency_id": lambda d: Competency.objects.filter(plan=_active_plan(d)).order_by("pk").first().pk,
    "priority_id": lambda d: _priority(d).pk,
    "commitment_id": lambda d: _commitment(d).pk,
    "assignment_id": lambda d: Assignment.objects.filter(commitment=_commitment(d)).order_by("pk").first().pk,
    "metric_id": lambda d: _metric(d).pk,
    "metric_value_id": lambda d: MetricValue.objects.filter(metric=_metric(d)).order_by("pk").first().pk,
    # Check-ins (checkins/demo.py): the principal's draft in the open cycle, the latest closed cycle,
    # and an entry whose support request is still open.
    "checkin_id": lambda d: _principal_draft(d).pk,
    "cycle_id": lambda d: (
        CheckinCycle.objects.filter(district=d, state=CycleState.CLOSED).order_by("-period_start").first().pk
    ),
    "entry_id": lambda d: _open_support_request(d).pk,
    # Exports: without a period the download answers with the exports page and what to choose (an HTML page).
    "kind": lambda d: "checkins",
    "fmt": lambda d: "csv",
    # Board reports (dashboards/demo_reports.py): the ready report of the latest closed cycle.
    "report_id": lambda d: BoardReport.objects.filter(district=d, state="ready").order_by("-pk").first().pk,
    # Highlights (dashboards/demo.py): a published one; publishing is asked of the draft.
    "highlight_id": lambda d: (
        Highlight.objects.filter(district=d, published_at__isnull=False).order_by("pk").first().pk
    ),
}

# URLs whose arguments belong together: url name -> maker of all of them but district_slug.
DEMO_URL_KWARGS: dict[str, Callable[[District], dict[str, object]]] = {
    **{
        f"districts:school_import_{step}": lambda d: {"batch_id": _batch(d, ImportKind.SCHOOLS)}
        for step in ("batch", "confirm", "discard")
    },
    **{
        f"districts:people_import_{step}": lambda d: {"batch_id": _batch(d, ImportKind.PEOPLE)}
        for step in ("batch", "confirm", "discard")
    },
    **{
        f"metrics:value_import_{step}": lambda d: {
            "metric_id": _metric(d).pk,
            "batch_id": _batch(d, ImportKind.METRIC_VALUES, target_id=_metric(d).pk),
        }
        for step in ("batch", "confirm", "discard")
    },
    "dashboards:highlight_publish": lambda d: {
        "highlight_id": Highlight.objects.filter(district=d, published_at=None).order_by("pk").first().pk
    },
    "plans:plan_activate": _draft_plan,
    "plans:plan_delete": _draft_plan,
    "invitation_accept": lambda d: {"token": make_token(_pending_invitation(d))},
    "password_reset_confirm": _reset_link,
}


@dataclass(frozen=True)
class AppURL:
    name: str  # "namespace:url_name"
    route: str
    arguments: tuple[str, ...]


def _walk(patterns: list, prefix: str, namespace: str) -> list[AppURL]:
    found: list[AppURL] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found.extend(_walk(entry.url_patterns, route, ns))
        elif isinstance(entry, URLPattern):
            if not entry.name:
                raise AssertionError(f"URL {route} has no name: the walk cannot report it")
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append(AppURL(name, route, tuple(ROUTE_ARGUMENT.findall(route))))
    # One entry per name (login is both a project URL and django.contrib.auth's).
    return found


def app_urls() -> list[AppURL]:
    seen: dict[str, AppURL] = {}
    for url in _walk(get_resolver().url_patterns, "", ""):
        seen.setdefault(url.name, url)
    return list(seen.values())


def unregistered(urls: list[AppURL]) -> list[str]:
    return sorted(
        f"{url.name} ({argument})"
        for url in urls
        if url.name not in DEMO_URL_KWARGS
        for argument in url.arguments
        if argument not in DEMO_ARGUMENTS
    )


def demo_paths(urls: list[AppURL]) -> dict[str, str]:
    """url name -> its path, filled from the Riverbend demo's objects."""
    district = District.objects.get(slug=RIVERBEND_SLUG)
    paths = {}
    with district_context(district):
        for url in urls:
            kwargs = {a: DEMO_ARGUMENTS[a](district) for a in url.arguments if a in DEMO_ARGUMENTS}
            if url.name in DEMO_URL_KWARGS:
                kwargs.update(DEMO_URL_KWARGS[url.name](district))
            paths[url.name] = reverse(url.name, kwargs={k: v for k, v in kwargs.items() if k in url.arguments})
    return paths
