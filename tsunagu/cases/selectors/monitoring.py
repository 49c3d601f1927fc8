"""モニタリング・評価: which dates are due, and what the case page and the dashboard show
(domain.md §4, §5.6)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.audit.services import audit_read
from tsunagu.cases.models import (
    Case,
    MonitoringRecord,
    PlanStatus,
    SupportPlan,
)
from tsunagu.cases.models import CaseStatus as C
from tsunagu.cases.models import MonitoringKind as K
from tsunagu.cases.models import MonitoringOutcome as O
from tsunagu.cases.workflow import MONITORED
from tsunagu.common.fiscal import add_months

UPCOMING = "upcoming"


DUE = "due"


OVERDUE = "overdue"


STATE_LABELS = {UPCOMING: "予定", DUE: "予定が近い", OVERDUE: "期限超過"}


PANEL_ROWS = 10


def monitoring_months() -> int:
    return int(settings.TSUNAGU.get("MONITORING_MONTHS", 3))


def evaluation_months() -> int:
    return int(settings.TSUNAGU.get("EVALUATION_MONTHS", 6))


def notice_days() -> int:
    return int(settings.TSUNAGU.get("MONITORING_NOTICE_DAYS", 14))


def due_state(due_on: datetime.date, today: datetime.date) -> str:
    if due_on < today:
        return OVERDUE
    if (due_on - today).days <= notice_days():
        return DUE
    return UPCOMING


@dataclass
class Due:
    """A monitoring or evaluation of a case's current plan and when it falls due."""

    case: Case
    kind: str
    due_on: datetime.date
    state: str
    plan: SupportPlan
    today: datetime.date
    responsible: list = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return K(self.kind).label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def needs_attention(self) -> bool:
        return self.state in (DUE, OVERDUE)

    @property
    def days(self) -> int:
        """Days until the date (negative once it has passed)."""
        return (self.due_on - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days)

    @property
    def when_text(self) -> str:
        if self.days < 0:
            return f"{-self.days}日経過"
        if self.days == 0:
            return "本日"
        return f"あと{self.days}日"


KIND_ORDER = {K.MONITORING: 0, K.EVALUATION: 1}


def _sort_key(due: Due) -> tuple:
    return (0 if due.state == OVERDUE else 1, due.due_on, due.case.pk, KIND_ORDER[due.kind])


def _next_dates(
    case: Case, plan: SupportPlan | None, records: list[MonitoringRecord], today
) -> tuple[datetime.date | None, datetime.date | None]:
    """The next monitoring and evaluation of one case, given its current plan and that
    plan's records in order; None for what is not due (a case not being supported, an
    evaluation that asked for a new plan). A plan without its date of confirmation counts
    from ``today``; with ``today`` None (what is stored on the case), such a plan's dates
    are left out."""
    if plan is None or case.status not in MONITORED:
        return None, None
    confirmed = plan.confirmed_on or today

    def after(months: int) -> datetime.date | None:
        return add_months(confirmed, months) if confirmed else None

    if records:
        monitoring_on = records[-1].next_due_on
    else:
        monitoring_on = plan.next_monitoring_on or after(monitoring_months())
    evaluations = [r for r in records if r.kind == K.EVALUATION]
    if not evaluations:
        evaluation_on = plan.evaluation_on or after(evaluation_months())
    elif evaluations[-1].outcome == O.REPLAN:
        evaluation_on = None
    else:
        evaluation_on = add_months(evaluations[-1].done_on, evaluation_months())
    return monitoring_on, evaluation_on


def _dues_of(
    case: Case, plan: SupportPlan | None, records: list[MonitoringRecord], today
) -> list[Due]:
    """The due dates of one case, given its current plan and that plan's records in order."""
    monitoring_on, evaluation_on = _next_dates(case, plan, records, today)
    dues = [
        (kind, due_on)
        for kind, due_on in ((K.MONITORING, monitoring_on), (K.EVALUATION, evaluation_on))
        if due_on is not None
    ]
    found = [
        Due(
            case=case,
            kind=kind,
            due_on=due_on,
            state=due_state(due_on, today),
            plan=plan,
            today=today,
            responsible=[case.coordinator],
        )
        for kind, due_on in dues
    ]
    return sorted(found, key=_sort_key)


def _current_plans(case_ids: Iterable[int]) -> dict[int, SupportPlan]:
    plans: dict[int, SupportPlan] = {}
    qs = SupportPlan.objects.filter(case_id__in=list(case_ids), status=PlanStatus.CONFIRMED)
    for plan in qs.order_by("case_id", "-version"):
        plans.setdefault(plan.case_id, plan)
    return plans


def _records_by_plan(plan_ids: Iterable[int]) -> dict[int, list[MonitoringRecord]]:
    found: dict[int, list[MonitoringRecord]] = {}
    qs = MonitoringRecord.objects.filter(plan_id__in=list(plan_ids)).order_by(
        "done_on", "recorded_at", "id"
    )
    for record in qs:
        found.setdefault(record.plan_id, []).append(record)
    return found


def dues_for_cases(cases: Iterable[Case], *, today: datetime.date | None = None) -> list[Due]:
    """Every due date of the given cases, in three queries whatever their number."""
    today = today or timezone.localdate()
    cases = [c for c in cases if c.status in MONITORED]
    if not cases:
        return []
    plans = _current_plans(c.pk for c in cases)
    records = _records_by_plan(p.pk for p in plans.values())
    dues: list[Due] = []
    for case in cases:
        plan = plans.get(case.pk)
        dues.extend(_dues_of(case, plan, records.get(plan.pk, []) if plan else [], today))
    return sorted(dues, key=_sort_key)


def next_due_dates(cases: Iterable[Case]) -> dict[int, tuple]:
    """The next monitoring and evaluation date of each case as stored on it
    (``Case.monitoring_due_on`` / ``evaluation_due_on``), in three queries."""
    cases = list(cases)
    monitored = [c for c in cases if c.status in MONITORED]
    plans = _current_plans(c.pk for c in monitored)
    records = _records_by_plan(p.pk for p in plans.values())
    found = {c.pk: (None, None) for c in cases}
    for case in monitored:
        plan = plans.get(case.pk)
        found[case.pk] = _next_dates(case, plan, records.get(plan.pk, []) if plan else [], None)
    return found


def current_plan(case: Case) -> SupportPlan | None:
    """The latest confirmed version of the case's plan."""
    return (
        SupportPlan.objects.filter(case=case, status=PlanStatus.CONFIRMED)
        .order_by("-version")
        .first()
    )


def due_dates(case: Case, *, today: datetime.date | None = None) -> list[Due]:
    """The next monitoring and evaluation of the case (none unless it is being supported)."""
    return dues_for_cases([case], today=today)


def _managed_cases(user) -> QuerySet[Case]:
    """Cases whose monitoring the user is responsible for: the coordinating agency's
    coordinators for its cases, the municipal office for all."""
    me = acting(user)
    qs = access.cases_visible_to(user).filter(status__in=MONITORED)
    if not me.coordinates:
        return qs.none()
    if not me.is_office:
        qs = qs.filter(coordinating_agency_id=me.agency_id)
    return qs.select_related("person", "household", "coordinator", "coordinating_agency")


def due_for_user(
    user, *, today: datetime.date | None = None, include_upcoming: bool = False
) -> list[Due]:
    """The due and overdue items (overdue first) of the cases the user manages."""
    dues = dues_for_cases(_managed_cases(user), today=today)
    return dues if include_upcoming else [d for d in dues if d.needs_attention]


def dues_needing_reminders(*, today: datetime.date) -> list[Due]:
    """Every due or overdue item in the program (for the reminder command)."""
    cases = Case.objects.filter(status__in=MONITORED).select_related("coordinator")
    return [d for d in dues_for_cases(cases, today=today) if d.needs_attention]


def case_panel(user, case) -> dict:
    """Context for the case page's monitoring section."""
    if case.status not in (*MONITORED, C.REPLANNING, C.CLOSED, C.SUSPENDED):
        return {}
    records = list(
        case.monitorings.select_related("recorded_by").order_by("-done_on", "-recorded_at", "-id")
    )
    dues = due_dates(case)
    if not dues and not records:
        return {}
    may_manage = user.has_perm("cases.manage_case", case)
    return {
        "monitoring_panel": {
            "dues": dues,
            "last": records[0] if records else None,
            "count": len(records),
            "may_record": may_manage and case.status in MONITORED,
            "may_start": may_manage
            and case.status == C.ACTIVE
            and any(d.needs_attention for d in dues),
        }
    }


STORED_DATES = ("monitoring_due_on", "evaluation_due_on")


def _with_stored_dates(user) -> QuerySet[Case]:
    """The cases whose stored dates the user's panel counts: the coordinating agency's,
    or every case for the office. (A date is stored only on a case being supported, and
    the coordinating agency always sees its cases: the rows shown are read through
    :func:`_managed_cases` all the same.)"""
    me = acting(user)
    cases = Case.objects.all()
    return cases if me.is_office else cases.filter(coordinating_agency_id=me.agency_id)


def dashboard_panel(user, *, request, today: datetime.date | None = None) -> dict:
    """Context for the dashboard's monitoring panel (coordinators and the office only); the
    persons named are an audited read.

    What falls due is found from the dates stored on the cases (``Case.monitoring_due_on``
    / ``evaluation_due_on``), each read from its own index: per date, one query counts what
    falls due and what is overdue, and one takes the first ``PANEL_ROWS`` cases in date
    order. The first due items of the panel are among those cases (the first monitorings
    come from the cases with the earliest monitoring dates, the first evaluations from
    those with the earliest evaluation dates); their due dates are then computed as the
    case page computes them."""
    if not acting(user).coordinates:
        return {}
    from tsunagu.cases.selectors.case import subject_person_ids

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=notice_days())
    count = overdue = 0
    candidates: set[int] = set()
    for name in STORED_DATES:
        due = _with_stored_dates(user).filter(**{f"{name}__lte": horizon})
        counted = due.aggregate(
            due=Count("pk"), overdue=Count("pk", filter=Q(**{f"{name}__lt": today}))
        )
        count, overdue = count + counted["due"], overdue + counted["overdue"]
        if counted["due"]:
            candidates.update(due.order_by(name, "pk").values_list("pk", flat=True)[:PANEL_ROWS])
    cases = _managed_cases(user).filter(pk__in=candidates) if candidates else []
    dues = [d for d in dues_for_cases(cases, today=today) if d.needs_attention]
    rows = dues[:PANEL_ROWS]
    persons = subject_person_ids({d.case.pk: d.case for d in rows}.values())
    if persons:
        audit_read(
            request,
            "dashboard.view",
            persons=persons,
            context={"panel": "monitoring", "cases": sorted({d.case.pk for d in rows})},
            purpose="ダッシュボードの確認",
        )
    return {
        "monitoring_dashboard": {
            "rows": rows,
            "count": count,
            "overdue": overdue,
        }
    }
