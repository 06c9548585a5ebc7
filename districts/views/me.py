"""`/accounts/settings/`: a person's own settings (their language and which optional emails they get),
whichever district they are in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from core.web import posted
from districts import email_preferences
from districts.forms import MySettingsForm
from districts.languages import app_languages, save_language


@login_required
def my_settings(request: HttpRequest) -> HttpResponse:
    form = MySettingsForm(posted(request), offered=app_languages(), user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            save_language(request.user, form.cleaned_data["language"])
            email_preferences.save_opt_out(request.user, form.turned_off())
        if form.cleaned_data["language"]:
            # The confirmation is already in the language just chosen.
            translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Saved your settings."))
        return redirect("my_settings")
    return render(request, "accounts/settings.html", {"form": form, "always_sent": email_preferences.essential_kinds()})
