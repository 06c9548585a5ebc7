"""Forms for district setup. They validate input types; services do the writes and the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.dates import MONTHS
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from core.forms import IdChoiceField

from . import email_preferences
from .auth import normalize_email
from .languages import LanguageForm
from .models import (
    CHECKIN_MAX_DAYS,
    CheckinCadence,
    Department,
    District,
    Membership,
    RoleLabel,
    School,
    User,
    enrollment_problem,
    us_time_zone_choices,
)
from .roles import Role


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email address and password don't match an account. Check both and try again."),
    }

    def clean_username(self) -> str:
        # Addresses are stored lower-cased; the lock-out counts them that way too (districts.auth).
        return normalize_email(self.cleaned_data["username"])


def _priority_cap_help() -> str:
    count = District.PRIORITY_WARNING_COUNT
    return ngettext(
        "Leave empty for no hard limit. Either way, the focus guard warns when a plan has more than "
        "%(count)s priority; with a limit, a plan cannot go past it.",
        "Leave empty for no hard limit. Either way, the focus guard warns when a plan has more than "
        "%(count)s priorities; with a limit, a plan cannot go past it.",
        count,
    ) % {"count": count}


class DistrictSettingsForm(forms.Form):
    name = forms.CharField(label=_("District name"), max_length=200)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=us_time_zone_choices,
        help_text=_("Check-in cycles open, fall due and close by the clock of this time zone."),
    )
    school_year_start_month = forms.TypedChoiceField(
        label=_("School year starts in"),
        coerce=int,
        choices=list(MONTHS.items()),
        help_text=_("Reports and check-in cycles are grouped by school year."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Languages offered to staff and on the public page. Choose at least one."),
        error_messages={"required": _("Choose at least one language.")},
    )
    public_page_enabled = forms.BooleanField(
        label=_("Publish a public progress page"),
        required=False,
        help_text=_(
            "When on, anyone can see the district's priorities and published progress without logging in. "
            "Check-ins, names and drafts are never public."
        ),
    )
    checkin_cadence = forms.ChoiceField(
        label=_("Check-in cadence"),
        choices=CheckinCadence.choices,
        help_text=_("How often schools and departments report on their commitments."),
    )
    checkin_open_day = forms.IntegerField(
        label=_("Day of the month a cycle opens"),
        min_value=1,
        max_value=28,
        help_text=_("A cycle opens at 6:00 a.m. on this day of the last month it reports on (1 to 28)."),
    )
    checkin_due_days = forms.IntegerField(
        label=_("Days until check-ins are due"),
        min_value=1,
        max_value=CHECKIN_MAX_DAYS,
        help_text=_("Counted from the opening day. Check-ins are due by 11:59 p.m. that day."),
    )
    checkin_reminder_days = forms.CharField(
        label=_("Reminders, in days before the due day"),
        required=False,
        max_length=40,
        help_text=_(
            "Whole numbers separated by commas; 0 is the due day itself. Reminders go out at 7:00 a.m. "
            "to check-ins not yet submitted. Leave empty for no reminders."
        ),
    )
    checkin_escalation_days = forms.IntegerField(
        label=_("Days after the due day until late check-ins escalate"),
        min_value=1,
        max_value=CHECKIN_MAX_DAYS,
        help_text=_(
            "At 7:00 a.m. that day, check-ins still not submitted go to the school's principal supervisor, "
            "or to the superintendent."
        ),
    )
    checkin_close_days = forms.IntegerField(
        label=_("Days until the cycle closes"),
        min_value=1,
        max_value=CHECKIN_MAX_DAYS,
        help_text=_(
            "Counted from the opening day; the cycle closes at 11:59 p.m. that day, before the next one opens. "
            "Closed check-ins can be read but no longer changed."
        ),
    )
    priority_hard_cap = forms.IntegerField(
        label=_("Most priorities a plan may have"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=lazy(_priority_cap_help, str)(),
    )
    commitment_load_threshold = forms.IntegerField(
        label=_("Commitment load threshold"),
        min_value=1,
        max_value=100,
        help_text=_(
            "A school or department asked to carry more active commitments than this is flagged as overloaded."
        ),
    )
    metric_tolerance_percent = forms.DecimalField(
        label=_("Metric tolerance (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "How far a metric may fall behind its expected path — as a percentage of the whole change from "
            "baseline to target — and still count as “at risk” rather than “off track”."
        ),
    )

    @classmethod
    def initial_from(cls, district: District) -> dict[str, object]:
        initial = {name: getattr(district, name) for name in cls.base_fields}
        initial["checkin_reminder_days"] = ", ".join(str(day) for day in district.checkin_reminder_days or [])
        return initial

    def clean_checkin_reminder_days(self) -> list[int]:
        text = self.cleaned_data.get("checkin_reminder_days") or ""
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise forms.ValidationError(_("Enter whole numbers of days separated by commas, for example 3, 0."))
        return [int(part) for part in parts]


class SupervisorChoiceField(IdChoiceField):
    """A cabinet member, named as the people list names them, with their job title."""

    def label_from_instance(self, obj: Membership) -> str:
        name = obj.user.get_full_name()
        return f"{name} — {obj.title}" if obj.title else name


class SchoolForm(forms.ModelForm):
    # The district's own choices are set in __init__.
    principal_supervisor = SupervisorChoiceField(
        label=School._meta.get_field("principal_supervisor").verbose_name,
        queryset=Membership.objects.none(),
        required=False,
        help_text=School._meta.get_field("principal_supervisor").help_text,
    )

    class Meta:
        model = School
        fields = ["name", "code", "level", "enrollment", "region", "principal_supervisor"]
        help_texts = {"enrollment": _("Number of students; used to weight district roll-ups.")}

    def __init__(self, *args: object, district: District | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Only the district's own active cabinet members (the service checks again); none without a district.
        supervisor = self.fields["principal_supervisor"]
        supervisor.queryset = (
            Membership.objects.filter(district=district, role=Role.CABINET, is_active=True)
            .select_related("user")
            .order_by("sort_name", "pk")
            if district is not None
            else Membership.objects.none()
        )
        supervisor.empty_label = _("No supervisor: escalations go to the superintendent")

    def clean_enrollment(self) -> int | None:
        enrollment = self.cleaned_data.get("enrollment")
        if problem := enrollment_problem(enrollment):
            raise forms.ValidationError(problem)
        return enrollment


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "description"]
        help_texts = {"description": _("What the department is responsible for, in a sentence or two.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


PLACE_HELP = _(
    "Principals need a school; cabinet members and department leads a department; staff one of the two. "
    "District admins, the superintendent, board members and partner coaches cover the whole district: leave both empty."
)


class MembershipForm(forms.Form):
    """Role, place, role card and title: shared by the invite form and the change-role form."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *Role.choices])
    # Querysets are the district's own, set in __init__.
    school = IdChoiceField(queryset=School.objects.none(), required=False, empty_label=_("No school"))
    department = IdChoiceField(
        queryset=Department.objects.none(), required=False, empty_label=_("No department"), help_text=PLACE_HELP
    )
    role_label = IdChoiceField(
        label=_("Role card"),
        queryset=RoleLabel.objects.none(),
        required=False,
        empty_label=pgettext_lazy("no role card", "None"),
        help_text=_("Which “my part in the plan” card is theirs, e.g. Teachers or Bus drivers."),
    )
    title = forms.CharField(
        label=_("Job title"), max_length=200, required=False, help_text=_("e.g. Grade 7 math teacher.")
    )

    def __init__(self, *args: object, district: District, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(district=district).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(district=district).order_by("name")
        self.fields["role_label"].queryset = RoleLabel.objects.filter(district=district)


class InvitationForm(MembershipForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("The invitation link goes to this address; they log in with it."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)

    field_order = ["email", "full_name", "role", "school", "department", "role_label", "title"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("A .csv file saved as UTF-8, with the column names in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class InvitationSignupForm(forms.Form):
    """A new invitee's account: name and password, checked by Django's password validators."""

    full_name = forms.CharField(
        label=_("Your full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(lambda: " ".join(password_validation.password_validators_help_texts()), str)(),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2", "")
        if password1 and password1 != password2:
            raise forms.ValidationError(_("The two passwords don't match. Type the same password twice."))
        return password2

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password2")
        if password:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MySettingsForm(LanguageForm):
    """A person's own settings: their language (LanguageForm), and a checkbox per optional email kind,
    ticked while that kind is on (districts.email_preferences; the essential kinds are only listed)."""

    EMAIL_PREFIX = "email_"

    def __init__(self, *args: object, offered: list[str], user: User, **kwargs: object) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"language": user.language, **kwargs["initial"]}
        super().__init__(*args, offered=offered, **kwargs)
        turned_off = set(user.email_opt_out or [])
        for kind in email_preferences.optional_kinds():
            self.fields[self.EMAIL_PREFIX + kind.key] = forms.BooleanField(
                label=kind.label, help_text=kind.description, required=False, initial=kind.key not in turned_off
            )

    def email_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(self.EMAIL_PREFIX)]

    def turned_off(self) -> list[str]:
        """The optional kinds left unticked."""
        return [
            name.removeprefix(self.EMAIL_PREFIX)
            for name in self.fields
            if name.startswith(self.EMAIL_PREFIX) and not self.cleaned_data.get(name)
        ]
