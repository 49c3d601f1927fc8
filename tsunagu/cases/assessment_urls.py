"""URLs of the インテーク・アセスメントシート (added to the cases app's ``urlpatterns``)."""

from django.urls import path

from . import assessment_views

assessment_urlpatterns = [
    path(
        "cases/<int:pk>/assessment/",
        assessment_views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "cases/<int:pk>/assessment/edit/",
        assessment_views.assessment_edit,
        name="assessment_edit",
    ),
]
