"""Forms for metric pages. They check input types; services validate meaning and write."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized
from core.calendar import school_year_label
from core.forms import bounded_formfield
from core.parsing import MAX_YEAR, MIN_YEAR
from districts.models import School, SchoolLevel
from priorities.models import Priority

from .bounds import MetricWindow
from .formatting import MAX_DISPLAY_DECIMALS, input_number
from .models import Metric
from .services import METRIC_FIELDS

_NUMBER_NOISE = re.compile(r"[\s,$%]")


def parse_number(text: str) -> Decimal | None:
    """A number as people type it: "92.5", "92.5%", "1,234", "$1,500.00". None when it isn't one."""
    cleaned = _NUMBER_NOISE.sub("", text or "")
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accounting negatives: (1,500)
        cleaned = "-" + cleaned[1:-1]
    if not cleaned or not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


class NumberField(forms.CharField):
    """A decimal that tolerates %, $, thousands separators and spaces."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 40})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = parse_number(text)
        if number is None:
            raise ValidationError(_("“%(text)s” isn't a number. Write it like 92.5."), params={"text": text})
        return number


# What the form edits: the services' fields but the order (set elsewhere) and the levels (a checkbox list).
DEFINITION_FIELDS = [f for f in METRIC_FIELDS if f not in ("position", "school_levels")]
DECIMAL_FIELDS = ("baseline_value", "target_value", "school_target_value", "valid_min", "valid_max")

_MODEL_FIELDS = forms.fields_for_model(
    Metric,
    formfield_callback=bounded_formfield,
    fields=[f for f in DEFINITION_FIELDS if f not in DECIMAL_FIELDS],
    widgets={
        "definition": forms.Textarea(attrs={"rows": 3}),
        "name_es": forms.TextInput(attrs={"lang": "es"}),
        "definition_es": forms.Textarea(attrs={"rows": 3, "lang": "es"}),
        "baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "direction": forms.RadioSelect,
        "kind": forms.RadioSelect,
        "level": forms.RadioSelect,
        "frequency": forms.RadioSelect,
    },
)


# Fields whose model column has no verbose name of its own: their labels, translatable.
_LABELS = {
    "name": _("Name"),
    "name_es": _("Name in Spanish"),
    "definition": _("Definition"),
    "definition_es": _("Definition in Spanish"),
    "unit": _("Unit"),
    "decimals": _("Decimals"),
    "direction": _("Direction"),
    "frequency": _("Frequency"),
}


def _number_field(name: str) -> NumberField:
    model_field = Metric._meta.get_field(name)
    return NumberField(
        label=str(model_field.verbose_name).capitalize(),
        required=not model_field.null,
        help_text=model_field.help_text,
    )


class MetricForm(forms.Form):
    """A metric definition, with one optional interim target per school year of the plan."""

    school_levels = forms.MultipleChoiceField(
        label=_("Applies to school levels"),
        choices=SchoolLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every school; e.g. only High for a graduation rate."),
    )

    def __init__(
        self,
        *args: Any,
        priorities: Sequence[Priority] | None = None,
        interim_years: Sequence[int] = (),
        start_month: int,
        window: MetricWindow | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The plan's window (metrics.bounds), when known: the date pickers' range. The service checks it and
        # its message goes beside the field with every other message about the definition.
        self.window = window
        if priorities is not None:
            self.fields["priority"] = forms.TypedChoiceField(
                label=_("Priority"),
                choices=[("", _("Choose a priority"))]
                + [(p.pk, f"{p.code} · {localized(p, 'title')}") for p in priorities],
                coerce=int,
            )
            self.priorities = {p.pk: p for p in priorities}
        for name, model_form_field in _MODEL_FIELDS.items():
            self.fields[name] = copy.deepcopy(model_form_field)
            if name in _LABELS:
                self.fields[name].label = _LABELS[name]
        for name in DECIMAL_FIELDS:
            self.fields[name] = _number_field(name)
        self.fields["decimals"] = forms.IntegerField(
            label=self.fields["decimals"].label,
            help_text=self.fields["decimals"].help_text,
            min_value=0,
            max_value=MAX_DISPLAY_DECIMALS,
            initial=1,
        )
        self.fields["baseline_value"].help_text = _("Where the district started, in the unit of the district value.")
        self.fields["target_value"].help_text = _("Where the district aims to be by the target date.")
        self.fields["valid_min"].help_text = _("Optional: refuse values below this (percent is always 0 to 100).")
        self.fields["valid_max"].help_text = _("Optional: refuse values above this.")
        for name in ("baseline_date", "target_date"):
            if window is not None:
                first = window.first_day if name == "baseline_date" else window.plan_first_day
                self.fields[name].widget.attrs.update({"min": first.isoformat(), "max": window.last_day.isoformat()})
                self.fields[name].help_text = _("Within the plan: %(first)s to %(last)s.") % {
                    "first": date_format(first, "DATE_FORMAT"),
                    "last": date_format(window.last_day, "DATE_FORMAT"),
                }
        self.interim_years = list(interim_years)
        for year in self.interim_years:
            self.fields[f"interim_{year}"] = NumberField(label=school_year_label(year, start_month), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("baseline_date", "target_date"):
            day = cleaned.get(name)
            if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
                message = _("Enter a date between the years %(first)s and %(last)s.")
                self.add_error(name, message % {"first": MIN_YEAR, "last": MAX_YEAR})
        return cleaned

    @property
    def interim_fields(self) -> list[forms.BoundField]:
        return [self[f"interim_{year}"] for year in self.interim_years]

    def definition(self) -> dict[str, Any]:
        """The cleaned fields a service takes (priority and interim targets apart)."""
        return {name: self.cleaned_data[name] for name in [*DEFINITION_FIELDS, "school_levels"]}

    def interim_targets(self) -> list[tuple[int, Decimal]]:
        return [
            (year, self.cleaned_data[f"interim_{year}"])
            for year in self.interim_years
            if self.cleaned_data.get(f"interim_{year}") is not None
        ]

    def chosen_priority(self) -> Priority | None:
        return self.priorities.get(self.cleaned_data.get("priority"))  # type: ignore[arg-type]

    @staticmethod
    def initial_for(metric: Metric) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(metric, name) for name in DEFINITION_FIELDS}
        for name in DECIMAL_FIELDS:
            initial[name] = input_number(getattr(metric, name))
        initial["school_levels"] = list(metric.school_levels or [])
        for target in metric.interim_targets.all():
            initial[f"interim_{target.school_year}"] = input_number(target.value)
        return initial


class ValueForm(forms.Form):
    """One value: the school (or none for a district-only metric), the period, the number and a note."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"), empty_label=_("Choose a school"))
    period = forms.TypedChoiceField(coerce=date.fromisoformat, label=_("Period"))
    value = NumberField(label=_("Value"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Optional: where the number comes from, or why it changed."),
    )

    def __init__(
        self,
        *args: Any,
        schools: QuerySet[School] | None,
        periods: Sequence[tuple[date, str]],
        value_help: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools
        self.fields["period"].choices = [(p.isoformat(), label) for p, label in periods]
        self.fields["value"].help_text = value_help
