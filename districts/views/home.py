"""`/`: the district picker, and the district home `/d/<slug>/`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.web import render_page
from districts import selectors
from districts.models import Department, School
from districts.policy import Action, can
from districts.web import district_view
from priorities.selectors import plan_at_a_glance


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """`/`: one membership goes straight to its district; several get a picker; none an explanation."""
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("districts:home", district_slug=memberships[0].district.slug)
    return render(request, "districts/picker.html", {"memberships": memberships})


@district_view(section="home")
def district_home(request: HttpRequest) -> HttpResponse:
    district, membership = request.district, request.membership
    can_manage = can(membership, Action.MANAGE_DISTRICT)
    checklist = selectors.setup_checklist(district=district, actor=membership) if can_manage else []
    context = {
        "can_manage": can_manage,
        "can_view_people": can(membership, Action.VIEW_PEOPLE),
        "school_count": School.objects.filter(district=district).count(),
        "department_count": Department.objects.filter(district=district).count(),
        # Shown to admins until every step is done.
        "checklist": checklist if not all(item.done for item in checklist) else None,
        "plan_summary": plan_at_a_glance(district=district, membership=membership)
        if can(membership, Action.VIEW_PLAN)
        else None,
    }
    return render_page(request, "districts/home.html", context)
