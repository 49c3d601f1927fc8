"""URLs of the monitoring feature (added to the cases app's ``urlpatterns``)."""

monitoring_urlpatterns: list = []
