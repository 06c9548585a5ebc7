"""Every URL pattern under /d/<district_slug>/, and how to fill it: the cross-district matrix's registry.

The cross-district matrix (tests/test_cross_district.py, checks in
tests/tenancy_matrix.py) walks all district URL patterns and fails until each
new thing is registered here:

* `URL_ARGUMENTS`: a URL argument (`school_id`) -> a maker that creates an
  object in the given district and returns the argument's value. The
  object's visible name must contain `marker`, so pages can be checked for
  rows that leaked from another district. `URL_KWARGS` makes all of one
  URL's arguments together when they depend on each other (a batch of a metric);
  `PAGE_OBJECTS` makes what a page needs before it shows its form.
* `OBJECT_MAKERS`: a model that a form field chooses (ModelChoiceField) ->
  a maker of such an object in the given district, made like `like` (one of
  the form's own choices) where that matters.
* `OBJECT_PARAMETERS`: a query parameter or form field that names an object
  without being a ModelChoiceField (`?plan=`, `place=school:<id>`) -> the
  values that name another district's object. `PLAIN_PARAMETERS`: names that
  the views read and that name no object (`page`, `q`, `sort`).
* `FORM_DATA`: a URL that answers only POST (its form lives on another page)
  -> a valid POST body; for other form pages, fields to put over the form's
  own values when those alone are not valid (e.g. a required number).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from districts.models import Department, District, ImportKind, Invitation, Membership, RoleLabel, School
from districts.roles import Role
from metrics.models import Metric, MetricValue
from plans.models import Competency, StrategicPlan
from priorities.models import Assignment, Commitment, Priority
from tests.factories import (
    DepartmentFactory,
    InvitationFactory,
    MembershipFactory,
    RoleLabelFactory,
    SchoolFactory,
    UserFactory,
)
from tests.metrics.factories import MetricFactory, MetricValueFactory, active_plan
from tests.plans.factories import (
    PLAN_END_YEAR,
    PLAN_START_YEAR,
    AssignmentFactory,
    CommitmentFactory,
    CompetencyFactory,
    PlanFactory,
    PriorityFactory,
    csv_school_year,
    in_school_year,
)

DISTRICT_PREFIX = "d/<slug:district_slug>/"
ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")

ArgumentMaker = Callable[[District, str], object]
_number = itertools.count(1)


def _name(marker: str, kind: str) -> str:
    """A visible name with the marker, unique (names are unique within a district)."""
    return f"{marker} {kind} {next(_number)}"


def _import_batch(district: District, marker: str, kind: str = ImportKind.SCHOOLS, target_id: int | None = None) -> int:
    from django_scopes import scopes_disabled

    from districts.models import ImportBatch

    with scopes_disabled():
        return ImportBatch.objects.create(
            district=district, kind=kind, target_id=target_id, filename=f"{marker}.csv", content="name,level\n"
        ).pk


def _checkin(district: District, marker: str) -> int:
    """An open cycle's check-in of a new school (its name carries the marker), with one entry."""
    from datetime import date, timedelta

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from checkins.models import Checkin, CheckinCycle, CheckinEntry, CycleState

    now = timezone.now()
    with scopes_disabled():
        plan = active_plan(district)
        cycle, _ = CheckinCycle.objects.get_or_create(
            district=district,
            period_start=date(PLAN_START_YEAR + 1, 3, 1),
            defaults={
                "plan": plan,
                "period_end": date(PLAN_START_YEAR + 1, 3, 31),
                "opens_at": now - timedelta(days=1),
                "due_at": now + timedelta(days=5),
                "escalates_at": now + timedelta(days=8),
                "closes_at": now + timedelta(days=12),
                "state": CycleState.OPEN,
                "opened_at": now - timedelta(days=1),
            },
        )
        school = SchoolFactory(district=district, name=_name(marker, "School"))
        checkin = Checkin.objects.create(district=district, cycle=cycle, school=school)
        commitment = CommitmentFactory(priority=PriorityFactory(plan=plan), title=_name(marker, "Commitment"))
        assignment = AssignmentFactory(commitment=commitment, school=school)
        CheckinEntry.objects.create(district=district, checkin=checkin, assignment=assignment)
    return checkin.pk


def _support_entry(district: District, marker: str) -> int:
    """A submitted check-in's entry asking for support (what is needed carries the marker)."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from checkins.models import Checkin, CheckinEntry, CheckinState

    checkin_id = _checkin(district, marker)
    with scopes_disabled():
        Checkin.objects.filter(pk=checkin_id).update(state=CheckinState.SUBMITTED, submitted_at=timezone.now())
        entry = CheckinEntry.objects.get(checkin_id=checkin_id)
        entry.support_requested, entry.support_needed = True, _name(marker, "Support")
        entry.save(update_fields=["support_requested", "support_needed"])
    return entry.pk


def _cycle_of_checkin(district: District, marker: str) -> int:
    """The open cycle of a new check-in (the school in it carries the marker)."""
    from django_scopes import scopes_disabled

    from checkins.models import Checkin

    checkin_id = _checkin(district, marker)
    with scopes_disabled():
        return Checkin.objects.get(pk=checkin_id).cycle_id


URL_ARGUMENTS: dict[str, ArgumentMaker] = {
    "school_id": lambda d, m: SchoolFactory(district=d, name=_name(m, "School")).pk,
    "department_id": lambda d, m: DepartmentFactory(district=d, name=_name(m, "Department")).pk,
    "membership_id": lambda d, m: (
        MembershipFactory(district=d, role=Role.BOARD_MEMBER, user=UserFactory(full_name=_name(m, "Person"))).pk
    ),
    "invitation_id": lambda d, m: InvitationFactory(district=d, full_name=_name(m, "Invitee")).pk,
    "batch_id": _import_batch,
    "role_label_id": lambda d, m: RoleLabelFactory(district=d, name=_name(m, "Role")).pk,
    # Plans and priorities (drafts: several may exist in one district, and admins see them).
    "plan_id": lambda d, m: PlanFactory(district=d, title=_name(m, "Plan")).pk,
    "competency_id": lambda d, m: CompetencyFactory(plan=PlanFactory(district=d), name=_name(m, "Competency")).pk,
    "priority_id": lambda d, m: PriorityFactory(plan=PlanFactory(district=d), title=_name(m, "Priority")).pk,
    "commitment_id": lambda d, m: (
        CommitmentFactory(priority=PriorityFactory(plan=PlanFactory(district=d)), title=_name(m, "Commitment")).pk
    ),
    "assignment_id": lambda d, m: (
        AssignmentFactory(
            commitment=CommitmentFactory(
                priority=PriorityFactory(plan=PlanFactory(district=d)), title=_name(m, "Commitment")
            )
        ).pk
    ),
    "role_slug": lambda d, m: RoleLabelFactory(district=d, name=_name(m, "Card")).slug,
    # Check-ins (an open cycle's check-in of a school whose name carries the marker).
    "checkin_id": _checkin,
    "entry_id": _support_entry,
    "cycle_id": lambda d, m: _cycle_of_checkin(d, m),
    # Metrics (under a priority of the district's active plan).
    "metric_id": lambda d, m: MetricFactory(district=d, name=_name(m, "Metric")).pk,
    "metric_value_id": lambda d, m: (
        MetricValueFactory(
            district=d, metric=MetricFactory(district=d, name=_name(m, "Metric")), school=SchoolFactory(district=d)
        ).pk
    ),
    # Exports (exports/<kind>.<fmt>): what and which format, the same in every district (PLAIN_ARGUMENTS).
    "kind": lambda d, m: "checkins",
    "fmt": lambda d, m: "csv",
    # Dashboards: a published highlight of the active plan (the board pages show published ones).
    "highlight_id": lambda d, m: _highlight(d, m),
    # Board reports: a ready one (its HTML, shown by the report page, carries the marker).
    "report_id": lambda d, m: _board_report(d, m),
}


def _highlight(district: District, marker: str) -> int:
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from dashboards.models import Highlight

    with scopes_disabled():
        return Highlight.objects.create(
            district=district,
            plan=active_plan(district),
            title=_name(marker, "Highlight"),
            body=_name(marker, "Highlight text"),
            published_at=timezone.now(),
        ).pk


def _board_report(district: District, marker: str) -> int:
    from django_scopes import scopes_disabled

    from dashboards.models import BoardReport, ReportState, ReportSubject

    plan = active_plan(district)
    name = _name(marker, "Board report")
    with scopes_disabled():
        return BoardReport.objects.create(
            district=district,
            plan=plan,
            subject=ReportSubject.QUARTER,
            subject_key=f"quarter:matrix-{next(_number)}",
            quarter_start=_plan_first_day(district, plan),
            state=ReportState.READY,
            progress=100,
            html=f"<!doctype html><html lang=en><head><title>{name}</title><style></style></head>"
            f"<body><main>{name}</main></body></html>",
            pdf=b"%PDF-1.4 " + name.encode(),
        ).pk


def _plan_first_day(district: District, plan: StrategicPlan):
    from core.calendar import plan_period

    return plan_period(plan.start_year, plan.end_year, district.school_year_start_month).first_day


def _metric_batch(district: District, marker: str) -> dict[str, object]:
    metric_id = URL_ARGUMENTS["metric_id"](district, marker)
    batch_id = _import_batch(district, marker, ImportKind.METRIC_VALUES, target_id=metric_id)
    return {"metric_id": metric_id, "batch_id": batch_id}


# A URL whose arguments belong together: url name -> maker of all its arguments.
URL_KWARGS: dict[str, Callable[[District, str], dict[str, object]]] = {
    **{
        f"districts:people_import{step}": lambda d, m: {"batch_id": _import_batch(d, m, ImportKind.PEOPLE)}
        for step in ("_batch", "_confirm", "_discard")
    },
    **{f"metrics:value_import{step}": _metric_batch for step in ("_batch", "_confirm", "_discard")},
}


# URL arguments that name no object (an export's kind and format): a URL with no other argument has
# nothing of another district's to swap in, so the matrix checks it as a page of the district's own rows.
PLAIN_ARGUMENTS = frozenset({"kind", "fmt"})


# What a page needs in its district before it shows its form (e.g. a priority to add a metric under).
PAGE_OBJECTS: dict[str, Callable[[District, str], object]] = {
    "metrics:metric_create": lambda d, m: _active_priority(d, m),
}


def url_kwargs(url: DistrictURL, district: District, marker: str) -> dict[str, object]:
    """All of a URL's arguments, for objects made in `district` and named with `marker`."""
    if url.name in PAGE_OBJECTS:
        PAGE_OBJECTS[url.name](district, marker)
    if url.name in URL_KWARGS:
        return {"district_slug": district.slug, **URL_KWARGS[url.name](district, marker)}
    return {"district_slug": district.slug, **{a: URL_ARGUMENTS[a](district, marker) for a in url.arguments}}


# --- Objects named in forms and query strings ---------------------------------------------

ObjectMaker = Callable[[District, str, models.Model | None], object]


def _argument(name: str) -> ObjectMaker:
    return lambda d, m, like: URL_ARGUMENTS[name](d, m)


def _member_like(district: District, marker: str, like: models.Model | None) -> int:
    role = like.role if isinstance(like, Membership) else Role.CABINET
    return MembershipFactory(district=district, role=role, user=UserFactory(full_name=_name(marker, "Person"))).pk


def _school_like(district: District, marker: str, like: models.Model | None) -> int:
    fields = {"level": like.level} if isinstance(like, School) else {}
    return SchoolFactory(district=district, name=_name(marker, "School"), **fields).pk


def _active_priority(district: District, marker: str) -> int:
    return PriorityFactory(plan=active_plan(district), title=_name(marker, "Priority")).pk


OBJECT_MAKERS: dict[type[models.Model], ObjectMaker] = {
    School: _school_like,
    Department: _argument("department_id"),
    Membership: _member_like,
    Invitation: _argument("invitation_id"),
    RoleLabel: _argument("role_label_id"),
    StrategicPlan: _argument("plan_id"),
    Competency: _argument("competency_id"),
    Priority: lambda d, m, like: _active_priority(d, m),
    Commitment: _argument("commitment_id"),
    Assignment: _argument("assignment_id"),
    Metric: _argument("metric_id"),
    MetricValue: _argument("metric_value_id"),
}

# Names (query parameters, or form fields that are not ModelChoiceFields) that name an
# object -> the values that name one of the given district's objects.
OBJECT_PARAMETERS: dict[str, Callable[[District, str], list[str]]] = {
    "plan": lambda d, m: [str(URL_ARGUMENTS["plan_id"](d, m))],
    "from": lambda d, m: [str(URL_ARGUMENTS["plan_id"](d, m))],
    "priority": lambda d, m: [str(_active_priority(d, m))],
    "school": lambda d, m: [str(URL_ARGUMENTS["school_id"](d, m))],
    "entry": lambda d, m: [str(URL_ARGUMENTS["entry_id"](d, m))],  # the check-in comment form's entry
    "cycle": lambda d, m: [str(URL_ARGUMENTS["cycle_id"](d, m))],  # the heat map's and the exports' cycle
    "supervisor": lambda d, m: [str(_member_like(d, m, None))],  # the heat map's principal supervisor
    "place": lambda d, m: [
        f"school:{URL_ARGUMENTS['school_id'](d, m)}",
        f"department:{URL_ARGUMENTS['department_id'](d, m)}",
    ],
    # The board report form's choice: another district's cycle.
    "subject": lambda d, m: [f"cycle:{_cycle_of_checkin(d, m)}"],
}

# Names the views read that name no object.
PLAIN_PARAMETERS = frozenset(
    {
        "page",
        "q",
        "level",
        "region",
        "sort",
        "dir",
        "period",
        "status",
        "role",
        "focus",
        "year",
        "over",
        "direction",
        "note",
        "school_year_start_month",
        "next",  # where a plain post goes back to (a path on this site, checked)
        "state",  # a cycle's check-ins by state
        "tab",  # the support queue: open or resolved
        "show",  # the support queue: all or mine
        "kind",  # exports: what to export
        "format",  # exports: CSV or Excel
        "start",  # exports: the first month (YYYY-MM)
        "end",  # exports: the last month
    }
)


class RereadableFile(SimpleUploadedFile):
    """An upload that can be posted many times (the test client reads it to the end each time)."""

    def read(self, *args: object) -> bytes:
        self.seek(0)
        return super().read(*args)


def _role_label(district: District) -> int:
    return RoleLabelFactory(district=district).pk


def _values_file(district: District) -> RereadableFile:
    school = SchoolFactory(district=district)
    return RereadableFile("values.csv", f"school,period,value\n{school.code},{csv_school_year(-1)},85\n".encode())


# POST bodies: for URLs that answer only POST, the whole valid body; for form pages,
# fields put over the form's own values. A callable value is called with the district.
FORM_DATA: dict[str, dict[str, object]] = {
    "priorities:commitment_create": {"role_label": _role_label},
    # A plan covers at least one school year: the minimum in both year fields is refused.
    "plans:plan_create": {"start_year": str(PLAN_START_YEAR), "end_year": str(PLAN_END_YEAR)},
    "metrics:value_import": {"file": _values_file},
    "plans:competency_move": {"direction": "down"},
    "priorities:priority_move": {"direction": "down"},
    "priorities:commitment_move": {"direction": "down"},
    "priorities:role_label_move": {"direction": "down"},
    "priorities:commitment_status": {"status": "paused", "note": ""},
    "priorities:assignment_status": {"status": "paused", "note": ""},
    "districts:invitation_resend": {},
    "districts:school_import_confirm": {},
    "districts:school_import_discard": {},
    "districts:people_import_confirm": {},
    "districts:people_import_discard": {},
    "metrics:value_import_confirm": {},
    "metrics:value_import_discard": {},
    "metrics:value_enter": {"value": "85"},
    "dashboards:highlight_publish": {},
    "dashboards:highlight_unpublish": {},
    # Responses to a check-in (their forms sit on the check-in page).
    "checkins:checkin_acknowledge": {"body": ""},
    "checkins:checkin_comment": {"body": "A comment"},
    "checkins:checkin_return": {"comment": "Please add the reading data"},
    "checkins:support_resolve": {"body": ""},
    "metrics:metric_create": {
        "baseline_value": "80",
        "baseline_date": in_school_year(-2, 7, 31).isoformat(),
        "target_value": "90",
        "target_date": in_school_year(2, 7, 31).isoformat(),
    },
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
