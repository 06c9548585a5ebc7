"""People pages: the members list with open invitations, a person's page and history, editing a
membership, deactivating and reactivating, and the people import."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.web import posted, render_page, submit_form
from districts import selectors, services
from districts.access import access_membership
from districts.forms import (
    MembershipForm,
)
from districts.import_views import district_import, import_views_for
from districts.importers import PeopleImporter
from districts.models import Invitation, Membership
from districts.policy import Action, can
from districts.roles import Role
from districts.web import district_view

from ._common import _page_urls, _to, _url

INVITATIONS_SHOWN_WITH_MEMBERS = 20


@dataclass(frozen=True)
class PersonRow:
    """A row of the people list: a membership or an invitation, its page and its role's name."""

    person: Membership | Invitation
    url: str
    role: str


@district_view(Action.VIEW_PEOPLE, section="people")
def people_list(request: HttpRequest) -> HttpResponse:
    district = request.district
    filters = selectors.PeopleFilters.from_query(request.GET)
    members = invitations = None
    invitation_total = 0
    if filters.shows_members:
        member_list = selectors.member_list(district=district, filters=filters)
        counted = {"members": member_list}
        if filters.shows_invitations:
            open_invitations = selectors.invitation_list(district=district, filters=filters)
            counted["invitations"] = open_invitations
        counts = selectors.count_together(**counted)  # one query for both totals
        members = selectors.paginate(member_list, request.GET.get("page"), count=counts["members"])
        if filters.shows_invitations:
            invitation_total = counts["invitations"]
            invitations = list(open_invitations[:INVITATIONS_SHOWN_WITH_MEMBERS]) if invitation_total else []
    else:
        invitations = selectors.paginate(
            selectors.invitation_list(district=district, filters=filters), request.GET.get("page")
        )
        invitation_total = invitations.paginator.count
    schools, departments = selectors.people_places(district=district, filters=filters)
    roles = {value: str(label) for value, label in Role.choices}  # each label translated once, not per row
    member_urls = _page_urls(request, "districts:person_detail", "membership_id", [m.pk for m in members or []])
    invitation_urls = _page_urls(
        request, "districts:invitation_detail", "invitation_id", [i.pk for i in invitations or []]
    )
    context = {
        "filters": filters,
        "members": members,
        "member_rows": [PersonRow(m, member_urls[m.pk], roles.get(m.role, m.role)) for m in members or []],
        "invitations": invitations,
        "invitation_rows": [PersonRow(i, invitation_urls[i.pk], roles.get(i.role, i.role)) for i in invitations or []],
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
        success=lambda saved: _("Saved the role of %(name)s.") % {"name": saved.user},
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
            if deactivate:
                done = _("%(name)s is deactivated: they can no longer open this district.") % {"name": person.user}
            else:
                done = _("%(name)s is active again.") % {"name": person.user}
            messages.success(request, done)
            return _to("districts:person_detail", request, membership_id=person.pk)
    context = {"person": person, "deactivate": deactivate, "error": error}
    return render_page(request, "districts/person_status.html", context, status=409 if error else 200)


@district_view(Action.MANAGE_PEOPLE, section="people")
def person_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _person_status_page(request, membership_id, deactivate=True)


@district_view(Action.MANAGE_PEOPLE, section="people")
def person_reactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    return _person_status_page(request, membership_id, deactivate=False)


PEOPLE_IMPORT_VIEWS = import_views_for(
    district_import(
        PeopleImporter,
        url_name="districts:people_import",
        back_url_name="districts:people_list",
        back_label=gettext_lazy("People"),
        sample_filename="people-sample.csv",
    ),
    action=Action.MANAGE_PEOPLE,
    section="people",
)
