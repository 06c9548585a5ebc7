"""`/`: the district picker (the district home `/d/<slug>/` is composed in dashboards)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from districts import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """`/`: one membership goes straight to its district; several get a picker; none an explanation."""
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("dashboards:home", district_slug=memberships[0].district.slug)
    return render(request, "districts/picker.html", {"memberships": memberships})
