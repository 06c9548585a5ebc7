"""Invitations: inviting someone, an invitation's page, re-sending and revoking, and accepting an
invitation (outside /d/: the invitee is not a member yet)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.web import call_service, posted, render_page, submit_form
from districts import services
from districts.access import access_invitation
from districts.forms import (
    InvitationForm,
    InvitationSignupForm,
)
from districts.invitations import read_token
from districts.models import District, Invitation, User
from districts.policy import Action, can
from districts.tenancy import district_context
from districts.web import district_view

from ._common import _to, _url


@district_view(Action.MANAGE_PEOPLE, section="people")
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(posted(request), district=request.district)
    days = settings.INVITATION_VALID_FOR.days
    done = submit_form(
        request,
        form,
        services.invitation_create,
        success=lambda invitation: (
            ngettext(
                "Invitation sent to %(email)s. The link works for %(days)s day.",
                "Invitation sent to %(email)s. The link works for %(days)s days.",
                days,
            )
            % {"email": invitation.email, "days": days}
        ),
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
        messages.success(
            request,
            _("A new link is on its way to %(email)s; the earlier link no longer works.") % {"email": invitation.email},
        )
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
            messages.success(
                request,
                _("Revoked the invitation to %(email)s; its link no longer works.") % {"email": invitation.email},
            )
            return _to("districts:invitation_detail", request, invitation_id=invitation.pk)
    context = {"invitation": invitation, "error": error}
    return render_page(request, "districts/invitation_revoke.html", context, status=409 if error else 200)


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
                return redirect("dashboards:home", district_slug=district.slug)
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
                messages.success(request, _("Welcome to %(district)s.") % {"district": district.name})
                return redirect("dashboards:home", district_slug=district.slug)
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
                messages.success(
                    request, _("Welcome to %(district)s. Your account is ready.") % {"district": district.name}
                )
                return redirect("dashboards:home", district_slug=district.slug)
        return _accept_page(request, "sign_up", {**context, "form": form})


def _accept_page(request: HttpRequest, state: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    return render(request, "registration/invitation_accept.html", {**(context or {}), "state": state}, status=status)
