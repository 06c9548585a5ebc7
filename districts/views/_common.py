"""Helpers the district view modules share: district URLs, the create-or-edit page of a school or
department, and the delete-or-explain page."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.web import posted, render_page, submit_form
from districts import services
from districts.models import Department, School


def _to(name: str, request: HttpRequest, **kwargs: object) -> HttpResponse:
    return redirect(_url(request, name, **kwargs))


def _url(request: HttpRequest, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"district_slug": request.district.slug, **kwargs})


def _page_urls(request: HttpRequest, name: str, id_kwarg: str, ids: list[int]) -> dict[int, str]:
    """The URL of each object's page (`name` takes the district and `id_kwarg`), reversing once for the lot.

    A list of 50 rows links each one; resolving the same pattern 50 times was a good part of its cost.
    """
    head, _marker, tail = _url(request, name, **{id_kwarg: 0}).rpartition("/0/")
    return {pk: f"{head}/{pk}/{tail}" for pk in ids}


def _place_form_page(
    request: HttpRequest,
    form_class: type[forms.ModelForm],
    obj: School | Department | None,
    *,
    what: str,
    create: Callable[..., School | Department],
    update: Callable[..., School | Department],
    form_kwargs: dict[str, object] | None = None,
) -> HttpResponse:
    """The page adding a school or department (`obj` None) or editing `obj`, then the saved one's own page.

    `what` ("school" or "department") names the service's argument, the template
    (districts/<what>_form.html), its context variable and the detail page (districts:<what>_detail).
    `form_kwargs` go to the form (the school form takes the district, for its supervisor choices).
    """
    form_kwargs = form_kwargs or {}
    if obj is None:
        form = form_class(posted(request), **form_kwargs)
        service, arguments = create, {}
    else:
        initial = {f: getattr(obj, f) for f in form_class.Meta.fields}
        form = form_class(posted(request), initial=initial, **form_kwargs)
        # A copy: a rejected change must not show up in this page's title.
        service, arguments = update, {what: copy(obj)}
    done = submit_form(
        request,
        form,
        service,
        success=lambda saved: (_("Added %(name)s.") if obj is None else _("Saved %(name)s.")) % {"name": saved.name},
        next_url=lambda saved: _url(request, f"districts:{what}_detail", **{f"{what}_id": saved.pk}),
        **arguments,
    )
    return done or render_page(request, f"districts/{what}_form.html", {"form": form, what: obj})


def _delete_page(request: HttpRequest, obj: School | Department, *, service: object, what: str) -> HttpResponse:
    """Confirm, then delete something nothing refers to; otherwise say what still refers to it.

    `what` ("school" or "department") names the service's argument and the pages to go back to.
    """
    detail_url = _url(request, f"districts:{what}_detail", **{f"{what}_id": obj.pk})
    list_url = _url(request, f"districts:{what}_list")
    if request.method == "POST":
        try:
            service(district=request.district, actor=request.membership, **{what: obj})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deleted %(name)s.") % {"name": obj})
            return redirect(list_url)
    context = {
        "title": _("Delete %(name)s?") % {"name": obj},
        "object": obj,
        "what": what,
        "references": services.references_to(obj),
        "cancel_url": detail_url,
    }
    return render_page(request, "districts/delete.html", context, status=409 if request.method == "POST" else 200)
