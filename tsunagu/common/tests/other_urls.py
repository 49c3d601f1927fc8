"""A second URLconf for ``test_links``: a shape kept for one URLconf is not used for another."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/<int:pk>/", lambda request, pk: HttpResponse(), name="other")]
