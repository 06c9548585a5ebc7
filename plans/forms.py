"""Forms for plans. They check input types; services validate and write."""

from __future__ import annotations

from django import forms

from core.forms import InputForm
from districts.models import District

from .models import Competency, StrategicPlan


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
