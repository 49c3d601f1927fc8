"""URLs of the 支援経過記録 (added to the cases app's ``urlpatterns``)."""

from django.urls import path

from . import activity_views

activity_urlpatterns = [
    path("cases/<int:pk>/activities/", activity_views.activity_list, name="activity_list"),
    path(
        "cases/<int:pk>/activities/new/",
        activity_views.activity_create,
        name="activity_create",
    ),
]
