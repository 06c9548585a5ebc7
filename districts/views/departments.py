"""Department pages: the list, a department's page, create, edit and delete."""

from __future__ import annotations

from copy import copy

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from core.web import posted, render_page, submit_form
from districts import selectors, services
from districts.access import access_department
from districts.forms import (
    DepartmentForm,
)
from districts.policy import Action, can
from districts.web import district_view

from ._common import _delete_page, _url


@district_view(section="departments")
def department_list(request: HttpRequest) -> HttpResponse:
    district = request.district
    departments = list(selectors.department_list(district=district))
    leads = selectors.leads_by_department(district=district, department_ids=[d.pk for d in departments])
    context = {
        "departments": [(department, leads.get(department.pk, [])) for department in departments],
        "can_manage": can(request.membership, Action.MANAGE_DISTRICT),
    }
    return render_page(request, "districts/department_list.html", context)


@district_view(section="departments")
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    department = access_department(actor=request.membership, department_id=department_id)
    district = request.district
    context = {
        "department": department,
        "leads": selectors.leads_by_department(district=district, department_ids=[department.pk]).get(
            department.pk, []
        ),
        "member_count": selectors.active_member_count(district=district, department=department),
        "can_view_people": can(request.membership, Action.VIEW_PEOPLE),
        "can_manage": can(request.membership, Action.MANAGE_DISTRICT),
    }
    return render_page(request, "districts/department_detail.html", context)


@district_view(Action.MANAGE_DISTRICT, section="departments")
def department_create(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm(posted(request))
    done = submit_form(
        request,
        form,
        services.department_create,
        success=lambda department: f"Added {department.name}.",
        next_url=lambda department: _url(request, "districts:department_detail", department_id=department.pk),
    )
    return done or render_page(request, "districts/department_form.html", {"form": form, "department": None})


@district_view(Action.MANAGE_DISTRICT, section="departments")
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    department = access_department(actor=request.membership, department_id=department_id)
    form = DepartmentForm(posted(request), initial={f: getattr(department, f) for f in DepartmentForm.Meta.fields})
    done = submit_form(
        request,
        form,
        services.department_update,
        department=copy(department),  # a rejected change must not show up in this page's title
        success=lambda saved: f"Saved {saved.name}.",
        next_url=lambda saved: _url(request, "districts:department_detail", department_id=saved.pk),
    )
    return done or render_page(request, "districts/department_form.html", {"form": form, "department": department})


@district_view(Action.MANAGE_DISTRICT, section="departments")
def department_delete(request: HttpRequest, department_id: int) -> HttpResponse:
    department = access_department(actor=request.membership, department_id=department_id)
    slug = request.district.slug
    return _delete_page(
        request,
        department,
        service=services.department_delete,
        what="department",
        detail_url=reverse(
            "districts:department_detail", kwargs={"district_slug": slug, "department_id": department.pk}
        ),
        list_url=reverse("districts:department_list", kwargs={"district_slug": slug}),
    )
