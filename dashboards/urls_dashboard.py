"""URLs of the dashboard's drill-downs (the dashboard itself is the district home, dashboards:home)."""

from django.urls import path

from .views import dashboard

urlpatterns = [
    path("dashboard/priorities/<int:priority_id>/", dashboard.priority_drill, name="priority_drill"),
    path("dashboard/commitments/<int:commitment_id>/", dashboard.commitment_drill, name="commitment_drill"),
    path("dashboard/schools/<int:school_id>/", dashboard.school_drill, name="school_drill"),
]
