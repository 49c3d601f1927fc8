from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("persons/<int:pk>/access/", views.person_access, name="person_access"),
    path("persons/<int:pk>/access.xlsx", views.person_access_xlsx, name="person_access_xlsx"),
]
