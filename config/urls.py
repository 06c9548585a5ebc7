from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from districts.forms import EmailAuthenticationForm
from districts.views import home as district_home_views
from districts.views import invitations as invitation_views
from districts.views import me as me_views

# Every district-scoped page lives under /d/<district_slug>/; the district
# middleware resolves the district and the acting membership for all of them.
district_patterns = [
    path("", include("districts.urls")),
    path("", include("plans.urls")),
    path("", include("priorities.urls")),
    path("", include("metrics.urls")),
    path("", include("checkins.urls")),
    path("", include("dashboards.urls")),
]

urlpatterns = [
    path("", district_home_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Outside /d/: the invitee is not a member yet; the signed token names the district.
    path("accounts/invitations/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("accounts/settings/", me_views.my_settings, name="my_settings"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The signed-out pages' language switch posts here (Django's set_language: a cookie, then back).
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("d/<slug:district_slug>/", include(district_patterns)),
    # The district's public progress page (only where it is turned on; no login).
    path("p/<slug:district_slug>/", include("dashboards.public_urls")),
]
