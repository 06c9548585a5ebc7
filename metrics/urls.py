from django.urls import path

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
    path("metrics/<int:metric_id>/import/", views.value_import, name="value_import"),
    path("metrics/<int:metric_id>/import/sample.csv", views.value_import_sample, name="value_import_sample"),
    path("metrics/<int:metric_id>/import/<int:batch_id>/", views.value_import_batch, name="value_import_batch"),
    path(
        "metrics/<int:metric_id>/import/<int:batch_id>/confirm/",
        views.value_import_confirm,
        name="value_import_confirm",
    ),
    path(
        "metrics/<int:metric_id>/import/<int:batch_id>/discard/",
        views.value_import_discard,
        name="value_import_discard",
    ),
    path("metrics/values/<int:metric_value_id>/", views.value_detail, name="value_detail"),
]
