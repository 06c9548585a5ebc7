"""Strategic plan pages: the plan list, the plan page (composed with the regions apps built on plans
register in `plans.pages`), plan setup and state changes, and the Portrait of a Graduate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.history import history_entries
from core.parsing import query_text
from core.web import Confirmation, call_service, confirm_then, move_focus, moved_message, posted, render_page, run_move
from districts.policy import Action, can
from districts.web import district_view

from . import selectors, services
from .access import access_competency, access_plan
from .forms import CompetencyForm, PlanForm
from .models import StrategicPlan
from .pages import plan_regions, refreshable_region
from .web import plan_url

# --- The plan page ----------------------------------------------------------------------


@district_view(Action.VIEW_PLAN, section="plans")
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's own parts (vision, mission, portrait), then the regions apps built on plans contribute
    (`plans.pages`: priorities adds the load flag, the priorities edited in place, the role cards)."""
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    focus = query_text(request.GET, "focus", limit=100)  # an element id to focus, never looked up
    if request.htmx and not request.htmx.history_restore_request:
        region = refreshable_region(request.htmx.target)
        if region is not None:
            return region.refresh(request, plan, focus=focus)
    district, membership = request.district, request.membership
    context = {
        "plan": plan,
        "competencies": list(plan.competencies.all()),
        "can_manage": not plan.is_archived and can(membership, Action.MANAGE_PLANS),
        "can_start_new": can(membership, Action.MANAGE_PLANS),
        "active_plan": selectors.active_plan(district=district) if plan.is_draft else None,
        "regions": plan_regions(request, plan, focus=focus),
        "history": history_entries(*selectors.plan_history_sources(plan)),
    }
    return render_page(request, "plans/plan_detail.html", context)


# --- Plan list and setup ----------------------------------------------------------------------


@district_view(Action.VIEW_PLAN, section="plans")
def current_plan(request: HttpRequest) -> HttpResponse:
    """`plan/`: the active plan, or the list of plans when there is none."""
    active = selectors.active_plan(district=request.district)
    if active is None:
        return redirect("plans:plan_list", district_slug=request.district.slug)
    return redirect(plan_url(active))


@district_view(Action.VIEW_PLAN, section="plans")
def plan_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    plans = selectors.plans_for(district=request.district, actor=membership)
    context = {
        "active": next((p for p in plans if p.is_active), None),
        "drafts": [p for p in plans if p.is_draft],
        "archived": [p for p in plans if p.is_archived],
        "can_manage": can(membership, Action.MANAGE_PLANS),
        "sees_drafts": can(membership, Action.VIEW_DRAFT_PLANS),
    }
    return render_page(request, "plans/plan_list.html", context)


@district_view(Action.MANAGE_PLANS, section="plans")
def plan_create(request: HttpRequest) -> HttpResponse:
    district = request.district
    initial: dict[str, Any] = {}
    source_id = request.GET.get("from")
    if source_id:
        source = access_plan(actor=request.membership, plan_id=source_id)
        initial = {
            "copy_from": source.pk,
            "title": "",
            "start_year": source.end_year,
            "end_year": source.end_year + (source.end_year - source.start_year),
            "vision": source.vision,
            "mission": source.mission,
            "vision_es": source.vision_es,
            "mission_es": source.mission_es,
        }
    form = PlanForm(posted(request), initial=initial, district=district, with_copy=True)
    if request.method == "POST" and form.is_valid():
        plan = call_service(
            form, services.plan_create, district=district, actor=request.membership, **form.cleaned_data
        )
        if plan is not None:
            if plan.copied_from:
                messages.success(
                    request,
                    _("Created the draft “%(title)s”, starting from “%(source)s”.")
                    % {"title": plan.title, "source": plan.copied_from.title},
                )
            else:
                messages.success(
                    request, _("Created the draft “%(title)s”. Next, add its priorities.") % {"title": plan.title}
                )
            return redirect(plan_url(plan))
    return render_page(request, "plans/plan_form.html", {"form": form, "plan": None})


@district_view(Action.MANAGE_PLANS, section="plans")
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    if plan.is_archived:
        messages.info(request, _("This plan is archived and can no longer be changed."))
        return redirect(plan_url(plan))
    form = PlanForm(
        posted(request),
        initial={name: getattr(plan, name) for name in PlanForm.Meta.fields},
        district=request.district,
        with_copy=False,
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.plan_update,
            district=request.district,
            actor=request.membership,
            plan=plan,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, _("Saved “%(name)s”.") % {"name": updated.title})
            return redirect(plan_url(updated))
    return render_page(request, "plans/plan_form.html", {"form": form, "plan": plan})


def wrong_state(request: HttpRequest, plan: StrategicPlan, message: str) -> HttpResponse:
    messages.info(request, message)
    return redirect(plan_url(plan))


@district_view(Action.MANAGE_PLANS, section="plans")
def plan_activate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    if request.method != "POST" and not plan.is_draft:
        return wrong_state(
            request,
            plan,
            _("“%(title)s” is %(state)s; only a draft can be activated.")
            % {"title": plan.title, "state": plan.get_state_display().lower()},
        )

    def confirmation() -> Confirmation:
        active = selectors.active_plan(district=request.district)
        return Confirmation(
            heading=_("Activate “%(title)s”?") % {"title": plan.title},
            points=[
                _("Everyone in the district, board members included, will see it, and role cards will show it."),
                _("“%(title)s” is active now and will be archived.") % {"title": active.title}
                if active
                else _("No plan is active now."),
                _("Commitments' assignments start counting toward each school's initiative load."),
            ],
            action_label=_("Activate plan"),
            cancel_url=plan_url(plan),
            danger=False,
            plan=plan,
        )

    def success(result: services.PlanActivation) -> str:
        if result.archived:
            return _("“%(title)s” is now the district's active plan. “%(old)s” was archived; its history is kept.") % {
                "title": plan.title,
                "old": result.archived.title,
            }
        return _("“%(title)s” is now the district's active plan.") % {"title": plan.title}

    return confirm_then(
        request,
        confirmation=confirmation,
        run=lambda: services.plan_activate(district=request.district, actor=request.membership, plan=plan),
        success=success,
        done_url=plan_url(plan),
    )


@district_view(Action.MANAGE_PLANS, section="plans")
def plan_archive(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    if request.method != "POST" and not plan.is_active:
        return wrong_state(
            request,
            plan,
            _("“%(title)s” is %(state)s; only the active plan can be archived.")
            % {"title": plan.title, "state": plan.get_state_display().lower()},
        )
    return confirm_then(
        request,
        confirmation=lambda: Confirmation(
            heading=_("Archive “%(title)s”?") % {"title": plan.title},
            points=[
                _("It becomes read-only. You can still start a new plan from it."),
                _(
                    "The district will have no active plan until you activate another: role cards and the "
                    "initiative load page will be empty, and board members will see no plan."
                ),
            ],
            action_label=_("Archive plan"),
            cancel_url=plan_url(plan),
            plan=plan,
        ),
        run=lambda: services.plan_archive(district=request.district, actor=request.membership, plan=plan),
        success=lambda result: (
            _("Archived “%(title)s”. It stays readable; its history is kept.") % {"title": plan.title}
        ),
        done_url=plan_url(plan),
    )


@district_view(Action.MANAGE_PLANS, section="plans")
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    if request.method != "POST" and not plan.is_draft:
        return wrong_state(
            request,
            plan,
            _("“%(title)s” is %(state)s; only a draft can be deleted.")
            % {"title": plan.title, "state": plan.get_state_display().lower()},
        )

    def confirmation() -> Confirmation:
        counts = selectors.plan_contents_count(plan=plan)
        return Confirmation(
            heading=_("Delete the draft “%(title)s”?") % {"title": plan.title},
            points=[
                _(
                    "Its %(priorities)s priorities, %(commitments)s commitments and "
                    "%(competencies)s Portrait of a Graduate competencies go with it."
                )
                % counts,
                _("This can't be undone."),
            ],
            action_label=_("Delete draft"),
            cancel_url=plan_url(plan),
            plan=plan,
        )

    title, page = plan.title, plan_url(plan)
    return confirm_then(
        request,
        confirmation=confirmation,
        run=lambda: services.plan_delete(district=request.district, actor=request.membership, plan=plan),
        success=lambda result: _("Deleted the draft “%(title)s”.") % {"title": title},
        done_url=reverse("plans:plan_list", kwargs={"district_slug": request.district.slug}),
        failed_url=page,
    )


# --- Portrait of a Graduate ----------------------------------------------------------------------


def _portrait_url(plan: StrategicPlan) -> str:
    return reverse("plans:portrait", kwargs={"district_slug": plan.district.slug, "plan_id": plan.pk})


@district_view(Action.MANAGE_PLANS, section="plans")
def portrait(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Edit the Portrait of a Graduate: the ordered competencies, and a form to add one."""
    plan = access_plan(actor=request.membership, plan_id=plan_id)
    if plan.is_archived:
        raise Http404(_("An archived plan's portrait can't be changed."))
    form = CompetencyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        competency = call_service(
            form,
            services.competency_create,
            district=request.district,
            actor=request.membership,
            plan=plan,
            **form.cleaned_data,
        )
        if competency is not None:
            messages.success(request, _("Added “%(name)s” to the Portrait of a Graduate.") % {"name": competency.name})
            return redirect(_portrait_url(plan))
    context = {"plan": plan, "competencies": list(plan.competencies.all()), "form": form}
    return render_page(request, "plans/portrait.html", context, partial="competencies")


@district_view(Action.MANAGE_PLANS, section="plans")
def competency_edit(request: HttpRequest, competency_id: int) -> HttpResponse:
    competency = access_competency(actor=request.membership, competency_id=competency_id)
    form = CompetencyForm(
        posted(request), initial={name: getattr(competency, name) for name in CompetencyForm.Meta.fields}
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.competency_update,
            district=request.district,
            actor=request.membership,
            competency=competency,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, _("Saved “%(name)s”.") % {"name": updated.name})
            return redirect(_portrait_url(competency.plan))
    return render_page(
        request, "plans/competency_form.html", {"form": form, "competency": competency, "plan": competency.plan}
    )


@require_POST
@district_view(Action.MANAGE_PLANS, section="plans")
def competency_move(request: HttpRequest, competency_id: int) -> HttpResponse:
    competency = access_competency(actor=request.membership, competency_id=competency_id)
    plan = competency.plan
    direction, moved = run_move(
        request,
        lambda d: services.competency_move(
            district=request.district, actor=request.membership, competency=competency, direction=d
        ),
    )
    competencies = list(plan.competencies.all())
    message = moved_message(
        f"“{competency.name}”", moved=moved, direction=direction, position=competency.position, total=len(competencies)
    )
    if request.htmx:
        context = {
            "plan": plan,
            "competencies": competencies,
            "form": CompetencyForm(),
            "focus_target": move_focus("competency", competency, direction, len(competencies)),
            "status_message": message,
        }
        return render_page(request, "plans/portrait.html", context, partial="competencies")
    messages.success(request, message)
    return redirect(f"{_portrait_url(plan)}#competency-{competency.pk}")


@district_view(Action.MANAGE_PLANS, section="plans")
def competency_delete(request: HttpRequest, competency_id: int) -> HttpResponse:
    competency = access_competency(actor=request.membership, competency_id=competency_id)
    portrait_url = _portrait_url(competency.plan)
    return confirm_then(
        request,
        confirmation=lambda: Confirmation(
            heading=_("Remove “%(name)s” from the Portrait of a Graduate?") % {"name": competency.name},
            points=[_("The change is kept in the plan's history.")],
            action_label=_("Remove competency"),
            cancel_url=portrait_url,
            plan=competency.plan,
        ),
        run=lambda: services.competency_delete(
            district=request.district, actor=request.membership, competency=competency
        ),
        success=lambda result: _("Removed “%(name)s” from the Portrait of a Graduate.") % {"name": competency.name},
        done_url=portrait_url,
    )
