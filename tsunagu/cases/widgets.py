"""The home page's 支援決定待ち panel for the program office, registered in
``CasesConfig.ready()`` with the monitoring and activity panels
(``selectors.monitoring.dashboard_panel``, ``selectors.activity.dashboard_panel``)."""

from __future__ import annotations

from django.db.models import Prefetch

from tsunagu.accounts.acting import acting
from tsunagu.audit.services import audit_read

from .models import CaseStatus, PlanItem, PlanStatus, SupportPlan
from .selectors.case import case_list, subject_person_ids

PANEL_ROWS = 5


def awaiting_decision(user, *, request) -> dict:
    """支援決定待ち (the program office): cases whose plan a meeting agreed, waiting for the
    municipality's 支援決定 (statutory services) or for the report to it; oldest agreement
    first. The persons of the cases shown are an audited read."""
    if not acting(user).is_office:
        return {}
    rows = awaiting_decision_rows(user)
    shown = rows[:PANEL_ROWS]
    persons = subject_person_ids([row["case"] for row in shown])
    if persons:
        audit_read(
            request,
            "dashboard.view",
            persons=persons,
            context={"panel": "awaiting_decision", "cases": [row["case"].pk for row in shown]},
            purpose="ダッシュボードの確認",
        )
    return {"decision_dashboard": {"rows": shown, "count": len(rows)}}


def awaiting_decision_rows(user) -> list[dict]:
    """``{"case", "plan", "needs_decision"}`` for each visible case awaiting the decision with
    its latest agreed plan, oldest agreement first."""
    agreed = (
        SupportPlan.objects.filter(status=PlanStatus.AGREED)
        .select_related("agreed_at_item__meeting")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("order", "id")))
        .order_by("-version")
    )
    cases = case_list(user=user, status=CaseStatus.AWAITING_DECISION).prefetch_related(
        Prefetch("plans", queryset=agreed, to_attr="agreed_plans")
    )
    rows = []
    for case in cases:
        plan = case.agreed_plans[0] if case.agreed_plans else None
        if plan is None:
            continue
        rows.append({"case": case, "plan": plan, "needs_decision": plan.has_statutory_items})
    rows.sort(key=lambda row: (row["plan"].agreed_on, row["case"].pk))
    return rows
