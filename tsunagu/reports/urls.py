"""URLs of the statistics and report pages. One namespace (``reports:``)."""

app_name = "reports"

urlpatterns: list = []
