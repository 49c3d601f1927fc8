"""URLs of the 参加支援 pages. One file, one namespace (``participation:``)."""

from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("participation/", views.record_list, name="record_list"),
    path("participation/new/", views.record_create, name="record_create"),
    path("participation/dues/", views.dues_list, name="dues_list"),
    path("participation/<int:pk>/", views.record_detail, name="record_detail"),
    path("participation/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("participation/<int:pk>/matches/new/", views.match_propose, name="match_propose"),
    path(
        "participation/<int:pk>/matches/<int:match_pk>/move/",
        views.match_move,
        name="match_move",
    ),
    path(
        "participation/<int:pk>/matches/<int:match_pk>/follow-ups/new/",
        views.follow_up_create,
        name="follow_up_create",
    ),
    path("participation/<int:pk>/close/", views.record_close, name="record_close"),
    path(
        "participation/<int:pk>/keep-in-touch/new/",
        views.keep_in_touch_create,
        name="keep_in_touch_create",
    ),
    path(
        "participation/<int:pk>/keep-in-touch/end/",
        views.keep_in_touch_end,
        name="keep_in_touch_end",
    ),
    path("participation/<int:pk>/gap-needs/new/", views.gap_need_add, name="gap_need_add"),
    path(
        "participation/<int:pk>/gap-needs/<int:need_pk>/remove/",
        views.gap_need_remove,
        name="gap_need_remove",
    ),
]
