"""URLs of the 多機関協働 case pages: the case, its assessment, plans, activity log and
monitoring. One file, one namespace (``cases:``)."""

from django.urls import path

from tsunagu.cases.views import activity, assessment, case, monitoring, plan

app_name = "cases"

urlpatterns = [
    # the case
    path("cases/", case.case_list, name="case_list"),
    path("cases/<int:pk>/", case.case_detail, name="case_detail"),
    path("cases/<int:pk>/consent/", case.consent_record, name="consent_record"),
    path("cases/<int:pk>/consent/withdraw/", case.consent_withdraw, name="consent_withdraw"),
    path("cases/<int:pk>/transition/", case.case_transition, name="case_transition"),
    path("cases/<int:pk>/team/", case.team_add, name="team_add"),
    path("cases/<int:pk>/team/leave/", case.team_leave, name="team_leave"),
    # インテーク・アセスメントシート
    path("cases/<int:pk>/assessment/", assessment.assessment_detail, name="assessment_detail"),
    path("cases/<int:pk>/assessment/edit/", assessment.assessment_edit, name="assessment_edit"),
    # 支援プラン
    path("cases/<int:pk>/plans/", plan.plan_list, name="plan_list"),
    path("cases/<int:pk>/plans/new/", plan.plan_create, name="plan_create"),
    path("cases/<int:pk>/plans/<int:plan_pk>/", plan.plan_detail, name="plan_detail"),
    path("cases/<int:pk>/plans/<int:plan_pk>/edit/", plan.plan_edit, name="plan_edit"),
    path("cases/<int:pk>/plans/<int:plan_pk>/items/", plan.plan_item_add, name="plan_item_add"),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/items/<int:item_pk>/remove/",
        plan.plan_item_remove,
        name="plan_item_remove",
    ),
    path(
        "cases/<int:pk>/plans/<int:plan_pk>/support-decision/",
        plan.support_decision,
        name="plan_support_decision",
    ),
    path("cases/<int:pk>/plans/<int:plan_pk>/report/", plan.plan_report, name="plan_report"),
    # 支援経過記録
    path("cases/<int:pk>/activities/", activity.activity_list, name="activity_list"),
    path("cases/<int:pk>/activities/new/", activity.activity_create, name="activity_create"),
    # モニタリング・評価
    path("cases/<int:pk>/monitoring/", monitoring.monitoring_list, name="monitoring_list"),
    path("cases/<int:pk>/monitoring/new/", monitoring.monitoring_create, name="monitoring_create"),
    path("cases/<int:pk>/monitoring/start/", monitoring.monitoring_start, name="monitoring_start"),
]
