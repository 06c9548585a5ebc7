"""District setup pages: the role matrix, with exact outcomes.

Every district setup URL, each method it answers, and the roles that may use it.
A GET: allowed roles get the page, the others 403, and nothing changes. A POST
is sent with a valid body (built from the page's own form where it has one):
allowed roles make the change (each case's `made`), the others get 403 and
nothing in the district changes (tests/role_matrix.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards.models import BoardReport, Highlight, ReportState
from districts.models import Department, District, ImportBatch, ImportKind, Invitation, Membership, School
from districts.roles import Role
from tests.role_matrix import expectation, is_exact, outcome_of, page_form_data
from tests.tenancy_urls import URL_ARGUMENTS, RereadableFile, district_urls

from .helpers import count, fresh

ADMIN = frozenset({Role.DISTRICT_ADMIN})
PEOPLE_VIEWERS = frozenset({Role.DISTRICT_ADMIN, Role.SUPERINTENDENT, Role.CABINET})
EVERYONE = frozenset(Role)
EXPORTERS = frozenset({Role.DISTRICT_ADMIN, Role.SUPERINTENDENT, Role.CABINET, Role.PARTNER_COACH})
REPORT_REQUESTERS = frozenset({Role.DISTRICT_ADMIN, Role.SUPERINTENDENT, Role.CABINET})
HIGHLIGHTERS = frozenset({Role.SUPERINTENDENT})

Kwargs = dict[str, object]


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    allowed: frozenset[Role]
    ok: int = 200
    # POST: the body, or a callable (kwargs, the page's path, an allowed client) -> body; and the change it makes.
    data: dict | Callable[..., dict] | None = None
    made: Callable[[District, Kwargs], bool] | None = None
    # Arguments that the URL_ARGUMENTS makers can't give (a deactivated member, a batch of the right kind).
    arguments: Callable[[District, Callable], Kwargs] | None = None
    # Allowed roles that this URL sends on to their own page (302) instead of answering itself.
    redirects: frozenset[Role] = frozenset()

    def __str__(self) -> str:
        return f"{self.method} {self.url_name}"


def _get(url_name: str, allowed: frozenset[Role], **fields) -> Case:
    return Case(f"districts:{url_name}", "GET", allowed, **fields)


def _post(url_name: str, allowed: frozenset[Role], made, data=None, **fields) -> Case:
    return Case(f"districts:{url_name}", "POST", allowed, 302, data if data is not None else {}, made, **fields)


def form(**fields):
    """The body built from the page's own form, with `fields` over it."""
    return lambda kwargs, path, client: page_form_data(client, path, **fields)


def upload(content: str):
    return lambda kwargs, path, client: {"file": RereadableFile("matrix.csv", content.encode())}


def one(model, argument, **expected):
    """made: the object named by the URL argument now has these values."""

    def made(district, kwargs):
        obj = fresh_or_none(model, kwargs[argument])
        return obj is not None and all(getattr(obj, k) == v for k, v in expected.items())

    return made


def gone(model, argument):
    return lambda district, kwargs: fresh_or_none(model, kwargs[argument]) is None


def batch_status(status):
    return lambda district, kwargs: fresh(ImportBatch(pk=kwargs["batch_id"])).status == status


def fresh_or_none(model, pk):
    with scopes_disabled():
        return model._base_manager.filter(pk=pk).first()


def _batch(kind, content):
    return lambda district, make_batch: {"batch_id": make_batch(district, kind=kind, content=content).pk}


def _failed_report(district) -> int:
    report_id = URL_ARGUMENTS["report_id"](district, "Matrix")
    BoardReport._base_manager.filter(pk=report_id).update(state=ReportState.FAILED, error="Matrix failure")
    return report_id


def _inactive_member(district, make_batch):
    membership_id = URL_ARGUMENTS["membership_id"](district, "Matrix")
    Membership._base_manager.filter(pk=membership_id).update(is_active=False)
    return {"membership_id": membership_id}


SCHOOLS_CSV = "name,level\nMatrix Import School,high\n"
PEOPLE_CSV = "email,full_name,role\nimported@example.org,Imported Person,board_member\n"

CASES = [
    # The district home, each role's own page; board members go on to the board pages.
    Case("dashboards:home", "GET", EVERYONE, redirects=frozenset({Role.BOARD_MEMBER})),
    # Exports: the page, and a download asked without a period (the page again, with what to choose).
    Case("dashboards:exports", "GET", EXPORTERS),
    Case("dashboards:export_download", "GET", EXPORTERS),
    # Board pages and board reports: everyone reads them (published, aggregate content only).
    *(
        Case(f"dashboards:{name}", "GET", EVERYONE)
        for name in ("board", "report_list", "report_detail", "report_view", "report_pdf")
    ),
    Case(
        "dashboards:report_retry",
        "POST",
        REPORT_REQUESTERS,
        302,
        {},
        lambda district, kwargs: fresh(BoardReport(pk=kwargs["report_id"])).state == ReportState.QUEUED,
        arguments=lambda district, make_batch: {"report_id": _failed_report(district)},
    ),
    # Highlights: the superintendent writes and publishes them.
    *(
        Case(f"dashboards:{name}", "GET", HIGHLIGHTERS)
        for name in (
            "highlight_list",
            "highlight_edit",
            "highlight_publish",
            "highlight_unpublish",
            "highlight_delete",
        )
    ),
    Case(
        "dashboards:highlight_unpublish",
        "POST",
        HIGHLIGHTERS,
        302,
        {},
        lambda district, kwargs: fresh(Highlight(pk=kwargs["highlight_id"])).published_at is None,
    ),
    Case(
        "dashboards:highlight_delete",
        "POST",
        HIGHLIGHTERS,
        302,
        {},
        gone(Highlight, "highlight_id"),
    ),
    _get("settings", ADMIN),
    _post(
        "settings",
        ADMIN,
        lambda district, kwargs: fresh(district).name == "Renamed District",
        form(name="Renamed District"),
    ),
    _get("school_list", EVERYONE),
    _get("school_detail", EVERYONE),
    _get("school_create", ADMIN),
    _post(
        "school_create",
        ADMIN,
        lambda district, kwargs: count(School, district=district, name="Matrix New School") == 1,
        form(name="Matrix New School", level="high"),
    ),
    _get("school_edit", ADMIN),
    _post("school_edit", ADMIN, one(School, "school_id", name="Renamed School"), form(name="Renamed School")),
    _get("school_delete", ADMIN),
    _post("school_delete", ADMIN, gone(School, "school_id")),
    _get("school_import", ADMIN),
    _post(
        "school_import",
        ADMIN,
        lambda district, kwargs: count(ImportBatch, district=district, kind=ImportKind.SCHOOLS) == 1,
        upload(SCHOOLS_CSV),
    ),
    _get("school_import_sample", ADMIN),
    _get("school_import_batch", ADMIN, arguments=_batch(ImportKind.SCHOOLS, SCHOOLS_CSV)),
    _post(
        "school_import_confirm",
        ADMIN,
        lambda district, kwargs: count(School, district=district, name="Matrix Import School") == 1,
        arguments=_batch(ImportKind.SCHOOLS, SCHOOLS_CSV),
    ),
    _post(
        "school_import_discard",
        ADMIN,
        batch_status(ImportBatch.Status.DISCARDED),
        arguments=_batch(ImportKind.SCHOOLS, SCHOOLS_CSV),
    ),
    _get("department_list", EVERYONE),
    _get("department_detail", EVERYONE),
    _get("department_create", ADMIN),
    _post(
        "department_create",
        ADMIN,
        lambda district, kwargs: count(Department, district=district, name="Matrix New Department") == 1,
        form(name="Matrix New Department"),
    ),
    _get("department_edit", ADMIN),
    _post(
        "department_edit",
        ADMIN,
        one(Department, "department_id", name="Renamed Department"),
        form(name="Renamed Department"),
    ),
    _get("department_delete", ADMIN),
    _post("department_delete", ADMIN, gone(Department, "department_id")),
    _get("people_list", PEOPLE_VIEWERS),
    _get("person_detail", PEOPLE_VIEWERS),
    _get("invitation_detail", PEOPLE_VIEWERS),
    _get("invite", ADMIN),
    _post(
        "invite",
        ADMIN,
        lambda district, kwargs: count(Invitation, district=district, email="matrix.invitee@example.org") == 1,
        form(email="matrix.invitee@example.org", full_name="Matrix Invitee", role=Role.BOARD_MEMBER),
    ),
    _get("person_edit", ADMIN),
    _post("person_edit", ADMIN, one(Membership, "membership_id", title="Matrix title"), form(title="Matrix title")),
    _get("person_deactivate", ADMIN),
    _post("person_deactivate", ADMIN, one(Membership, "membership_id", is_active=False)),
    _get("person_reactivate", ADMIN, arguments=_inactive_member),
    _post("person_reactivate", ADMIN, one(Membership, "membership_id", is_active=True), arguments=_inactive_member),
    # A re-send changes the link (made=None: some row of the district changes).
    _post("invitation_resend", ADMIN, None),
    _get("invitation_revoke", ADMIN),
    _post(
        "invitation_revoke",
        ADMIN,
        lambda district, kwargs: fresh(Invitation(pk=kwargs["invitation_id"])).revoked_at is not None,
    ),
    _get("people_import", ADMIN),
    _post(
        "people_import",
        ADMIN,
        lambda district, kwargs: count(ImportBatch, district=district, kind=ImportKind.PEOPLE) == 1,
        upload(PEOPLE_CSV),
    ),
    _get("people_import_sample", ADMIN),
    _get("people_import_batch", ADMIN, arguments=_batch(ImportKind.PEOPLE, PEOPLE_CSV)),
    _post(
        "people_import_confirm",
        ADMIN,
        lambda district, kwargs: count(Invitation, district=district, email="imported@example.org") == 1,
        arguments=_batch(ImportKind.PEOPLE, PEOPLE_CSV),
    ),
    _post(
        "people_import_discard",
        ADMIN,
        batch_status(ImportBatch.Status.DISCARDED),
        arguments=_batch(ImportKind.PEOPLE, PEOPLE_CSV),
    ),
]

# Pages that need the active plan's own priorities (the matrix's makers give a plan of their own), whose
# role matrices live beside their other tests.
COVERED_ELSEWHERE = {
    "dashboards:priority_drill": "tests/dashboards/test_dashboard.py",
    "dashboards:commitment_drill": "tests/dashboards/test_dashboard.py",
    "dashboards:school_drill": "tests/dashboards/test_dashboard.py",
    "dashboards:board_priority": "tests/dashboards/test_board.py",
    "dashboards:highlight_create": "tests/dashboards/test_highlights.py",
}

# The POSTs that check "some row changed" rather than a change of their own.
CHANGES_SOME_ROW = {"districts:invitation_resend"}


def _kwargs(case: Case, district: District, make_batch) -> Kwargs:
    if case.arguments:
        return {"district_slug": district.slug, **case.arguments(district, make_batch)}
    route = next(u for u in district_urls() if u.name == case.url_name)
    return {"district_slug": district.slug, **{a: URL_ARGUMENTS[a](district, "Matrix") for a in route.arguments}}


def test_the_matrix_covers_every_districts_url():
    names = {u.name for u in district_urls() if u.name.startswith(("districts:", "dashboards:"))}
    assert names == {case.url_name for case in CASES} | set(COVERED_ELSEWHERE)
    unchecked = {str(c) for c in CASES if c.method == "POST" and c.made is None} - {
        f"POST {n}" for n in CHANGES_SOME_ROW
    }
    assert not unchecked, f"POST cases without a check of their change: {unchecked}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_matrix(case, district, make_member, client_for, make_batch):
    clients = {role: client_for(make_member(district, role)) for role in Role}
    kwargs = _kwargs(case, district, make_batch)
    path = reverse(case.url_name, kwargs=kwargs)
    data = case.data
    if callable(data):
        data = data(kwargs, path, clients[next(role for role in Role if role in case.allowed)])
    made = (lambda: case.made(district, kwargs)) if case.made else None
    wrong = {}
    for role, client in clients.items():
        outcome = outcome_of(client, case.method.lower(), path, district=district, data=data, made=made)
        allowed = role in case.allowed
        expected = 302 if role in case.redirects else case.ok if allowed else 403
        if not is_exact(outcome, method=case.method.lower(), allowed=allowed, expected=expected):
            method = case.method.lower()
            wrong[role] = f"got {outcome}; {expectation(method=method, allowed=allowed, expected=expected)}"
    assert not wrong, f"{case}: {wrong}"


@pytest.mark.parametrize("url_name", ["school_import_confirm", "invitation_resend", "people_import_discard"])
def test_post_only_actions_refuse_get(url_name, district, admin_client, make_batch):
    case = Case(f"districts:{url_name}", "POST", ADMIN)
    assert admin_client.get(reverse(case.url_name, kwargs=_kwargs(case, district, make_batch))).status_code == 405
