"""The consultations' and the referrals' lists as files for Excel: every row the page's
filters find, with each date in ISO and in 和暦."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from tsunagu.common.spreadsheet import chunks, dated, day_cells, moment_cells

from . import selectors
from .models import Channel, ConsultationCategory, ConsulterType, Outcome

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


FIELDS = (
    "pk",
    "received_on",
    "agency__name",
    "recorded_by__display_name",
    "recorded_by__username",
    "channel",
    "consulter_type",
    "consulter_name",
    "consulter_relation",
    "person_id",
    "person__name",
    "household__label",
    "summary",
    "consent_to_share",
    "outcome",
)
CHANNELS = dict(Channel.choices)
CONSULTERS = dict(ConsulterType.choices)
OUTCOMES = dict(Outcome.choices)


def _categories(ids: list[int]) -> dict[int, tuple[str, str]]:
    """(the most pressing, all of them with it first) of each consultation, by name."""
    links = (
        ConsultationCategory.objects.filter(consultation_id__in=ids)
        .order_by("consultation_id", "-is_primary", "category__sort_order", "category_id")
        .values_list("consultation_id", "category__name", "is_primary")
    )
    names: dict[int, list[str]] = defaultdict(list)
    primary: dict[int, list[str]] = defaultdict(list)
    for consultation_id, name, is_primary in links:
        names[consultation_id].append(name)
        if is_primary:
            primary[consultation_id].append(name)
    return {pk: ("・".join(primary[pk]), "・".join(names[pk])) for pk in names}


def consultation_rows(user, consultations):
    """The rows read as plain values, a chunk at a time, with each chunk's categories and
    its referral counts (the referrals the user may see) in one query each."""
    values = consultations.prefetch_related(None).values_list(*FIELDS)
    for batch in chunks(values):
        ids = [row[0] for row in batch]
        categories = _categories(ids)
        counts = dict(
            selectors.referral_list(user=user)
            .filter(consultation_id__in=ids)
            .order_by()
            .values("consultation_id")
            .annotate(n=Count("id"))
            .values_list("consultation_id", "n")
        )
        for (
            pk,
            received_on,
            agency,
            recorder,
            username,
            channel,
            consulter_type,
            consulter_name,
            consulter_relation,
            person_id,
            person,
            household,
            summary,
            consent,
            outcome,
        ) in batch:
            primary, every = categories.get(pk, ("", ""))
            yield [
                pk,
                *day_cells(received_on),
                agency,
                recorder or username,
                CHANNELS.get(channel, channel),
                CONSULTERS.get(consulter_type, consulter_type),
                consulter_name,
                consulter_relation,
                person_id or "",
                person or "",
                household or "",
                primary,
                every,
                summary,
                "あり" if consent else "なし",
                OUTCOMES.get(outcome, outcome),
                counts.get(pk, 0),
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
