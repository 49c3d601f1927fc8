"""URLs of the community pages. One namespace (``community:``), gathered from the topics."""

from django.urls import path

from .views import activities, home, platforms, reports, targets, watches

app_name = "community"

urlpatterns = [
    path("community/", home.home, name="home"),
    *activities.urls,
    *platforms.urls,
    *targets.urls,
    *watches.urls,
    *reports.urls,
]
