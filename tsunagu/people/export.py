"""The persons' list (本人・世帯の検索) as a file for Excel, and the persons a list of records
about a person and/or a household concerns (for the audit of its export)."""

from __future__ import annotations

from tsunagu.common.spreadsheet import chunks, dated, day_cells

from . import selectors
from .models import HouseholdMember

TITLE = "本人一覧"
HEADER = (
    "本人ID",
    "氏名",
    "フリガナ",
    *dated("生年月日"),
    "年齢",
    "性別",
    "郵便番号",
    "住所",
    "電話番号",
    "携帯電話",
    "世帯",
    *dated("登録日"),
)
WIDTHS = (8, 16, 18, 12, 16, 6, 6, 10, 36, 14, 14, 24, 12, 16)


def rows(user, persons):
    """One row per person; the households are the current ones the user may see."""
    today = selectors.today()
    for batch in chunks(persons):
        households = selectors.households_by_person(user=user, person_ids=[p.pk for p in batch])
        for p in batch:
            yield [
                p.pk,
                p.name,
                p.name_kana,
                *day_cells(p.birth_date),
                p.age_on(today) if p.birth_date else "",
                p.get_sex_display(),
                p.postal_code,
                p.address,
                p.phone,
                p.mobile_phone,
                "、".join(h.label for h in households[p.pk]),
                *day_cells(p.created_at),
            ]


def subject_person_ids(records) -> set[int]:
    """The persons a list of records about a person and/or a household concerns: the persons
    and the current members of the households (ids only, read in two queries over the list's
    own filter)."""
    records = records.order_by()
    ids = set(records.filter(person__isnull=False).values_list("person_id", flat=True).distinct())
    households = records.filter(household__isnull=False).values("household_id")
    ids.update(
        HouseholdMember.objects.filter(
            household_id__in=households, end_date__isnull=True
        ).values_list("person_id", flat=True)
    )
    return ids
