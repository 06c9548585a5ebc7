"""Role matrices: what each role gets from one request, exactly.

Each role's request runs in a savepoint that is rolled back, so every role
starts from the same data. The outcome is the status, the case's own check
of the change (`made`), and which of the district's tables changed:

* allowed: the expected status, and for a POST the change is made (`made`
  is true; without a `made`, some row of the district changed);
* refused: the expected status (403, or 404 where the object is hidden from
  the role) and nothing in the district changed;
* a GET changes nothing, whoever asks.

`page_form_data(client, path, **fields)` builds a POST body from the form the
page itself renders (its fields and defaults), with `fields` put over it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test import Client

from districts.models import District
from tests.district_state import changes, district_rows
from tests.tenancy_matrix import context_forms, html_forms


@dataclass(frozen=True)
class Outcome:
    status: int
    made: bool | None  # the case's check of the change; None when it has none
    changed: tuple[str, ...]  # the district's tables whose rows changed

    def __str__(self) -> str:
        return f"{self.status}, made={self.made}, changed={list(self.changed)}"


def outcome_of(
    client: Client,
    method: str,
    path: str,
    *,
    district: District,
    data: dict | None = None,
    made: Callable[[], bool] | None = None,
) -> Outcome:
    """The request's outcome, then everything it did is rolled back."""
    with transaction.atomic():
        before = district_rows(district)
        response = getattr(client, method)(path, data or {})
        result = Outcome(
            response.status_code, made() if made else None, tuple(changes(before, district_rows(district)))
        )
        transaction.set_rollback(True)
    return result


def is_exact(outcome: Outcome, *, method: str, allowed: bool, expected: int) -> bool:
    if outcome.status != expected:
        return False
    if not allowed or method == "get":
        return not outcome.changed
    return bool(outcome.made) if outcome.made is not None else bool(outcome.changed)


def expectation(*, method: str, allowed: bool, expected: int) -> str:
    return f"expected {expected}, " + ("the change made" if allowed and method == "post" else "no change")


def page_form_data(client: Client, path: str, index: int = 0, **fields: object) -> dict[str, list]:
    """The body of the `index`-th form on the page at `path` that posts back to it, with `fields` over it."""
    response = client.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code}"
    required = frozenset(
        form.add_prefix(name) for form in context_forms(response) for name, f in form.fields.items() if f.required
    )
    own = [form for form in html_forms(response.content.decode()) if form.action in ("", path)]
    assert len(own) > index, f"{path} has {len(own)} forms that post to it"
    data = own[index].data(required)
    data.update({name: value if isinstance(value, list) else [value] for name, value in fields.items()})
    return data
