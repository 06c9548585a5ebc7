"""`/accounts/settings/`: a person's own settings (their language), whichever district they are in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from core.web import posted
from districts.languages import LanguageForm, app_languages, save_language


@login_required
def my_settings(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(posted(request), offered=app_languages(), initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        save_language(request.user, form.cleaned_data["language"])
        if form.cleaned_data["language"]:
            # The confirmation is already in the language just chosen.
            translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Saved your settings."))
        return redirect("my_settings")
    return render(request, "accounts/settings.html", {"form": form})
