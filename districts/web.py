"""The decorator of every district page; the page helpers themselves are in `core.web`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse

from .policy import Action, require


def district_view(action: Action | None = Action.VIEW_DISTRICT, *, section: str | None = None) -> Callable:
    """Decorate a view under /d/<district_slug>/.

    The middleware has resolved `request.district` and `request.membership`;
    this drops the slug from the view's arguments, checks the role may take
    `action` (403 otherwise) and records which menu item the page belongs to.
    The page runs in the middleware's one transaction (an error rolls all of it back).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, district_slug: str, **kwargs: Any) -> HttpResponse:
            if getattr(request, "membership", None) is None:
                raise Http404("No such district.")
            if action is not None:
                require(request.membership, action)
            return view(request, *args, **kwargs)

        wrapped.nav_section = section  # type: ignore[attr-defined]
        # The district middleware already runs the page in its transaction (district_context), so
        # ATOMIC_REQUESTS would only add a savepoint: two more round trips to the database a page.
        return transaction.non_atomic_requests(wrapped)

    return decorator
