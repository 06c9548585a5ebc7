"""Department pages: the list, a department's page, create, edit and delete."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.web import render_page
from districts import selectors, services
from districts.access import access_department
from districts.forms import (
    DepartmentForm,
)
from districts.models import Department
from districts.policy import Action, can
from districts.web import district_view

from ._common import _delete_page, _place_form_page


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
    return _department_form_page(request, None)


@district_view(Action.MANAGE_DISTRICT, section="departments")
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    return _department_form_page(request, access_department(actor=request.membership, department_id=department_id))


def _department_form_page(request: HttpRequest, department: Department | None) -> HttpResponse:
    return _place_form_page(
        request,
        DepartmentForm,
        department,
        what="department",
        create=services.department_create,
        update=services.department_update,
    )


@district_view(Action.MANAGE_DISTRICT, section="departments")
def department_delete(request: HttpRequest, department_id: int) -> HttpResponse:
    department = access_department(actor=request.membership, department_id=department_id)
    return _delete_page(request, department, service=services.department_delete, what="department")
