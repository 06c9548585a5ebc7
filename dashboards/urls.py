from django.urls import include, path

from .views import homes

app_name = "dashboards"

urlpatterns = [
    path("", homes.district_home, name="home"),
    path("", include("dashboards.urls_dashboard")),
    path("", include("dashboards.urls_board")),
    path("", include("dashboards.urls_reports")),
    path("", include("dashboards.urls_exports")),
]
