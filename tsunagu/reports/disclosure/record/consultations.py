"""相談 and つなぎ: the consultations and referrals about the person (or their household alone)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import Consultation, Referral, ReferralEvent

from .base import (
    DATE,
    LONG,
    MOMENT,
    Column,
    Part,
    Subject,
    Table,
    each,
    joined,
    name_of,
    yes,
)

# ---------------------------------------------------------------------------- 相談・つなぎ


def consultations_part(subject: Subject) -> Part:
    queryset = (
        Consultation.objects.filter(subject.about())
        .select_related("agency", "recorded_by", "household")
        .prefetch_related("category_links__category")
        .order_by("received_on", "id")
    )

    def rows():
        for c in each(queryset):
            categories = "、".join(
                f"{'◎' if link.is_primary else ''}{link.category.name}"
                for link in c.categories_for_display()
            )
            yield (
                str(c.pk),
                c.received_on,
                c.agency.name,
                name_of(c.recorded_by),
                c.get_channel_display(),
                c.get_consulter_type_display(),
                c.consulter_name,
                c.consulter_relation,
                "本人" if c.person_id else f"世帯「{c.household.label}」",
                categories,
                c.summary,
                "あり" if c.consent_to_share else "なし",
                c.get_outcome_display(),
                c.created_at,
            )

    columns = (
        Column("相談番号", width=9),
        Column("受付日", DATE),
        Column("受付機関", width=24),
        Column("受付者", width=14),
        Column("相談経路", width=12),
        Column("相談者", width=10),
        Column("相談者氏名", width=14),
        Column("本人との関係", width=12),
        Column("対象", width=14),
        Column("相談内容", LONG, 30),
        Column("相談内容（概要）", LONG, 50),
        Column("情報共有への同意", width=10),
        Column("対応結果", width=14),
        Column("登録日時", MOMENT),
    )
    return Part(
        "consultations",
        "相談",
        "相談受付",
        [Table("相談受付", columns, rows=rows)],
        count=queryset.count(),
    )


def _referral_events(referral: Referral) -> str:
    lines = []
    for event in referral.events.all():
        local = timezone.localtime(event.at)
        lines.append(
            f"{format_wareki(local.date())} {local:%H:%M} {event.get_to_status_display()}"
            f"（{event.agency.name}）{('：' + event.note) if event.note else ''}"
        )
    return joined(lines)


def referrals_part(subject: Subject) -> Part:
    queryset = (
        Referral.objects.filter(subject.about())
        .select_related("from_agency", "to_agency", "sent_by")
        .prefetch_related(
            Prefetch("events", queryset=ReferralEvent.objects.select_related("agency"))
        )
        .order_by("sent_at", "id")
    )

    def rows():
        for r in each(queryset):
            criteria = "、".join(
                label
                for label, on in (
                    ("①世帯の複合的な課題", r.criterion_household),
                    ("②狭間のケース", r.criterion_gap),
                    ("③新たな資源開発", r.criterion_new_resource),
                )
                if on
            )
            yield (
                str(r.pk),
                r.get_kind_display(),
                f"相談 #{r.consultation_id}",
                r.from_agency.name,
                r.to_agency.name,
                name_of(r.sent_by),
                r.sent_at,
                r.respond_by,
                r.get_status_display(),
                r.reason,
                criteria,
                r.tried_with_agencies,
                yes(r.is_urgent),
                r.responded_at,
                r.return_reason,
                r.completed_at,
                r.get_outcome_display(),
                r.outcome_note,
                _referral_events(r),
            )

    columns = (
        Column("つなぎ番号", width=9),
        Column("種別", width=18),
        Column("元の相談", width=10),
        Column("つなぎ元", width=22),
        Column("つなぎ先", width=22),
        Column("送付者", width=14),
        Column("送付日時", MOMENT),
        Column("回答期限", MOMENT),
        Column("状態", width=10),
        Column("つなぐ理由・依頼内容", LONG, 40),
        Column("多機関協働の基準", width=24),
        Column("これまでに試みたこと", LONG, 30),
        Column("緊急性", width=8),
        Column("受理・差戻し日時", MOMENT),
        Column("差戻しの理由", LONG, 24),
        Column("完了日時", MOMENT),
        Column("結果", width=14),
        Column("結果の補足", LONG, 24),
        Column("経過", LONG, 40),
    )
    return Part(
        "referrals",
        "つなぎ",
        "つなぎ（紹介）",
        [Table("つなぎ", columns, rows=rows)],
        count=queryset.count(),
    )
