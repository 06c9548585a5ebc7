"""Metric pages: the list, one metric (chart, roll-up, schools), its definition, value entry and history, CSV import."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.bilingual import localized
from core.calendar import school_year_of
from core.csv import csv_response
from core.parsing import parse_id
from core.web import Confirmation, call_service, confirm_then, posted, render_page
from districts.import_views import ImportPages, import_views_for
from districts.models import Membership, School
from districts.policy import Action, MetricValueTarget, can
from districts.web import district_view

from . import selectors, services
from .access import access_metric, access_metric_value, access_priority_for_metrics
from .bounds import window_of_plan
from .choices import ValueSource
from .formatting import format_value
from .forms import MetricForm, ValueForm
from .importers import MetricValueImporter
from .models import Metric, MetricValue
from .periods import periods_between

SECTION = "metrics"


def _metric_url(request: HttpRequest, metric: Metric, name: str = "metric_detail", **kwargs: object) -> str:
    return reverse(f"metrics:{name}", kwargs={"district_slug": request.district.slug, "metric_id": metric.pk, **kwargs})


# --- List and detail ------------------------------------------------------------------------


@district_view(Action.VIEW_METRICS, section=SECTION)
def metric_list(request: HttpRequest) -> HttpResponse:
    district, actor = request.district, request.membership
    groups = selectors.metric_list(district=district, actor=actor)
    context = {
        "groups": groups,
        "can_define": can(actor, Action.DEFINE_METRIC),
    }
    return render_page(request, "metrics/metric_list.html", context)


def _archived(request: HttpRequest, metric: Metric) -> HttpResponse | None:
    """An archived plan's metric is read-only: a page that would change it says so and goes back to the metric."""
    if not metric.priority.plan.is_archived:
        return None
    messages.error(request, _("This metric's plan is archived, so its definition and values can no longer change."))
    return redirect(_metric_url(request, metric))


def _entry_target(actor: Membership, metric: Metric) -> MetricValueTarget | None:
    """Where this member would enter a value from the metric page: anywhere, their school, or nowhere."""
    if metric.priority.plan.is_archived:
        return None
    if services.can_enter_any_value(actor, metric):
        return MetricValueTarget(metric=metric, school=None)
    if metric.is_school_level and actor.school_id is not None:
        target = MetricValueTarget(metric=metric, school=actor.school)
        if can(actor, Action.ENTER_METRIC_VALUE, target) and (
            not metric.school_levels or actor.school.level in metric.school_levels
        ):
            return target
    return None


@district_view(Action.VIEW_METRICS, section=SECTION)
def metric_detail(request: HttpRequest, metric_id: int) -> HttpResponse:
    district, actor = request.district, request.membership
    metric = access_metric(actor=actor, metric_id=metric_id)
    filters = selectors.MetricPageFilters.from_query(request.GET)
    page = selectors.metric_page(district=district, metric=metric, filters=filters, page_number=request.GET.get("page"))
    editable = not metric.priority.plan.is_archived
    context = {
        "metric": metric,
        "page": page,
        "school_page": page.schools,
        "filters": filters,
        "can_edit": editable and can(actor, Action.DEFINE_METRIC, metric),
        "can_import": editable and can(actor, Action.IMPORT_METRIC_VALUES, metric),
        "entry_target": _entry_target(actor, metric),
    }
    return render_page(request, "metrics/metric_detail.html", context, partial="schools")


@district_view(Action.VIEW_METRICS, section=SECTION)
def metric_values_csv(request: HttpRequest, metric_id: int) -> HttpResponse:
    """Every value of a metric as a CSV file (the same columns the import reads, plus who and when)."""
    metric = access_metric(actor=request.membership, metric_id=metric_id)
    values = (
        MetricValue.objects.filter(district=request.district, metric=metric)
        .select_related("school", "entered_by__user")
        .order_by("period", "school__name")
    )
    # A school without a code is written by its name, which the import also reads: the file imports back unchanged.
    rows = (
        [
            (value.school.code or value.school.name) if value.school else "district",
            value.school.name if value.school else _("District"),
            metric.period_code(value.period),
            value.value,
            value.note,
            value.source,
            value.entered_by.user.get_full_name() if value.entered_by else "",
            value.updated_at.astimezone(request.district.tzinfo).isoformat(timespec="seconds"),
        ]
        for value in values.iterator(chunk_size=5000)
    )
    header = ["school", "school_name", "period", "value", "note", "source", "entered_by", "updated_at"]
    return csv_response(f"metric-{metric.pk}-values.csv", header, rows)


# --- Definition -----------------------------------------------------------------------------


def _plan_years(priorities: list) -> set[int]:
    """School years (by their first calendar year) the plans cover: 2025–2030 → 2025–26 … 2029–30."""
    years: set[int] = set()
    for priority in priorities:
        years.update(priority.plan.period.school_years)
    return years


@district_view(Action.DEFINE_METRIC, section=SECTION)
def metric_create(request: HttpRequest) -> HttpResponse:
    district, actor = request.district, request.membership
    priorities = selectors.definable_priorities(district=district, actor=actor)
    chosen = None
    if request.GET.get("priority"):
        chosen = access_priority_for_metrics(actor=actor, priority_id=request.GET["priority"])
        if chosen not in priorities:
            raise PermissionDenied(_("You can add metrics only under priorities you lead."))
    form = MetricForm(
        posted(request),
        priorities=priorities,
        interim_years=sorted(_plan_years([chosen] if chosen else priorities)),
        start_month=district.school_year_start_month,
        window=window_of_plan(chosen.plan, district.school_year_start_month) if chosen else None,
        initial={"priority": chosen.pk if chosen else None, "decimals": 1},
    )
    if request.method == "POST" and form.is_valid():
        metric = call_service(
            form,
            services.metric_create,
            district=district,
            actor=actor,
            priority=form.chosen_priority(),
            interim_targets=form.interim_targets(),
            **form.definition(),
        )
        if metric is not None:
            messages.success(request, _("Added the metric “%(name)s”.") % {"name": metric.name})
            return redirect(_metric_url(request, metric))
    context = {"form": form, "metric": None, "priorities": priorities, "chosen": chosen}
    return render_page(request, "metrics/metric_form.html", context)


@district_view(Action.DEFINE_METRIC, section=SECTION)
def metric_edit(request: HttpRequest, metric_id: int) -> HttpResponse:
    district, actor = request.district, request.membership
    metric = access_metric(actor=actor, metric_id=metric_id)
    if not can(actor, Action.DEFINE_METRIC, metric):
        raise PermissionDenied(_("Only the priority's owner, the superintendent and admins change this metric."))
    if closed := _archived(request, metric):
        return closed
    start_month = district.school_year_start_month
    window = window_of_plan(metric.priority.plan, district.school_year_start_month)
    # The school years from the baseline to the target, kept within the plan's window (odd stored dates aside).
    first, last = (school_year_of(window.clamp(day), start_month) for day in (metric.baseline_date, metric.target_date))
    years = _plan_years([metric.priority]) | set(range(first, last + 1))
    years |= {t.school_year for t in metric.interim_targets.all()}
    form = MetricForm(
        posted(request),
        interim_years=sorted(years),
        start_month=start_month,
        window=window,
        initial=MetricForm.initial_for(metric),
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.metric_update,
            district=district,
            actor=actor,
            metric=access_metric(actor=actor, metric_id=metric_id),
            interim_targets=form.interim_targets(),
            **form.definition(),
        )
        if updated is not None:
            messages.success(request, _("Saved “%(name)s”.") % {"name": updated.name})
            return redirect(_metric_url(request, updated))
    context = {"form": form, "metric": metric, "has_values": metric.values.exists()}
    return render_page(request, "metrics/metric_form.html", context)


@district_view(Action.DEFINE_METRIC, section=SECTION)
def metric_delete(request: HttpRequest, metric_id: int) -> HttpResponse:
    """Confirm, naming how many values (from how many schools) go with the metric, then delete."""
    district, actor = request.district, request.membership
    metric = access_metric(actor=actor, metric_id=metric_id)
    if not can(actor, Action.DEFINE_METRIC, metric):
        raise PermissionDenied(_("Only the priority's owner, the superintendent and admins delete this metric."))
    if closed := _archived(request, metric):
        return closed

    def confirmation() -> Confirmation:
        count = services.metric_value_count(district=district, metric=metric)
        if not count.values:
            values = _("No values have been entered for this metric.")
        elif metric.is_school_level and count.schools == 1:
            values = ngettext(
                "This metric has %(values)s value from one school; it will be deleted with it.",
                "This metric has %(values)s values from one school; they will be deleted with it.",
                count.values,
            ) % {"values": f"{count.values:,}"}
        elif metric.is_school_level and count.schools:
            # Each school has at least one value, so with two schools or more the values are plural too.
            values = ngettext(
                "This metric has %(values)s values from %(schools)s school; they will be deleted with it.",
                "This metric has %(values)s values from %(schools)s schools; they will be deleted with it.",
                count.schools,
            ) % {"values": f"{count.values:,}", "schools": f"{count.schools:,}"}
        else:
            values = ngettext(
                "This metric has %(values)s district value; it will be deleted with it.",
                "This metric has %(values)s district values; they will be deleted with it.",
                count.values,
            ) % {"values": f"{count.values:,}"}
        return Confirmation(
            heading=_("Delete “%(name)s”?") % {"name": metric.name},
            points=[
                values,
                _("Its interim targets and stored district values go too. This can't be undone."),
                _("Each deleted value stays in its history, with who deleted it."),
            ],
            action_label=_("Delete the metric"),
            cancel_url=_metric_url(request, metric),
            plan=metric.priority.plan,
            priority=metric.priority,
        )

    name = metric.name
    return confirm_then(
        request,
        confirmation=confirmation,
        run=lambda: services.metric_delete(district=district, actor=actor, metric=metric),
        success=lambda _count: _("Deleted the metric “%(name)s”.") % {"name": name},
        done_url=reverse("metrics:metric_list", kwargs={"district_slug": district.slug}),
        failed_url=_metric_url(request, metric),
    )


# --- Values ---------------------------------------------------------------------------------


def _period_choices(request: HttpRequest, metric: Metric) -> list[tuple[date, str]]:
    """Periods a value can be entered for, newest first: the metric's window (metrics.bounds) up to now.

    Read from the plan's window, never from the metric's own dates, so a stored baseline of year 1 (before
    the bounds) still offers a few dozen periods, not 24,000.
    """
    district = request.district
    window = window_of_plan(metric.priority.plan, district.school_year_start_month)
    latest = min(services.current_period(district, metric.frequency), window.last_day)
    periods = periods_between(window.first_day, latest, metric.frequency, district.school_year_start_month)
    return [(p, metric.period_label(p)) for p in reversed(periods) if window.contains(p)]


@district_view(Action.ENTER_METRIC_VALUE, section=SECTION)
def value_enter(request: HttpRequest, metric_id: int) -> HttpResponse:
    district, actor = request.district, request.membership
    metric = access_metric(actor=actor, metric_id=metric_id)
    if closed := _archived(request, metric):
        return closed
    target = _entry_target(actor, metric)
    if target is None:
        raise PermissionDenied(_("You can't enter values for this metric."))
    if not metric.is_school_level:
        schools = None
    elif target.school is not None:
        schools = School.objects.filter(district=district, pk=target.school.pk)
    else:
        schools = School.objects.filter(district=district).order_by("name")
        if metric.school_levels:
            schools = schools.filter(level__in=metric.school_levels)
    periods = _period_choices(request, metric)
    initial: dict[str, object] = {"period": periods[0][0].isoformat() if periods else None}
    chosen_school = target.school
    if request.GET.get("school") and schools is not None:
        school_id = parse_id(request.GET["school"])
        chosen_school = (school_id and schools.filter(pk=school_id).first()) or chosen_school
    if chosen_school is not None:
        initial["school"] = chosen_school.pk
    if request.GET.get("period") in {p.isoformat() for p, _label in periods}:
        initial["period"] = request.GET["period"]
    form = ValueForm(
        posted(request),
        schools=schools,
        periods=periods,
        value_help=_("Allowed: %(range)s.") % {"range": metric.valid_range.describe()},
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        school = form.cleaned_data.get("school")
        saved = call_service(
            form,
            services.metric_value_set,
            district=district,
            actor=actor,
            metric=metric,
            school=school,
            period=form.cleaned_data["period"],
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            source=ValueSource.FORM,
        )
        if saved is not None:
            messages.success(
                request,
                _("Saved %(value)s for %(place)s, %(period)s.")
                % {
                    "value": format_value(saved.value, metric.unit, max(metric.decimals, 1)),
                    "place": school.name if school else pgettext("place", "the district"),
                    "period": metric.period_label(saved.period),
                },
            )
            return redirect(f"{_metric_url(request, metric)}?period={metric.period_code(saved.period)}")
        chosen_school = school
    if metric.is_school_level and chosen_school is None:
        recent, recent_place = [], ""
    else:
        recent = selectors.school_recent_values(district=district, metric=metric, school=chosen_school)
        recent_place = chosen_school.name if chosen_school else pgettext("place", "the district")
    context = {
        "metric": metric,
        "form": form,
        "own_school_only": target.school is not None,
        "recent": recent,
        "recent_place": recent_place,
        "rule": selectors.rule_for(metric, district),
    }
    return render_page(request, "metrics/value_form.html", context)


@district_view(Action.VIEW_METRICS, section=SECTION)
def value_detail(request: HttpRequest, metric_value_id: int) -> HttpResponse:
    value = access_metric_value(actor=request.membership, metric_value_id=metric_value_id)
    can_change = _can_change_value(request.membership, value)
    context = {
        "value": value,
        "metric": value.metric,
        "history": selectors.value_history(value=value),
        "can_change": can_change,
    }
    return render_page(request, "metrics/value_detail.html", context)


def _can_change_value(actor: Membership, value: MetricValue) -> bool:
    """May the actor change or remove this value (its metric's plan not archived)?"""
    target = _entry_target(actor, value.metric)
    return target is not None and (target.school is None or target.school.pk == value.school_id)


@district_view(Action.ENTER_METRIC_VALUE, section=SECTION)
def value_delete(request: HttpRequest, metric_value_id: int) -> HttpResponse:
    """Remove a mistaken value after a confirmation; its history stays and the district value is recomputed."""
    district, actor = request.district, request.membership
    value = access_metric_value(actor=actor, metric_value_id=metric_value_id)
    metric = value.metric
    if closed := _archived(request, metric):
        return closed
    if not _can_change_value(actor, value):
        raise PermissionDenied(_("You can't remove this value."))
    place = value.school.name if value.school else pgettext("place", "the district")
    period = metric.period_label(value.period)

    def confirmation() -> Confirmation:
        return Confirmation(
            heading=_("Remove %(place)s's value for %(period)s?") % {"place": place, "period": period},
            points=[
                _("%(metric)s: %(value)s for %(place)s, %(period)s.")
                % {
                    "metric": localized(metric, "name"),
                    "value": format_value(value.value, metric.unit, max(metric.decimals, 1)),
                    "place": place,
                    "period": period,
                },
                _("The district value for %(period)s is recomputed without it.") % {"period": period},
                _("The value stays in its history, with who removed it."),
            ],
            action_label=_("Remove the value"),
            cancel_url=reverse(
                "metrics:value_detail", kwargs={"district_slug": district.slug, "metric_value_id": value.pk}
            ),
            plan=metric.priority.plan,
            priority=metric.priority,
        )

    return confirm_then(
        request,
        confirmation=confirmation,
        run=lambda: services.metric_value_delete(district=district, actor=actor, value=value),
        success=lambda _result: _("Removed the value for %(place)s, %(period)s.") % {"place": place, "period": period},
        done_url=f"{_metric_url(request, metric)}?period={metric.period_code(value.period)}",
    )


# --- CSV import -----------------------------------------------------------------------------


def _value_import_setup(request: HttpRequest, metric_id: int) -> tuple[MetricValueImporter, ImportPages] | HttpResponse:
    """The importer and pages of one metric's value import; only who may import into it gets them."""
    metric = access_metric(actor=request.membership, metric_id=metric_id)
    if not can(request.membership, Action.IMPORT_METRIC_VALUES, metric):
        raise PermissionDenied(_("Only the priority's owner, the superintendent and admins import values."))
    if closed := _archived(request, metric):
        return closed
    pages = ImportPages(
        url_name="metrics:value_import",
        back_url=_metric_url(request, metric),
        back_label=localized(metric, "name"),
        sample_filename=f"metric-{metric.pk}-values-sample.csv",
        url_kwargs={"metric_id": metric.pk},
        trail=((str(_("Metrics")), reverse("metrics:metric_list", kwargs={"district_slug": request.district.slug})),),
    )
    return MetricValueImporter(district=request.district, metric=metric), pages


VALUE_IMPORT_VIEWS = import_views_for(_value_import_setup, action=Action.IMPORT_METRIC_VALUES, section=SECTION)
