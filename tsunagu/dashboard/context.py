"""What the home page shows: who is acting where, the role's duties and the widgets."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Field, Membership, Role
from tsunagu.audit.selectors import event_count_since
from tsunagu.audit.services import pending_read_events, reads_together
from tsunagu.common.fiscal import fiscal_year, fiscal_year_label

from .widgets import widgets

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
    membership = acting(request).membership
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
    with reads_together():  # the persons of every panel: one audited read of the page
        for widget in widgets():
            context.update(widget(request.user, request=request))
    return context


def agency_overview(user, *, request) -> dict:
    """支援関係機関 by field and the active users (the program office and the administrator)."""
    me = acting(user)
    if not (me.is_office or me.is_admin):
        return {}
    field_labels = dict(Field.choices)
    by_field = Agency.objects.active().values("field").annotate(n=Count("id")).order_by("field")
    agency_stats = [
        {"label": field_labels.get(row["field"], row["field"]), "count": row["n"]}
        for row in by_field
    ]
    return {
        "agency_stats": agency_stats,
        "agency_total": sum(row["count"] for row in agency_stats),
        "active_user_count": (
            Membership.objects.filter(is_active=True, user__is_active=True)
            .values("user")
            .distinct()
            .count()
        ),
    }


def audit_summary(user, *, request) -> dict:
    """The audit log's last 24 hours (the program office), counting this page's own reads."""
    if not acting(user).is_office:
        return {}
    since = timezone.now() - timedelta(hours=24)
    return {"audit_events_24h": event_count_since(since) + pending_read_events()}
