"""URLs of the 社会資源 pages. One file, one namespace (``resources:``)."""

from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("resources/", views.search, name="search"),
    path("resources/new/", views.resource_create, name="create"),
    path("resources/recheck/", views.recheck, name="recheck"),
    path("resources/<int:pk>/", views.resource_detail, name="detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="edit"),
    path("resources/<int:pk>/confirm/", views.resource_confirm, name="confirm"),
    path("resources/<int:pk>/host/", views.host_edit, name="host"),
    path("resources/<int:pk>/exceptions/new/", views.exception_create, name="exception_create"),
]
