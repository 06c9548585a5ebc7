"""The exports page (pick what, which period and which format: a plain GET form) and the downloads.

The page's form, when complete, sends the browser on to the download's own URL
(`exports/<kind>.<fmt>?cycle=…` or `?start=…&end=…`), which can be bookmarked. A download
asked with missing or wrong parameters gets the page back with each problem beside its field
(200, as a form with errors is answered), never an error page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _

from checkins.models import CheckinCycle, CycleState
from core.csv import Cell, csv_stream_response
from core.spreadsheets import XLSX_MOST_ROWS, xlsx_response
from core.web import render_page
from dashboards.dashboard import HeatmapFilters, default_cycle
from dashboards.exports import ExportFormat, ExportKind, ExportPeriod, export_table
from dashboards.summary import cycle_label
from districts.models import District
from districts.policy import Action
from districts.tenancy import district_context
from districts.web import district_view
from metrics.periods import add_months
from plans.models import StrategicPlan
from plans.selectors import active_plan

SECTION = "home"
MOST_MONTHS = 60  # the longest range of months one file covers
PERIOD_FIELDS = ("cycle", "start", "end")


class MonthInput(forms.DateInput):
    input_type = "month"


def _month_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(format="%Y-%m"),
        help_text=gettext_lazy("Year and month, for example 2026-03."),
        error_messages={"invalid": gettext_lazy("Enter a year and month, for example 2026-03.")},
    )


def _options_field(label: str, choices: list[tuple[str, str]], problem: str) -> forms.ChoiceField:
    """Radio buttons; a missing or unknown value (a download URL typed by hand) gets the one message."""
    messages = {"invalid_choice": problem, "required": problem}
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, error_messages=messages)


class ExportForm(forms.Form):
    kind = _options_field(gettext_lazy("What to export"), ExportKind.choices, gettext_lazy("Choose what to export."))
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Cycle"),
        queryset=CheckinCycle.objects.none(),
        required=False,
        empty_label=gettext_lazy("None: use the months below"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this plan's cycles.")},
    )
    start = _month_field(gettext_lazy("First month"))
    end = _month_field(gettext_lazy("Last month"))
    format = _options_field(gettext_lazy("Format"), ExportFormat.choices, gettext_lazy("Choose CSV or Excel."))

    def __init__(self, *args: Any, district: District, plan: StrategicPlan | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        cycle_field = self.fields["cycle"]
        if plan is not None:
            cycle_field.queryset = (
                CheckinCycle.objects.filter(district=district, plan=plan)
                .exclude(state=CycleState.SCHEDULED)
                .order_by("-period_start", "-pk")
            )
        cycle_field.label_from_instance = _cycle_choice

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.plan is None:
            raise forms.ValidationError(_("No plan is active yet, so there is nothing to export."))
        cycle, start, end = data.get("cycle"), data.get("start"), data.get("end")
        if "cycle" in self.errors or "start" in self.errors or "end" in self.errors:
            return data
        if cycle is not None and (start or end):
            self.add_error("cycle", _("Choose a cycle or a range of months, not both."))
        elif data.get("kind") == ExportKind.HEATMAP and cycle is None:
            self.add_error("cycle", _("The heat map shows one cycle: choose it."))
        elif cycle is None:
            if start is None:
                self.add_error("start", _("Choose the first month, or a cycle above."))
            if end is None:
                self.add_error("end", _("Choose the last month, or a cycle above."))
            if start and end and end < start:
                self.add_error("end", _("The last month can't be before the first."))
            elif start and end and add_months(start, MOST_MONTHS) <= end:
                self.add_error("end", _("One file covers at most %(months)s months.") % {"months": MOST_MONTHS})
        return data

    @property
    def period(self) -> ExportPeriod:
        cycle = self.cleaned_data["cycle"]
        if cycle is not None:
            return ExportPeriod(cycle.period_start, cycle.period_end, cycle)
        last_month: date = self.cleaned_data["end"]
        return ExportPeriod(self.cleaned_data["start"], add_months(last_month, 1).replace(day=1) - timedelta(days=1))

    def period_query(self) -> dict[str, str]:
        cycle = self.cleaned_data["cycle"]
        if cycle is not None:
            return {"cycle": str(cycle.pk)}
        return {"start": f"{self.cleaned_data['start']:%Y-%m}", "end": f"{self.cleaned_data['end']:%Y-%m}"}


def _cycle_choice(cycle: CheckinCycle) -> str:
    if cycle.state == CycleState.OPEN:
        return _("%(cycle)s (open)") % {"cycle": cycle_label(cycle)}
    return cycle_label(cycle)


def _filter_query(filters: HeatmapFilters) -> dict[str, str]:
    """The dashboard's heat-map filters a heat map export keeps (the cycle is the form's)."""
    query = {"level": filters.level, "region": filters.region, "supervisor": filters.supervisor_id or ""}
    return {name: str(value) for name, value in query.items() if value}


def _page(request: HttpRequest, form: ExportForm) -> HttpResponse:
    try:
        filters = HeatmapFilters.from_query(request.GET)
    except Http404:  # a garbled id (?cycle=abc): the form says what to fix, the filters are left out
        filters = HeatmapFilters()
    context = {"form": form, "plan": form.plan, "filter_query": _filter_query(filters)}
    return render_page(request, "dashboards/exports.html", context)


@district_view(Action.EXPORT_DATA, section=SECTION)
def exports_page(request: HttpRequest) -> HttpResponse:
    district = request.district
    plan = active_plan(district=district)
    if "kind" not in request.GET:
        latest = default_cycle(district=district, plan=plan) if plan else None
        initial = {"kind": ExportKind.CHECKINS, "format": ExportFormat.CSV, "cycle": latest}
        return _page(request, ExportForm(district=district, plan=plan, initial=initial))
    form = ExportForm(request.GET, district=district, plan=plan)
    if not form.is_valid():
        return _page(request, form)
    filters = HeatmapFilters.from_query(request.GET)
    url = reverse(
        "dashboards:export_download",
        kwargs={"district_slug": district.slug, "kind": form.cleaned_data["kind"], "fmt": form.cleaned_data["format"]},
    )
    query = {
        **form.period_query(),
        **(_filter_query(filters) if form.cleaned_data["kind"] == ExportKind.HEATMAP else {}),
    }
    return redirect(f"{url}?{urlencode(query)}")


@district_view(Action.EXPORT_DATA, section=SECTION)
def export_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    district = request.district
    plan = active_plan(district=district)
    data = {"kind": kind, "format": fmt, **{name: request.GET.get(name, "") for name in PERIOD_FIELDS}}
    form = ExportForm(data, district=district, plan=plan)
    if not form.is_valid():
        return _page(request, form)
    # The dashboard's heat-map filters; a garbled supervisor id is a 404 there and here.
    filters = HeatmapFilters.from_query(request.GET)
    period = form.period
    table = export_table(kind, district=district, plan=plan, period=period, filters=filters)
    filename = f"{district.slug}-{kind}-{period.slug}.{fmt}"
    if fmt == ExportFormat.XLSX:
        if table.row_count() > XLSX_MOST_ROWS:
            form.add_error(None, _("This is more rows than Excel can open: choose CSV, or fewer months."))
            return _page(request, form)
        return xlsx_response(filename, table.title, table.header, table.rows)
    return csv_stream_response(filename, table.header, _in_district(district, get_language(), table.rows))


def _in_district(district: District, language: str, rows: Iterable[Sequence[Cell]]) -> Iterator[Sequence[Cell]]:
    """The rows, read while the response streams: after the view has returned, so inside the district's
    context again (its row-level security, scope and time zone) and the reader's language, which the
    middleware has left by then."""
    with district_context(district), override(language):
        yield from rows
