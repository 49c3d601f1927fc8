"""URLs of the アウトリーチ pages. One file, one namespace (``outreach:``)."""

from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("outreach/", views.caseload, name="caseload"),
    path("outreach/new/", views.record_create, name="record_create"),
    path("outreach/<int:pk>/", views.record_detail, name="record_detail"),
    path("outreach/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("outreach/<int:pk>/sheet.pdf", views.record_sheet_pdf, name="record_sheet_pdf"),
    path("outreach/<int:pk>/contacts/", views.contact_list, name="contact_list"),
    path("outreach/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("outreach/<int:pk>/stage/", views.stage_change, name="stage_change"),
    path("outreach/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("outreach/<int:pk>/person/", views.person_link, name="person_link"),
    path("outreach/<int:pk>/person/request/", views.identify_request, name="identify_request"),
    path("outreach/<int:pk>/urgent/", views.urgent_set, name="urgent_set"),
    path("outreach/<int:pk>/urgent/clear/", views.urgent_clear, name="urgent_clear"),
    path("outreach/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path(
        "outreach/<int:pk>/plans/<int:plan_pk>/meeting/",
        views.plan_to_meeting,
        name="plan_to_meeting",
    ),
    path("outreach/<int:pk>/handover/", views.handover, name="handover"),
    path("outreach/<int:pk>/close/", views.record_close, name="record_close"),
    path("outreach/<int:pk>/reopen/", views.record_reopen, name="record_reopen"),
]
