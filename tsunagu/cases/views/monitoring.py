"""Screens of monitoring and evaluation: a case's history with its due dates, the form that
records one, and the step that starts the monitoring of a case whose date has come.

Whoever may see the case reads its history; only the case's coordinator and the municipal
office record (others get 403). A case the user may not see answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors, workflow
from tsunagu.cases.forms.monitoring import MonitoringForm
from tsunagu.cases.models import Case, MonitoringKind, MonitoringOutcome
from tsunagu.cases.selectors import monitoring as monitoring_selectors
from tsunagu.cases.services import monitoring as monitoring_services
from tsunagu.common.views import personal_data_view


def _audit(request: HttpRequest, case: Case, page: str) -> None:
    audit_read(
        request,
        "monitoring.view",
        case,
        persons=case.subject_persons(),
        context={"case": case.pk, "page": page},
    )


@personal_data_view("cases.use")
def monitoring_list(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True)
    records = list(
        case.monitorings.select_related("plan", "recorded_by").order_by(
            "-done_on", "-recorded_at", "-id"
        )
    )
    dues = monitoring_selectors.due_dates(case)
    may_manage = request.user.has_perm("cases.manage_case", case)
    _audit(request, case, "monitoring_list")
    return render(
        request,
        "cases/monitoring_list.html",
        {
            "case": case,
            "plan": monitoring_selectors.current_plan(case),
            "records": records,
            "dues": dues,
            "monitored": case.status in workflow.MONITORED,
            "may_record": may_manage and case.status in workflow.MONITORED,
            "may_start": may_manage
            and case.status == monitoring_services.C.ACTIVE
            and any(d.needs_attention for d in dues),
            "notice_days": monitoring_selectors.notice_days(),
        },
    )


def _initial(dues: list) -> dict:
    pending = [d for d in dues if d.needs_attention] or dues
    kind = pending[0].kind if pending else MonitoringKind.MONITORING
    return {"kind": kind, "done_on": timezone.localdate(), "outcome": MonitoringOutcome.CONTINUE}


@personal_data_view("cases.use")
def monitoring_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True, for_write=True)
    dues = monitoring_selectors.due_dates(case)
    months = monitoring_selectors.monitoring_months()
    if request.method == "POST":
        form = MonitoringForm(request.POST, monitoring_months=months)
        if form.is_valid():
            try:
                record = monitoring_services.monitoring_record(
                    by=request.user, case=case, **form.service_arguments()
                )
            except ValidationError as exc:  # CaseTransitionError included
                form.add_service_errors(exc)
            else:
                messages.success(request, _done_message(record))
                return redirect("cases:monitoring_list", pk=case.pk)
    else:
        form = MonitoringForm(initial=_initial(dues), monitoring_months=months)
        _audit(request, case, "monitoring_create")
    return render(
        request,
        "cases/monitoring_form.html",
        {
            "case": case,
            "form": form,
            "dues": dues,
            "plan": monitoring_selectors.current_plan(case),
            "may_record": case.status in workflow.MONITORED,
        },
    )


def _done_message(record) -> str:
    label = record.get_kind_display()
    if record.outcome == MonitoringOutcome.REPLAN:
        return (
            f"{label}を記録し、事例を「再プラン」に進めました。"
            "新しいプランを作成し、重層的支援会議で協議してください。"
        )
    if record.outcome == MonitoringOutcome.PROPOSE_CLOSURE:
        return (
            f"{label}を記録しました。終結は重層的支援会議の決定が必要です"
            "（終結後の主担当機関も会議で決めます）。会議の議題にしてください。"
        )
    return f"{label}を記録しました。現在のプランで支援を継続します。"


@personal_data_view("cases.use")
@require_POST
def monitoring_start(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True, for_write=True)
    try:
        monitoring_services.monitoring_start(by=request.user, case=case)
    except ValidationError as exc:  # CaseTransitionError included
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, "事例を「モニタリング」にしました。実施した内容を記録してください。"
        )
    return redirect("cases:monitoring_list", pk=case.pk)
