"""The writes of アウトリーチ (domain.md §5.4): each step checks who takes it, refuses bad input
with a Japanese message naming the field and writes nothing then, keeps an event of every
change of stage, consent, urgency and closure, and leaves an ``outreach.*`` audit event."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu.accounts.models import Agency
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.flow import meeting
from tsunagu.common.errors import NotVisible
from tsunagu.consultations.models import Consultation, IssueCategory, Referral
from tsunagu.grants.models import AccessGrant
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.forms import AgendaForm
from tsunagu.meetings.models import AgendaItem, MeetingKind
from tsunagu.meetings.services import MeetingRuleError
from tsunagu.outreach import services, workflow
from tsunagu.outreach.models import (
    EventKind,
    OutreachContact,
    OutreachEvent,
    OutreachPlan,
    OutreachRecord,
    Stage,
)
from tsunagu.outreach.workflow import OutreachRuleError
from tsunagu.people import services as people_services

from .fixtures import *  # noqa: F403
from .fixtures import BEGAN, TOMORROW, days_ago, on_the_day

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def counts() -> dict[str, int]:
    """Rows of everything an outreach step may write."""
    return {
        model.__name__: model.objects.count()
        for model in (
            OutreachRecord,
            OutreachEvent,
            OutreachContact,
            OutreachPlan,
            AuditEvent,
            AgendaItem,
            Consultation,
            Referral,
            AccessGrant,
        )
    }


def state(record: OutreachRecord) -> dict:
    fresh = OutreachRecord.objects.get(pk=record.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def refused(field: str, call, record: OutreachRecord | None = None, *, rule: bool = False):
    """``call()`` is refused naming ``field`` in Japanese, and nothing is written."""
    before, was = counts(), state(record) if record else None
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert isinstance(excinfo.value, OutreachRuleError) is rule
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert JAPANESE.search(excinfo.value.message_dict[field][0])
    assert counts() == before
    if record is not None:
        assert state(record) == was
    return excinfo.value.message_dict[field][0]


def audits(action: str):
    return AuditEvent.objects.filter(action=action)


def kinds(record) -> list[str]:
    return list(record.events.order_by("at", "id").values_list("kind", flat=True))


# ---------------------------------------------------------------------------- record_create


def test_a_record_begins_before_anyone_knows_the_name(personas, record):
    assert record.agency == personas["outreach"].agency
    assert record.person is None
    assert (record.stage, record.consent_label, record.is_urgent) == (
        Stage.GATHERING,
        "同意前",
        False,
    )
    event = record.events.get()
    assert (event.kind, event.to_stage, event.occurred_on) == (
        EventKind.BEGAN,
        Stage.GATHERING,
        days_ago(BEGAN),
    )
    audit = audits("outreach.create").get()
    assert audit.target_id == str(record.pk)
    assert audit.context == {"outreach": record.pk}
    assert audit.changes["label"]["after"] == "北部 60代男性 A"


def test_a_record_may_begin_urgent_with_who_was_called(worker):
    record = services.record_create(
        by=worker,
        label="南部 70代女性",
        source="resident",
        began_on=days_ago(0),
        is_urgent=True,
        urgent_note="12/6 10時 救急要請（消防）",
    )
    assert record.is_urgent and record.urgent_since is not None
    assert kinds(record) == [EventKind.BEGAN, EventKind.URGENT]
    assert record.events.get(kind=EventKind.URGENT).note == "12/6 10時 救急要請（消防）"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"label": "  "}, "label"),
        ({"label": "あ" * 61}, "label"),
        ({"source": "?"}, "source"),
        ({"age_band": "?"}, "age_band"),
        ({"began_on": None}, "began_on"),
        ({"began_on": "2026-01-01"}, "began_on"),
        ({"began_on": TOMORROW}, "began_on"),
        ({"known_facts": "あ" * 4001}, "known_facts"),
        ({"address": "あ" * 201}, "address"),
        ({"informant_contact": "0" * 101}, "informant_contact"),
        ({"is_urgent": True, "urgent_note": " "}, "urgent_note"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(worker, change, field):
    kwargs = {"by": worker, "label": "北部 60代男性 A", "source": "minsei", "began_on": days_ago(3)}
    refused(field, lambda: services.record_create(**{**kwargs, **on_the_day(change)}))


@pytest.mark.parametrize("name", ["desk", "coordinator", "officer", "guest", "admin"])
def test_only_an_outreach_worker_begins_a_record(personas, name):
    before = counts()
    with pytest.raises(PermissionDenied) as excinfo:
        services.record_create(
            by=personas[name].user, label="A", source="minsei", began_on=days_ago(1)
        )
    assert not isinstance(excinfo.value, NotVisible)
    assert counts() == before


def test_a_record_names_only_what_the_worker_may_see(personas, worker):
    desk = personas["desk"].user
    stranger = people_services.person_create(by=desk, name="山田 一郎", name_kana="ヤマダ イチロウ")
    before = counts()
    with pytest.raises(NotVisible):
        services.record_create(
            by=worker, label="A", source="agency", began_on=days_ago(1), person=stranger
        )
    assert counts() == before


def test_a_record_may_begin_linked_to_a_known_person(worker, person):
    record = services.record_create(
        by=worker, label="佐藤さん", source="self", began_on=days_ago(1), person=person
    )
    assert record.person == person
    assert audits("outreach.create").get(target_id=str(record.pk)).person_ids == [person.pk]


# ---------------------------------------------------------------------------- record_update


def test_what_is_known_is_corrected_with_a_diff(worker, record):
    updated = services.record_update(
        by=worker, record=record, address=" 北町1-2-3 ", age_band="50s", known_facts="夜に外出"
    )
    assert (updated.address, updated.age_band, updated.known_facts) == (
        "北町1-2-3",
        "50s",
        "夜に外出",
    )
    audit = audits("outreach.update").get()
    assert audit.changes["address"] == {"before": "", "after": "北町1-2-3"}
    assert audit.changes["age_band"] == {"before": "60s", "after": "50s"}
    assert "label" not in audit.changes


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stage": Stage.HOME_VISIT}, "stage"),
        ({"closed_on": days_ago(1)}, "closed_on"),
        ({"label": " "}, "label"),
        ({"age_band": "?"}, "age_band"),
        ({"known_facts": "あ" * 4001}, "known_facts"),
        ({"household_hint": "あ" * 301}, "household_hint"),
    ],
)
def test_bad_updates_change_nothing(worker, record, change, field):
    refused(field, lambda: services.record_update(by=worker, record=record, **change), record)


# ------------------------------------------------------------------------ record_link_person


def test_linking_the_person_keeps_the_history_and_opens_the_person(
    personas, worker, record, person
):
    services.contact_record(
        by=worker,
        record=record,
        occurred_on=days_ago(20),
        method="letter",
        staff="CSW 鈴木",
        summary="手紙を置いた",
    )
    linked = services.record_link_person(by=worker, record=record, person=person)
    assert linked.person == person
    assert kinds(linked) == [EventKind.BEGAN, EventKind.PERSON]
    assert linked.contacts.count() == 1
    audit = audits("outreach.link_person").get()
    assert audit.person_ids == [person.pk]
    assert audit.changes["person_id"] == {"before": None, "after": person.pk}
    grant = AccessGrant.objects.get(
        person=person, agency=personas["outreach"].agency, basis="outreach"
    )
    assert grant.valid_until is None


def test_linking_needs_a_visible_person_and_only_one(personas, worker, record, linked):
    refused(
        "person",
        lambda: services.record_link_person(by=worker, record=record, person=None),
        record,
    )
    other = people_services.person_create(by=worker, name="佐藤 次郎", name_kana="サトウ ジロウ")
    message = refused(
        "person",
        lambda: services.record_link_person(by=worker, record=record, person=other),
        record,
        rule=True,
    )
    assert "別の本人" in message
    stranger = people_services.person_create(
        by=personas["desk"].user, name="山田 一郎", name_kana="ヤマダ イチロウ"
    )
    before = counts()
    with pytest.raises(NotVisible):
        services.record_link_person(by=worker, record=record, person=stranger)
    assert counts() == before


# ------------------------------------------------------------------------------ stage_change


def test_stages_move_forward_with_their_date(worker, record):
    moved = services.stage_change(
        by=worker, record=record, to=Stage.RELATIONSHIP, occurred_on=days_ago(30)
    )
    assert moved.stage == Stage.RELATIONSHIP
    event = moved.events.get(kind=EventKind.STAGE)
    assert (event.from_stage, event.to_stage, event.occurred_on, event.goes_back) == (
        Stage.GATHERING,
        Stage.RELATIONSHIP,
        days_ago(30),
        False,
    )
    audit = audits("outreach.stage").get()
    assert audit.changes["stage"] == {"before": "gathering", "after": "relationship"}


def test_going_back_needs_a_reason(worker, record):
    record = services.stage_change(
        by=worker, record=record, to=Stage.HOME_VISIT, occurred_on=days_ago(30)
    )
    message = refused(
        "reason",
        lambda: services.stage_change(
            by=worker, record=record, to=Stage.RELATIONSHIP, occurred_on=days_ago(20)
        ),
        record,
    )
    assert "理由" in message
    back = services.stage_change(
        by=worker,
        record=record,
        to=Stage.RELATIONSHIP,
        occurred_on=days_ago(20),
        reason="訪問を拒まれたため手紙に戻す",
    )
    assert back.stage == Stage.RELATIONSHIP
    event = back.events.filter(kind=EventKind.STAGE).last()
    assert event.goes_back and event.note == "訪問を拒まれたため手紙に戻す"
    assert audits("outreach.stage").order_by("id").last().purpose == "訪問を拒まれたため手紙に戻す"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": "home"}, "stage"),
        ({"occurred_on": None}, "occurred_on"),
        ({"occurred_on": TOMORROW}, "occurred_on"),
        ({"occurred_on": days_ago(BEGAN + 1)}, "occurred_on"),
        ({"reason": "あ" * 301}, "reason"),
    ],
)
def test_bad_stage_changes_change_nothing(worker, record, change, field):
    kwargs = {"by": worker, "record": record, "to": Stage.PREPARATION, "occurred_on": days_ago(1)}
    refused(field, lambda: services.stage_change(**{**kwargs, **on_the_day(change)}), record)


def test_a_stage_change_is_not_dated_before_the_last_one(worker, record):
    """The history stays in the order things happened."""
    record = services.stage_change(
        by=worker, record=record, to=Stage.PREPARATION, occurred_on=days_ago(20)
    )
    message = refused(
        "occurred_on",
        lambda: services.stage_change(
            by=worker, record=record, to=Stage.RELATIONSHIP, occurred_on=days_ago(21)
        ),
        record,
    )
    assert "前回の段階の変更" in message
    same_day = services.stage_change(
        by=worker, record=record, to=Stage.RELATIONSHIP, occurred_on=days_ago(20)
    )
    assert same_day.stage == Stage.RELATIONSHIP


def test_the_same_stage_is_refused(worker, record):
    refused(
        "stage",
        lambda: services.stage_change(
            by=worker, record=record, to=Stage.GATHERING, occurred_on=days_ago(1)
        ),
        record,
        rule=True,
    )


# ---------------------------------------------------------------------------- consent_record


def test_consent_needs_the_person_first(worker, record):
    message = refused(
        "consented_on",
        lambda: services.consent_record(
            by=worker, record=record, consented_on=days_ago(1), method="signed"
        ),
        record,
        rule=True,
    )
    assert "本人を特定" in message


def test_consent_is_recorded_once_with_its_method(worker, consented):
    assert consented.has_consent and consented.consent_label == "同意後"
    assert (consented.consented_on, consented.consent_method, consented.consent_note) == (
        days_ago(10),
        "signed",
        "本人が署名",
    )
    event = consented.events.get(kind=EventKind.CONSENT)
    assert event.occurred_on == days_ago(10)
    assert event.note.startswith("申込書に署名")
    assert audits("outreach.consent").get().changes["consented_on"]["after"] == str(days_ago(10))
    refused(
        "consented_on",
        lambda: services.consent_record(
            by=worker, record=consented, consented_on=days_ago(1), method="oral"
        ),
        consented,
        rule=True,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consented_on": None}, "consented_on"),
        ({"consented_on": TOMORROW}, "consented_on"),
        ({"consented_on": days_ago(BEGAN + 1)}, "consented_on"),
        ({"method": "email"}, "consent_method"),
        ({"note": "あ" * 301}, "consent_note"),
    ],
)
def test_bad_consents_change_nothing(worker, linked, change, field):
    kwargs = {"by": worker, "record": linked, "consented_on": days_ago(1), "method": "oral"}
    refused(field, lambda: services.consent_record(**{**kwargs, **on_the_day(change)}), linked)


# ---------------------------------------------------------------------------- contact_record


def contact(worker, record, day, method="letter", **fields):
    return services.contact_record(
        by=worker,
        record=record,
        occurred_on=days_ago(day),
        method=method,
        staff=fields.pop("staff", "CSW 鈴木"),
        summary=fields.pop("summary", "様子を見た"),
        **fields,
    )


def test_the_first_face_to_face_contact_sets_the_first_meeting_day(worker, record):
    contact(worker, record, 40, "letter", reached_person=True)
    contact(worker, record, 35, "visit_not_met")
    record.refresh_from_db()
    assert record.first_met_on is None
    met = contact(worker, record, 30, "visit_met")
    assert met.reached_person  # meeting the person face to face reaches them
    contact(worker, record, 20, "accompany")
    record.refresh_from_db()
    assert record.first_met_on == days_ago(30)
    # an earlier meeting entered late is the first one
    contact(worker, record, 33, "visit_met")
    record.refresh_from_db()
    assert record.first_met_on == days_ago(33)


def test_the_latest_contact_carries_the_next_action(worker, record):
    contact(worker, record, 20, "phone", next_action="再訪問", next_action_on=days_ago(-7))
    record.refresh_from_db()
    assert (record.last_contact_on, record.next_action, record.next_action_on) == (
        days_ago(20),
        "再訪問",
        days_ago(-7),
    )
    # an older contact entered late leaves the latest one's bookkeeping
    contact(worker, record, 30, "letter", next_action="手紙", next_action_on=days_ago(25))
    record.refresh_from_db()
    assert (record.last_contact_on, record.next_action) == (days_ago(20), "再訪問")
    # a newer one without a next action clears it
    contact(worker, record, 5, "message")
    record.refresh_from_db()
    assert (record.last_contact_on, record.next_action, record.next_action_on) == (
        days_ago(5),
        "",
        None,
    )


def test_a_contact_is_audited_against_the_contact(worker, linked, personas):
    made = contact(worker, linked, 3, "visit_family", summary="母と話した")
    assert made.agency == personas["outreach"].agency and made.recorded_by == worker
    audit = audits("outreach.contact").get()
    assert (audit.target_type, audit.target_id) == ("outreach.outreachcontact", str(made.pk))
    assert audit.context == {"outreach": linked.pk, "method": "visit_family", "contact": made.pk}
    assert audit.person_ids == [linked.person_id]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_on": None}, "occurred_on"),
        ({"occurred_on": TOMORROW}, "occurred_on"),
        ({"occurred_on": days_ago(BEGAN + 1)}, "occurred_on"),
        ({"method": "fax"}, "method"),
        ({"staff": " "}, "staff"),
        ({"staff": "あ" * 101}, "staff"),
        ({"summary": " "}, "summary"),
        ({"summary": "あ" * 4001}, "summary"),
        ({"method": "visit_not_met", "reached_person": True}, "reached_person"),
        ({"next_action": "再訪問", "next_action_on": days_ago(10)}, "next_action_on"),
        ({"next_action_on": days_ago(-3)}, "next_action"),
        ({"next_action": "あ" * 201}, "next_action"),
    ],
)
def test_bad_contacts_change_nothing(worker, record, change, field):
    kwargs = {
        "by": worker,
        "record": record,
        "occurred_on": days_ago(5),
        "method": "phone",
        "staff": "CSW 鈴木",
        "summary": "電話した",
    }
    refused(field, lambda: services.contact_record(**{**kwargs, **on_the_day(change)}), record)


# ---------------------------------------------------------------------------------- urgency


def test_urgency_is_set_with_who_was_called_and_cleared(worker, record):
    refused("urgent_note", lambda: services.urgent_set(by=worker, record=record, note=" "), record)
    refused(
        "urgent_note",
        lambda: services.urgent_set(by=worker, record=record, note="あ" * 301),
        record,
    )
    urgent = services.urgent_set(by=worker, record=record, note="警察に安否確認を依頼（12/6 9時）")
    assert urgent.is_urgent and urgent.urgent_since is not None
    assert audits("outreach.urgent").get().changes["is_urgent"] == {"before": False, "after": True}
    cleared = services.urgent_clear(by=worker, record=urgent, note="無事を確認")
    assert (cleared.is_urgent, cleared.urgent_note, cleared.urgent_since) == (False, "", None)
    assert kinds(cleared)[-2:] == [EventKind.URGENT, EventKind.URGENT_CLEARED]
    assert cleared.events.last().note == "無事を確認"
    assert audits("outreach.urgent_clear").count() == 1
    before = counts()
    with pytest.raises(OutreachRuleError, match="緊急になっていません"):
        services.urgent_clear(by=worker, record=cleared)
    assert counts() == before


# ------------------------------------------------------------------------------------ plans


def test_plans_are_versions_that_never_overwrite(worker, record, draft):
    assert (draft.version, draft.status, draft.with_consent) == (1, "draft", False)
    second = services.plan_create(by=worker, record=record, approach="趣味の釣りを切口に")
    assert second.version == 2
    draft.refresh_from_db()
    assert draft.approach == "母の介護サービス事業所を通じて関わる"
    assert list(
        audits("outreach.plan_create").order_by("id").values_list("context", flat=True)
    ) == [
        {"outreach": record.pk, "version": 1},
        {"outreach": record.pk, "version": 2},
    ]


def test_a_plan_after_consent_is_marked_so(worker, consented):
    plan = services.plan_create(by=worker, record=consented, approach="同行支援")
    assert plan.with_consent


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"approach": " "}, "approach"),
        ({"approach": "あ" * 4001}, "approach"),
        ({"risks": "あ" * 4001}, "risks"),
        ({"budget": "1万円"}, "budget"),
    ],
)
def test_bad_plans_change_nothing(worker, record, change, field):
    kwargs = {"by": worker, "record": record, "approach": "家族への支援"}
    refused(field, lambda: services.plan_create(**{**kwargs, **on_the_day(change)}), record)


def test_no_new_version_while_one_is_in_a_meeting(worker, record, draft, support_meeting):
    services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    before = counts()
    with pytest.raises(OutreachRuleError, match="協議中の計画"):
        services.plan_create(by=worker, record=record, approach="別の切口")
    assert counts() == before


def test_one_version_at_a_time_is_in_a_meeting(worker, record, draft, support_meeting):
    second = services.plan_create(by=worker, record=record, approach="趣味の釣りを切口に")
    services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    message = refused(
        "plan",
        lambda: services.plan_to_meeting(by=worker, plan=second, meeting=support_meeting),
        record,
        rule=True,
    )
    assert "別の版" in message
    second.refresh_from_db()
    assert (second.status, second.agenda_item) == ("draft", None)


# ------------------------------------------------------------------ the meeting of the plan


def test_before_consent_the_plan_goes_only_to_a_support_meeting(
    worker, record, draft, conference_meeting, support_meeting
):
    message = refused(
        "meeting",
        lambda: services.plan_to_meeting(by=worker, plan=draft, meeting=conference_meeting),
        record,
        rule=True,
    )
    assert message == workflow.BEFORE_CONSENT_MEETING
    assert "支援会議" in message and "第106条の6" in message
    draft.refresh_from_db()
    assert draft.status == "draft"

    item = services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    assert (item.meeting, item.purpose, item.case) == (support_meeting, "outreach_plan", None)
    assert "北部 60代男性 A" in item.title and "第1版" in item.title
    draft.refresh_from_db()
    assert (draft.status, draft.agenda_item, draft.with_consent) == (
        "in_meeting",
        item,
        False,
    )
    audit = audits("outreach.plan_to_meeting").get()
    assert audit.context == {
        "outreach": record.pk,
        "meeting": support_meeting.pk,
        "agenda_item": item.pk,
    }


def test_after_consent_the_plan_goes_only_to_a_conference(
    worker, consented, conference_meeting, support_meeting
):
    plan = services.plan_create(by=worker, record=consented, approach="同行支援")
    message = refused(
        "meeting",
        lambda: services.plan_to_meeting(by=worker, plan=plan, meeting=support_meeting),
        consented,
        rule=True,
    )
    assert message == workflow.AFTER_CONSENT_MEETING and "重層的支援会議" in message
    item = services.plan_to_meeting(by=worker, plan=plan, meeting=conference_meeting)
    assert item.meeting.kind == MeetingKind.CONFERENCE
    plan.refresh_from_db()
    assert plan.status == "in_meeting" and plan.with_consent


def test_the_plan_goes_only_to_a_meeting_the_worker_sees(personas, worker, draft):
    unseen = meeting(personas, MeetingKind.CONFIDENTIAL)  # the worker is not a member
    before = counts()
    with pytest.raises(NotVisible):
        services.plan_to_meeting(by=worker, plan=draft, meeting=unseen)
    assert counts() == before


def test_a_cancelled_meeting_takes_no_plan(worker, record, draft, support_meeting):
    support_meeting.is_cancelled = True
    support_meeting.save()
    refused(
        "meeting",
        lambda: services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting),
        record,
        rule=True,
    )


@pytest.mark.parametrize(
    ("outcome", "text", "status"),
    [
        ("agreed", "手紙と訪問を月2回", "agreed"),
        ("revise", "緊急時の連絡先を加える", "revise"),
        ("not_agreed", "", "not_agreed"),
    ],
)
def test_the_meetings_decision_is_the_plans(
    personas, worker, record, draft, support_meeting, outcome, text, status
):
    item = services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    meeting_services.decision_record(
        by=personas["coordinator"].user, item=item, outcome=outcome, decision_text=text
    )
    draft.refresh_from_db()
    assert (draft.status, draft.decision_text, draft.decided_on) == (
        status,
        text,
        timezone.localtime(support_meeting.starts_at).date(),
    )
    decision = audits("meeting.decision").get()
    assert decision.person_ids == []  # no person identified yet
    # a plan sent back for revision goes to a meeting again, a decided one does not
    if status == "revise":
        again = services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
        assert again.pk != item.pk
    else:
        refused(
            "plan",
            lambda: services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting),
            record,
            rule=True,
        )


def test_a_revision_needs_what_to_revise(personas, worker, draft, support_meeting):
    item = services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    with pytest.raises(ValidationError) as excinfo:
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="revise"
        )
    assert "decision_text" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="noted"
        )
    assert "outcome" in excinfo.value.message_dict
    draft.refresh_from_db()
    assert (draft.status, draft.decided_on) == ("in_meeting", None)


def test_a_decision_after_consent_on_the_support_meeting_still_applies(
    personas, worker, linked, draft, support_meeting
):
    """The plan went to the 支援会議 before consent; the consent came before the meeting's
    decision was recorded: the 支援会議 was the right meeting when the plan went to it."""
    item = services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    services.consent_record(by=worker, record=linked, consented_on=days_ago(0), method="oral")
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    draft.refresh_from_db()
    assert draft.status == "agreed"
    assert audits("meeting.decision").get().person_ids == [linked.person_id]


def test_a_withdrawn_item_returns_the_plan_to_draft(personas, worker, draft, support_meeting):
    item = services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    meeting_services.agenda_withdraw(
        by=personas["coordinator"].user, item=item, reason="本人の状況が変わったため"
    )
    draft.refresh_from_db()
    assert (draft.status, draft.decided_on) == ("draft", None)
    assert audits("meeting.agenda_withdraw").count() == 1
    # the draft may go to the next meeting
    assert services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting).pk != item.pk


def test_the_meetings_own_agenda_refuses_outreach_plans(personas, support_meeting):
    before = counts()
    with pytest.raises(MeetingRuleError) as excinfo:
        meeting_services.agenda_add(
            by=personas["coordinator"].user, meeting=support_meeting, purpose="outreach_plan"
        )
    assert "アウトリーチ支援計画" in excinfo.value.message_dict["purpose"][0]
    assert counts() == before
    form = AgendaForm(data={"purpose": "outreach_plan", "title": ""})
    assert not form.is_valid() and "purpose" in form.errors
    assert "outreach_plan" not in dict(form.fields["purpose"].choices)


# ----------------------------------------------------------------------- hand-over, closure


@pytest.fixture
def hikikomori(db):
    return IssueCategory.objects.get(code="hikikomori")


def handover(worker, record, to_agency, categories, /, **change):
    kwargs = {
        "by": worker,
        "record": record,
        "to_agency": to_agency,
        "reason": "母の介護と本人の就労を合わせて支える必要がある",
        "tried_with_agencies": "地域包括と連携したが本人への支援につながらない",
        "criterion_household": True,
        "categories": categories,
    }
    return services.handover_to_multi_agency(**(kwargs | change))


def test_handover_needs_consent(worker, linked, multi_agency, hikikomori):
    before = counts()
    with pytest.raises(OutreachRuleError, match="同意"):
        handover(worker, linked, multi_agency, [hikikomori])
    assert counts() == before


def test_handover_refers_the_person_to_multi_agency(
    personas, worker, consented, multi_agency, hikikomori
):
    stale = OutreachRecord.objects.get(pk=consented.pk)
    referral = handover(worker, consented, multi_agency, [hikikomori])
    assert (referral.kind, referral.to_agency, referral.from_agency, referral.person) == (
        "multi_agency",
        multi_agency,
        personas["outreach"].agency,
        consented.person,
    )
    assert referral.criterion_household
    consultation = referral.consultation
    assert (consultation.agency, consultation.outcome, consultation.person) == (
        personas["outreach"].agency,
        "multi_agency",
        consented.person,
    )
    assert "北部 60代男性 A" in consultation.summary
    consented.refresh_from_db()
    assert consented.handover_referral == referral and not consented.is_closed
    assert consented.events.filter(kind=EventKind.HANDOVER).get().note.startswith(multi_agency.name)
    assert audits("outreach.handover").get().context == {
        "outreach": consented.pk,
        "referral": referral.pk,
    }
    # a second submission, from the page as it was before the first one, finds it
    before = counts()
    with pytest.raises(OutreachRuleError, match="既に多機関協働"):
        handover(worker, stale, multi_agency, [hikikomori])
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_agency": "houkatsu"}, "to_agency"),  # does not run 多機関協働
        ({"categories": []}, "categories"),
        ({"criterion_household": False}, "criteria"),
        ({"tried_with_agencies": " "}, "tried_with_agencies"),
        ({"reason": " "}, "reason"),
    ],
)
def test_bad_handovers_change_nothing(
    agencies, worker, consented, multi_agency, hikikomori, change, field
):
    if "to_agency" in change:
        change = {"to_agency": agencies[change["to_agency"]]}
    refused(
        field, lambda: handover(worker, consented, multi_agency, [hikikomori], **change), consented
    )


def test_closing_as_connected_names_the_agency(agencies, worker, record):
    closed = services.record_close(
        by=worker,
        record=record,
        closed_on=days_ago(1),
        reason="connected",
        connected_agency=agencies["houkatsu"],
    )
    assert closed.is_closed and closed.connected_agency == agencies["houkatsu"]
    event = closed.events.get(kind=EventKind.CLOSED)
    assert event.occurred_on == days_ago(1) and agencies["houkatsu"].name in event.note
    assert audits("outreach.close").get().changes["closure_reason"]["after"] == "connected"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": "connected"}, "connected_agency"),
        ({"reason": "refused"}, "closure_note"),
        ({"reason": "other", "note": " "}, "closure_note"),
        ({"reason": "bored"}, "closure_reason"),
        ({"closed_on": None}, "closed_on"),
        ({"closed_on": TOMORROW}, "closed_on"),
        ({"closed_on": days_ago(BEGAN + 1)}, "closed_on"),
        ({"note": "あ" * 301}, "closure_note"),
    ],
)
def test_bad_closures_change_nothing(worker, record, change, field):
    kwargs = {"by": worker, "record": record, "closed_on": days_ago(1), "reason": "moved"}
    refused(field, lambda: services.record_close(**{**kwargs, **on_the_day(change)}), record)


def test_reopening_keeps_the_history(agencies, worker, record):
    contact(worker, record, 10, "visit_met")
    closed = services.record_close(
        by=worker, record=record, closed_on=days_ago(2), reason="refused", note="強い拒否"
    )
    refused("reason", lambda: services.record_reopen(by=worker, record=closed, reason=" "), closed)
    refused(
        "reason",
        lambda: services.record_reopen(by=worker, record=closed, reason="あ" * 301),
        closed,
    )
    reopened = services.record_reopen(by=worker, record=closed, reason="母から再び相談")
    assert not reopened.is_closed
    assert (reopened.closure_reason, reopened.closure_note, reopened.connected_agency) == (
        "",
        "",
        None,
    )
    assert kinds(reopened) == [EventKind.BEGAN, EventKind.CLOSED, EventKind.REOPENED]
    assert reopened.contacts.count() == 1 and reopened.first_met_on == days_ago(10)
    assert audits("outreach.reopen").get().purpose == "母から再び相談"
    before = counts()
    with pytest.raises(OutreachRuleError, match="終了していません"):
        services.record_reopen(by=worker, record=reopened, reason="もう一度")
    assert counts() == before
    # it works as before
    contact(worker, reopened, 0, "phone")


# ------------------------------------------------ who may take each step, and a closed record


def _steps(ctx):
    """Every step on a record, as ``name -> call(by, record)``."""
    return {
        "record_update": lambda by, r: services.record_update(by=by, record=r, address="北町"),
        "record_link_person": lambda by, r: services.record_link_person(
            by=by, record=r, person=ctx["person"]
        ),
        "stage_change": lambda by, r: services.stage_change(
            by=by, record=r, to=Stage.PREPARATION, occurred_on=days_ago(1)
        ),
        "consent_record": lambda by, r: services.consent_record(
            by=by, record=r, consented_on=days_ago(1), method="oral"
        ),
        "contact_record": lambda by, r: services.contact_record(
            by=by, record=r, occurred_on=days_ago(1), method="phone", staff="職員", summary="電話"
        ),
        "urgent_set": lambda by, r: services.urgent_set(by=by, record=r, note="警察に連絡"),
        "plan_create": lambda by, r: services.plan_create(by=by, record=r, approach="切口"),
        "plan_to_meeting": lambda by, r: services.plan_to_meeting(
            by=by, plan=ctx["plan"], meeting=ctx["meeting"]
        ),
        "handover_to_multi_agency": lambda by, r: handover(
            by, r, ctx["multi_agency"], [ctx["category"]]
        ),
        "record_close": lambda by, r: services.record_close(
            by=by, record=r, closed_on=days_ago(1), reason="moved"
        ),
        "urgent_clear": lambda by, r: services.urgent_clear(by=by, record=r),
        "record_reopen": lambda by, r: services.record_reopen(by=by, record=r, reason="再開"),
    }


STEPS = list(_steps({}))


@pytest.fixture
def ctx(person, draft, support_meeting, multi_agency, hikikomori):
    return {
        "person": person,
        "plan": draft,
        "meeting": support_meeting,
        "multi_agency": multi_agency,
        "category": hikikomori,
    }


@pytest.mark.parametrize("step", STEPS)
def test_another_agency_does_not_find_the_record(personas, record, ctx, step):
    before, was = counts(), state(record)
    with pytest.raises(NotVisible):
        _steps(ctx)[step](personas["unrelated"].user, record)
    assert (counts(), state(record)) == (before, was)


@pytest.mark.parametrize("step", STEPS)
def test_a_non_outreach_role_of_the_agency_may_not_work_it(csw_desk, record, ctx, step):
    assert OutreachRecord.objects.visible_to(csw_desk.user).filter(pk=record.pk).exists()
    before, was = counts(), state(record)
    with pytest.raises(PermissionDenied) as excinfo:
        _steps(ctx)[step](csw_desk.user, record)
    assert not isinstance(excinfo.value, NotVisible)
    assert "アウトリーチ" in str(excinfo.value)
    assert (counts(), state(record)) == (before, was)


@pytest.mark.parametrize("step", [s for s in STEPS if s not in ("record_reopen", "urgent_clear")])
def test_a_closed_record_takes_no_change_until_reopened(worker, record, ctx, step):
    closed = services.record_close(by=worker, record=record, closed_on=days_ago(1), reason="died")
    before, was = counts(), state(closed)
    with pytest.raises(OutreachRuleError) as excinfo:
        _steps(ctx)[step](worker, closed)
    assert workflow.CLOSED in str(excinfo.value)
    assert (counts(), state(closed)) == (before, was)


def test_an_urgency_a_record_was_closed_with_may_still_be_cleared(worker, record):
    services.urgent_set(by=worker, record=record, note="保健所に連絡")
    closed = services.record_close(by=worker, record=record, closed_on=days_ago(0), reason="moved")
    assert closed.is_urgent
    cleared = services.urgent_clear(by=worker, record=closed, note="転居先の機関へ引継ぎ済み")
    assert not cleared.is_urgent and cleared.is_closed


def test_the_office_works_every_record(personas, record, person):
    officer = personas["officer"].user
    services.record_link_person(by=officer, record=record, person=person)
    services.stage_change(by=officer, record=record, to=Stage.PREPARATION, occurred_on=days_ago(1))
    assert audits("outreach.stage").get().acting_agency_id == personas["officer"].agency.pk


def test_every_write_is_audited(personas, worker, record, person, ctx):
    connected_to = Agency.objects.get(code="houkatsu")
    services.record_update(by=worker, record=record, address="北町")
    services.record_link_person(by=worker, record=record, person=person)
    services.stage_change(by=worker, record=record, to=Stage.HOME_VISIT, occurred_on=days_ago(5))
    services.contact_record(
        by=worker,
        record=record,
        occurred_on=days_ago(5),
        method="visit_met",
        staff="鈴木",
        summary="会えた",
    )
    services.urgent_set(by=worker, record=record, note="救急")
    services.urgent_clear(by=worker, record=record)
    services.consent_record(by=worker, record=record, consented_on=days_ago(4), method="signed")
    plan = services.plan_create(by=worker, record=record, approach="同行")
    handover(worker, record, ctx["multi_agency"], [ctx["category"]])
    services.record_close(
        by=worker,
        record=record,
        closed_on=days_ago(0),
        reason="connected",
        connected_agency=connected_to,
    )
    services.record_reopen(by=worker, record=record, reason="再び")
    actions = set(
        AuditEvent.objects.filter(action__startswith="outreach.").values_list("action", flat=True)
    )
    assert actions == {
        "outreach.create",
        "outreach.update",
        "outreach.link_person",
        "outreach.stage",
        "outreach.contact",
        "outreach.urgent",
        "outreach.urgent_clear",
        "outreach.consent",
        "outreach.plan_create",
        "outreach.handover",
        "outreach.close",
        "outreach.reopen",
    }
    assert plan.version == 2  # the draft of ``ctx`` was the first
    for event in AuditEvent.objects.filter(action__startswith="outreach."):
        assert event.context["outreach"] == record.pk


# ------------------------------------------------------- the criteria the record points to


def test_the_criteria_come_from_the_records_facts(
    personas, agencies, worker, linked, draft, support_meeting, hikikomori
):
    from tsunagu.consultations.services import consultation_record
    from tsunagu.outreach.selectors import suggested_criteria

    # ① from what is known of the household; ② nobody else works with the person
    criteria = suggested_criteria(worker, linked)
    assert (criteria.household, criteria.gap, criteria.new_resource) == (True, True, False)
    assert any(why.startswith("②") for why in criteria.why)
    # ③ once the meeting that discussed the plan raises a missing resource
    services.plan_to_meeting(by=worker, plan=draft, meeting=support_meeting)
    assert not suggested_criteria(worker, linked).new_resource
    meeting_services.resource_gap_add(
        by=personas["coordinator"].user,
        meeting=support_meeting,
        description="ひきこもりの人が日中に通える居場所が北部にない",
    )
    assert suggested_criteria(worker, linked).new_resource
    # a consultation about the person at another agency: no longer どこにもつながらない
    consultation_record(
        by=personas["officer"].user,
        received_on=days_ago(2),
        channel="walk_in",
        consulter_type="family",
        summary="母から息子のことで相談",
        outcome="handled",
        categories=[hikikomori],
        person=linked.person,
    )
    criteria = suggested_criteria(worker, linked)
    assert not criteria.gap and not any(why.startswith("②") for why in criteria.why)
    # an unidentified record: no claim about who else works with the person
    linked.household_hint = ""
    linked.person = None
    unidentified = suggested_criteria(worker, linked)
    assert not unidentified.gap and not unidentified.household


# ---------------------------------------------------------------------------- 担当職員


def test_the_worker_who_begins_a_record_carries_it_until_it_is_handed_on(
    personas, agencies, worker, record
):
    from conftest import make_persona
    from tsunagu.accounts.models import Role

    assert record.assigned_to == worker
    colleague = make_persona("csw_second", agencies["csw"], Role.OUTREACH_WORKER).user
    moved = services.record_update(by=worker, record=record, assigned_to=colleague)
    assert moved.assigned_to == colleague
    assert audits("outreach.update").get().changes["assigned_to_id"] == {
        "before": worker.pk,
        "after": colleague.pk,
    }
    unassigned = services.record_update(by=worker, record=moved, assigned_to=None)
    assert unassigned.assigned_to is None
    # only an outreach worker of the record's agency carries it
    for other in (personas["desk"].user, personas["coordinator"].user):
        message = refused(
            "assigned_to",
            lambda other=other: services.record_update(by=worker, record=record, assigned_to=other),
            unassigned,
        )
        assert "アウトリーチ支援員" in message
    refused(
        "assigned_to",
        lambda: services.record_create(
            by=worker,
            label="南部 40代女性 B",
            source="family",
            began_on=days_ago(1),
            assigned_to=personas["desk"].user,
        ),
    )
    begun = services.record_create(
        by=worker, label="南部 40代女性 B", source="family", began_on=days_ago(1), assigned_to=None
    )
    assert begun.assigned_to is None


def test_closing_as_connected_names_the_referral_that_connected(
    personas, agencies, worker, consented, multi_agency, hikikomori
):
    referral = handover(worker, consented, multi_agency, [hikikomori])
    consented.refresh_from_db()
    # a referral of another reason, or one not sent by the record's agency, is refused
    refused(
        "connected_referral",
        lambda: services.record_close(
            by=worker,
            record=consented,
            closed_on=days_ago(0),
            reason="moved",
            connected_referral=referral,
        ),
        consented,
    )
    refused(
        "connected_referral",
        lambda: services.record_close(
            by=worker,
            record=consented,
            closed_on=days_ago(0),
            reason="connected",
            connected_agency=agencies["houkatsu"],
            connected_referral=referral,
        ),
        consented,
    )
    closed = services.record_close(
        by=worker,
        record=consented,
        closed_on=days_ago(0),
        reason="connected",
        connected_referral=referral,
    )
    assert (closed.connected_agency, closed.connected_referral) == (multi_agency, referral)
    event = closed.events.filter(kind=EventKind.CLOSED).get()
    assert f"つなぎ #{referral.pk}" in event.note
    reopened = services.record_reopen(by=worker, record=closed, reason="再び関わる")
    assert reopened.connected_referral is None


# ------------------------------------------------------ a person another agency knows


def test_the_office_is_asked_to_identify_a_person_another_agency_knows(
    personas, worker, record, login
):
    from tsunagu.accounts.models import Notification

    refused("note", lambda: services.identify_request(by=worker, record=record, note=" "), record)
    asked = services.identify_request(
        by=worker, record=record, note="母の話では佐藤健一、昭和39年3月3日生まれ"
    )
    event = asked.events.filter(kind=EventKind.IDENTIFY_REQUEST).get()
    assert event.note.startswith("母の話では")
    (notice,) = Notification.objects.filter(kind="outreach_identify")
    assert notice.recipient == personas["officer"].user
    assert f"#{record.pk}" in notice.message and "佐藤" not in notice.message
    assert audits("outreach.identify_request").get().context["event"] == event.pk
    # the office sees every person and links the record
    known = people_services.person_create(
        by=personas["desk"].user, name="佐藤 健一", name_kana="サトウ ケンイチ"
    )
    linked = services.record_link_person(by=personas["officer"].user, record=asked, person=known)
    assert linked.person == known
    refused(
        "person",
        lambda: services.identify_request(by=worker, record=linked, note="再依頼"),
        linked,
        rule=True,
    )
    # over the API, with the same rules
    client = login(personas["outreach"])
    other = services.record_create(by=worker, label="南部 B", source="family", began_on=days_ago(1))
    response = client.post(
        f"/api/v1/outreach/records/{other.pk}/identify-request",
        '{"note": "氏名は田中"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["events"][-1]["kind"] == "identify_request"
    unrelated = login(personas["unrelated"]).post(
        f"/api/v1/outreach/records/{other.pk}/identify-request",
        '{"note": "x"}',
        content_type="application/json",
    )
    assert unrelated.status_code == 404
