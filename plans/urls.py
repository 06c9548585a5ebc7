from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("plan/", views.current_plan, name="current"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/activate/", views.plan_activate, name="plan_activate"),
    path("plans/<int:plan_id>/archive/", views.plan_archive, name="plan_archive"),
    path("plans/<int:plan_id>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<int:plan_id>/portrait/", views.portrait, name="portrait"),
    path("competencies/<int:competency_id>/edit/", views.competency_edit, name="competency_edit"),
    path("competencies/<int:competency_id>/move/", views.competency_move, name="competency_move"),
    path("competencies/<int:competency_id>/delete/", views.competency_delete, name="competency_delete"),
]
