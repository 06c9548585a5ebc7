"""Forms for plans. They check input types; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst

from districts.models import District

from .models import Competency, StrategicPlan
from .ordering import Direction


class InputForm(forms.ModelForm):
    """A ModelForm used for its fields, labels and widgets only.

    The service validates and writes, with a message at the field that caused
    it; model validation here would report constraint failures away from their
    field, before the service had its say. Foreign keys are declared on each
    form (see `district_choice`): a generated one would query the fail-closed
    manager when the class is defined, outside any district.
    """

    def _post_clean(self) -> None:
        pass


def district_choice(model_field: Any, **kwargs: Any) -> forms.ModelChoiceField:
    """A choice of rows for a foreign key, labelled from the model field; the view sets the district's queryset."""
    return forms.ModelChoiceField(
        queryset=model_field.related_model._base_manager.none(),
        required=not model_field.blank,
        label=capfirst(model_field.verbose_name),
        help_text=model_field.help_text,
        **kwargs,
    )


class PlanForm(InputForm):
    copy_from = forms.ModelChoiceField(
        queryset=StrategicPlan._base_manager.none(),
        required=False,
        label="Start from an earlier plan",
        empty_label="No, start from a blank plan",
        help_text="Copies its Portrait of a Graduate, priorities, commitments and current assignments into this draft. "
        "Commitment dates move with the period; ended assignments stay behind.",
    )

    class Meta:
        model = StrategicPlan
        fields = ["title", "start_year", "end_year", "vision", "mission"]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "mission": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "start_year": "For example 2025 for a plan that starts in the 2025–26 school year.",
            "end_year": "For example 2030.",
        }
        error_messages = {
            "title": {"required": "Give the plan a title."},
            "start_year": {"required": "Enter the first year, e.g. 2025.", "invalid": "Enter a year as four digits."},
            "end_year": {"required": "Enter the last year, e.g. 2030.", "invalid": "Enter a year as four digits."},
        }

    def __init__(self, *args, district: District, with_copy: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update({"min": 2000, "max": 2100, "inputmode": "numeric"})
        if with_copy:
            self.fields["copy_from"].queryset = StrategicPlan.objects.filter(district=district).order_by(
                "-start_year", "title"
            )
            self.fields["copy_from"].label_from_instance = lambda p: (
                f"{p.title} ({p.period_label}, {p.get_state_display().lower()})"
            )
        else:
            del self.fields["copy_from"]


class CompetencyForm(InputForm):
    class Meta:
        model = Competency
        fields = ["name", "description"]
        error_messages = {"name": {"required": "Name the competency."}}


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(d.value, d.value) for d in Direction])

    @property
    def direction_value(self) -> Direction:
        return Direction(self.cleaned_data["direction"])
