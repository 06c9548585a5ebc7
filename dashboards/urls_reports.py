"""URLs of the reports pages (included by dashboards/urls.py, namespace "dashboards")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
