"""本人 and 世帯: the person's own data, and their households with the members' names and
relations only."""

from __future__ import annotations

from tsunagu.people.models import HouseholdMember

from .base import (
    DATE,
    LONG,
    Column,
    Part,
    Subject,
    Table,
    agency_name,
    each,
    wareki_iso,
)

# ---------------------------------------------------------------------------- 本人


def person_part(subject: Subject) -> Part:
    person = subject.person

    def rows():
        yield "本人番号", str(person.pk)
        yield "氏名", person.name
        yield "フリガナ", person.name_kana
        yield "生年月日", wareki_iso(person.birth_date) or "不明"
        yield "性別", person.get_sex_display()
        yield "郵便番号", person.postal_code
        yield "住所", person.address
        yield "電話番号", person.phone
        yield "携帯電話", person.mobile_phone
        yield "連絡上の注意", person.contact_notes
        yield "登録機関", agency_name(person.registered_by_agency)
        yield "登録日時", wareki_iso(person.created_at)
        yield "更新日時", wareki_iso(person.updated_at)
        if person.is_archived:
            yield "アーカイブ", "アーカイブ済み"

    table = Table("本人の情報", (Column("項目", width=18), Column("内容", LONG, 70)), rows=rows)
    return Part("person", "本人", "本人の情報", [table], count=1)


# ---------------------------------------------------------------------------- 世帯


def households_part(subject: Subject) -> Part:
    person = subject.person
    members = (
        HouseholdMember.objects.filter(household_id__in=subject.household_ids)
        .select_related("household", "person")
        .order_by("household_id", "start_date", "id")
    )

    def household_rows():
        seen = set()
        for link in each(members.filter(person=person)):
            if link.household_id in seen:
                continue
            seen.add(link.household_id)
            household = link.household
            yield (
                str(household.pk),
                household.label,
                household.address,
                household.notes,
                agency_name(household.registered_by_agency),
            )

    def member_rows():
        for link in each(members):
            yield (
                f"{link.household.label}（#{link.household_id}）",
                "この方" if link.person_id == person.pk else link.person.name,
                link.get_relation_display(),
                link.start_date,
                link.end_date,
            )

    return Part(
        "households",
        "世帯",
        "世帯と続柄",
        [
            Table(
                "世帯",
                (
                    Column("世帯番号", width=10),
                    Column("世帯の呼称", width=20),
                    Column("住所", LONG, 30),
                    Column("備考", LONG, 40),
                    Column("登録機関", width=24),
                ),
                rows=household_rows,
            ),
            Table(
                "世帯員と続柄（世帯主から見た続柄）",
                (
                    Column("世帯", width=24),
                    Column("世帯員", width=18),
                    Column("続柄", width=12),
                    Column("世帯員となった日", DATE),
                    Column("世帯を離れた日", DATE),
                ),
                rows=member_rows,
                note="ほかの世帯員については、氏名と続柄だけを載せています。",
            ),
        ],
        count=len(subject.household_ids),
    )
