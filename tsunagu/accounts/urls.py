from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("membership/switch/", views.switch_membership, name="switch_membership"),
    path("login-locks/", views.login_locks, name="login_locks"),
    path("login-locks/unlock/", views.login_unlock, name="login_unlock"),
    path("notifications/", views.notification_list, name="notification_list"),
]
