"""Forms for district setup. They validate input types; services do the writes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import School


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password don't match an account. Check both and try again.",
    }


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "code", "level", "enrollment", "region"]
