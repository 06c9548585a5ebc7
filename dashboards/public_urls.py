"""The public progress page /p/<district_slug>/ (namespace "public"), outside /d/: no login."""

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [path("", public.progress, name="progress")]
