"""URLs of the activity feature (added to the cases app's ``urlpatterns``)."""

activity_urlpatterns: list = []
