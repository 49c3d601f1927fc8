from django.urls import path

from . import views
from .activity_urls import activity_urlpatterns
from .assessment_urls import assessment_urlpatterns
from .monitoring_urls import monitoring_urlpatterns
from .plan_urls import plan_urlpatterns

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("cases/<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/team/", views.team_add, name="team_add"),
    path("cases/<int:pk>/team/leave/", views.team_leave, name="team_leave"),
    *assessment_urlpatterns,
    *plan_urlpatterns,
    *activity_urlpatterns,
    *monitoring_urlpatterns,
]
