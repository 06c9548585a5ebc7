from django.urls import path

from . import views
from .import_views import import_urlpatterns

app_name = "districts"

urlpatterns = [
    path("", views.district_home, name="home"),
    path("settings/", views.district_settings, name="settings"),
    # Schools
    path("schools/", views.school_list, name="school_list"),
    path("schools/new/", views.school_create, name="school_create"),
    *import_urlpatterns("schools/import/", "school_import", views.SCHOOL_IMPORT_VIEWS),
    path("schools/<int:school_id>/", views.school_detail, name="school_detail"),
    path("schools/<int:school_id>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:school_id>/delete/", views.school_delete, name="school_delete"),
    # Departments
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_id>/", views.department_detail, name="department_detail"),
    path("departments/<int:department_id>/edit/", views.department_edit, name="department_edit"),
    path("departments/<int:department_id>/delete/", views.department_delete, name="department_delete"),
    # People
    path("people/", views.people_list, name="people_list"),
    path("people/invite/", views.invite, name="invite"),
    *import_urlpatterns("people/import/", "people_import", views.PEOPLE_IMPORT_VIEWS),
    path("people/invitations/<int:invitation_id>/", views.invitation_detail, name="invitation_detail"),
    path("people/invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("people/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("people/<int:membership_id>/", views.person_detail, name="person_detail"),
    path("people/<int:membership_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:membership_id>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:membership_id>/reactivate/", views.person_reactivate, name="person_reactivate"),
]
