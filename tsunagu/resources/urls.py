"""URLs of the 社会資源 pages. One file, one namespace (``resources:``)."""

from django.urls import path

from . import gap_views, views

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
    path("resources/gaps/", gap_views.gap_list, name="gap_list"),
    path("resources/gaps/new/", gap_views.gap_create, name="gap_create"),
    path("resources/gaps/<int:pk>/", gap_views.gap_detail, name="gap_detail"),
    path("resources/gaps/<int:pk>/edit/", gap_views.gap_edit, name="gap_edit"),
    path("resources/gaps/<int:pk>/move/", gap_views.gap_move, name="gap_move"),
]
