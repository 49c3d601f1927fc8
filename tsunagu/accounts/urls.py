from django.urls import path

from . import account_views, two_factor, views

app_name = "accounts"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("membership/switch/", views.switch_membership, name="switch_membership"),
    path("2fa/", two_factor.two_factor, name="two_factor"),
    path("login-locks/", views.login_locks, name="login_locks"),
    path("login-locks/unlock/", views.login_unlock, name="login_unlock"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("tokens/", account_views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("role-grants/", account_views.role_grant_list, name="role_grant_list"),
    path("role-grants/<int:pk>/decide/", account_views.role_grant_decide, name="role_grant_decide"),
]
