from django.urls import path

from .import_views import import_urlpatterns
from .views import departments, invitations, people, schools
from .views import settings as settings_views

app_name = "districts"

urlpatterns = [
    path("settings/", settings_views.district_settings, name="settings"),
    # Schools
    path("schools/", schools.school_list, name="school_list"),
    path("schools/new/", schools.school_create, name="school_create"),
    *import_urlpatterns("schools/import/", "school_import", schools.SCHOOL_IMPORT_VIEWS),
    path("schools/<int:school_id>/", schools.school_detail, name="school_detail"),
    path("schools/<int:school_id>/edit/", schools.school_edit, name="school_edit"),
    path("schools/<int:school_id>/delete/", schools.school_delete, name="school_delete"),
    # Departments
    path("departments/", departments.department_list, name="department_list"),
    path("departments/new/", departments.department_create, name="department_create"),
    path("departments/<int:department_id>/", departments.department_detail, name="department_detail"),
    path("departments/<int:department_id>/edit/", departments.department_edit, name="department_edit"),
    path("departments/<int:department_id>/delete/", departments.department_delete, name="department_delete"),
    # People
    path("people/", people.people_list, name="people_list"),
    path("people/invite/", invitations.invite, name="invite"),
    *import_urlpatterns("people/import/", "people_import", people.PEOPLE_IMPORT_VIEWS),
    path("people/invitations/<int:invitation_id>/", invitations.invitation_detail, name="invitation_detail"),
    path("people/invitations/<int:invitation_id>/resend/", invitations.invitation_resend, name="invitation_resend"),
    path("people/invitations/<int:invitation_id>/revoke/", invitations.invitation_revoke, name="invitation_revoke"),
    path("people/<int:membership_id>/", people.person_detail, name="person_detail"),
    path("people/<int:membership_id>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:membership_id>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:membership_id>/reactivate/", people.person_reactivate, name="person_reactivate"),
]
