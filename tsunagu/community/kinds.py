"""The standard lists of the community side, installed by a data migration and extended by
each municipality: kinds of activity, the attributes participants are counted by, and the
indicators of the yearly targets (成果目標)."""

from __future__ import annotations

ACTIVITY_KINDS = (
    ("salon", "サロン"),
    ("platform", "集いの場・プラットフォーム"),
    ("kodomo_shokudo", "子ども食堂"),
    ("kayoinoba", "通いの場"),
    ("kyogitai", "協議体"),
    ("course", "講座・研修"),
    ("event", "交流イベント"),
    ("other", "その他"),
)

ATTRIBUTES = (
    ("disability", "障害のある人"),
    ("foreign", "外国籍の人"),
    ("first_time", "初参加"),
)

#: (code, name, measure, activity kind code or None, unit)
INDICATORS = (
    ("activities", "地域づくり活動の回数", "activities", None, "回"),
    ("participants", "参加者数（延べ）", "participants", None, "人"),
    ("platform_meetings", "プラットフォームの開催回数", "activities", "platform", "回"),
    ("new_connections", "新たなつながり", "new_connections", None, "人"),
    ("consultations_raised", "活動から相談につながった件数", "consultations_raised", None, "件"),
    ("places_created", "新たな居場所・活動の場", "places_created", None, "か所"),
    ("gaps_developed", "不足する社会資源の開発", "gaps_developed", None, "件"),
    ("watches_started", "見守りの開始", "watches_started", None, "件"),
)


def install_standard_lists(ActivityKind, ParticipantAttribute, Indicator) -> None:
    """Add what is missing of the standard lists (existing rows are left as they are)."""
    for n, (code, name) in enumerate(ACTIVITY_KINDS, start=1):
        ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": n * 10})
    for n, (code, name) in enumerate(ATTRIBUTES, start=1):
        ParticipantAttribute.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": n * 10}
        )
    kinds = {k.code: k for k in ActivityKind.objects.all()}
    for n, (code, name, measure, kind, unit) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "measure": measure,
                "activity_kind": kinds.get(kind) if kind else None,
                "unit": unit,
                "sort_order": n * 10,
            },
        )
