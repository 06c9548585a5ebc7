"""Helpers the district view modules share: district URLs and the delete-or-explain page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.web import render_page
from districts import services
from districts.models import Department, School


def _to(name: str, request: HttpRequest, **kwargs: object) -> HttpResponse:
    return redirect(_url(request, name, **kwargs))


def _url(request: HttpRequest, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"district_slug": request.district.slug, **kwargs})


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
