"""The consultations' and the referrals' lists as files for Excel: every row the page's
filters find, with each date in ISO and in 和暦."""

from __future__ import annotations

from django.db.models import Count

from tsunagu.common.spreadsheet import chunks, dated, day_cells, moment_cells

from . import selectors

CONSULTATIONS = "相談一覧"
CONSULTATION_HEADER = (
    "相談番号",
    *dated("受付日"),
    "受付機関",
    "受付者",
    "相談経路",
    "相談者",
    "相談者氏名",
    "本人との関係",
    "本人ID",
    "本人",
    "世帯",
    "最も困っていること",
    "相談内容",
    "相談内容（概要）",
    "情報共有への同意",
    "対応結果",
    "つなぎ件数",
)
CONSULTATION_WIDTHS = (8, 12, 16, 24, 14, 12, 10, 14, 12, 8, 16, 16, 18, 30, 50, 8, 16, 8)


def consultation_rows(user, consultations):
    for batch in chunks(consultations):
        counts = dict(
            selectors.referral_list(user=user)
            .filter(consultation_id__in=[c.pk for c in batch])
            .order_by()
            .values("consultation_id")
            .annotate(n=Count("id"))
            .values_list("consultation_id", "n")
        )
        for c in batch:
            links = c.categories_for_display()
            yield [
                c.pk,
                *day_cells(c.received_on),
                c.agency.name,
                str(c.recorded_by),
                c.get_channel_display(),
                c.get_consulter_type_display(),
                c.consulter_name,
                c.consulter_relation,
                c.person_id or "",
                c.person.name if c.person_id else "",
                c.household.label if c.household_id else "",
                "・".join(link.category.name for link in links if link.is_primary),
                "・".join(link.category.name for link in links),
                c.summary,
                "あり" if c.consent_to_share else "なし",
                c.get_outcome_display(),
                counts.get(c.pk, 0),
            ]


REFERRALS = "つなぎ一覧"
REFERRAL_HEADER = (
    "つなぎ番号",
    *dated("送付日時"),
    "種別",
    "緊急",
    "つなぎ元",
    "送付者",
    "つなぎ先",
    "本人ID",
    "本人",
    "世帯",
    "つなぐ理由・依頼内容",
    "状態",
    *dated("回答期限"),
    "期限超過",
    *dated("受理・差戻し日時"),
    "差戻しの理由",
    *dated("完了日時"),
    "結果",
    "結果の補足",
    "元の相談番号",
)
REFERRAL_WIDTHS = (8, 18, 20, 14, 6, 24, 14, 24, 8, 16, 18, 40, 10, 18, 20, 8, 18, 20, 30)


def referral_rows(referrals):
    for r in referrals.iterator(chunk_size=2000):
        yield [
            r.pk,
            *moment_cells(r.sent_at),
            r.get_kind_display(),
            "緊急" if r.is_urgent else "",
            r.from_agency.name,
            str(r.sent_by),
            r.to_agency.name,
            r.person_id or "",
            r.person.name if r.person_id else "",
            r.household.label if r.household_id else "",
            r.reason,
            r.get_status_display(),
            *moment_cells(r.respond_by),
            "超過" if selectors.is_overdue(r) else "",
            *moment_cells(r.responded_at),
            r.return_reason,
            *moment_cells(r.completed_at),
            r.get_outcome_display(),
            r.outcome_note,
            r.consultation_id or "",
        ]
