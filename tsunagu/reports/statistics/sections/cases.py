"""多機関協働: referrals received, cases opened and their course, the time to a first plan."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Agency
from tsunagu.cases.models import Case, CaseStatus, CaseStatusEvent, SupportDecision, SupportPlan
from tsunagu.consultations.models import Referral, ReferralKind

from ..engine import Crosstab, Row, Scope, Table, count_row, days_rows, month_of, scoped
from ..period import Period
from . import Section
from .consultations import referral_tables

ENDED = (CaseStatus.CLOSED, CaseStatus.SUSPENDED)


def _case_list(status: str = ""):
    def linker(start, end):
        query = {"status": status} if status else {}
        url = reverse("cases:case_list")
        return f"{url}?{urlencode(query)}" if query else url

    return linker


def cases_in(scope: Scope, model=Case, path: str = ""):
    return scoped(
        model.objects.all(),
        scope,
        agency=(f"{path}coordinating_agency_id",),
        area=f"{path}coordinating_agency__area_id",
    )


def status_at_month_ends(period: Period, scope: Scope) -> list[Row]:
    """How many cases were in each status at the end of each month (today for this month,
    nothing for months to come): the counts of the statuses now (one grouped read), then the
    changes since the period began undone newest first, the counts taken at each month's end on
    the way back. Only the changed cases are held, by their newest change."""
    start, _ = period.bounds()
    today = timezone.localdate()
    counts = Counter(dict(cases_in(scope).order_by().values_list("status").annotate(n=Count("pk"))))
    changes = cases_in(scope, CaseStatusEvent, "case__").filter(at__gte=start)
    changes = (
        changes.annotate(_m=month_of(changes, "at"))
        .order_by("-at", "-id")
        .values_list("case_id", "_m", "from_status", "to_status")
        .iterator(chunk_size=5000)
    )
    status: dict[int, str] = {}
    months = [f"{m:%Y-%m}" for m in period.months]
    columns: list[dict[str, int] | None] = [None] * len(period.months)
    pending = next(changes, None)
    for position in reversed(range(len(period.months))):
        if period.months[position] > today:
            continue
        while pending is not None and pending[1] > months[position]:
            case, _, before, after = pending
            now = status.get(case, after)  # the newest change leads to the status now
            counts[now] -= 1
            if before:
                counts[before] += 1
            status[case] = before  # "" : the case had not begun
            pending = next(changes, None)
        columns[position] = {k: v for k, v in counts.items() if k}
    rows = []
    for value, label in CaseStatus.choices:
        rows.append(
            Row(
                label,
                [None if c is None else c.get(value, 0) for c in columns],
                None,
                links=[_case_list(value)(None, None)] * len(period.months),
            )
        )
    return rows


def build(period: Period, scope: Scope) -> list[Table]:
    received = scoped(
        Referral.objects.filter(kind=ReferralKind.MULTI_AGENCY),
        scope,
        agency=("to_agency_id", "from_agency_id"),
        area="from_agency__area_id",
    )
    came = Crosstab(
        received,
        "sent_at",
        period,
        {
            "from": "from_agency_id",
            "household": "criterion_household",
            "gap": "criterion_gap",
            "new_resource": "criterion_new_resource",
            "urgent": "is_urgent",
        },
    )
    intake = [
        came.row("多機関協働へのつなぎ（受付）"),
        came.row("① 世帯の複合的な課題", where=lambda v: v["household"], indent=1),
        came.row("② どこにもつながらない狭間のケース", where=lambda v: v["gap"], indent=1),
        came.row("③ 新たな資源開発や仕組みが必要", where=lambda v: v["new_resource"], indent=1),
        came.row("緊急性あり", where=lambda v: v["urgent"], indent=1),
    ]
    agencies = dict(Agency.objects.values_list("pk", "name"))
    routes = came.rows("from", labels=agencies, keep_empty=False)
    cases = cases_in(scope)
    events = cases_in(scope, CaseStatusEvent, "case__")
    plans = cases_in(scope, SupportPlan, "case__")
    decisions = cases_in(scope, SupportDecision, "plan__case__")
    confirmed = Crosstab(
        plans.filter(confirmed_on__isnull=False), "confirmed_on", period, {"kind": "kind"}
    )
    moves = Crosstab(
        events.filter(Q(to_status__in=ENDED) | Q(from_status__in=ENDED)),
        "at",
        period,
        {"from": "from_status", "to": "to_status"},
    )
    flow = [
        count_row("事例の開始（受付）", cases, "opened_on", period, link=_case_list()),
        confirmed.row("プランの確定（初回）", where=lambda v: v["kind"] == "initial"),
        confirmed.row("プランの確定（再プラン）", where=lambda v: v["kind"] == "replan"),
        count_row("支援決定", decisions, "decided_on", period),
        moves.row(
            "終結",
            where=lambda v: v["to"] == CaseStatus.CLOSED,
            link=_case_list(CaseStatus.CLOSED),
        ),
        moves.row(
            "中断",
            where=lambda v: v["to"] == CaseStatus.SUSPENDED,
            link=_case_list(CaseStatus.SUSPENDED),
        ),
        moves.row(
            "再開（終結・中断から）",
            where=lambda v: v["from"] in ENDED and v["to"] not in ENDED,
        ),
    ]
    first_plans = (
        plans.filter(confirmed_on__isnull=False)
        .values("case_id", "case__opened_on")
        .annotate(first=Min("confirmed_on"))
        .filter(first__gte=period.start, first__lte=period.end)
        .order_by()
    )
    pairs = ((row["first"], (row["first"] - row["case__opened_on"]).days) for row in first_plans)
    flow += days_rows(pairs, period, what="受付から初回プラン確定まで")
    tables = [
        Table(
            "cases_intake",
            "多機関協働へのつなぎ（受付）",
            "多機関協働へのつなぎを送付日時の月で数え、該当する基準（複数可）と緊急性ごとにも"
            "数えます。機関で絞ったときは、その機関が送った、または受けたつなぎです。",
            intake,
        ),
        Table(
            "cases_routes",
            "多機関協働へのつなぎ元の機関",
            "多機関協働へのつなぎを送付日時の月で、つなぎ元の機関ごとに数えます（どの窓口から"
            "多機関協働につながったか）。",
            routes,
        ),
        Table(
            "cases_flow",
            "事例の開始・プラン・支援決定・終結",
            "事例の開始は受付日、プランの確定は確定日、支援決定は支援決定日、終結・中断・再開は"
            "状態を変えた日時の月で数えます（一つの事例が年度内に終結と再開を繰り返せば、その回数"
            "だけ数えます）。初回プランまでの日数は、事例の受付日から最初に確定したプランの確定日"
            "までの暦日で、確定の月で数えます。機関で絞ったときは、その機関がコーディネートする"
            "事例です。",
            flow,
        ),
    ]
    tables.append(
        Table(
            "cases_status",
            "月末の事例の状況",
            "各月の末日（今月は今日）の時点で、それぞれの状況にあった事例の数です。事例の状況の"
            "変更の記録から求めます（合計の欄はありません。これからの月は空欄）。機関で絞った"
            "ときは、その機関がコーディネートする事例です。",
            status_at_month_ends(period, scope),
        )
    )
    returned = referral_tables(period, scope, ReferralKind.MULTI_AGENCY)[0]
    returned.key = "cases_referrals"
    returned.title = "多機関協働へのつなぎの流れ"
    tables.append(returned)
    return tables


SECTION = Section("cases", "多機関協働", "多機関協働", build)
