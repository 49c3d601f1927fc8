"""参加支援: records, matches by stage, and whether the place was kept at 3 and 6 months."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tsunagu.common.fiscal import add_months
from tsunagu.participation.models import Match, MatchStatus, ParticipationRecord

from ..engine import Row, Scope, Table, count_row, in_period, links_for, scoped
from ..period import Period
from . import Section


def _kept(period: Period, matches, months: int, today: date) -> list[Row]:
    """Of the matches whose participation began in each month and reached ``months`` months
    by today: how many, and how many had not ended by then."""
    index = {m: n for n, m in enumerate(period.months)}
    due = [0] * len(period.months)
    kept = [0] * len(period.months)
    for started, ended in in_period(matches, "started_on", period).values_list(
        "started_on", "ended_on"
    ):
        mark = add_months(started, months)
        if mark > today:
            continue
        position = index[started.replace(day=1)]
        due[position] += 1
        if ended is None or ended >= mark:
            kept[position] += 1
    links, _ = links_for(period, None)
    return [
        Row(f"参加開始から{months}か月を経た", due, sum(due), links=links),
        Row(f"うち{months}か月の時点で続いていた", kept, sum(kept), indent=1, links=links),
    ]


def build(period: Period, scope: Scope) -> list[Table]:
    records = scoped(
        ParticipationRecord.objects.all(), scope, agency=("agency_id",), area="agency__area_id"
    )
    matches = scoped(
        Match.objects.all(), scope, agency=("record__agency_id",), area="record__agency__area_id"
    )
    today = timezone.localdate()
    rows = [
        count_row("参加支援の開始", records, "started_on", period),
        count_row("参加支援の終結", records, "closed_on", period),
        count_row("マッチングの提案", matches, "proposed_on", period),
        count_row("参加開始", matches, "started_on", period),
        count_row("定着の確認", matches, "settled_on", period),
        count_row(
            "終了",
            matches.filter(status=MatchStatus.ENDED),
            "ended_on",
            period,
        ),
        count_row(
            "中止",
            matches.filter(status=MatchStatus.CANCELLED),
            "ended_on",
            period,
        ),
    ]
    kept = _kept(period, matches, 3, today) + _kept(period, matches, 6, today)
    return [
        Table(
            "participation",
            "参加支援とマッチング",
            "参加支援の記録は開始日・終結日、マッチングは提案日・参加開始日・定着の確認日・終了"
            "（中止）の日の月で数えます。機関で絞ったときは、その機関（参加支援事業者）の記録です。",
            rows,
        ),
        Table(
            "participation_kept",
            "定着（3か月・6か月）",
            "参加開始日の月ごとに、今日までに参加開始から3か月（6か月）を経たマッチングと、その"
            "時点で終了・中止していなかったものを数えます。まだその時点に達していないものは"
            "数えません。",
            kept,
        ),
    ]


SECTION = Section("participation", "参加支援", "参加支援", build)
