from django.urls import path  # noqa: F401

from .summary_urls import summary_urlpatterns

app_name = "meetings"

urlpatterns = [*summary_urlpatterns]
