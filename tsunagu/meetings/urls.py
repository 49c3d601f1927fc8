from django.urls import path

from . import views
from .summary_urls import summary_urlpatterns

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/next/", views.meeting_next, name="meeting_next"),
    path("meetings/<int:pk>/members/", views.member_add, name="member_add"),
    path(
        "meetings/<int:pk>/members/<int:member_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "meetings/<int:pk>/members/<int:member_pk>/pledge/",
        views.pledge_record,
        name="pledge_record",
    ),
    path("meetings/<int:pk>/attendance/", views.attendance_record, name="attendance_record"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/withdraw/",
        views.agenda_withdraw,
        name="agenda_withdraw",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/decision/",
        views.decision_record,
        name="decision_record",
    ),
    path("meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/action-items/", views.action_item_add, name="action_item_add"),
    path(
        "meetings/<int:pk>/action-items/<int:action_pk>/done/",
        views.action_item_done,
        name="action_item_done",
    ),
    path("meetings/<int:pk>/resource-gaps/", views.resource_gap_add, name="resource_gap_add"),
    *summary_urlpatterns,
]
