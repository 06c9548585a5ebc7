from django.urls import path

from . import views

app_name = "districts"

urlpatterns = [
    path("", views.district_home, name="home"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/new/", views.school_create, name="school_create"),
    path("schools/<int:school_id>/", views.school_detail, name="school_detail"),
    path("schools/<int:school_id>/edit/", views.school_edit, name="school_edit"),
]
