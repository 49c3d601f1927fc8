"""URLs of support plans (added to the cases app's ``urlpatterns``)."""

from django.urls import path

from . import plan_views as views

plan_urlpatterns = [
    path("cases/<int:pk>/plans/", views.plan_list, name="plan_list"),
    path("cases/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("cases/<int:pk>/plans/<int:plan_pk>/", views.plan_detail, name="plan_detail"),
    path("cases/<int:pk>/plans/<int:plan_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("cases/<int:pk>/plans/<int:plan_pk>/items/", views.plan_item_add, name="plan_item_add"),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/items/<int:item_pk>/remove/",
        views.plan_item_remove,
        name="plan_item_remove",
    ),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/support-decision/",
        views.support_decision,
        name="plan_support_decision",
    ),
    path("cases/<int:pk>/plans/<int:plan_pk>/report/", views.plan_report, name="plan_report"),
]
