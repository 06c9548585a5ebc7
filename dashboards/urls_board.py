"""URLs of the board pages (included by dashboards/urls.py, namespace "dashboards")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
