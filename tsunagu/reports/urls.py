"""URLs of the statistics and report pages. One namespace (``reports:``)."""

from .views import statistics

app_name = "reports"

urlpatterns: list = [*statistics.urls]
