"""Forms for priorities, commitments, assignments and role labels: input types only; services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import IdMultipleChoiceField, InputForm, district_choice
from districts.models import Department, District, Membership, RoleLabel, School
from districts.roles import Role

from .models import Assignment, AssignmentStatus, Commitment, Priority, ReportedIn
from .selectors import assignment_owner_choices, priority_owner_choices


def member_label(membership: Membership) -> str:
    detail = membership.title or membership.get_role_display()
    return f"{membership.user.get_full_name()} — {detail}"


class PriorityForm(InputForm):
    owner = district_choice(Priority._meta.get_field("owner"), empty_label=gettext_lazy("No owner yet"))
    # Each Spanish version right after its English, so they are entered side by side.
    field_order = ["title", "title_es", "success_looks_like", "success_looks_like_es", "owner", "code"]

    class Meta:
        model = Priority
        fields = ["code", "title", "title_es", "success_looks_like", "success_looks_like_es"]
        widgets = {
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "success_looks_like": forms.Textarea(attrs={"rows": 3}),
            "success_looks_like_es": forms.Textarea(attrs={"rows": 3, "lang": "es"}),
        }
        labels = {
            "title": gettext_lazy("Title"),
            "title_es": gettext_lazy("Title in Spanish"),
            "success_looks_like_es": gettext_lazy("What success looks like in Spanish"),
        }
        help_texts = {"code": gettext_lazy("Leave empty to number it automatically (P1, P2 …).")}
        error_messages = {
            "title": {"required": gettext_lazy("Give the priority a title.")},
            "success_looks_like": {
                "required": gettext_lazy("Describe what success looks like, so everyone can tell when it is achieved.")
            },
        }

    def __init__(self, *args, district: District, can_change_owner: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].widget.attrs["size"] = 6
        owner = self.fields["owner"]
        owner.label = _("Owner")
        owner.queryset = priority_owner_choices(district=district)
        owner.label_from_instance = member_label
        if not can_change_owner:
            owner.disabled = True
            owner.help_text = _("Only the superintendent or a district admin can hand a priority to someone else.")


ASSIGN_NOW_CHOICES = [
    ("later", gettext_lazy("Not yet: I'll choose schools or departments next")),
    ("every_school", gettext_lazy("Every school in the district")),
]


class CommitmentForm(InputForm):
    role_label = district_choice(
        Commitment._meta.get_field("role_label"),
        empty_label=gettext_lazy("Choose a role"),
        error_messages={
            "required": gettext_lazy("Choose the role this asks of."),
            "invalid_choice": gettext_lazy("Choose one of the roles listed."),
        },
    )
    lead_department = district_choice(Commitment._meta.get_field("lead_department"), empty_label=gettext_lazy("None"))
    field_order = [
        "title",
        "title_es",
        "role_label",
        "description",
        "description_es",
        "starts_on",
        "ends_on",
        "evidence_expected",
        "reported_in",
        "lead_department",
        "assign_now",
    ]
    assign_now = forms.ChoiceField(
        label=gettext_lazy("Assign it to"),
        choices=ASSIGN_NOW_CHOICES,
        initial="later",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Commitment
        fields = [
            "title",
            "title_es",
            "description",
            "description_es",
            "starts_on",
            "ends_on",
            "evidence_expected",
            "reported_in",
        ]
        widgets = {
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 3, "lang": "es"}),
            "evidence_expected": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reported_in": forms.RadioSelect,
        }
        labels = {
            "title": gettext_lazy("Title"),
            "title_es": gettext_lazy("Title in Spanish"),
            "description": gettext_lazy("Description"),
            "description_es": gettext_lazy("Description in Spanish"),
            "reported_in": gettext_lazy("Reported in"),
        }
        error_messages = {
            "title": {"required": gettext_lazy("Say what the role will do, in one sentence.")},
            "starts_on": {
                "required": gettext_lazy("Enter the start date."),
                "invalid": gettext_lazy("Enter a date such as 2025-08-01."),
            },
            "ends_on": {
                "required": gettext_lazy("Enter the end date."),
                "invalid": gettext_lazy("Enter a date such as 2026-06-30."),
            },
        }

    def __init__(self, *args, district: District, creating: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role_label"].queryset = RoleLabel.objects.filter(district=district).order_by("position", "name")
        self.fields["lead_department"].label = _("Lead department")
        self.fields["lead_department"].queryset = Department.objects.filter(district=district).order_by("name")
        self.fields["reported_in"].choices = ReportedIn.choices
        if not creating:
            del self.fields["assign_now"]

    @property
    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        assign_now = data.pop("assign_now", "later")
        if "assign_now" in self.fields:
            data["assign_every_school"] = assign_now == "every_school"
        return data


class AssignPlacesForm(forms.Form):
    """Chosen schools or departments; `target` says which button was pressed."""

    # The buttons' values, never shown: each button has its own translated text in the template.
    target = forms.ChoiceField(
        choices=[
            ("every_school", "every_school"),  # i18n: not shown
            ("schools", "schools"),  # i18n: not shown
            ("departments", "departments"),  # i18n: not shown
        ]
    )
    schools = IdMultipleChoiceField(
        queryset=School._base_manager.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = IdMultipleChoiceField(
        queryset=Department._base_manager.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, district: District, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = School.objects.filter(district=district).order_by("name")
        self.fields["departments"].queryset = Department.objects.filter(district=district).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        target = data.get("target")
        if target == "schools" and not data.get("schools"):
            self.add_error("schools", _("Tick at least one school."))
        if target == "departments" and not data.get("departments"):
            self.add_error("departments", _("Tick at least one department."))
        return data


class AssignmentOwnerForm(forms.Form):
    owner = district_choice(Assignment._meta.get_field("owner"), empty_label=gettext_lazy("No owner"))

    def __init__(self, *args, assignment: Assignment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.label = _("Owner")
        owner.queryset = assignment_owner_choices(assignment=assignment)
        owner.label_from_instance = member_label
        owner.help_text = _("People who work at %(place)s. %(more)s") % {
            "place": assignment.place,
            "more": owner.help_text,
        }


class AssignmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AssignmentStatus.choices)
    note = forms.CharField(
        label=gettext_lazy("Why"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Kept in the history, e.g. “Paused during state testing”."),
    )


class RoleLabelForm(InputForm):
    class Meta:
        model = RoleLabel
        fields = ["name", "description", "description_es", "system_role", "slug"]
        widgets = {"description_es": forms.TextInput(attrs={"lang": "es"})}
        labels = {
            "name": gettext_lazy("Name"),
            "description": gettext_lazy("Description"),
            "description_es": gettext_lazy("Description in Spanish"),
            "system_role": gettext_lazy("Card of everyone with the role"),
            "slug": gettext_lazy("Web address"),
        }
        error_messages = {"name": {"required": gettext_lazy("Name the role, e.g. Bus drivers.")}}
        help_texts = {
            "name": gettext_lazy("Plural, as people say it: Teachers, Bus drivers, Counselors."),
            "system_role": gettext_lazy(
                "Optional: members with this Throughline role see this card as theirs "
                "unless their profile names another one."
            ),
            "slug": gettext_lazy(
                "The last part of the card's address, e.g. bus-drivers. Leave empty to make one from the name."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["system_role"].choices = [("", _("None")), *Role.choices]
