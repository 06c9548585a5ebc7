"""District pages: the picker, the district home, and district setup."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import selectors, services
from .access import access_school
from .forms import SchoolForm
from .models import School, SchoolLevel
from .policy import Action, can
from .web import call_service, district_view, render_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """`/`: one membership goes straight to its district; several get a picker."""
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("districts:home", district_slug=memberships[0].district.slug)
    return render(request, "districts/picker.html", {"memberships": memberships})


@district_view(section="home")
def district_home(request: HttpRequest) -> HttpResponse:
    district, membership = request.district, request.membership
    context = {
        "can_manage": can(membership, Action.MANAGE_DISTRICT),
        "school_count": School.objects.filter(district=district).count(),
    }
    return render_page(request, "districts/home.html", context)


@district_view(section="schools")
def school_list(request: HttpRequest) -> HttpResponse:
    district = request.district
    filters = selectors.SchoolFilters.from_query(request.GET)
    schools = list(selectors.school_list(district=district, filters=filters))
    principals = selectors.principals_by_school(district=district, school_ids=[s.pk for s in schools])
    context = {
        "schools": [(school, principals.get(school.pk, [])) for school in schools],
        "filters": filters,
        "levels": SchoolLevel.choices,
        "regions": selectors.school_regions(district=district),
        "can_manage": can(request.membership, Action.MANAGE_DISTRICT),
    }
    return render_page(request, "districts/school_list.html", context, partial="results")


@district_view(section="schools")
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(actor=request.membership, school_id=school_id)
    principals = selectors.principals_by_school(district=request.district, school_ids=[school.pk]).get(school.pk, [])
    context = {
        "school": school,
        "principals": principals,
        "can_manage": can(request.membership, Action.MANAGE_DISTRICT),
    }
    return render_page(request, "districts/school_detail.html", context)


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_create(request: HttpRequest) -> HttpResponse:
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        school = call_service(
            form, services.school_create, district=request.district, actor=request.membership, **form.cleaned_data
        )
        if school is not None:
            messages.success(request, f"Added {school.name}.")
            return redirect("districts:school_detail", district_slug=request.district.slug, school_id=school.pk)
    return render_page(request, "districts/school_form.html", {"form": form, "school": None})


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_edit(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(actor=request.membership, school_id=school_id)
    form = SchoolForm(request.POST or None, initial={f: getattr(school, f) for f in SchoolForm.Meta.fields})
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.school_update,
            district=request.district,
            actor=request.membership,
            school=access_school(actor=request.membership, school_id=school_id),
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, f"Saved {updated.name}.")
            return redirect("districts:school_detail", district_slug=request.district.slug, school_id=school.pk)
    return render_page(request, "districts/school_form.html", {"form": form, "school": school})
