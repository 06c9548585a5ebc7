"""Metric pages and changes: what each role gets, exactly (tests/role_matrix.py).

Every metrics URL is in the matrix. A GET: the expected status and nothing
changes. A POST, with a valid body built from the page's own form: roles
expected to get 302 make the change (each case's `made`); every other role
gets its expected status (403, or the form back when the role may open it but
not use what it chose) and nothing in the district changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse
from django_scopes import scopes_disabled

from districts.models import ImportBatch, ImportKind
from districts.roles import Role
from metrics.models import Metric, MetricValue
from tests.metrics.factories import MetricFactory, MetricValueFactory
from tests.plans.factories import csv_school_year, in_school_year
from tests.role_matrix import expectation, is_exact, outcome_of, page_form_data
from tests.tenancy_urls import RereadableFile

pytestmark = pytest.mark.django_db

YEAR_BEFORE = in_school_year(-1)

ROLES = [
    Role.DISTRICT_ADMIN,
    Role.SUPERINTENDENT,
    "owner",  # the cabinet member who owns the metric's priority
    Role.CABINET,
    Role.PRINCIPAL,
    Role.STAFF,
    Role.BOARD_MEMBER,
    Role.PARTNER_COACH,
]
EVERYONE = dict.fromkeys(ROLES, 200)
DEFINERS = {**dict.fromkeys(ROLES, 403), Role.DISTRICT_ADMIN: 200, Role.SUPERINTENDENT: 200, "owner": 200}
# Any cabinet member may open "Add a metric" (it lists only priorities they lead).
CREATORS = {**DEFINERS, Role.CABINET: 200}
ENTERERS = {**DEFINERS, Role.PRINCIPAL: 200}


def changed_by(allowed: dict, **others: int) -> dict:
    """A POST's statuses: 302 for the roles that may open the page, the rest as on GET (403), `others` apart."""
    return {role: 302 if status == 200 else status for role, status in allowed.items()} | others


VALUES_CSV = f"school,period,value\nA1,{csv_school_year(-1)},70\n"


@dataclass(frozen=True)
class Case:
    name: str
    arguments: frozenset[str]
    expected: dict  # role -> status
    method: str = "get"
    # POST: the body, or a callable (world, path, an allowed client) -> body; and the change it makes.
    data: Callable[..., dict] | dict | None = None
    made: Callable[[dict], bool] | None = None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


def form(**fields):
    return lambda world, path, client: page_form_data(
        client, path, **{k: v(world) if callable(v) else v for k, v in fields.items()}
    )


def adams_2024(world) -> Decimal | None:
    with scopes_disabled():
        value = MetricValue.objects.filter(
            metric=world["metric"], school=world["schools"][0], period=YEAR_BEFORE
        ).first()
    return value.value if value else None


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.filter(pk=obj.pk).first()


CASES = [
    Case("metric_list", frozenset(), EVERYONE),
    Case("metric_create", frozenset(), CREATORS),
    Case(
        "metric_create",
        frozenset(),
        # Another cabinet member may open the form but not add under a priority they don't lead.
        changed_by(CREATORS, **{Role.CABINET: 200}),
        "post",
        form(
            name="Matrix metric",
            priority=lambda w: w["priority"].pk,
            baseline_value="80",
            baseline_date=in_school_year(-2, 7, 31).isoformat(),
            target_value="90",
            target_date=in_school_year(2, 7, 31).isoformat(),
        ),
        lambda w: Metric._base_manager.filter(name="Matrix metric").exists(),
    ),
    Case("metric_detail", frozenset({"metric_id"}), EVERYONE),
    Case("metric_values_csv", frozenset({"metric_id"}), EVERYONE),
    Case("metric_edit", frozenset({"metric_id"}), DEFINERS),
    Case(
        "metric_edit",
        frozenset({"metric_id"}),
        changed_by(DEFINERS),
        "post",
        form(name="Renamed metric"),
        lambda w: fresh(w["metric"]).name == "Renamed metric",
    ),
    Case("metric_delete", frozenset({"metric_id"}), DEFINERS),
    Case(
        "metric_delete",
        frozenset({"empty_metric_id"}),
        changed_by(DEFINERS),
        "post",
        {},
        lambda w: fresh(w["empty_metric"]) is None,
    ),
    Case(
        "metric_delete",
        frozenset({"metric_id"}),  # with values: they go with it
        changed_by(DEFINERS),
        "post",
        {},
        lambda w: fresh(w["metric"]) is None and fresh(w["values"][0]) is None,
    ),
    Case("value_enter", frozenset({"metric_id"}), ENTERERS),
    Case(
        "value_enter",
        frozenset({"metric_id"}),
        changed_by(ENTERERS),
        "post",
        form(school=lambda w: w["schools"][0].pk, period=YEAR_BEFORE.isoformat(), value="77"),
        lambda w: adams_2024(w) == Decimal("77"),
    ),
    Case("value_detail", frozenset({"metric_value_id"}), EVERYONE),
    # Whoever may enter a value may remove it (a principal their own school's: Adams here).
    Case("value_delete", frozenset({"metric_value_id"}), ENTERERS),
    Case(
        "value_delete",
        frozenset({"metric_value_id"}),
        changed_by(ENTERERS),
        "post",
        {},
        lambda w: fresh(w["values"][0]) is None,
    ),
    Case("value_import", frozenset({"metric_id"}), DEFINERS),
    Case(
        "value_import",
        frozenset({"metric_id"}),
        changed_by(DEFINERS),
        "post",
        lambda world, path, client: {"file": RereadableFile("values.csv", VALUES_CSV.encode())},
        lambda w: ImportBatch._base_manager.filter(target_id=w["metric"].pk, filename="values.csv").exists(),
    ),
    Case("value_import_sample", frozenset({"metric_id"}), DEFINERS),
    Case("value_import_batch", frozenset({"metric_id", "batch_id"}), DEFINERS),
    Case(
        "value_import_confirm",
        frozenset({"metric_id", "batch_id"}),
        changed_by(DEFINERS),
        "post",
        {},
        lambda w: adams_2024(w) == Decimal("70"),
    ),
    Case(
        "value_import_discard",
        frozenset({"metric_id", "batch_id"}),
        changed_by(DEFINERS),
        "post",
        {},
        lambda w: fresh(w["batch"]).status == ImportBatch.Status.DISCARDED,
    ),
]


@pytest.fixture
def member_for(district, make_member, cabinet_member, schools):
    def member(role):
        if role == "owner":
            return cabinet_member
        if role == Role.PRINCIPAL:
            return make_member(district, role, school=schools[0])
        return make_member(district, role)

    return member


@pytest.fixture
def world(district, metric, priority, schools, member_for):
    """The year before the plan (2024–25 for a 2025–2030 plan): Adams 90, Baker 81;
    a metric without values; a waiting import of Adams 70."""
    values = [
        MetricValueFactory(
            district=district, metric=metric, school=schools[0], period=YEAR_BEFORE, value=Decimal("90")
        ),
        MetricValueFactory(
            district=district, metric=metric, school=schools[1], period=YEAR_BEFORE, value=Decimal("81")
        ),
    ]
    with scopes_disabled():
        batch = ImportBatch.objects.create(
            district=district,
            kind=ImportKind.METRIC_VALUES,
            target_id=metric.pk,
            filename="waiting.csv",
            content=VALUES_CSV,
        )
    return {
        "metric": metric,
        "empty_metric": MetricFactory(district=district, priority=priority, name="Metric without values"),
        "priority": priority,
        "schools": schools,
        "values": values,
        "batch": batch,
    }


def _kwargs(case: Case, world: dict) -> dict:
    ids = {
        "metric_id": world["metric"].pk,
        "empty_metric_id": world["empty_metric"].pk,
        "metric_value_id": world["values"][0].pk,
        "batch_id": world["batch"].pk,
    }
    kwargs = {name: ids[name] for name in case.arguments}
    if "empty_metric_id" in kwargs:
        kwargs["metric_id"] = kwargs.pop("empty_metric_id")
    return kwargs


def test_every_metrics_url_is_in_the_matrix():
    names = {n for n in get_resolver().namespace_dict["metrics"][1].reverse_dict if isinstance(n, str)}
    assert names == {case.name for case in CASES}
    assert all(case.made is not None for case in CASES if case.method == "post")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(case, district, world, member_for, client_for):
    path = reverse(f"metrics:{case.name}", kwargs={"district_slug": district.slug, **_kwargs(case, world)})
    clients = {role: client_for(member_for(role)) for role in ROLES}
    data = case.data
    if callable(data):
        data = data(world, path, clients[next(r for r in ROLES if case.expected[r] in (200, 302))])
    made = (lambda: case.made(world)) if case.made else None
    wrong = {}
    for role, client in clients.items():
        outcome = outcome_of(client, case.method, path, district=district, data=data, made=made)
        expected = case.expected[role]
        allowed = expected == (302 if case.method == "post" else 200)  # a POST allowed makes its change
        if not is_exact(outcome, method=case.method, allowed=allowed, expected=expected):
            wrong[role] = f"got {outcome}; {expectation(method=case.method, allowed=allowed, expected=expected)}"
    assert not wrong, f"{case}: {wrong}"


@pytest.mark.parametrize("name", ["value_import_confirm", "value_import_discard"])
def test_import_steps_refuse_read_only_roles(name, district, world, member_for, client_for):
    batch = world["batch"]
    path = reverse(
        f"metrics:{name}",
        kwargs={"district_slug": district.slug, "metric_id": world["metric"].pk, "batch_id": batch.pk},
    )
    for role in (Role.PRINCIPAL, Role.BOARD_MEMBER, Role.CABINET):
        assert client_for(member_for(role)).post(path).status_code == 403, role
    assert fresh(batch).status == ImportBatch.Status.PREVIEWED
