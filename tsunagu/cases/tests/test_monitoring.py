"""Monitoring and evaluation: month arithmetic, due dates and their states, the recording
and start services (rules, status moves, audit), the reminder command (idempotent, dry run,
overdue stage, no names in mail), the screens and the API for every persona, and the
coordinator's dashboard."""

import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import (
    Case,
    CaseStatus,
    CaseStatusEvent,
    MonitoringRecord,
    MonitoringReminder,
    PlanStatus,
    SupportPlan,
)
from tsunagu.cases.selectors import monitoring as monitoring_selectors
from tsunagu.cases.selectors.monitoring import add_months
from tsunagu.cases.services import monitoring as monitoring_services
from tsunagu.cases.services.case import move_case
from tsunagu.cases.services.due_dates import refresh_due_dates
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.cases.workflow import CaseTransitionError
from tsunagu.meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db

C = CaseStatus
D = datetime.date
API = "/api/v1"
CONFIRMED = D(2026, 4, 1)  # monitoring due 2026-07-01, evaluation 2026-10-01
# as for cases: "act" records, "see" reads only, else the status answered
ACCESS = {
    "officer": "act",
    "coordinator": "act",
    "desk": "see",
    "participation": "see",
    "outreach": 404,
    "community": 404,
    "unrelated": 404,
    "guest": 403,
    "admin": 403,
}


def today() -> D:
    return timezone.localdate()


def set_status(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)  # arrange the state
    refresh_due_dates([case.pk])  # as every write that bypasses save()
    case.refresh_from_db()
    return case


def confirm_plan(case: Case, by, confirmed_on: D, *, version: int = 1, **fields) -> SupportPlan:
    """A plan confirmed at a conference, written directly (the confirmation is elsewhere)."""
    meeting = Meeting.objects.create(
        kind="conference",
        title="重層的支援会議",
        schedule="regular",
        format="in_person",
        starts_at=timezone.now(),
        convening_agency=case.coordinating_agency,
        created_by=by,
    )
    item = AgendaItem.objects.create(
        meeting=meeting,
        case=case,
        purpose="plan_adoption",
        outcome="agreed",
        decided_at=timezone.now(),
        decided_by=by,
    )
    defaults = {
        "next_monitoring_on": add_months(confirmed_on, 3),
        "evaluation_on": add_months(confirmed_on, 6),
    }
    defaults.update(fields)
    return SupportPlan.objects.create(
        case=case,
        version=version,
        kind="initial" if version == 1 else "replan",
        status=PlanStatus.CONFIRMED,
        goals="安心して暮らしたい",
        policy="世帯全体を支える",
        agreed_at_item=item,
        agreed_on=confirmed_on,
        confirmed_on=confirmed_on,
        created_by=by,
        **defaults,
    )


def add_record(case, plan, by, done_on, *, kind="monitoring", outcome="continue", next_due_on=None):
    return MonitoringRecord.objects.create(
        case=case,
        plan=plan,
        kind=kind,
        done_on=done_on,
        findings="訪問して確認した。",
        outcome=outcome,
        next_due_on=next_due_on,
        recorded_by=by,
    )


@pytest.fixture
def coordinator(personas):
    return personas["coordinator"].user


@pytest.fixture
def shared_case(personas, consented_case, agencies):
    """The consented case, the consent naming the referring 地域包括 too (it sees the content)."""
    give_consent(personas, consented_case, agencies["council"], agencies["houkatsu"])
    return consented_case


@pytest.fixture
def active_case(shared_case, coordinator):
    """A case being supported under a plan confirmed on 2026-04-01."""
    consented_case = shared_case
    set_status(consented_case, C.ACTIVE)
    confirm_plan(consented_case, coordinator, CONFIRMED)
    return consented_case


@pytest.fixture
def recent_case(shared_case, coordinator):
    """A case whose plan was confirmed three months ago: the monitoring is due today."""
    consented_case = shared_case
    set_status(consented_case, C.ACTIVE)
    confirm_plan(consented_case, coordinator, add_months(today(), -3))
    return consented_case


def dues_by_kind(case, on):
    return {d.kind: d for d in monitoring_selectors.due_dates(case, today=on)}


# --------------------------------------------------------------------------- add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # across the year end
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 1, 31), 12, D(2027, 1, 31)),
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
        (D(2026, 4, 30), 3, D(2026, 7, 30)),
    ],
)
def test_add_months_clamps_the_day(start, months, expected):
    assert add_months(start, months) == expected


# ---------------------------------------------------------------------------- due dates


def test_a_confirmed_plan_gives_monitoring_at_three_and_evaluation_at_six_months(active_case):
    dues = dues_by_kind(active_case, D(2026, 5, 1))
    assert dues["monitoring"].due_on == D(2026, 7, 1)
    assert dues["evaluation"].due_on == D(2026, 10, 1)
    assert dues["monitoring"].responsible == [active_case.coordinator]


@pytest.mark.parametrize(
    ("on", "state"),
    [
        (D(2026, 6, 16), "upcoming"),  # 15 days before
        (D(2026, 6, 17), "due"),  # 14 days before: the notice window opens
        (D(2026, 7, 1), "due"),  # the day itself
        (D(2026, 7, 2), "overdue"),
    ],
)
def test_due_state_follows_the_notice_window(active_case, on, state):
    assert dues_by_kind(active_case, on)["monitoring"].state == state


def test_the_notice_window_is_configurable(active_case, settings):
    settings.TSUNAGU = {**settings.TSUNAGU, "MONITORING_NOTICE_DAYS": 30}
    assert dues_by_kind(active_case, D(2026, 6, 1))["monitoring"].state == "due"
    assert dues_by_kind(active_case, D(2026, 5, 31))["monitoring"].state == "upcoming"


def test_plan_dates_left_blank_follow_the_cadence(consented_case, coordinator, settings):
    settings.TSUNAGU = {**settings.TSUNAGU, "MONITORING_MONTHS": 2, "EVALUATION_MONTHS": 4}
    set_status(consented_case, C.ACTIVE)
    confirm_plan(
        consented_case, coordinator, D(2026, 1, 31), next_monitoring_on=None, evaluation_on=None
    )
    dues = dues_by_kind(consented_case, D(2026, 2, 1))
    assert dues["monitoring"].due_on == D(2026, 3, 31)
    assert dues["evaluation"].due_on == D(2026, 5, 31)


def test_a_monitoring_record_sets_the_next_date(active_case, coordinator):
    plan = active_case.plans.get()
    add_record(active_case, plan, coordinator, D(2026, 7, 3), next_due_on=D(2026, 10, 3))
    dues = dues_by_kind(active_case, D(2026, 7, 10))
    assert dues["monitoring"].due_on == D(2026, 10, 3)
    assert dues["monitoring"].state == "upcoming"
    assert dues["evaluation"].due_on == D(2026, 10, 1)  # unchanged by a monitoring


def test_an_evaluation_continues_the_cycle(active_case, coordinator):
    plan = active_case.plans.get()
    add_record(active_case, plan, coordinator, D(2026, 7, 1), next_due_on=D(2026, 10, 1))
    add_record(
        active_case, plan, coordinator, D(2026, 10, 5), kind="evaluation", next_due_on=D(2027, 1, 5)
    )
    dues = dues_by_kind(active_case, D(2026, 10, 6))
    assert dues["monitoring"].due_on == D(2027, 1, 5)  # the evaluation's next date
    assert dues["evaluation"].due_on == D(2027, 4, 5)  # six months after the evaluation


def test_records_of_a_superseded_plan_do_not_count(active_case, coordinator):
    old = active_case.plans.get()
    add_record(active_case, old, coordinator, D(2026, 7, 1), next_due_on=D(2026, 10, 1))
    SupportPlan.objects.filter(pk=old.pk).update(status=PlanStatus.SUPERSEDED)
    confirm_plan(active_case, coordinator, D(2026, 9, 1), version=2)
    dues = dues_by_kind(active_case, D(2026, 9, 2))
    assert dues["monitoring"].due_on == D(2026, 12, 1)
    assert dues["evaluation"].due_on == D(2027, 3, 1)
    assert dues["monitoring"].plan.version == 2


@pytest.mark.parametrize("status", [C.REPLANNING, C.CLOSED, C.SUSPENDED, C.IN_CONFERENCE])
def test_only_cases_being_supported_have_due_dates(active_case, status):
    set_status(active_case, status)
    assert monitoring_selectors.due_dates(active_case, today=D(2026, 7, 2)) == []


def test_overdue_first_then_by_date_monitoring_before_evaluation(active_case, coordinator):
    plan = active_case.plans.get()
    add_record(active_case, plan, coordinator, D(2026, 7, 1), next_due_on=D(2026, 10, 1))
    dues = monitoring_selectors.due_dates(active_case, today=D(2026, 9, 20))
    assert [(d.kind, d.due_on) for d in dues] == [
        ("monitoring", D(2026, 10, 1)),
        ("evaluation", D(2026, 10, 1)),
    ]
    SupportPlan.objects.filter(pk=plan.pk).update(evaluation_on=D(2026, 9, 1))
    dues = monitoring_selectors.due_dates(active_case, today=D(2026, 9, 20))
    assert [(d.kind, d.state) for d in dues] == [("evaluation", "overdue"), ("monitoring", "due")]


def test_a_case_in_monitoring_keeps_its_due_dates(active_case):
    set_status(active_case, C.MONITORING)
    assert dues_by_kind(active_case, D(2026, 7, 2))["monitoring"].state == "overdue"


def test_an_unconfirmed_plan_gives_no_due_dates(active_case):
    SupportPlan.objects.filter(case=active_case).update(status=PlanStatus.AGREED)
    assert monitoring_selectors.due_dates(active_case, today=D(2026, 7, 2)) == []


# --------------------------------------------------------------------------- due for user


def _second_case(personas, agencies, coordinator, *, coordinating_agency=None, confirmed=CONFIRMED):
    """Another case on the same referral's subjects (a fresh referral row)."""
    from tsunagu.cases.models import CaseTeamMember
    from tsunagu.consultations.models import Referral

    first = Case.objects.first()
    referral = Referral.objects.get(pk=first.referral_id)
    referral.pk = None
    referral.save()
    case = Case.objects.create(
        person=first.person,
        household=first.household,
        referral=referral,
        referring_agency=first.referring_agency,
        coordinating_agency=coordinating_agency or first.coordinating_agency,
        coordinator=coordinator,
        status=C.ACTIVE,
        opened_on=first.opened_on,
    )
    CaseTeamMember.objects.create(
        case=case, agency=case.coordinating_agency, joined_on=first.opened_on
    )
    confirm_plan(case, coordinator, confirmed)
    return case


def test_due_for_user_by_role(personas, agencies, active_case, coordinator):
    other = _second_case(
        personas,
        agencies,
        coordinator,
        coordinating_agency=agencies["csw"],
        confirmed=D(2026, 3, 1),
    )
    on = D(2026, 6, 20)  # active_case: due soon; other: overdue since 2026-06-01
    mine = monitoring_selectors.due_for_user(coordinator, today=on)
    assert [(d.case.pk, d.kind, d.state) for d in mine] == [(active_case.pk, "monitoring", "due")]
    office = monitoring_selectors.due_for_user(personas["officer"].user, today=on)
    assert [(d.case.pk, d.state) for d in office] == [
        (other.pk, "overdue"),
        (active_case.pk, "due"),
    ]
    for name in ("desk", "participation", "outreach", "unrelated", "guest", "admin"):
        assert monitoring_selectors.due_for_user(personas[name].user, today=on) == []


def test_due_for_user_leaves_upcoming_out_unless_asked(active_case, coordinator):
    on = D(2026, 5, 1)
    assert monitoring_selectors.due_for_user(coordinator, today=on) == []
    upcoming = monitoring_selectors.due_for_user(coordinator, today=on, include_upcoming=True)
    assert {d.kind for d in upcoming} == {"monitoring", "evaluation"}


def test_due_for_user_takes_a_fixed_number_of_queries(
    personas, agencies, active_case, coordinator, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        assert (
            len(monitoring_selectors.due_for_user(personas["officer"].user, today=D(2026, 7, 2)))
            == 1
        )
    for _ in range(5):
        _second_case(personas, agencies, coordinator)
    with django_assert_max_num_queries(4):
        assert (
            len(monitoring_selectors.due_for_user(personas["officer"].user, today=D(2026, 7, 2)))
            == 6
        )


# ------------------------------------------------------------------- recording (service)


def record(case, who, **overrides):
    arguments = {
        "kind": "monitoring",
        "done_on": today(),
        "findings": "訪問し、プランの実施状況を確認した。",
        "outcome": "continue",
    }
    arguments.update(overrides)
    return monitoring_services.monitoring_record(by=who, case=case, **arguments)


def test_record_continue_schedules_the_next_monitoring_and_is_audited(
    recent_case, coordinator, household_8050
):
    rec = record(recent_case, coordinator)
    assert rec.next_due_on == add_months(today(), 3)
    assert rec.plan == recent_case.plans.get()
    recent_case.refresh_from_db()
    assert recent_case.status == C.ACTIVE
    event = AuditEvent.objects.get(action="monitoring.record")
    assert event.target_id == str(rec.pk)
    assert event.context == {"case": recent_case.pk, "plan": rec.plan_id}
    assert sorted(event.person_ids) == sorted(
        [household_8050["mother"].pk, household_8050["son"].pk]
    )
    assert event.changes["outcome"] == {"before": None, "after": "continue"}


def test_record_continue_from_monitoring_returns_to_active(recent_case, coordinator):
    set_status(recent_case, C.MONITORING)
    record(recent_case, coordinator)
    recent_case.refresh_from_db()
    assert recent_case.status == C.ACTIVE
    assert AuditEvent.objects.filter(action="case.monitoring_done").count() == 1
    assert CaseStatusEvent.objects.filter(
        case=recent_case, from_status=C.MONITORING, to_status=C.ACTIVE
    ).exists()


@pytest.mark.parametrize("status", [C.ACTIVE, C.MONITORING])
def test_record_replan_moves_to_replanning(recent_case, coordinator, status):
    set_status(recent_case, status)
    rec = record(recent_case, coordinator, kind="evaluation", outcome="replan")
    assert rec.next_due_on is None
    recent_case.refresh_from_db()
    assert recent_case.status == C.REPLANNING
    event = AuditEvent.objects.get(action="case.replan_needed")
    assert event.changes["status"] == {"before": status, "after": C.REPLANNING}
    assert event.context["monitoring"] == rec.pk
    assert monitoring_selectors.due_dates(recent_case) == []


@pytest.mark.parametrize("status", [C.ACTIVE, C.MONITORING])
def test_record_propose_closure_keeps_the_status(recent_case, coordinator, status):
    set_status(recent_case, status)
    rec = record(recent_case, coordinator, outcome="propose_closure")
    recent_case.refresh_from_db()
    assert recent_case.status == status
    assert rec.next_due_on == add_months(today(), 3)  # watched until a conference decides
    assert not CaseStatusEvent.objects.filter(case=recent_case, to_status=C.CLOSED).exists()


def test_record_by_the_office(recent_case, personas):
    rec = record(recent_case, personas["officer"].user, next_due_on=today() + datetime.timedelta(1))
    assert rec.next_due_on == today() + datetime.timedelta(1)
    assert rec.recorded_by == personas["officer"].user


@pytest.mark.parametrize("name", ["desk", "participation", "outreach", "unrelated", "guest"])
def test_only_managers_record(recent_case, personas, name):
    with pytest.raises(PermissionDenied):
        record(recent_case, personas[name].user)
    assert not MonitoringRecord.objects.exists()


@pytest.mark.parametrize("status", [C.INTAKE, C.PLANNING, C.REPLANNING, C.CLOSED])
def test_record_refused_unless_the_case_is_supported(recent_case, coordinator, status):
    set_status(recent_case, status)
    with pytest.raises(CaseTransitionError) as exc:
        record(recent_case, coordinator)
    assert "支援中" in exc.value.messages[0]
    assert not MonitoringRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="monitoring.record").exists()


def test_record_refused_without_a_confirmed_plan(consented_case, coordinator):
    set_status(consented_case, C.ACTIVE)
    with pytest.raises(CaseTransitionError) as exc:
        record(consented_case, coordinator)
    assert "確定した支援プラン" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"done_on": None}, "done_on", "実施日を入力"),
        ({"done_on": "tomorrow"}, "done_on", "未来"),
        ({"done_on": "before"}, "done_on", "確定日"),
        ({"findings": "  "}, "findings", "確認した内容"),
        ({"kind": "visit"}, "kind", "種別"),
        ({"outcome": "close"}, "outcome", "結果"),
        ({"outcome": "replan", "next_due_on": "later"}, "next_due_on", "新しいプラン"),
        ({"next_due_on": "same"}, "next_due_on", "実施日より後"),
    ],
)
def test_record_validation(recent_case, coordinator, overrides, field, text):
    plan = recent_case.plans.get()
    dates = {
        "tomorrow": today() + datetime.timedelta(days=1),
        "before": plan.confirmed_on - datetime.timedelta(days=1),
        "later": today() + datetime.timedelta(days=30),
        "same": today(),
    }
    overrides = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    with pytest.raises(ValidationError) as exc:
        record(recent_case, coordinator, **overrides)
    assert any(text in m for m in exc.value.message_dict[field])
    assert not MonitoringRecord.objects.exists()
    recent_case.refresh_from_db()
    assert recent_case.status == C.ACTIVE


# --------------------------------------------------------------------- start (service)


def test_start_moves_an_active_case_with_a_due_item(recent_case, coordinator):
    moved = monitoring_services.monitoring_start(by=coordinator, case=recent_case)
    assert moved.status == C.MONITORING
    event = AuditEvent.objects.get(action="case.monitoring")
    assert event.context["kind"] == "monitoring"
    assert event.changes["status"] == {"before": C.ACTIVE, "after": C.MONITORING}


def test_start_refused_when_nothing_is_due(active_case, coordinator):
    with pytest.raises(CaseTransitionError) as exc:
        monitoring_services.monitoring_start(by=coordinator, case=active_case, today=D(2026, 5, 1))
    assert "14日以内" in exc.value.messages[0]
    active_case.refresh_from_db()
    assert active_case.status == C.ACTIVE
    assert monitoring_services.monitoring_start(
        by=coordinator, case=active_case, today=D(2026, 6, 20)
    ).status == (C.MONITORING)


def test_start_refused_unless_active(recent_case, coordinator):
    set_status(recent_case, C.MONITORING)
    with pytest.raises(CaseTransitionError):
        monitoring_services.monitoring_start(by=coordinator, case=recent_case)


@pytest.mark.parametrize("name", ["desk", "participation", "unrelated"])
def test_start_only_by_managers(recent_case, personas, name):
    with pytest.raises(PermissionDenied):
        monitoring_services.monitoring_start(by=personas[name].user, case=recent_case)


# ------------------------------------------------------------------------------ command


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("send_monitoring_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def mailable(coordinator):
    coordinator.email = "coordinator@example.jp"
    coordinator.save(update_fields=["email"])
    return coordinator


def test_command_sends_once_per_stage(active_case, mailable, household_8050):
    out, _ = run("--today", "2026-06-20")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coordinator@example.jp"]
    assert "モニタリング・評価の予定" in message.subject
    assert f"事例 #{active_case.pk}" in message.body
    assert "令和8年7月1日" in message.body
    assert f"/cases/{active_case.pk}/monitoring/" in message.body
    assert "詳細はシステムで確認してください" in message.body
    assert "送信 1通（1件）" in out
    reminder = MonitoringReminder.objects.get()
    assert (reminder.stage, reminder.kind, reminder.due_on) == ("due", "monitoring", D(2026, 7, 1))

    out, _ = run("--today", "2026-06-20")  # the same day again: nothing new
    out, _ = run("--today", "2026-06-25")  # still due: nothing new either
    assert len(mail.outbox) == 1
    assert "送信 0通" in out and "送信済みのため省略 1件" in out

    out, _ = run("--today", "2026-07-02")  # overdue now: one more reminder
    assert len(mail.outbox) == 2
    assert "予定日を過ぎています" in mail.outbox[1].body
    assert "1日経過" in mail.outbox[1].body
    run("--today", "2026-07-10")
    assert len(mail.outbox) == 2
    assert sorted(MonitoringReminder.objects.values_list("stage", flat=True)) == ["due", "overdue"]


def test_command_leaves_one_notification_per_item_and_stage(active_case, coordinator):
    from tsunagu.accounts.models import Notification

    out, _ = run("--today", "2026-06-20")  # no e-mail address: the app still tells
    assert mail.outbox == []
    (notice,) = Notification.objects.filter(recipient=coordinator)
    assert notice.kind == "monitoring_due"
    assert notice.message.startswith(f"事例 #{active_case.pk} のモニタリングの予定日 令和8年7月1日")
    assert notice.url == f"/cases/{active_case.pk}/monitoring/"
    assert notice.read_at is None
    assert "アプリ内のお知らせ 1件" in out
    run("--today", "2026-06-25")  # still due: no second notice
    assert Notification.objects.count() == 1
    run("--dry-run", "--today", "2026-07-02")  # a dry run leaves nothing
    assert Notification.objects.count() == 1
    out, _ = run("--today", "2026-07-02")  # overdue now: one more notice
    assert Notification.objects.count() == 2
    assert "アプリ内のお知らせ 1件" in out


def test_command_mail_names_no_person(active_case, mailable, household_8050):
    run("--today", "2026-09-20")  # monitoring overdue, evaluation due
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    text = message.subject + message.body
    for name in (
        household_8050["mother"].name,
        household_8050["son"].name,
        household_8050["household"].label,
        "山田",
        "ヤマダ",
    ):
        assert name not in text
    assert "モニタリング" in message.body and "評価" in message.body
    assert MonitoringReminder.objects.count() == 2


def test_command_dry_run_sends_and_records_nothing(active_case, mailable):
    out, _ = run("--dry-run", "--today", "2026-06-20")
    assert mail.outbox == []
    assert not MonitoringReminder.objects.exists()
    assert "試行" in out and "送信予定 1通（1件）" in out
    run("--today", "2026-06-20")
    assert len(mail.outbox) == 1


def test_command_skips_and_reports_coordinators_without_email(active_case, coordinator):
    out, err = run("--today", "2026-06-20")
    assert mail.outbox == []
    assert not MonitoringReminder.objects.exists()  # sent once an address is registered
    assert "メールアドレス未登録" in err and "coordinator" in err
    assert "通知先がない担当者 1人（coordinator）" in out


def test_command_ignores_items_not_due_and_cases_not_supported(active_case, mailable):
    run("--today", "2026-05-01")
    set_status(active_case, C.REPLANNING)
    run("--today", "2026-07-10")
    assert mail.outbox == []


def test_command_rejects_a_bad_date():
    with pytest.raises(CommandError):
        call_command("send_monitoring_reminders", "--today", "R8.6.1")


# ------------------------------------------------------------------------------ screens


def url(case, suffix=""):
    return f"/cases/{case.pk}/monitoring/{suffix}"


@pytest.mark.parametrize("name", list(ACCESS))
def test_list_screen_by_persona(login, personas, active_case, name):
    response = login(personas[name]).get(url(active_case))
    expected = ACCESS[name]
    if expected in ("act", "see"):
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="monitoring-dues"' in body
        assert ('data-testid="monitoring-create-link"' in body) == (expected == "act")
    else:
        assert response.status_code == expected


def test_list_screen_shows_records_and_is_audited(login, personas, recent_case, coordinator):
    record(recent_case, coordinator, findings="本人と面談し、通所が続いていることを確認。")
    response = login(personas["desk"]).get(url(recent_case))
    body = response.content.decode()
    assert "本人と面談し、通所が続いていることを確認。" in body
    assert body.count('data-testid="monitoring-row"') == 1
    event = AuditEvent.objects.filter(action="monitoring.view").latest("seq")
    assert event.actor == personas["desk"].user
    assert event.context == {"case": recent_case.pk, "page": "monitoring_list"}
    assert event.person_ids


def test_list_screen_shows_overdue_in_red(login, personas, consented_case, coordinator):
    set_status(consented_case, C.ACTIVE)
    confirm_plan(consented_case, coordinator, add_months(today(), -4))
    body = login(personas["coordinator"]).get(url(consented_case)).content.decode()
    assert 'data-testid="due-state-overdue"' in body
    assert "期限超過" in body
    assert 'data-testid="monitoring-start"' in body


@pytest.mark.parametrize("name", list(ACCESS))
def test_form_screen_by_persona(login, personas, active_case, name):
    response = login(personas[name]).get(url(active_case, "new/"))
    expected = ACCESS[name]
    assert response.status_code == {"act": 200, "see": 403}.get(expected, expected)


def test_form_records_and_redirects(login, personas, recent_case):
    client = login(personas["coordinator"])
    done = today()
    response = client.post(
        url(recent_case, "new/"),
        {
            "kind": "monitoring",
            "done_on": f"{done.year}-{done.month}-{done.day}",
            "findings": "通所が定着している。",
            "outcome": "propose_closure",
            "next_due_on": "",
        },
    )
    assert response.status_code == 302
    assert response.url == url(recent_case)
    rec = MonitoringRecord.objects.get()
    assert rec.outcome == "propose_closure"
    assert rec.recorded_by == personas["coordinator"].user
    page = client.get(response.url).content.decode()
    assert "会議の決定が必要" in page


def test_form_shows_errors_in_japanese(login, personas, recent_case):
    response = login(personas["coordinator"]).post(
        url(recent_case, "new/"),
        {"kind": "monitoring", "done_on": "令和99年1月1日", "findings": "", "outcome": "continue"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "確認した内容を入力してください。" in body
    assert 'data-testid="form-errors"' in body
    assert not MonitoringRecord.objects.exists()


def test_form_shows_the_service_refusal(login, personas, recent_case):
    set_status(recent_case, C.REPLANNING)
    client = login(personas["coordinator"])
    assert (
        'data-testid="monitoring-not-now"' in client.get(url(recent_case, "new/")).content.decode()
    )
    response = client.post(
        url(recent_case, "new/"),
        {
            "kind": "monitoring",
            "done_on": today().isoformat(),
            "findings": "x",
            "outcome": "continue",
        },
    )
    assert response.status_code == 200
    assert "（この事例は「再プラン」です）" in response.content.decode()  # the service's message
    assert not MonitoringRecord.objects.exists()


@pytest.mark.parametrize("name", list(ACCESS))
def test_start_screen_by_persona(login, personas, recent_case, name):
    response = login(personas[name]).post(url(recent_case, "start/"))
    expected = ACCESS[name]
    recent_case.refresh_from_db()
    if expected == "act":
        assert response.status_code == 302
        assert recent_case.status == C.MONITORING
    else:
        assert response.status_code == {"see": 403}.get(expected, expected)
        assert recent_case.status == C.ACTIVE


def test_start_screen_refusal_is_a_message(login, personas, active_case):
    client = login(personas["coordinator"])
    assert client.get(url(active_case, "start/")).status_code == 405
    response = client.post(url(active_case, "start/"), follow=True)
    # 2026-07-01 is long past: the monitoring is overdue, so it starts
    active_case.refresh_from_db()
    assert active_case.status == C.MONITORING
    response = client.post(url(active_case, "start/"), follow=True)
    assert "モニタリングを始められるのは「支援中」の事例です" in response.content.decode()


def test_case_page_shows_the_monitoring_panel(login, personas, recent_case):
    body = login(personas["coordinator"]).get(f"/cases/{recent_case.pk}/").content.decode()
    assert 'data-testid="monitoring-panel"' in body
    assert 'data-testid="monitoring-due-monitoring"' in body
    assert 'data-testid="due-state-due"' in body
    assert 'data-testid="monitoring-create-link"' in body
    desk = login(personas["desk"]).get(f"/cases/{recent_case.pk}/").content.decode()
    assert 'data-testid="monitoring-panel"' in desk
    assert 'data-testid="monitoring-create-link"' not in desk


def test_case_page_has_no_panel_before_a_plan(login, personas, consented_case):
    body = login(personas["coordinator"]).get(f"/cases/{consented_case.pk}/").content.decode()
    assert 'data-testid="monitoring-panel"' not in body


# ---------------------------------------------------------------------------- dashboard


def test_three_months_after_confirmation_the_monitoring_is_on_the_coordinators_dashboard(
    login, personas, recent_case, household_8050
):
    response = login(personas["coordinator"]).get("/")
    body = response.content.decode()
    assert 'data-testid="dashboard-monitoring"' in body
    assert body.count('data-testid="dashboard-monitoring-row"') == 1
    assert f"/cases/{recent_case.pk}/monitoring/" in body
    assert household_8050["mother"].name in body
    event = AuditEvent.objects.filter(action="dashboard.view", context__panel="monitoring").get()
    assert event.context["cases"] == [recent_case.pk]
    assert household_8050["mother"].pk in event.person_ids


def test_dashboard_puts_overdue_first(login, personas, agencies, recent_case, coordinator):
    older = _second_case(personas, agencies, coordinator, confirmed=add_months(today(), -5))
    body = login(personas["officer"]).get("/").content.decode()
    assert body.index(f"/cases/{older.pk}/monitoring/") < body.index(
        f"/cases/{recent_case.pk}/monitoring/"
    )
    assert 'data-testid="monitoring-overdue-count"' in body


def test_dashboard_panel_empty_when_nothing_is_due(login, personas, active_case):
    set_status(active_case, C.REPLANNING)
    body = login(personas["coordinator"]).get("/").content.decode()
    assert 'data-testid="dashboard-monitoring-empty"' in body
    assert not AuditEvent.objects.filter(context__panel="monitoring").exists()


def assert_stored_dates_are_the_computed_ones(case: Case) -> None:
    case.refresh_from_db()
    computed = {d.kind: d.due_on for d in monitoring_selectors.due_dates(case)}
    assert (case.monitoring_due_on, case.evaluation_due_on) == (
        computed.get("monitoring"),
        computed.get("evaluation"),
    )


def test_the_dates_stored_on_the_case_follow_every_change(recent_case, coordinator, settings):
    """The dates the home page reads from the case are those the case page computes, after
    each way they change: a plan confirmed, a monitoring, an evaluation, a record deleted,
    a new plan, the case suspended and resumed, and the cadence changed (with the rebuild
    command)."""
    case = recent_case
    assert_stored_dates_are_the_computed_ones(case)
    assert case.monitoring_due_on == today()  # confirmed three months ago
    record(case, coordinator, next_due_on=today() + datetime.timedelta(days=40))
    assert_stored_dates_are_the_computed_ones(case)
    assert case.monitoring_due_on == today() + datetime.timedelta(days=40)
    evaluation = record(case, coordinator, kind="evaluation", next_due_on=None)
    assert_stored_dates_are_the_computed_ones(case)
    assert case.evaluation_due_on == add_months(today(), 6)
    evaluation.delete()  # the admin site deletes a record written by mistake
    assert_stored_dates_are_the_computed_ones(case)
    assert case.evaluation_due_on == add_months(add_months(today(), -3), 6)
    plan = case.plans.get()
    confirm_plan(case, coordinator, today() - datetime.timedelta(days=1), version=2)
    assert_stored_dates_are_the_computed_ones(case)  # the records of version 1 no longer count
    assert case.monitoring_due_on == add_months(today() - datetime.timedelta(days=1), 3)
    # suspended by a recorded step (QuerySet.update, no save()), then back through save()
    move_case(by=coordinator, case=case, to=C.SUSPENDED, action="case.suspend", note="入院")
    assert_stored_dates_are_the_computed_ones(case)
    assert (case.monitoring_due_on, case.evaluation_due_on) == (None, None)
    case.status = C.ACTIVE
    case.save()
    assert_stored_dates_are_the_computed_ones(case)
    assert case.monitoring_due_on is not None
    plan.refresh_from_db()

    settings.TSUNAGU = {**settings.TSUNAGU, "EVALUATION_MONTHS": 12}
    out = StringIO()
    call_command("monitoring_dates_rebuild", stdout=out)
    assert "1 件の事例" in out.getvalue()
    assert_stored_dates_are_the_computed_ones(case)
    assert case.evaluation_due_on == add_months(today() - datetime.timedelta(days=1), 6)  # set
    v2 = case.plans.get(version=2)
    v2.evaluation_on = None
    v2.save()
    assert_stored_dates_are_the_computed_ones(case)
    assert case.evaluation_due_on == add_months(today() - datetime.timedelta(days=1), 12)
    # a service moves the case (QuerySet.update, no save()): 要再プラン, nothing falls due
    record(case, coordinator, kind="evaluation", outcome="replan")
    assert_stored_dates_are_the_computed_ones(case)
    assert (case.status, case.monitoring_due_on, case.evaluation_due_on) == (
        C.REPLANNING,
        None,
        None,
    )


def test_the_dashboard_panel_gives_what_the_full_computation_gives(
    personas, agencies, recent_case, coordinator
):
    """From the stored dates, the panel finds the same first rows, count and overdue count
    as computing every managed case's dates, for the office and for a coordinator, on
    several days; more cases fall due than the panel shows."""
    confirmed = [add_months(today(), -months) for months in (2, 3, 4, 5, 6, 7, 8)]
    confirmed += [today() - datetime.timedelta(days=days) for days in (70, 85, 95, 150, 200)]
    for n, on in enumerate(confirmed):
        case = _second_case(
            personas,
            agencies,
            coordinator,
            coordinating_agency=agencies["csw"] if n % 4 == 0 else None,
            confirmed=on,
        )
        if n % 3 == 0:
            record(
                case, personas["officer"].user, next_due_on=today() + datetime.timedelta(days=n + 1)
            )
    factory = RequestFactory()
    for name in ("officer", "coordinator"):
        user = personas[name].user
        for on in (today(), today() + datetime.timedelta(days=20), add_months(today(), 3)):
            request = factory.get("/")
            request.user = user
            full = monitoring_selectors.due_for_user(user, today=on)
            panel = monitoring_selectors.dashboard_panel(user, request=request, today=on)
            shown = panel["monitoring_dashboard"]
            assert len(full) > monitoring_selectors.PANEL_ROWS or name == "coordinator"
            assert [(d.case.pk, d.kind, d.due_on) for d in shown["rows"]] == [
                (d.case.pk, d.kind, d.due_on) for d in full[: monitoring_selectors.PANEL_ROWS]
            ], (name, on)
            assert shown["count"] == len(full)
            assert shown["overdue"] == sum(1 for d in full if d.is_overdue)


@pytest.mark.parametrize("name", ["desk", "participation", "outreach", "community", "admin"])
def test_dashboard_panel_only_for_coordinators_and_the_office(login, personas, recent_case, name):
    body = login(personas[name]).get("/").content.decode()
    assert 'data-testid="dashboard-monitoring"' not in body


# ---------------------------------------------------------------------------------- API


def api_post(client, path, body=None):
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")


def body_for(**overrides):
    body = {
        "kind": "monitoring",
        "done_on": today().isoformat(),
        "findings": "訪問して確認した。",
        "outcome": "continue",
    }
    body.update(overrides)
    return body


def test_openapi_lists_the_monitoring_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases/{case_id}/monitoring",
        "/api/v1/cases/{case_id}/monitoring/start",
        "/api/v1/monitoring/due",
    ):
        assert path in paths


@pytest.mark.parametrize("name", list(ACCESS))
def test_api_detail_by_persona(login, personas, active_case, name):
    response = login(personas[name]).get(f"{API}/cases/{active_case.pk}/monitoring")
    expected = ACCESS[name]
    if expected in ("act", "see"):
        assert response.status_code == 200
        data = response.json()
        assert data["case_status"] == "active"
        assert data["plan"]["confirmed_on"] == "2026-04-01"
        kinds = {d["kind"]: d for d in data["due"]}
        assert kinds["monitoring"]["due_on"] == "2026-07-01"
        assert kinds["monitoring"]["state"] == "overdue"
        assert kinds["evaluation"]["due_on_wareki"] == "令和8年10月1日"
        assert AuditEvent.objects.filter(
            action="monitoring.view", actor=personas[name].user
        ).exists()
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", list(ACCESS))
def test_api_record_by_persona(login, personas, recent_case, name):
    response = api_post(login(personas[name]), f"/cases/{recent_case.pk}/monitoring", body_for())
    expected = ACCESS[name]
    if expected == "act":
        assert response.status_code == 201
        data = response.json()
        assert data["records"][0]["outcome"] == "continue"
        assert data["records"][0]["next_due_on"] == add_months(today(), 3).isoformat()
        assert MonitoringRecord.objects.count() == 1
    else:
        assert response.status_code == {"see": 403}.get(expected, expected)
        assert not MonitoringRecord.objects.exists()


def test_api_record_replan_and_errors(login, personas, recent_case):
    client = login(personas["coordinator"])
    path = f"/cases/{recent_case.pk}/monitoring"
    response = api_post(client, path, body_for(findings=""))
    assert response.status_code == 422
    assert "findings" in response.json()["errors"]
    response = api_post(client, path, body_for(done_on="令和8年13月1日"))
    assert response.status_code == 422
    assert "done_on" in response.json()["errors"]
    response = api_post(client, path, body_for(done_on=None))
    assert response.status_code == 422
    response = api_post(client, path, body_for(kind="evaluation", outcome="replan"))
    assert response.status_code == 201
    assert response.json()["case_status"] == "replanning"
    assert response.json()["due"] == []
    response = api_post(client, path, body_for())
    assert response.status_code == 409
    assert "支援中" in response.json()["detail"]


@pytest.mark.parametrize("name", list(ACCESS))
def test_api_start_by_persona(login, personas, recent_case, name):
    response = api_post(login(personas[name]), f"/cases/{recent_case.pk}/monitoring/start")
    expected = ACCESS[name]
    if expected == "act":
        assert response.status_code == 200
        assert response.json()["case_status"] == "monitoring"
    else:
        assert response.status_code == {"see": 403}.get(expected, expected)


def test_api_start_refused_when_nothing_is_due(login, personas, consented_case, coordinator):
    set_status(consented_case, C.ACTIVE)
    confirm_plan(consented_case, coordinator, today())
    response = api_post(
        login(personas["coordinator"]), f"/cases/{consented_case.pk}/monitoring/start"
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("name", "count"),
    [("officer", 1), ("coordinator", 1), ("desk", 0), ("unrelated", 0), ("guest", 403)],
)
def test_api_due_by_persona(login, personas, recent_case, name, count):
    response = login(personas[name]).get(f"{API}/monitoring/due")
    if count == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    data = response.json()
    assert len(data) == count
    if count:
        assert data[0]["case_id"] == recent_case.pk
        assert data[0]["state"] == "due"
        assert data[0]["person_name"] == "山田 フミ"
        event = AuditEvent.objects.filter(action="monitoring.due_list").latest("seq")
        assert event.context == {"cases": [recent_case.pk]}
