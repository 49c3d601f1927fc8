"""Property: whatever the order of service calls, the rules of domain.md §5.2, §5.3 and §5.6
hold — no confirmed plan without its meeting decision and its 支援決定 or report, no closed
case without a decision naming the lead agency, no case without consent waiting on a
重層的支援会議 agenda."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.cases import services as case_services
from tsunagu.cases import workflow
from tsunagu.cases.models import (
    Case,
    CaseStatus,
    PlanReport,
    PlanStatus,
    SupportDecision,
    SupportPlan,
)
from tsunagu.cases.services import plan as plan_services
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import (
    DECISION_KINDS,
    AgendaItem,
    AgendaPurpose,
    DecisionOutcome,
    Meeting,
    MeetingKind,
)

from .flow import hold, meeting

C = CaseStatus
# Weighted towards the steps that move a case forward, so that random runs reach agreed,
# confirmed, closed and suspended cases often; refusals are exercised on the way.
ACTIONS = (
    *("consent", "withdraw_consent", "plan", "meeting", "withdraw_item"),
    *("move",) * 2,
    *("item",) * 2,
    *("agenda",) * 3,
    *("decide",) * 3,
    *("support_decision",) * 2,
    *("report",) * 2,
)
STATUTORY = ("", "participation", "outreach")
KINDS = (MeetingKind.CONFERENCE, MeetingKind.CONFIDENTIAL, MeetingKind.CASE)


class Rollback(Exception):
    """Ends one example: everything it wrote is undone."""


class World:
    def __init__(self, personas, case, agencies):
        self.p = personas
        self.coordinator = personas["coordinator"].user
        self.officer = personas["officer"].user
        self.case_pk = case.pk
        self.agencies = agencies

    @property
    def case(self) -> Case:
        return Case.objects.get(pk=self.case_pk)

    def _pick(self, qs, n):
        items = list(qs)
        return items[n % len(items)] if items else None

    @staticmethod
    def _purpose(case: Case, n: int) -> str:
        """Mostly the purpose that fits the case's status; sometimes any purpose."""
        fitting = {
            C.PLANNING: (AgendaPurpose.PLAN_ADOPTION,) * 3 + (AgendaPurpose.SUSPENSION,),
            C.REPLANNING: (AgendaPurpose.REPLAN,) * 3 + (AgendaPurpose.SUSPENSION,),
            C.ACTIVE: (AgendaPurpose.CLOSURE, AgendaPurpose.SUSPENSION)[n % 2],
            C.MONITORING: (AgendaPurpose.CLOSURE, AgendaPurpose.SUSPENSION)[n % 2],
        }.get(case.status)
        if isinstance(fitting, tuple):
            fitting = fitting[n % len(fitting)]
        if fitting is not None and n % 5 != 4:
            return fitting
        return AgendaPurpose.values[n % len(AgendaPurpose.values)]

    def _meeting_for(self, case: Case, n: int):
        """Mostly a held meeting the case may go on (by its consent); sometimes any meeting."""
        meetings = Meeting.objects.order_by("pk")
        kinds = [MeetingKind.CONFIDENTIAL]
        if meeting_services.conference_consent_ok(case):
            kinds += [MeetingKind.CONFERENCE, MeetingKind.CASE]
        fitting = meetings.filter(kind__in=kinds, starts_at__lte=timezone.now())
        return self._pick(fitting if n % 5 != 4 and fitting.exists() else meetings, n)

    def run(self, action: str, n: int) -> None:
        case = self.case
        today = timezone.localdate()
        if action == "consent":
            case_services.consent_record(
                by=self.coordinator,
                case=case,
                given_by="本人",
                given_on=today,
                method="signature",
                scope_agencies=[self.agencies["council"]],
                share_in_conference=n % 2 == 0,
            )
        elif action == "withdraw_consent":
            case_services.consent_withdraw(
                by=self.coordinator, case=case, given_by="本人", given_on=today
            )
        elif action == "move":
            # mostly a move the coordinator may make from here; sometimes any move at all
            direct = sorted(t for f, t in workflow.DIRECT_TRANSITIONS if f == case.status)
            target = (
                direct[n % len(direct)] if direct and n % 4 != 3 else C.values[n % len(C.values)]
            )
            case_services.case_transition(
                by=self.coordinator, case=case, to=target, note="理由", without_consent=n % 3 == 0
            )
        elif action == "plan":
            plan_services.plan_create(by=self.coordinator, case=case, goals="目標", policy="方針")
        elif action == "item":
            plan = case.plans.filter(status=PlanStatus.DRAFT).first()
            if plan is not None:
                plan_services.plan_item_add(
                    by=self.coordinator,
                    plan=plan,
                    issue="課題",
                    action="支援",
                    agency=self.agencies["houkatsu"],
                    statutory_service=STATUTORY[n % 3],
                )
        elif action == "meeting":
            # mostly the kind the case's consent allows; sometimes another kind
            kind = KINDS[n % 3]
            if n % 5 != 4:
                ok = meeting_services.conference_consent_ok(case)
                kind = MeetingKind.CONFERENCE if ok else MeetingKind.CONFIDENTIAL
            created = meeting(self.p, kind, hours_ago=-24 if n % 4 == 3 else 1)
            if n % 4 != 3 and n % 5 != 4:  # held, unless in the future or the officer is missing
                hold(self.p, created)
        elif action == "agenda":
            target = self._meeting_for(case, n)
            if target is not None:
                meeting_services.agenda_add(
                    by=self.coordinator, meeting=target, purpose=self._purpose(case, n), case=case
                )
        elif action == "withdraw_item":
            item = self._pick(AgendaItem.objects.filter(outcome="", is_withdrawn=False), n)
            if item is not None:
                meeting_services.agenda_withdraw(by=self.coordinator, item=item, reason="都合")
        elif action == "decide":
            item = self._pick(AgendaItem.objects.filter(outcome="", is_withdrawn=False), n)
            if item is not None:
                meeting_services.decision_record(
                    by=self.coordinator,
                    item=item,
                    outcome=DecisionOutcome.values[(n // 4) % len(DecisionOutcome.values)]
                    if n % 4 == 3
                    else DecisionOutcome.AGREED,
                    decision_text="内容" if n % 3 else "",
                    lead_agency=None if n % 3 == 2 else self.agencies["houkatsu"],
                    contact_attempts="" if n % 3 == 2 else "訪問・手紙・電話",
                )
        elif action == "support_decision":
            plan = case.plans.filter(status=PlanStatus.AGREED).first()
            if plan is not None:
                plan_services.support_decision_make(by=self.officer, plan=plan, decided_on=today)
        elif action == "report":
            plan = case.plans.filter(status=PlanStatus.AGREED).first()
            if plan is not None:
                plan_services.plan_report_record(
                    by=self.coordinator, plan=plan, reported_on=today, reported_to="推進室"
                )

    def check(self) -> None:
        case = self.case
        for plan in SupportPlan.objects.filter(case=case, confirmed_on__isnull=False):
            item = plan.agreed_at_item
            assert item is not None, "a confirmed plan without a meeting decision"
            assert item.plan_id == plan.pk and item.outcome == DecisionOutcome.AGREED
            assert item.purpose in (AgendaPurpose.PLAN_ADOPTION, AgendaPurpose.REPLAN)
            assert item.meeting.kind in DECISION_KINDS
            if plan.has_statutory_items:
                assert SupportDecision.objects.filter(plan=plan).exists(), "no 支援決定"
            else:
                assert PlanReport.objects.filter(plan=plan).exists(), "not reported"
        if case.status == C.CLOSED:
            assert case.lead_agency_after_closure_id is not None
            assert AgendaItem.objects.filter(
                case=case,
                purpose=AgendaPurpose.CLOSURE,
                outcome=DecisionOutcome.AGREED,
                lead_agency_id=case.lead_agency_after_closure_id,
            ).exists(), "closed without a decision naming the lead agency"
        if case.status == C.SUSPENDED:
            assert (
                AgendaItem.objects.filter(
                    case=case, purpose=AgendaPurpose.SUSPENSION, outcome=DecisionOutcome.AGREED
                )
                .exclude(contact_attempts="")
                .exists()
            ), "suspended without a decision recording the contact attempts"
        pending_conference = AgendaItem.objects.filter(
            case=case, outcome="", is_withdrawn=False
        ).exclude(meeting__kind=MeetingKind.CONFIDENTIAL)
        if pending_conference.exists():
            consent = case.current_consent()
            assert consent is not None and consent.share_in_conference, (
                "a case without consent on a conference agenda"
            )
        in_conference = SupportPlan.objects.filter(case=case, status=PlanStatus.IN_CONFERENCE)
        for plan in in_conference:
            assert plan.agenda_items.filter(outcome="", is_withdrawn=False).count() == 1


def prepare(world: World, consent: int, statutory: tuple[str, ...], kind: int) -> None:
    """A start deep in the flow: the consent chosen, a draft plan with items, a held meeting."""
    if consent:
        world.run("consent", consent - 1)  # 1: sharing at conferences allowed, 2: not
    case = world.case
    case_services.case_transition(
        by=world.coordinator, case=case, to=C.ASSESSMENT, note="理由", without_consent=True
    )
    case_services.case_transition(by=world.coordinator, case=world.case, to=C.PLANNING)
    world.run("plan", 0)
    for code in statutory:
        world.run("item", STATUTORY.index(code))
    world.run("meeting", kind)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    consent=st.integers(min_value=0, max_value=2),
    statutory=st.lists(st.sampled_from(STATUTORY), min_size=0, max_size=3),
    kind=st.integers(min_value=0, max_value=11),
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=11)),
        min_size=5,
        max_size=40,
    ),
)
def test_random_service_sequences_keep_the_rules(
    personas, case, agencies, consent, statutory, kind, steps
):
    world = World(personas, case, agencies)
    try:
        with transaction.atomic():
            if consent or statutory or kind % 2:  # otherwise start at インテーク
                prepare(world, consent, tuple(statutory), kind)
                world.check()
            for action, n in steps:
                try:
                    with transaction.atomic():
                        world.run(action, n)
                except (ValidationError, PermissionDenied):
                    pass  # refused, and nothing half-written (the savepoint is undone)
                world.check()
            raise Rollback
    except Rollback:
        pass


def test_the_generator_reaches_every_outcome(personas, case, agencies):
    """The scripted path the random one must be able to find: it ends closed, as allowed."""
    world = World(personas, case, agencies)
    script = [
        ("consent", 0),
        ("move", 1),  # → assessment
        ("move", 2),  # → planning
        ("plan", 0),
        ("item", 1),  # 参加支援
        ("meeting", 0),  # a conference held with quorum
        ("agenda", 0),  # plan adoption at it
        ("decide", 1),  # agreed
        ("support_decision", 0),
        ("agenda", 2),  # closure
        ("decide", 1),  # agreed, lead agency named
    ]
    for action, n in script:
        world.run(action, n)
        world.check()
    assert world.case.status == C.CLOSED
