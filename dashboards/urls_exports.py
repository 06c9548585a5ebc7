"""URLs of the exports (included by dashboards/urls.py, namespace "dashboards")."""

from django.urls import path

from .views import exports

urlpatterns = [
    path("exports/", exports.exports_page, name="exports"),
    # kind: heatmap | checkins | metric-values; fmt: csv | xlsx (anything else: the page says what to fix).
    path("exports/<str:kind>.<str:fmt>", exports.export_download, name="export_download"),
]
