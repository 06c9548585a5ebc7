"""Highlight pages: the list (drafts and published), the form, and publish / unpublish / delete buttons.

Only the superintendent (MANAGE_HIGHLIGHTS) gets here; the board and the public read published ones
on their own pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bilingual import localized
from core.forms import InputForm, district_choice
from core.web import form_page, posted, render_page, service_error, submit_form
from districts.policy import Action
from districts.web import district_view
from plans.selectors import active_plan
from priorities.models import Priority

from .. import highlights
from ..models import Highlight

SECTION = "home"


class HighlightForm(InputForm):
    priority = district_choice(Highlight._meta.get_field("priority"), empty_label=gettext_lazy("The whole plan"))
    # Each Spanish version right after its English, so they are entered side by side.
    field_order = ["title", "title_es", "body", "body_es", "priority"]

    class Meta:
        model = Highlight
        fields = ["title", "title_es", "body", "body_es"]
        widgets = {
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "body": forms.Textarea(attrs={"rows": 5}),
            "body_es": forms.Textarea(attrs={"rows": 5, "lang": "es"}),
        }
        labels = {"title": gettext_lazy("Title"), "body": gettext_lazy("Text")}
        error_messages = {
            "title": {"required": gettext_lazy("Give the highlight a title.")},
            "body": {"required": gettext_lazy("Write a few sentences about the progress.")},
        }

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(district=plan.district_id, plan=plan).order_by(
            "position", "pk"
        )
        self.fields["priority"].label_from_instance = lambda p: f"{p.code} · {localized(p, 'title')}"
        self.fields["priority"].help_text = _("Which priority the story is about, if one.")


def _list_url(request: HttpRequest) -> str:
    return reverse("dashboards:highlight_list", kwargs={"district_slug": request.district.slug})


@district_view(Action.MANAGE_HIGHLIGHTS, section=SECTION)
def highlight_list(request: HttpRequest) -> HttpResponse:
    plan = active_plan(district=request.district)
    drafts, published = highlights.plan_highlights(district=request.district, plan=plan) if plan else ([], [])
    return render_page(
        request,
        "dashboards/highlight_list.html",
        {"plan": plan, "drafts": drafts, "published": published},
        partial="highlights",
    )


@district_view(Action.MANAGE_HIGHLIGHTS, section=SECTION)
def highlight_create(request: HttpRequest) -> HttpResponse:
    plan = active_plan(district=request.district)
    if plan is None:
        messages.info(request, _("Highlights belong to the active plan; there is none yet."))
        return redirect(_list_url(request))
    form = HighlightForm(posted(request), plan=plan)
    done = submit_form(
        request,
        form,
        highlights.highlight_create,
        success=lambda h: _("Saved the draft highlight “%(title)s”. Publish it when it is ready.") % {"title": h},
        next_url=lambda h: _list_url(request),
        plan=plan,
    )
    return done or form_page(request, "dashboards/highlight_form.html", {"form": form, "highlight": None})


@district_view(Action.MANAGE_HIGHLIGHTS, section=SECTION)
def highlight_edit(request: HttpRequest, highlight_id: int) -> HttpResponse:
    highlight = highlights.access_highlight(district=request.district, highlight_id=highlight_id)
    form = HighlightForm(
        posted(request),
        plan=highlight.plan,
        initial={name: getattr(highlight, name) for name in HighlightForm.Meta.fields}
        | {"priority": highlight.priority_id},
    )
    done = submit_form(
        request,
        form,
        highlights.highlight_update,
        success=lambda h: _("Saved the highlight “%(title)s”.") % {"title": h},
        next_url=lambda h: _list_url(request),
        highlight=highlight,
    )
    return done or form_page(request, "dashboards/highlight_form.html", {"form": form, "highlight": highlight})


def _button(
    request: HttpRequest, highlight_id: int, service, message: str, confirm: Callable[[Highlight], dict]
) -> HttpResponse:
    """GET: what the button does (a page of its own). POST: do it and go back to the page it was pressed on."""
    highlight = highlights.access_highlight(district=request.district, highlight_id=highlight_id)
    if request.method != "POST":
        return render_page(request, "dashboards/highlight_confirm.html", {"highlight": highlight, **confirm(highlight)})
    title = highlight.title
    try:
        service(district=request.district, actor=request.membership, highlight=highlight)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, message % {"title": title})
    return redirect(request.POST["next"] if _safe_next(request) else _list_url(request))


def _safe_next(request: HttpRequest) -> bool:
    """Only a page of this district may be returned to (the dashboard's panel posts `next`)."""
    target = request.POST.get("next", "")
    return target.startswith(f"/d/{request.district.slug}/") and "//" not in target


@district_view(Action.MANAGE_HIGHLIGHTS, section=SECTION)
def highlight_publish(request: HttpRequest, highlight_id: int) -> HttpResponse:
    return _button(
        request,
        highlight_id,
        highlights.highlight_publish,
        _("Published “%(title)s”: the board pages and the public page show it now."),
        lambda h: {
            "heading": _("Publish “%(title)s”?") % {"title": h.title},
            "points": [
                _("The board pages, the public page (where it is on) and new board reports show it at once."),
                _("Check that it names no staff member."),
            ],
            "action_label": _("Publish"),
            "danger": False,
        },
    )


@district_view(Action.MANAGE_HIGHLIGHTS, section=SECTION)
def highlight_unpublish(request: HttpRequest, highlight_id: int) -> HttpResponse:
    return _button(
        request,
        highlight_id,
        highlights.highlight_unpublish,
        _("Unpublished “%(title)s”: it is a draft again and no board or public page shows it."),
        lambda h: {
            "heading": _("Unpublish “%(title)s”?") % {"title": h.title},
            "points": [_("The board pages and the public page stop showing it at once; it stays here as a draft.")],
            "action_label": _("Unpublish"),
            "danger": False,
        },
    )


@district_view(Action.MANAGE_HIGHLIGHTS, section=SECTION)
def highlight_delete(request: HttpRequest, highlight_id: int) -> HttpResponse:
    def confirm(h: Highlight) -> dict:
        points = []
        if h.is_published:
            points.append(_("It is published: the board pages and the public page stop showing it at once."))
        points += [
            _("Board reports already made keep it; new ones will not."),
            _("To only take it off the board pages, unpublish it instead."),
        ]
        return {
            "heading": _("Delete highlight “%(title)s”?") % {"title": h.title},
            "points": points,
            "action_label": _("Delete highlight"),
            "danger": True,
        }

    return _button(request, highlight_id, highlights.highlight_delete, _("Deleted the highlight “%(title)s”."), confirm)
