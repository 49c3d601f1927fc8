"""アウトリーチ等を通じた継続的支援: records, contacts, visits, first meetings, consents,
hand-overs and closures."""

from __future__ import annotations

from tsunagu.outreach.models import (
    MEETING_METHODS,
    AgeBand,
    ClosureReason,
    ContactMethod,
    EventKind,
    OutreachContact,
    OutreachEvent,
    OutreachRecord,
    Source,
)

from ..engine import Scope, Table, breakdown_rows, count_row, scoped
from ..period import Period
from . import Section

VISITS = (ContactMethod.VISIT_MET, ContactMethod.VISIT_NOT_MET, ContactMethod.VISIT_FAMILY)


def build(period: Period, scope: Scope) -> list[Table]:
    records = scoped(OutreachRecord.objects.all(), scope, agency=("agency_id",), area="area_id")
    contacts = scoped(
        OutreachContact.objects.all(), scope, agency=("record__agency_id",), area="record__area_id"
    )
    events = scoped(
        OutreachEvent.objects.all(), scope, agency=("record__agency_id",), area="record__area_id"
    )
    course = [
        count_row("新たに始めた対象", records, "began_on", period),
        *breakdown_rows(records, "began_on", "source", period, labels=Source.choices, indent=1),
        count_row("接触（延べ）", contacts, "occurred_on", period),
        count_row(
            "訪問（延べ）", contacts.filter(method__in=VISITS), "occurred_on", period, indent=1
        ),
        count_row(
            "本人に届いた・会えた接触",
            contacts.filter(reached_person=True),
            "occurred_on",
            period,
            indent=1,
        ),
        count_row(
            "本人と会えた接触（訪問で会えた・同行支援）",
            contacts.filter(method__in=MEETING_METHODS),
            "occurred_on",
            period,
            indent=1,
        ),
        count_row("初回面会", records, "first_met_on", period),
        count_row("利用申込（同意）", records, "consented_on", period),
        count_row(
            "多機関協働へのつなぎ", events.filter(kind=EventKind.HANDOVER), "occurred_on", period
        ),
        count_row("終了", records, "closed_on", period),
        *breakdown_rows(
            records.filter(closed_on__isnull=False),
            "closed_on",
            "closure_reason",
            period,
            labels=ClosureReason.choices,
            indent=1,
        ),
    ]
    methods = breakdown_rows(
        contacts, "occurred_on", "method", period, labels=ContactMethod.choices
    )
    ages = breakdown_rows(records, "began_on", "age_band", period, labels=AgeBand.choices)
    return [
        Table(
            "outreach",
            "アウトリーチの対象と経過",
            "対象は開始日、接触は実施日、初回面会は初回面会日、同意は利用申込の日、つなぎはその"
            "経過の日付、終了は終了日の月で数えます。本人が特定されていない対象も含みます。機関で"
            "絞ったときは、その機関が担当する対象です。",
            course,
        ),
        Table(
            "outreach_contacts",
            "接触の方法",
            "接触記録を実施日の月で、方法ごとに数えます。",
            methods,
        ),
        Table(
            "outreach_ages",
            "新たに始めた対象の年代",
            "対象を開始日の月で、記録した年代（推定を含む）ごとに数えます。",
            ages,
        ),
    ]


SECTION = Section("outreach", "アウトリーチ等を通じた継続的支援", "アウトリーチ", build)
