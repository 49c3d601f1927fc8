"""URLs of the statistics and report pages. One namespace (``reports:``)."""

from django.urls import include, path

from .views import dashboard, disclosure, statistics

app_name = "reports"

urlpatterns: list = [
    *statistics.urls,
    *dashboard.urls,
    *disclosure.urls,
    path("", include("tsunagu.reports.ecomap.urls")),
]
