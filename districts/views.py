"""District pages: the picker, the district home, and district setup (settings, schools, departments, people)."""

from __future__ import annotations

from copy import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST

from core.web import call_service, posted, render_page, submit_form
from priorities.selectors import plan_at_a_glance, school_loads

from . import selectors, services
from .access import access_department, access_invitation, access_membership, access_school
from .forms import (
    DepartmentForm,
    DistrictSettingsForm,
    InvitationForm,
    InvitationSignupForm,
    MembershipForm,
    SchoolForm,
)
from .import_views import district_import, import_views_for
from .importers import PeopleImporter, SchoolImporter
from .invitations import read_token
from .models import Department, District, Invitation, School, SchoolLevel, User
from .policy import Action, can
from .roles import Role
from .tenancy import district_context
from .web import district_view

SCHOOLS_PER_PAGE = 100


def _to(name: str, request: HttpRequest, **kwargs: object) -> HttpResponse:
    return redirect(_url(request, name, **kwargs))


def _url(request: HttpRequest, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"district_slug": request.district.slug, **kwargs})


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


# --- Settings -----------------------------------------------------------------------


@district_view(Action.MANAGE_DISTRICT, section="settings")
def district_settings(request: HttpRequest) -> HttpResponse:
    district = request.district
    form = DistrictSettingsForm(posted(request), initial=DistrictSettingsForm.initial_from(district))
    done = submit_form(
        request,
        form,
        services.district_update,
        # A copy: a rejected change must not show up in this page's header.
        district=copy(district),
        success=lambda _district: "District settings saved.",
        next_url=lambda _district: _url(request, "districts:settings"),
    )
    return done or render_page(request, "districts/settings.html", {"form": form})


# --- Schools --------------------------------------------------------------------------


@district_view(section="schools")
def school_list(request: HttpRequest) -> HttpResponse:
    district = request.district
    filters = selectors.SchoolFilters.from_query(request.GET)
    page = selectors.paginate(
        selectors.school_list(district=district, filters=filters), request.GET.get("page"), per_page=SCHOOLS_PER_PAGE
    )
    principals = selectors.principals_by_school(district=district, school_ids=[s.pk for s in page])
    context = {
        "schools": [(school, principals.get(school.pk, [])) for school in page],
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
        # Coherence: how much this school is asked to do (flagged over the district's threshold).
        "load": school_loads(district=request.district, schools=[school], months=[])[0]
        if can(request.membership, Action.VIEW_LOAD)
        else None,
    }
    return render_page(request, "districts/school_detail.html", context)


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_create(request: HttpRequest) -> HttpResponse:
    form = SchoolForm(posted(request))
    done = submit_form(
        request,
        form,
        services.school_create,
        success=lambda school: f"Added {school.name}.",
        next_url=lambda school: _url(request, "districts:school_detail", school_id=school.pk),
    )
    return done or render_page(request, "districts/school_form.html", {"form": form, "school": None})


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_edit(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(actor=request.membership, school_id=school_id)
    form = SchoolForm(posted(request), initial={f: getattr(school, f) for f in SchoolForm.Meta.fields})
    done = submit_form(
        request,
        form,
        services.school_update,
        # A copy: a rejected change must not show up in this page's title.
        school=copy(school),
        success=lambda saved: f"Saved {saved.name}.",
        next_url=lambda saved: _url(request, "districts:school_detail", school_id=saved.pk),
    )
    return done or render_page(request, "districts/school_form.html", {"form": form, "school": school})


def _delete_page(
    request: HttpRequest, obj: School | Department, *, service: object, what: str, detail_url: str, list_url: str
) -> HttpResponse:
    """Confirm, then delete something nothing refers to; otherwise say what still refers to it."""
    if request.method == "POST":
        try:
            service(district=request.district, actor=request.membership, **{what: obj})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Deleted {obj}.")
            return redirect(list_url)
    context = {
        "title": f"Delete {obj}?",
        "object": obj,
        "what": what,
        "references": services.references_to(obj),
        "cancel_url": detail_url,
    }
    return render_page(request, "districts/delete.html", context, status=409 if request.method == "POST" else 200)


@district_view(Action.MANAGE_DISTRICT, section="schools")
def school_delete(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(actor=request.membership, school_id=school_id)
    slug = request.district.slug
    return _delete_page(
        request,
        school,
        service=services.school_delete,
        what="school",
        detail_url=reverse("districts:school_detail", kwargs={"district_slug": slug, "school_id": school.pk}),
        list_url=reverse("districts:school_list", kwargs={"district_slug": slug}),
    )


SCHOOL_IMPORT_VIEWS = import_views_for(
    district_import(
        SchoolImporter,
        url_name="districts:school_import",
        back_url_name="districts:school_list",
        back_label="Schools",
        sample_filename="schools-sample.csv",
    ),
    action=Action.MANAGE_DISTRICT,
    section="schools",
)


# --- Departments ------------------------------------------------------------------------


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


# --- People -----------------------------------------------------------------------------

INVITATIONS_SHOWN_WITH_MEMBERS = 20


@district_view(Action.VIEW_PEOPLE, section="people")
def people_list(request: HttpRequest) -> HttpResponse:
    district = request.district
    filters = selectors.PeopleFilters.from_query(request.GET)
    members = invitations = None
    invitation_total = 0
    if filters.shows_members:
        members = selectors.paginate(selectors.member_list(district=district, filters=filters), request.GET.get("page"))
        if filters.shows_invitations:
            open_invitations = selectors.invitation_list(district=district, filters=filters)
            invitation_total = open_invitations.count()
            invitations = list(open_invitations[:INVITATIONS_SHOWN_WITH_MEMBERS]) if invitation_total else []
    else:
        invitations = selectors.paginate(
            selectors.invitation_list(district=district, filters=filters), request.GET.get("page")
        )
        invitation_total = invitations.paginator.count
    schools, departments = selectors.people_places(district=district, filters=filters)
    context = {
        "filters": filters,
        "members": members,
        "invitations": invitations,
        "invitation_total": invitation_total,
        "invitations_link": "?" + filters.querystring(status=selectors.PeopleStatus.INVITED),
        "roles": Role.choices,
        "statuses": selectors.PeopleStatus.CHOICES,
        "schools": schools,
        "departments": departments,
        "can_manage": can(request.membership, Action.MANAGE_PEOPLE),
    }
    return render_page(request, "districts/people_list.html", context, partial="results")


@district_view(Action.VIEW_PEOPLE, section="people")
def person_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    person = access_membership(actor=request.membership, membership_id=membership_id)
    context = {
        "person": person,
        "history": selectors.membership_history(membership=person),
        "is_self": person.pk == request.membership.pk,
        "can_manage": can(request.membership, Action.MANAGE_PEOPLE),
    }
    return render_page(request, "districts/person_detail.html", context)


@district_view(Action.MANAGE_PEOPLE, section="people")
def person_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    person = access_membership(actor=request.membership, membership_id=membership_id)
    initial = {
        "role": person.role,
        "school": person.school_id,
        "department": person.department_id,
        "role_label": person.role_label_id,
        "title": person.title,
    }
    form = MembershipForm(posted(request), initial=initial, district=request.district)
    done = submit_form(
        request,
        form,
        services.membership_update,
        membership=copy(person),  # a rejected change must not show up on this page
        success=lambda saved: f"Saved the role of {saved.user}.",
        next_url=lambda saved: _url(request, "districts:person_detail", membership_id=saved.pk),
    )
    return done or render_page(request, "districts/person_form.html", {"form": form, "person": person})


def _person_status_page(request: HttpRequest, membership_id: int, *, deactivate: bool) -> HttpResponse:
    person = access_membership(actor=request.membership, membership_id=membership_id)
    service = services.membership_deactivate if deactivate else services.membership_reactivate
    error = None
    if request.method == "POST":
        try:
            service(district=request.district, actor=request.membership, membership=person)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done = "deactivated: they can no longer open this district" if deactivate else "active again"
            messages.success(request, f"{person.user} is {done}.")
            return _to("districts:person_detail", request, membership_id=person.pk)
    context = {"person": person, "deactivate": deactivate, "error": error}
    return render_page(request, "districts/person_status.html", context, status=409 if error else 200)


@district_view(Action.MANAGE_PEOPLE, section="people")
def person_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _person_status_page(request, membership_id, deactivate=True)


@district_view(Action.MANAGE_PEOPLE, section="people")
def person_reactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _person_status_page(request, membership_id, deactivate=False)


@district_view(Action.MANAGE_PEOPLE, section="people")
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(posted(request), district=request.district)
    days = settings.INVITATION_VALID_FOR.days
    done = submit_form(
        request,
        form,
        services.invitation_create,
        success=lambda invitation: f"Invitation sent to {invitation.email}. The link works for {days} days.",
        next_url=lambda _invitation: _url(request, "districts:people_list"),
    )
    if done:
        return done
    open_invitation = None
    if form.has_error("email", "already_invited"):
        # Offer a re-send instead of a second invitation.
        email = services.normalize_email(form.data.get("email", ""))
        open_invitation = services.open_invitation_for(district=request.district, email=email)
    return render_page(request, "districts/invite.html", {"form": form, "open_invitation": open_invitation})


@district_view(Action.VIEW_PEOPLE, section="people")
def invitation_detail(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = access_invitation(actor=request.membership, invitation_id=invitation_id)
    context = {"invitation": invitation, "can_manage": can(request.membership, Action.MANAGE_PEOPLE)}
    return render_page(request, "districts/invitation_detail.html", context)


@require_POST
@district_view(Action.MANAGE_PEOPLE, section="people")
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = access_invitation(actor=request.membership, invitation_id=invitation_id)
    try:
        services.invitation_resend(district=request.district, actor=request.membership, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new link is on its way to {invitation.email}; the earlier link no longer works.")
    return _to("districts:invitation_detail", request, invitation_id=invitation.pk)


@district_view(Action.MANAGE_PEOPLE, section="people")
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = access_invitation(actor=request.membership, invitation_id=invitation_id)
    error = None
    if request.method == "POST":
        try:
            services.invitation_revoke(district=request.district, actor=request.membership, invitation=invitation)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Revoked the invitation to {invitation.email}; its link no longer works.")
            return _to("districts:invitation_detail", request, invitation_id=invitation.pk)
    context = {"invitation": invitation, "error": error}
    return render_page(request, "districts/invitation_revoke.html", context, status=409 if error else 200)


PEOPLE_IMPORT_VIEWS = import_views_for(
    district_import(
        PeopleImporter,
        url_name="districts:people_import",
        back_url_name="districts:people_list",
        back_label="People",
        sample_filename="people-sample.csv",
    ),
    action=Action.MANAGE_PEOPLE,
    section="people",
)


# --- Accepting an invitation (outside /d/: the invitee is not a member yet) ------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email.

    The token names the district; everything else is read inside that
    district's context. A new person sets a name and password; someone with an
    account logs in as the invited address and accepts with one click.
    """
    parsed = read_token(token)
    district = District.objects.filter(pk=parsed.district_id).first() if parsed else None
    if district is None:
        return _accept_page(request, "invalid", status=404)
    with district_context(district):
        invitation = (
            Invitation.objects.select_related("school", "department", "role_label", "invited_by__user")
            .filter(pk=parsed.invitation_id)
            .first()
        )
        if invitation is None:
            return _accept_page(request, "invalid", status=404)
        context = {"district": district, "invitation": invitation}
        if invitation.accepted_at:
            accepted_by_me = (
                request.user.is_authenticated
                and invitation.accepted_membership_id
                and (invitation.accepted_membership.user_id == request.user.pk)
            )
            if accepted_by_me and invitation.accepted_membership.is_active:
                return redirect("districts:home", district_slug=district.slug)
            return _accept_page(request, "used", context, status=410)
        if not constant_time_compare(parsed.nonce, invitation.nonce):
            return _accept_page(request, "revoked" if invitation.revoked_at else "replaced", context, status=410)
        problem = services.invitation_problem(invitation)
        if problem:
            return _accept_page(request, problem, context, status=410)

        if request.user.is_authenticated:
            if services.normalize_email(request.user.email) != invitation.email.lower():
                return _accept_page(request, "wrong_user", context, status=403)
            if request.method == "POST":
                try:
                    services.invitation_accept(
                        district=district, invitation=invitation, user=request.user, nonce=parsed.nonce
                    )
                except ValidationError as error:
                    # Revoked, re-sent or expired between showing the page and the click.
                    return _accept_page(request, error.code or "invalid", context, status=410)
                messages.success(request, f"Welcome to {district.name}.")
                return redirect("districts:home", district_slug=district.slug)
            return _accept_page(request, "confirm", context)

        if User.objects.filter(email__iexact=invitation.email).exists():
            return _accept_page(request, "log_in", context)
        form = InvitationSignupForm(
            posted(request), email=invitation.email, initial={"full_name": invitation.full_name}
        )
        if request.method == "POST" and form.is_valid():
            membership = call_service(
                form,
                services.invitation_accept_as_new_user,
                district=district,
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                nonce=parsed.nonce,
            )
            if membership is not None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to {district.name}. Your account is ready.")
                return redirect("districts:home", district_slug=district.slug)
        return _accept_page(request, "sign_up", {**context, "form": form})


def _accept_page(request: HttpRequest, state: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    return render(request, "registration/invitation_accept.html", {**(context or {}), "state": state}, status=status)
