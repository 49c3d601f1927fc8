"""URLs of the statistics and report pages. One namespace (``reports:``)."""

from django.urls import include, path

from .views import dashboard, statistics

app_name = "reports"

urlpatterns: list = [
    *statistics.urls,
    *dashboard.urls,
    path("", include("tsunagu.reports.ecomap.urls")),
]
