from django.urls import path

from .views import assignments, commitments, load, role_cards
from .views import priorities as priority_views

app_name = "priorities"

urlpatterns = [
    path("plans/<int:plan_id>/priorities/new/", priority_views.priority_create, name="priority_create"),
    path("priorities/<int:priority_id>/", priority_views.priority_detail, name="priority_detail"),
    path("priorities/<int:priority_id>/edit/", priority_views.priority_edit, name="priority_edit"),
    path("priorities/<int:priority_id>/move/", priority_views.priority_move, name="priority_move"),
    path("priorities/<int:priority_id>/delete/", priority_views.priority_delete, name="priority_delete"),
    path("priorities/<int:priority_id>/commitments/new/", commitments.commitment_create, name="commitment_create"),
    path("commitments/<int:commitment_id>/", commitments.commitment_detail, name="commitment_detail"),
    path("commitments/<int:commitment_id>/edit/", commitments.commitment_edit, name="commitment_edit"),
    path("commitments/<int:commitment_id>/move/", commitments.commitment_move, name="commitment_move"),
    path("commitments/<int:commitment_id>/delete/", commitments.commitment_delete, name="commitment_delete"),
    path("commitments/<int:commitment_id>/assign/", assignments.commitment_assign, name="commitment_assign"),
    path("commitments/<int:commitment_id>/status/", assignments.commitment_status, name="commitment_status"),
    path("assignments/<int:assignment_id>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<int:assignment_id>/status/", assignments.assignment_status, name="assignment_status"),
    path("roles/", role_cards.role_list, name="role_list"),
    path("roles/labels/new/", role_cards.role_label_create, name="role_label_create"),
    path("roles/labels/<int:role_label_id>/edit/", role_cards.role_label_edit, name="role_label_edit"),
    path("roles/labels/<int:role_label_id>/move/", role_cards.role_label_move, name="role_label_move"),
    path("roles/labels/<int:role_label_id>/delete/", role_cards.role_label_delete, name="role_label_delete"),
    path("roles/<slug:role_slug>/", role_cards.role_card, name="role_card"),
    path("load/", load.load, name="load"),
    path("load/schools/<int:school_id>/", load.school_load, name="school_load"),
    path("load/departments/<int:department_id>/", load.department_load, name="department_load"),
]
