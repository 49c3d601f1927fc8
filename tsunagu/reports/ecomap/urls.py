"""URLs of the ecomap pages (included in ``tsunagu.reports.urls``, namespace ``reports``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("persons/<int:pk>/ecomap/", views.person_ecomap, name="person_ecomap"),
    path("persons/<int:pk>/ecomap.svg", views.person_ecomap_svg, name="person_ecomap_svg"),
    path("households/<int:pk>/ecomap/", views.household_ecomap, name="household_ecomap"),
    path(
        "households/<int:pk>/ecomap.svg",
        views.household_ecomap_svg,
        name="household_ecomap_svg",
    ),
]
