"""URLs of the board report pages (included by dashboards/urls.py, namespace "dashboards")."""

from django.urls import path

from .views import reports

urlpatterns = [
    path("board/reports/", reports.report_list, name="report_list"),
    path("board/reports/<int:report_id>/", reports.report_detail, name="report_detail"),
    path("board/reports/<int:report_id>/retry/", reports.report_retry, name="report_retry"),
    path("board/reports/<int:report_id>/view/", reports.report_view, name="report_view"),
    path("board/reports/<int:report_id>/report.pdf", reports.report_pdf, name="report_pdf"),
]
