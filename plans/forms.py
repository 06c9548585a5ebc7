"""Forms for plans. They check input types; services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import plan_period, school_year_label
from core.forms import IdChoiceField, InputForm
from districts.models import District

from .models import Competency, StrategicPlan


class PlanForm(InputForm):
    copy_from = IdChoiceField(
        queryset=StrategicPlan._base_manager.none(),
        required=False,
        label=gettext_lazy("Start from an earlier plan"),
        empty_label=gettext_lazy("No, start from a blank plan"),
        help_text=gettext_lazy(
            "Copies its Portrait of a Graduate, priorities, commitments and current assignments into this draft. "
            "Commitment dates move with the period; ended assignments stay behind."
        ),
    )

    class Meta:
        model = StrategicPlan
        # Each Spanish version right after its English, so they are entered side by side.
        fields = ["title", "start_year", "end_year", "vision", "vision_es", "mission", "mission_es"]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "vision_es": forms.Textarea(attrs={"rows": 3, "lang": "es"}),
            "mission": forms.Textarea(attrs={"rows": 3}),
            "mission_es": forms.Textarea(attrs={"rows": 3, "lang": "es"}),
        }
        labels = {
            "title": gettext_lazy("Title"),
            "vision": gettext_lazy("Vision"),
            "vision_es": gettext_lazy("Vision in Spanish"),
            "mission": gettext_lazy("Mission"),
            "mission_es": gettext_lazy("Mission in Spanish"),
        }
        help_texts = {
            "start_year": gettext_lazy("For example 2025 for a plan that starts in the 2025–26 school year."),
            "end_year": gettext_lazy("For example 2030."),
        }
        error_messages = {
            "title": {"required": gettext_lazy("Give the plan a title.")},
            "start_year": {
                "required": gettext_lazy("Enter the first year, e.g. 2025."),
                "invalid": gettext_lazy("Enter a year as four digits."),
            },
            "end_year": {
                "required": gettext_lazy("Enter the last year, e.g. 2030."),
                "invalid": gettext_lazy("Enter a year as four digits."),
            },
        }

    def __init__(self, *args, district: District, with_copy: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update({"min": 2000, "max": 2100, "inputmode": "numeric"})
        # Say what the years mean in this district's calendar (core.calendar.plan_period).
        example = plan_period(2025, 2030, district.school_year_start_month)
        self.fields["end_year"].help_text = _(
            "For example 2030: a 2025–2030 plan runs from %(first)s to %(last)s (school years %(years)s)."
        ) % {
            "first": date_format(example.first_day, "YEAR_MONTH_FORMAT"),
            "last": date_format(example.last_day, "YEAR_MONTH_FORMAT"),
            "years": _("%(first)s to %(last)s")
            % {
                "first": school_year_label(2025, example.start_month),
                "last": school_year_label(example.school_years[-1], example.start_month),
            },
        }
        if with_copy:
            self.fields["copy_from"].queryset = StrategicPlan.objects.filter(district=district).order_by(
                "-start_year", "title"
            )
            self.fields["copy_from"].label_from_instance = lambda p: (
                _("%(title)s (%(period)s, %(state)s)")
                % {"title": p.title, "period": p.period_label, "state": p.get_state_display().lower()}
            )
        else:
            del self.fields["copy_from"]


class CompetencyForm(InputForm):
    class Meta:
        model = Competency
        fields = ["name", "name_es", "description", "description_es"]
        widgets = {
            "name_es": forms.TextInput(attrs={"lang": "es"}),
            "description_es": forms.TextInput(attrs={"lang": "es"}),
        }
        labels = {
            "name": gettext_lazy("Name"),
            "name_es": gettext_lazy("Name in Spanish"),
            "description": gettext_lazy("Description"),
            "description_es": gettext_lazy("Description in Spanish"),
        }
        error_messages = {"name": {"required": gettext_lazy("Name the competency.")}}
