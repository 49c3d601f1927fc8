from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/known-check/", views.known_check, name="known_check"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
]
