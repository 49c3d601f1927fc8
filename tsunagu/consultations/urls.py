from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/suggest/", views.suggest, name="suggest"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/edit/", views.consultation_update, name="consultation_update"),
    path("consultations/<int:pk>/refer/", views.referral_create, name="referral_create"),
    path(
        "consultations/<int:pk>/refer-multi-agency/",
        views.referral_create_multi,
        name="referral_create_multi",
    ),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/return/", views.referral_return, name="referral_return"),
    path("referrals/<int:pk>/start/", views.referral_start, name="referral_start"),
    path("referrals/<int:pk>/complete/", views.referral_complete, name="referral_complete"),
    path(
        "referrals/<int:pk>/acknowledge/", views.referral_acknowledge, name="referral_acknowledge"
    ),
    path("referrals/<int:pk>/resend/", views.referral_resend, name="referral_resend"),
]
