"""Reads of support plans, and the plan section of the case page."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from tsunagu.cases.models import PlanItem, PlanStatus, SupportPlan
from tsunagu.cases.selectors.case import get_case_for_user, require_manager
from tsunagu.cases.selectors.consent import consent_warnings
from tsunagu.cases.workflow import OPEN_STATUSES, PLAN_DRAFTING

PATTERN_TEXT = {
    "statutory": (
        "参加支援・アウトリーチ等を含むため、会議での合意に加えて自治体の支援決定で確定します。"
        "それ以外の項目も、支援決定の際にあわせて確認します。"
    ),
    "other": "法に基づく事業を含まないため、会議での合意の後、自治体へ報告して確定します。",
}


def plans_of(case) -> list[SupportPlan]:
    """Every version of the case's plan, newest first, with items and agencies."""
    items = PlanItem.objects.select_related("agency").order_by("order", "id")
    versions = list(
        case.plans.select_related(
            "agreed_at_item__meeting", "support_decision", "report", "created_by"
        )
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-version")
    )
    # each item says whether the consent names its agency (one read for the whole case)
    every = [item for plan in versions for item in plan.items.all()]
    warnings = consent_warnings(case, {i.agency_id: i.agency for i in every}.values())
    for item in every:
        item.consent_warning = warnings[item.agency_id]
    return versions


def plan_in_case(case, plan_pk) -> SupportPlan:
    """One version of ``case``'s plan (read as :func:`plans_of` does, ``plan.case`` set); 404
    when the case has no such version. ``case`` comes from :func:`get_case_for_user`."""
    try:
        wanted = int(plan_pk)
    except (TypeError, ValueError) as exc:
        raise Http404("指定されたプランはありません。") from exc
    plan = next((p for p in plans_of(case) if p.pk == wanted), None)
    if plan is None:
        raise Http404("指定されたプランはありません。")
    plan.case = case
    return plan


def get_plan_for_user(user, case_pk, plan_pk, *, for_write: bool = False) -> SupportPlan:
    """A version of a case's plan, for a page or endpoint of ``user`` (``plan.case`` is the
    case as :func:`get_case_for_user` reads it).

    A case whose content the user may not see, or a plan that is not the case's, answers
    ``Http404``; with ``for_write``, a plan the user sees but whose case they may not manage
    (``cases.manage_case``) answers ``PermissionDenied``.
    """
    case = get_case_for_user(user, case_pk, content=True)
    plan = plan_in_case(case, plan_pk)
    if for_write:
        require_manager(user, case)
    return plan


def pattern_of(plan: SupportPlan) -> str:
    return "statutory" if plan.has_statutory_items else "other"


def next_step(plan: SupportPlan) -> str:
    """What the plan waits for, in words."""
    if plan.status == PlanStatus.DRAFT:
        return "項目を整え、重層的支援会議（同意のない事例は支援会議）の議題にしてください。"
    if plan.status == PlanStatus.IN_CONFERENCE:
        return "会議の議題になっています。会議で決定を記録してください。"
    if plan.status == PlanStatus.AGREED:
        if plan.has_statutory_items:
            return "会議で合意しました。自治体（事務局）の支援決定を待っています。"
        return "会議で合意しました。自治体への報告を記録すると確定します。"
    return ""


def case_panel(user, case) -> dict:
    """The case page's plan section: the current and the open plan (reads audited by the page)."""
    plans = plans_of(case)
    confirmed = next((p for p in plans if p.status == PlanStatus.CONFIRMED), None)
    open_plan = next((p for p in plans if p.status in OPEN_STATUSES), None)
    return {
        "plan_confirmed": confirmed,
        "plan_open": open_plan,
        "plan_open_step": next_step(open_plan) if open_plan else "",
        "plan_count": len(plans),
        "plan_drafting": case.status in PLAN_DRAFTING,
    }
