"""地域づくり and 見守り: activities and participants, targets against actuals, watches, checks,
notices and their escalation."""

from __future__ import annotations

from django.db.models import Count, Sum

from tsunagu.accounts.models import Area
from tsunagu.community.models import (
    Activity,
    ActivityKind,
    ActivityOrganiser,
    CheckOutcome,
    CommunityReport,
    Escalation,
    ReportOrigin,
    SafetyCheck,
    Watch,
)
from tsunagu.community.selectors import targets as target_board

from ..engine import (
    Crosstab,
    Row,
    Scope,
    Table,
    breakdown_rows,
    count_row,
    links_for,
    scoped,
)
from ..period import Period
from . import Section

GENERATIONS = (
    ("children", "子ども"),
    ("youth", "若者"),
    ("working_age", "現役世代"),
    ("elderly", "高齢者"),
)


def _activities(scope: Scope):
    qs = Activity.objects.all()
    if scope.agency_id is not None:
        organised = ActivityOrganiser.objects.filter(agency_id=scope.agency_id)
        qs = qs.filter(pk__in=organised.values("activity_id"))
    if scope.area_ids is not None:
        qs = qs.filter(area_id__in=scope.area_ids)
    return qs


def _held(period: Period, scope: Scope, kinds) -> list[Row]:
    """The activities and their participants, from one grouped read: by the 年度 and month
    kept on each activity (a 年度 is read from the index alone), or within a range of dates."""
    qs = _activities(scope)
    date_field = "starts_at"
    if period.fiscal_year is not None:
        qs, date_field = qs.filter(fiscal_year=period.fiscal_year), None
    measures = {"held": Count("pk"), "participants": Sum("participants")}
    measures |= {field: Sum(field) for field, _ in GENERATIONS}
    measures["new_connections"] = Sum("new_connections")
    table = Crosstab(
        qs,
        date_field,
        period,
        {"kind": "kind_id"},
        measures=measures,
        month_columns=("fiscal_year", "month"),
    )
    return [
        table.row("地域づくり活動", measure="held", kind="plain"),
        *table.rows("kind", labels=kinds, indent=1, kind="plain", keep_empty=False),
        table.row("参加者数（延べ）", measure="participants", kind="plain"),
        *(table.row(label, measure=field, kind="plain", indent=1) for field, label in GENERATIONS),
        table.row("新たなつながり（人）", measure="new_connections", kind="plain"),
    ]


def _targets(period: Period, scope: Scope) -> list[Row]:
    """The yearly targets' board (city-wide, or for the 圏域 chosen): each indicator's actual
    month by month, then its target."""
    area = Area.objects.filter(pk=scope.area_id).first() if scope.area_id else None
    rows = []
    links, _ = links_for(period, None)
    for line in target_board.board(period.fiscal_year, area):
        rows.append(
            Row(
                str(line.indicator.name),
                [v if v is not None else None for v in line.by_month],
                line.actual,
                kind="plain",
                links=links,
            )
        )
        rows.append(
            Row(
                "目標",
                [None] * len(period.months),
                line.value,
                kind="target",
                indent=1,
                links=links,
            )
        )
    return rows


def build(period: Period, scope: Scope) -> list[Table]:
    kinds = ActivityKind.objects.order_by("sort_order", "name").values_list("pk", "name")
    held = _held(period, scope, list(kinds))
    watches = scoped(Watch.objects.all(), scope, agency=("agency_id",), area="area_id")
    checks = scoped(
        SafetyCheck.objects.all(), scope, agency=("watch__agency_id",), area="watch__area_id"
    )
    notices = scoped(CommunityReport.objects.all(), scope, agency=("agency_id",), area="area_id")
    escalations = scoped(
        Escalation.objects.all(), scope, agency=("watch__agency_id",), area="watch__area_id"
    )
    watching = [
        count_row("見守りの開始", watches, "starts_on", period),
        count_row("見守りの終了", watches, "ended_on", period),
        count_row("安否確認", checks, "checked_on", period),
        *breakdown_rows(
            checks, "checked_on", "outcome", period, labels=CheckOutcome.choices, indent=1
        ),
        count_row("見守りから相談・支援へのつなぎ", escalations, "at", period),
        count_row("気づき・通報の受付", notices, "received_at", period),
        *breakdown_rows(
            notices, "received_at", "origin", period, labels=ReportOrigin.choices, indent=1
        ),
    ]
    tables = [
        Table(
            "community_activities",
            "地域づくり活動と参加者",
            "活動を開始日時の月で数え、参加者数・世代別の人数・新たなつながりは記録した人数を"
            "足し上げます（延べ人数。個人は記録しません）。機関で絞ったときは、その機関が"
            "主催者に入っている活動です。",
            held,
        )
    ]
    if period.fiscal_year is not None and scope.agency_id is None:
        tables.append(
            Table(
                "community_targets",
                "成果目標と実績",
                "年度の成果目標の指標ごとに、実績を月ごとに、目標を合計の欄に示します（指標の定義"
                "は地域づくりの「成果目標」の画面）。圏域を選んだときはその圏域の目標です。",
                _targets(period, scope),
            )
        )
    tables.append(
        Table(
            "community_watches",
            "見守り・安否確認・気づき",
            "見守りは開始日・終了日、安否確認は確認日、つなぎは記録日時、気づき・通報は受付日時の"
            "月で数えます。機関で絞ったときは、その機関の見守り・受け付けた気づきです。",
            watching,
        )
    )
    return tables


SECTION = Section("community", "地域づくり・見守り", "地域づくり・見守り", build)
