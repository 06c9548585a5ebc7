"""District settings: name, time zone, tolerance."""

from __future__ import annotations

from copy import copy

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.web import posted, render_page, submit_form
from districts import services
from districts.forms import (
    DistrictSettingsForm,
)
from districts.policy import Action
from districts.web import district_view

from ._common import _url


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
        success=lambda _district: _("District settings saved."),
        next_url=lambda _district: _url(request, "districts:settings"),
    )
    return done or render_page(request, "districts/settings.html", {"form": form})
