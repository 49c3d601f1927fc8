"""URLs of the monitoring feature (added to the cases app's ``urlpatterns``)."""

from django.urls import path

from . import monitoring_views

monitoring_urlpatterns = [
    path(
        "cases/<int:pk>/monitoring/",
        monitoring_views.monitoring_list,
        name="monitoring_list",
    ),
    path(
        "cases/<int:pk>/monitoring/new/",
        monitoring_views.monitoring_create,
        name="monitoring_create",
    ),
    path(
        "cases/<int:pk>/monitoring/start/",
        monitoring_views.monitoring_start,
        name="monitoring_start",
    ),
]
