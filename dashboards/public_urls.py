"""The public progress page /p/<district_slug>/ (namespace "public"), outside /d/: no login."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
