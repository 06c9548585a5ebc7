"""Initiative load: the district's load page (schools paged) and a school's or department's load."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.calendar import school_year_label, school_year_months, school_year_of
from core.parsing import parse_id
from core.web import render_page
from districts.access import access_department, access_school
from districts.models import Department, SchoolLevel
from districts.policy import Action, can
from districts.selectors import SchoolFilters, school_list, school_regions
from districts.web import district_view
from plans.models import StrategicPlan
from plans.selectors import active_plan
from priorities import selectors

SCHOOLS_PER_LOAD_PAGE = 50  # as the school and people lists: a phone-length page, and half the rendering


def _school_year(request: HttpRequest, plan: StrategicPlan | None) -> int:
    """The school year to show: ?year= within the plan's period, else the current one."""
    district = request.district
    today = timezone.localdate(timezone=district.tzinfo)
    if plan is None:
        return school_year_of(today, district.school_year_start_month)
    wanted = parse_id(request.GET.get("year", ""))  # a plain positive number, else ignored
    return wanted if wanted in plan.period.school_years else plan.period.school_year_containing(today)


def _year_choices(request: HttpRequest, plan: StrategicPlan | None) -> list[tuple[int, str]]:
    if plan is None:
        return []
    start_month = request.district.school_year_start_month
    return [(y, school_year_label(y, start_month)) for y in plan.period.school_years]


@district_view(Action.VIEW_LOAD, section="load")
def load(request: HttpRequest) -> HttpResponse:
    """Initiative load: per school and department, active commitments and reporting asks per month."""
    district, membership = request.district, request.membership
    plan = active_plan(district=district)
    year = _school_year(request, plan)
    months = school_year_months(year, district.school_year_start_month)
    filters = SchoolFilters.from_query(request.GET)
    over_only = request.GET.get("over") == "1"
    schools = school_list(district=district, filters=filters)
    over = selectors.schools_over_threshold_queryset(district=district)
    if filters.active:
        over_count = schools.filter(pk__in=over).count()
    else:  # every school: count the lean per-school rows, no join to the schools
        over_count = selectors.schools_over_threshold_count(district=district)
    if over_only:
        schools = schools.filter(pk__in=over)
    # Counted and cut in SQL; the load is grouped for the page's schools only.
    school_page = Paginator(schools, SCHOOLS_PER_LOAD_PAGE).get_page(request.GET.get("page"))
    school_page.object_list = selectors.school_loads(district=district, schools=school_page.object_list, months=months)
    own_school_load = None
    if membership.school_id:
        own_school_load = selectors.school_loads(district=district, schools=[membership.school], months=months)[0]
    context = {
        "plan": plan,
        "year": year,
        "year_label": school_year_label(year, district.school_year_start_month),
        "years": _year_choices(request, plan),
        "months": months,
        "filters": filters,
        "over_only": over_only,
        "levels": SchoolLevel.choices,
        "regions": school_regions(district=district),
        "school_page": school_page,
        "over_count": over_count,
        "department_loads": selectors.department_loads(
            district=district, departments=Department.objects.filter(district=district).order_by("name"), months=months
        ),
        "own_school_load": own_school_load,
        "threshold": district.commitment_load_threshold,
        "can_manage_district": can(membership, Action.MANAGE_DISTRICT),
    }
    return render_page(request, "priorities/load.html", context, partial="results")


def _place_page(request: HttpRequest, *, school=None, department=None) -> HttpResponse:
    district = request.district
    plan = active_plan(district=district)
    year = _school_year(request, plan)
    months = school_year_months(year, district.school_year_start_month)
    if school is not None:
        place_load = selectors.school_loads(district=district, schools=[school], months=months)[0]
    else:
        place_load = selectors.department_loads(district=district, departments=[department], months=months)[0]
    assignments = selectors.place_assignments(district=district, school=school, department=department)
    groups: dict[int, dict] = {}
    for assignment in assignments:
        priority = assignment.commitment.priority
        groups.setdefault(priority.pk, {"priority": priority, "assignments": []})["assignments"].append(assignment)
    membership = request.membership
    context = {
        "plan": plan,
        "place": school or department,
        "is_school": school is not None,
        "load": place_load,
        "months": months,
        "year": year,
        "year_label": school_year_label(year, district.school_year_start_month),
        "years": _year_choices(request, plan),
        "groups": list(groups.values()),
        "threshold": district.commitment_load_threshold,
        "is_own_place": (school is not None and membership.school_id == school.pk)
        or (department is not None and membership.department_id == department.pk),
    }
    return render_page(request, "priorities/place_load.html", context)


@district_view(Action.VIEW_LOAD, section="load")
def school_load(request: HttpRequest, school_id: int) -> HttpResponse:
    return _place_page(request, school=access_school(actor=request.membership, school_id=school_id))


@district_view(Action.VIEW_LOAD, section="load")
def department_load(request: HttpRequest, department_id: int) -> HttpResponse:
    return _place_page(request, department=access_department(actor=request.membership, department_id=department_id))
