"""School pages: the school list (filtered, paged), a school's page, create, edit, delete and import."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from core.web import render_page
from districts import selectors, services
from districts.access import access_school
from districts.forms import (
    SchoolForm,
)
from districts.import_views import district_import, import_views_for
from districts.importers import SchoolImporter
from districts.models import School, SchoolLevel
from districts.pages import school_panels
from districts.policy import Action, can
from districts.web import district_view

from ._common import _delete_page, _page_urls, _place_form_page

# As many as the people list: the rows are what the page's time grows with.
SCHOOLS_PER_PAGE = selectors.PAGE_SIZE


@dataclass(frozen=True)
class SchoolRow:
    school: School
    url: str
    level: str
    principals: list[str]


@district_view(section="schools")
def school_list(request: HttpRequest) -> HttpResponse:
    district = request.district
    filters = selectors.SchoolFilters.from_query(request.GET)
    page = selectors.paginate(
        selectors.school_list(district=district, filters=filters), request.GET.get("page"), per_page=SCHOOLS_PER_PAGE
    )
    ids = [school.pk for school in page]
    principals = selectors.principal_names_by_school(district=district, school_ids=ids)
    urls = _page_urls(request, "districts:school_detail", "school_id", ids)
    levels = {value: str(label) for value, label in SchoolLevel.choices}  # each label translated once, not per row
    context = {
        "schools": [
            SchoolRow(school, urls[school.pk], levels.get(school.level, school.level), principals.get(school.pk, []))
            for school in page
        ],
        "page_obj": page,
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
    can_view_people = can(request.membership, Action.VIEW_PEOPLE)
    context = {
        "school": school,
        "principals": principals,
        "member_count": selectors.active_member_count(district=request.district, school=school)
        if can_view_people
        else None,
        "can_view_people": can_view_people,
        "can_manage": can(request.membership, Action.MANAGE_DISTRICT),
        # What the apps built on districts show about the school (priorities: its initiative load).
        "panels": school_panels(request, school),
    }
    return render_page(request, "districts/school_detail.html", context)


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_create(request: HttpRequest) -> HttpResponse:
    return _school_form_page(request, None)


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_edit(request: HttpRequest, school_id: int) -> HttpResponse:
    return _school_form_page(request, access_school(actor=request.membership, school_id=school_id))


def _school_form_page(request: HttpRequest, school: School | None) -> HttpResponse:
    return _place_form_page(
        request,
        SchoolForm,
        school,
        what="school",
        create=services.school_create,
        update=services.school_update,
        form_kwargs={"district": request.district},
    )


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_delete(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(actor=request.membership, school_id=school_id)
    return _delete_page(request, school, service=services.school_delete, what="school")


SCHOOL_IMPORT_VIEWS = import_views_for(
    district_import(
        SchoolImporter,
        url_name="districts:school_import",
        back_url_name="districts:school_list",
        back_label=gettext_lazy("Schools"),
        sample_filename="schools-sample.csv",
    ),
    action=Action.MANAGE_DISTRICT,
    section="schools",
)
