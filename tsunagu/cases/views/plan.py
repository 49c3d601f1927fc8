"""Screens of support plans: every version, one version with its items and the step it
waits for, the draft's forms, the municipality's 支援決定 and the report to it.

Whoever may see the case reads its plans; the case's coordinator and the municipal office
draft them (others 403); only a municipal officer makes the 支援決定. Unseen cases 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsunagu.accounts import selectors as agency_selectors
from tsunagu.accounts.acting import acting
from tsunagu.audit.services import audit_read
from tsunagu.cases import export, selectors, workflow
from tsunagu.cases.forms.plan import PlanForm, PlanItemForm, PlanReportForm, SupportDecisionForm
from tsunagu.cases.models import Case, SupportPlan
from tsunagu.cases.selectors import plan as plans
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.workflow import CaseTransitionError
from tsunagu.common.form_token import form_token_once
from tsunagu.common.spreadsheet import audit_export, export_format, stream_list
from tsunagu.common.views import personal_data_view


def _may_manage(request: HttpRequest, case: Case) -> bool:
    return request.user.has_perm("cases.manage_case", case)


def _is_officer(request: HttpRequest) -> bool:
    return acting(request.user).is_office


def _audit(request: HttpRequest, case: Case, plan: SupportPlan | None, page: str) -> None:
    audit_read(
        request,
        "plan.view",
        plan if plan is not None else case,
        persons=case.subject_persons(),
        context={"case": case.pk, "plan": getattr(plan, "pk", None), "page": page},
    )


def _service_error(form, exc: Exception, request: HttpRequest) -> None:
    if isinstance(exc, CaseTransitionError) and not hasattr(exc, "error_dict"):
        messages.error(request, exc.messages[0])
    else:
        form.add_service_errors(exc)


@personal_data_view("cases.use")
def plan_list(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True)
    versions = plans.plans_of(case)
    fmt = export_format(request)
    if fmt:
        rows = list(export.plan_rows(versions))
        audit_export(
            request,
            "plan.view",
            case,
            fmt=fmt,
            title=export.PLANS,
            count=len(rows),
            persons=case.subject_persons(),
            context={"case": case.pk, "plan": None, "page": "plan_list"},
        )
        return stream_list(
            fmt,
            title=export.PLANS,
            header=export.PLAN_HEADER,
            rows=rows,
            widths=export.PLAN_WIDTHS,
            about=[["事例番号", case.pk], ["版の数", len(versions)]],
            filename_ascii=f"case{case.pk}_plans",
            filename_ja=f"事例{case.pk}_支援プラン",
        )
    _audit(request, case, None, "plan_list")
    return render(
        request,
        "cases/plan_list.html",
        {
            "case": case,
            "plans": versions,
            "may_manage": _may_manage(request, case),
            "may_create": _may_manage(request, case)
            and case.status in ("planning", "replanning")
            and not any(p.status in workflow.OPEN_STATUSES for p in versions),
        },
    )


def _detail_context(request: HttpRequest, case: Case, plan: SupportPlan, **forms) -> dict:
    manage = _may_manage(request, case)
    agreed = workflow.plan_awaits_confirmation(plan)
    statutory = plan.has_statutory_items
    may_edit = manage and workflow.plan_is_editable(plan)
    items = list(plan.items.all())  # with consent_warning (plans.plans_of)
    item_form = forms.get("item_form")
    if item_form is None and may_edit:  # the form to add an item is shown only to an editor
        item_form = PlanItemForm(agencies=list(agency_selectors.agency_list(user=request.user)))
    return {
        "case": case,
        "plan": plan,
        "items": items,
        "pattern": plans.pattern_of(plan),
        "pattern_text": plans.PATTERN_TEXT[plans.pattern_of(plan)],
        "next_step": plans.next_step(plan),
        "may_manage": manage,
        "may_edit": may_edit,
        "may_decide": agreed and statutory and _is_officer(request),
        "may_report": agreed and not statutory and manage,
        "item_form": item_form,
        "decision_form": forms.get("decision_form") or SupportDecisionForm(),
        "report_form": forms.get("report_form") or PlanReportForm(),
    }


@personal_data_view("cases.use")
def plan_detail(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk, plan_pk)
    case = plan.case
    _audit(request, case, plan, "plan_detail")
    return render(request, "cases/plan_detail.html", _detail_context(request, case, plan))


def _plan_form_view(request: HttpRequest, case: Case, plan: SupportPlan | None) -> HttpResponse:
    """The draft's form; the caller has read the case (and plan) ``for_write``."""
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                if plan is None:
                    saved = plan_services.plan_create(
                        by=request.user, case=case, **form.cleaned_data
                    )
                else:
                    saved = plan_services.plan_update(
                        by=request.user, plan=plan, **form.cleaned_data
                    )
            except ValidationError as exc:
                _service_error(form, exc, request)
            else:
                messages.success(
                    request,
                    f"{saved.get_kind_display()}（第{saved.version}版）を"
                    f"{'作成' if plan is None else '更新'}しました。",
                )
                return redirect("cases:plan_detail", pk=case.pk, plan_pk=saved.pk)
    else:
        initial = {}
        if plan is not None:
            initial = {
                f: getattr(plan, f)
                for f in ("goals", "policy", "next_monitoring_on", "evaluation_on")
            }
        else:
            latest = case.plans.order_by("-version").first()
            if latest is not None:  # a re-plan starts from the previous goals and policy
                initial = {"goals": latest.goals, "policy": latest.policy}
        form = PlanForm(initial=initial)
        _audit(request, case, plan, "plan_form")
    return render(request, "cases/plan_form.html", {"case": case, "plan": plan, "form": form})


@personal_data_view("cases.use")
@form_token_once
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True, for_write=True)
    return _plan_form_view(request, case, None)


@personal_data_view("cases.use")
def plan_edit(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk, plan_pk, for_write=True)
    return _plan_form_view(request, plan.case, plan)


@personal_data_view("cases.use")
@require_POST
def plan_item_add(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk, plan_pk, for_write=True)
    case = plan.case
    form = PlanItemForm(
        request.POST, agencies=list(agency_selectors.agency_list(user=request.user))
    )
    if form.is_valid():
        try:
            item = plan_services.plan_item_add(
                by=request.user, plan=plan, **form.service_arguments()
            )
        except ValidationError as exc:
            _service_error(form, exc, request)
        else:
            messages.success(request, "プランに項目を追加しました。")
            warning = selectors.consent_warning(case, item.agency)
            if warning:
                messages.warning(request, warning)
            return redirect("cases:plan_detail", pk=case.pk, plan_pk=plan.pk)
    plan = plans.plan_in_case(case, plan_pk)
    _audit(request, case, plan, "plan_item_add")
    return render(
        request,
        "cases/plan_detail.html",
        _detail_context(request, case, plan, item_form=form),
        status=422,
    )


@personal_data_view("cases.use")
@require_POST
def plan_item_remove(request: HttpRequest, pk: int, plan_pk: int, item_pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk, plan_pk, for_write=True)
    case = plan.case
    item = next((i for i in plan.items.all() if i.pk == item_pk), None)
    if item is None:
        raise Http404("指定された項目はありません。")
    try:
        plan_services.plan_item_remove(by=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"項目「{item.issue}」を削除しました。")
    return redirect("cases:plan_detail", pk=case.pk, plan_pk=plan.pk)


def _confirmation_view(request, pk, plan_pk, *, form_class, key, call, success):
    plan = selectors.get_plan_for_user(request.user, pk, plan_pk)
    case = plan.case
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(request=request, plan=plan, data=form.cleaned_data)
        except ValidationError as exc:
            _service_error(form, exc, request)
        else:
            messages.success(request, success)
            return redirect("cases:plan_detail", pk=case.pk, plan_pk=plan.pk)
    plan = plans.plan_in_case(case, plan_pk)
    _audit(request, case, plan, key)
    return render(
        request,
        "cases/plan_detail.html",
        _detail_context(request, case, plan, **{key: form}),
        status=422,
    )


@personal_data_view("cases.use")
@require_POST
def support_decision(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    if not _is_officer(request):
        selectors.get_case_for_user(request.user, pk, content=True)
        raise PermissionDenied("支援決定は自治体職員（事務局）が行います。")
    return _confirmation_view(
        request,
        pk,
        plan_pk,
        form_class=SupportDecisionForm,
        key="decision_form",
        call=lambda request, plan, data: plan_services.support_decision_make(
            by=request.user, plan=plan, **data
        ),
        success="支援決定を記録しました。プランが確定し、支援を開始します。",
    )


@personal_data_view("cases.use")
@require_POST
def plan_report(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    selectors.get_case_for_user(request.user, pk, content=True, for_write=True)
    return _confirmation_view(
        request,
        pk,
        plan_pk,
        form_class=PlanReportForm,
        key="report_form",
        call=lambda request, plan, data: plan_services.plan_report_record(
            by=request.user, plan=plan, **data
        ),
        success="自治体への報告を記録しました。プランが確定し、支援を開始します。",
    )
