"""What the dashboard shows each role (later issues add their panels here)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from tsunagu.common.fiscal import fiscal_year, fiscal_year_label

from .models import Agency, Field, Membership, Role

ROLE_DUTIES: dict[str, tuple[str, ...]] = {
    Role.MUNICIPAL_OFFICER: (
        "重層的支援体制整備事業の全体の進行管理",
        "支援決定（参加支援・アウトリーチ等）",
        "重層的支援会議への出席（必須）",
        "支援関係機関・監査ログの確認",
    ),
    Role.COORDINATOR: (
        "複合的な課題を抱える事例の受付・アセスメント",
        "支援プラン案の作成と役割分担の調整",
        "重層的支援会議・支援会議の招集と運営",
    ),
    Role.DESK_WORKER: (
        "属性を問わない相談の受付（断らない相談）",
        "適切な支援関係機関へのつなぎ",
        "支援プランで割り当てられた役割の実施",
    ),
    Role.OUTREACH_WORKER: (
        "支援が届いていない方の情報収集・事前調整",
        "関係性構築・家庭訪問・同行支援の記録",
        "同意前の支援方針の検討（支援会議）",
    ),
    Role.PARTICIPATION_WORKER: (
        "本人と社会資源のマッチング",
        "本人と受け入れ先へのフォローアップ",
    ),
    Role.COMMUNITY_COORDINATOR: (
        "居場所・サロンなど地域活動の支援",
        "気になる方の発見と相談窓口へのつなぎ",
        "地域の社会資源の把握と開発",
    ),
    Role.MEETING_GUEST: (
        "招待された会議の資料の閲覧（招待期間中のみ）",
        "守秘義務の誓約",
    ),
    Role.ADMIN: (
        "利用者・所属・支援関係機関の管理",
        "システム設定の管理（事例の内容は閲覧できません）",
    ),
}


def dashboard_context(request) -> dict:
    membership = getattr(request, "membership", None)
    today = timezone.localdate()
    fy = fiscal_year(today)
    context: dict = {
        "membership": membership,
        "duties": ROLE_DUTIES.get(membership.role, ()) if membership else (),
        "today": today,
        "now": timezone.now(),
        "fiscal_year_label": fiscal_year_label(fy),
    }
    if membership is None:
        return context
    if membership.role in (Role.MUNICIPAL_OFFICER, Role.ADMIN):
        field_labels = dict(Field.choices)
        by_field = Agency.objects.active().values("field").annotate(n=Count("id")).order_by("field")
        context["agency_stats"] = [
            {"label": field_labels.get(row["field"], row["field"]), "count": row["n"]}
            for row in by_field
        ]
        context["agency_total"] = sum(row["count"] for row in context["agency_stats"])
        context["active_user_count"] = (
            Membership.objects.filter(is_active=True, user__is_active=True)
            .values("user")
            .distinct()
            .count()
        )
    if request.user.has_perm("consultations.use"):
        context.update(_referral_panels(request))
    from tsunagu.cases.selectors import activity, monitoring
    from tsunagu.meetings import selectors as meeting_selectors

    for panel in (
        monitoring.dashboard_panel,
        activity.dashboard_panel,
        meeting_selectors.dashboard_panel,
    ):
        context.update(panel(request))
    if membership.role == Role.MUNICIPAL_OFFICER:
        context.update(_awaiting_decision_panel(request))
        from tsunagu.audit.selectors import event_count_since

        context["audit_events_24h"] = event_count_since(timezone.now() - timedelta(hours=24))
    return context


PANEL_ROWS = 5


def _referral_panels(request) -> dict:
    """Referrals that need this agency's attention; the persons named are an audited read."""
    from tsunagu.audit.services import audit_read
    from tsunagu.consultations.selectors import referral_attention, subject_person_ids

    attention = referral_attention(user=request.user)
    panels = {}
    shown = []
    for key, qs in attention.items():
        rows = list(qs[:PANEL_ROWS])
        panels[key] = {"rows": rows, "count": qs.count() if len(rows) == PANEL_ROWS else len(rows)}
        shown.extend(rows)
    persons = subject_person_ids(shown)
    if persons:
        audit_read(request, "dashboard.view", persons=persons, purpose="ダッシュボードの確認")
    return {"referral_panels": panels}


def _awaiting_decision_panel(request) -> dict:
    """支援決定待ち: cases whose plan a meeting agreed, waiting for the municipality's 支援決定
    (statutory services) or for the report to it; oldest agreement first."""
    from django.db.models import Prefetch

    from tsunagu.audit.services import audit_read
    from tsunagu.cases.models import CaseStatus, PlanItem, PlanStatus, SupportPlan
    from tsunagu.cases.selectors.case import case_list, subject_person_ids

    agreed = (
        SupportPlan.objects.filter(status=PlanStatus.AGREED)
        .select_related("agreed_at_item__meeting")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("order", "id")))
        .order_by("-version")
    )
    cases = case_list(user=request.user, status=CaseStatus.AWAITING_DECISION).prefetch_related(
        Prefetch("plans", queryset=agreed, to_attr="agreed_plans")
    )
    rows = []
    for case in cases:
        plan = case.agreed_plans[0] if case.agreed_plans else None
        if plan is None:
            continue
        rows.append({"case": case, "plan": plan, "needs_decision": plan.has_statutory_items})
    rows.sort(key=lambda row: (row["plan"].agreed_on, row["case"].pk))
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
