from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tsunagu.accounts import sso
from tsunagu.accounts.forms import LoginForm
from tsunagu.api_v1 import api
from tsunagu.dashboard.views import dashboard

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", sso.DirectoryLogoutView.as_view(), name="logout"),
    # 庁内アカウント (OIDC): 404 unless TSUNAGU_OIDC_* configure it
    path(
        "oidc/authenticate/",
        sso.DirectoryAuthenticateView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        sso.DirectoryCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("tsunagu.accounts.urls")),
    path("audit/", include("tsunagu.audit.urls")),
    path("", include("tsunagu.people.urls")),
    path("", include("tsunagu.consultations.urls")),
    path("", include("tsunagu.cases.urls")),
    path("", include("tsunagu.grants.urls")),
    path("", include("tsunagu.meetings.urls")),
    path("", include("tsunagu.outreach.urls")),
    path("", include("tsunagu.participation.urls")),
    path("", include("tsunagu.community.urls")),
    path("", include("tsunagu.reports.urls")),
    path("", include("tsunagu.resources.urls")),
    path("", include("tsunagu.linkage.urls")),
    path("", include("tsunagu.guide.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
