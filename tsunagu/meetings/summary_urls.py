"""URLs of the 事例概要シート (added to the meetings app's ``urlpatterns``)."""

from django.urls import path

from . import summary_views

summary_urlpatterns = [
    path(
        "meetings/<int:meeting_pk>/items/<int:item_pk>/sheet/",
        summary_views.summary_sheet,
        name="summary_sheet",
    ),
    path(
        "meetings/<int:meeting_pk>/items/<int:item_pk>/sheet.pdf",
        summary_views.summary_sheet_pdf,
        name="summary_sheet_pdf",
    ),
]
