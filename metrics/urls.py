from django.urls import path

from districts.import_views import import_urlpatterns

from . import views

app_name = "metrics"

urlpatterns = [
    path("metrics/", views.metric_list, name="metric_list"),
    path("metrics/new/", views.metric_create, name="metric_create"),
    path("metrics/<int:metric_id>/", views.metric_detail, name="metric_detail"),
    path("metrics/<int:metric_id>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/<int:metric_id>/delete/", views.metric_delete, name="metric_delete"),
    path("metrics/<int:metric_id>/values.csv", views.metric_values_csv, name="metric_values_csv"),
    path("metrics/<int:metric_id>/values/new/", views.value_enter, name="value_enter"),
    *import_urlpatterns("metrics/<int:metric_id>/import/", "value_import", views.VALUE_IMPORT_VIEWS),
    path("metrics/values/<int:metric_value_id>/", views.value_detail, name="value_detail"),
    path("metrics/values/<int:metric_value_id>/delete/", views.value_delete, name="value_delete"),
]
