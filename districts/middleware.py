"""Resolves the district of a /d/<district_slug>/ request and the acting membership.

A non-member, a deactivated member and a missing district all get the same
404, so a URL never reveals that a district or object exists. Anonymous
visitors are sent to log in first, whatever the slug. The rest of the request
runs inside `district_context`: one transaction carrying the district for
row-level security, the fail-closed ORM scope, and the district's time zone
(every date and time the page shows is the district's local time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .languages import activate_request_language
from .models import Membership
from .tenancy import district_context_by_slug

DISTRICT_URL_KWARG = "district_slug"


def public_district_page(view: Callable) -> Callable:
    """Mark a district page that anonymous visitors may see (e.g. the published progress page)."""
    view.district_public = True  # type: ignore[attr-defined]
    return view


def _not_found(request: HttpRequest) -> NoReturn:
    """The same 404 for a missing district and one the person is not a member of.

    It is rendered here, before the language middleware runs: activate the language first, so a
    signed-in person reads it in their saved language (among all the app's, as outside a district:
    the offer must not differ by whether the district exists), not the browser's.
    """
    activate_request_language(request)
    raise Http404("No such district.")


def _login_first(request: HttpRequest) -> HttpResponse:
    """Send an anonymous visitor to log in, then back. An HTMX request (an autosave after the session
    expired) gets HX-Redirect to the login page with next= the page it was made from, so the whole page
    goes there instead of the login form being swapped into a part of it."""
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        page = current.path or request.path
        if current.query:
            page = f"{page}?{current.query}"
        response = HttpResponse(status=200)
        response["HX-Redirect"] = redirect_to_login(page)["Location"]
        return response
    return redirect_to_login(request.get_full_path())


class DistrictMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.district = None
        request.membership = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get(DISTRICT_URL_KWARG)
        if slug is None:
            return self.get_response(request)
        is_public = getattr(match.func, "district_public", False)
        if not request.user.is_authenticated and not is_public:
            return _login_first(request)
        with district_context_by_slug(slug) as district:
            if district is None:
                _not_found(request)
            membership = None
            if request.user.is_authenticated:
                # The membership row alone, unordered (the model orders by the user's name, a join) and at
                # most one ((district, user) is unique; the scoped manager adds the district). Every
                # district page runs this query, so it joins nothing: its school, department and role
                # card load on the few pages that show them (the query with those joins cost a page
                # served from the cache a third of its time under load; see README, "Dashboards").
                membership = next(
                    iter(Membership.objects.filter(user=request.user, is_active=True).order_by()[:1]), None
                )
            if membership is None and not is_public:
                _not_found(request)
            request.district = district
            request.membership = membership
            return self.get_response(request)
