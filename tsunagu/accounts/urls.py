from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("membership/switch/", views.switch_membership, name="switch_membership"),
    path("notifications/", views.notification_list, name="notification_list"),
]
