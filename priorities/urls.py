from django.urls import path

from . import views

app_name = "priorities"

urlpatterns = [
    path("plans/<int:plan_id>/priorities/new/", views.priority_create, name="priority_create"),
    path("priorities/<int:priority_id>/", views.priority_detail, name="priority_detail"),
    path("priorities/<int:priority_id>/edit/", views.priority_edit, name="priority_edit"),
    path("priorities/<int:priority_id>/move/", views.priority_move, name="priority_move"),
    path("priorities/<int:priority_id>/delete/", views.priority_delete, name="priority_delete"),
    path("priorities/<int:priority_id>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:commitment_id>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:commitment_id>/edit/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:commitment_id>/move/", views.commitment_move, name="commitment_move"),
    path("commitments/<int:commitment_id>/delete/", views.commitment_delete, name="commitment_delete"),
    path("commitments/<int:commitment_id>/assign/", views.commitment_assign, name="commitment_assign"),
    path("commitments/<int:commitment_id>/status/", views.commitment_status, name="commitment_status"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:assignment_id>/status/", views.assignment_status, name="assignment_status"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/labels/new/", views.role_label_create, name="role_label_create"),
    path("roles/labels/<int:role_label_id>/edit/", views.role_label_edit, name="role_label_edit"),
    path("roles/labels/<int:role_label_id>/move/", views.role_label_move, name="role_label_move"),
    path("roles/labels/<int:role_label_id>/delete/", views.role_label_delete, name="role_label_delete"),
    path("roles/<slug:role_slug>/", views.role_card, name="role_card"),
    path("load/", views.load, name="load"),
    path("load/schools/<int:school_id>/", views.school_load, name="school_load"),
    path("load/departments/<int:department_id>/", views.department_load, name="department_load"),
]
