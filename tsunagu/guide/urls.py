from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("help/", views.index, name="index"),
    path("help/<str:slug>/", views.chapter, name="chapter"),
]
