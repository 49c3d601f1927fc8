"""Meetings: held by kind, cases discussed, decisions by outcome and purpose."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from tsunagu.meetings.models import AgendaItem, AgendaPurpose, DecisionOutcome, Meeting, MeetingKind

from ..engine import Scope, Table, breakdown_rows, count_row, scoped
from ..period import Period
from . import Section


def _meeting_list(kind):
    """The meetings list of one kind (it has no date filter: the month is not carried)."""
    url = f"{reverse('meetings:meeting_list')}?{urlencode({'kind': kind, 'when': 'past'})}"
    return lambda start, end: url


def build(period: Period, scope: Scope) -> list[Table]:
    now = timezone.now()
    held = scoped(
        Meeting.objects.filter(is_cancelled=False, starts_at__lte=now),
        scope,
        agency=("convening_agency_id",),
        area="convening_agency__area_id",
    )
    items = scoped(
        AgendaItem.objects.filter(
            meeting__is_cancelled=False, meeting__starts_at__lte=now, is_withdrawn=False
        ),
        scope,
        agency=("meeting__convening_agency_id",),
        area="meeting__convening_agency__area_id",
    )
    meetings = [
        count_row("開催した会議", held, "starts_at", period, kind="plain"),
        *breakdown_rows(
            held,
            "starts_at",
            "kind",
            period,
            labels=MeetingKind.choices,
            indent=1,
            kind="plain",
            link=_meeting_list,
        ),
        count_row(
            "協議した事例（延べではなく、月・期間ごとに1件）",
            items.filter(case__isnull=False),
            "meeting__starts_at",
            period,
            distinct="case_id",
        ),
        count_row(
            "協議した議題",
            items,
            "meeting__starts_at",
            period,
            kind="plain",
        ),
    ]
    decided = items.filter(decided_at__isnull=False)
    decisions = [
        count_row("決定した議題", decided, "decided_at", period, kind="plain"),
        *breakdown_rows(
            decided,
            "decided_at",
            "outcome",
            period,
            labels=DecisionOutcome.choices,
            indent=1,
            kind="plain",
        ),
        *breakdown_rows(
            decided,
            "decided_at",
            "purpose",
            period,
            labels=AgendaPurpose.choices,
            indent=1,
            kind="plain",
            keep_empty=False,
        ),
    ]
    return [
        Table(
            "meetings",
            "会議の開催と協議した事例",
            "中止していない会議を開始日時の月で、開催済み（開始日時が今より前）のものだけ数えます。"
            "協議した事例は、取り下げていない議題の事例を月ごとに重複なく数え、合計は期間全体で"
            "重複なく数えます。機関で絞ったときは、その機関が招集した会議です。",
            meetings,
        ),
        Table(
            "meeting_decisions",
            "会議の決定",
            "決定を記録した議題を決定日時の月で、決定の内容と議題の目的ごとに数えます。",
            decisions,
        ),
    ]


SECTION = Section("meetings", "会議", "会議", build)
