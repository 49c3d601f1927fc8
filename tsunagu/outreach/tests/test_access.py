"""Who sees an outreach record (``tsunagu.access.outreach_records_visible_to``): the outreach
agency its own, the program office all of them, a member of a meeting whose materials they
see only while the plan is on its agenda (at a 支援会議 only after their own pledge), a meeting
guest only that way, everyone else none. Linking the person gives the outreach agency a basis
of access to that person (grants, basis ``outreach``)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from conftest import make_persona
from tsunagu import access
from tsunagu.accounts.models import Role
from tsunagu.cases.tests.flow import hold, meeting
from tsunagu.common.errors import NotVisible
from tsunagu.grants.models import AccessGrant
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import MeetingKind
from tsunagu.outreach import permissions, selectors, services
from tsunagu.outreach.models import OutreachRecord, Stage
from tsunagu.people import services as people_services

from .fixtures import *  # noqa: F403
from .fixtures import days_ago

pytestmark = pytest.mark.django_db


def seen_by(user) -> set[int]:
    return set(access.outreach_records_visible_to(user).values_list("pk", flat=True))


def convene(personas, kind, *, pledged=(), unpledged=(), guest=False):
    """A meeting the coordinator convened an hour ago. The outreach worker and ``pledged``
    are members held to it (pledged at a 支援会議); ``unpledged`` join afterwards without a
    pledge; ``guest`` invites the 民生委員 guest for a day."""
    coordinator = personas["coordinator"].user
    held = meeting(personas, kind)
    for name in ("outreach", *pledged):
        meeting_services.member_add(by=coordinator, meeting=held, user=personas[name].user)
    if guest:
        meeting_services.member_add(
            by=coordinator,
            meeting=held,
            user=personas["guest"].user,
            invited_until=timezone.now() + datetime.timedelta(days=1),
        )
    hold(personas, held)
    for name in unpledged:
        meeting_services.member_add(by=coordinator, meeting=held, user=personas[name].user)
    return held


@pytest.fixture
def other_worker(agencies):
    """An outreach worker of another agency (地域包括) with a record of its own."""
    return make_persona("outreach2", agencies["houkatsu"], Role.OUTREACH_WORKER)


@pytest.fixture
def other_record(other_worker):
    return services.record_create(
        by=other_worker.user, label="東部 40代女性", source="agency", began_on=days_ago(5)
    )


def test_the_agency_sees_its_own_the_office_all_others_none(
    personas, record, other_record, other_worker, csw_desk
):
    assert seen_by(personas["outreach"].user) == {record.pk}
    assert seen_by(csw_desk.user) == {record.pk}  # the agency's own staff see, not work, it
    assert seen_by(other_worker.user) == {other_record.pk}
    assert seen_by(personas["desk"].user) == {other_record.pk}
    assert seen_by(personas["officer"].user) == {record.pk, other_record.pk}
    for name in ("unrelated", "coordinator", "community", "guest", "admin"):
        assert seen_by(personas[name].user) == set(), name
    with pytest.raises(Http404):
        selectors.get_record_for_user(personas["unrelated"].user, record.pk)
    assert not selectors.caseload(user=personas["unrelated"].user).exists()
    assert list(selectors.caseload(user=personas["outreach"].user)) == [record]
    assert set(selectors.caseload(user=personas["officer"].user)) == {record, other_record}


def test_the_worker_and_the_office_see_the_whole_record(personas, record, csw_desk):
    for user in (personas["outreach"].user, personas["officer"].user, csw_desk.user):
        assert permissions.sees_whole_record(user, record)
    assert not permissions.sees_whole_record(personas["unrelated"].user, record)
    assert permissions.works_record(personas["outreach"].user, record)
    assert not permissions.works_record(csw_desk.user, record)


def test_a_pledged_member_of_the_support_meeting_sees_the_record_on_its_agenda(
    personas, worker, record, draft
):
    held = convene(personas, MeetingKind.CONFIDENTIAL, pledged=["community"], unpledged=["desk"])
    community, desk = personas["community"].user, personas["desk"].user
    assert seen_by(community) == set()  # a member, but the plan is not on the agenda yet
    services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    assert seen_by(community) == {record.pk}
    assert seen_by(desk) == set()  # a member without the pledge sees nothing
    # as the meeting's materials only: the plan on the agenda, not the whole record
    assert not permissions.sees_whole_record(community, record)
    assert list(selectors.plans_on_agenda_for(community, record)) == [draft]
    assert selectors.get_record_for_user(community, record.pk) == record
    # seeing it is not working it
    with pytest.raises(PermissionDenied) as excinfo:
        services.stage_change(
            by=community, record=record, to=Stage.PREPARATION, occurred_on=days_ago(1)
        )
    assert not isinstance(excinfo.value, NotVisible)
    # the desk pledges: now it sees the record too
    member = held.members.get(user=desk)
    meeting_services.pledge_record(by=desk, member=member)
    assert seen_by(desk) == {record.pk}


def test_a_withdrawn_item_gives_nothing(personas, worker, record, draft):
    held = convene(personas, MeetingKind.CONFIDENTIAL, pledged=["community"])
    item = services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    assert seen_by(personas["community"].user) == {record.pk}
    meeting_services.agenda_withdraw(
        by=personas["coordinator"].user, item=item, reason="本人の状況が変わった"
    )
    assert seen_by(personas["community"].user) == set()
    assert seen_by(personas["outreach"].user) == {record.pk}


def test_a_decided_item_stays_among_the_meetings_materials(personas, worker, record, draft):
    held = convene(personas, MeetingKind.CONFIDENTIAL, pledged=["community"])
    item = services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    assert seen_by(personas["community"].user) == {record.pk}


def test_a_guest_sees_the_record_only_through_such_a_meeting(personas, worker, record, draft):
    guest = personas["guest"].user
    other = convene(personas, MeetingKind.CONFIDENTIAL, guest=True)
    assert seen_by(guest) == set()  # a guest of a meeting without the plan
    held = convene(personas, MeetingKind.CONFIDENTIAL, guest=True)
    services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    assert seen_by(guest) == {record.pk}
    assert access.meetings_visible_to(guest).filter(pk=other.pk).exists()
    assert not permissions.sees_whole_record(guest, record)
    # a revoked invitation gives nothing
    meeting_services.invitation_revoke(
        by=personas["coordinator"].user, member=held.members.get(user=guest)
    )
    assert seen_by(guest) == set()


def test_an_unpledged_guest_sees_nothing(personas, worker, record, draft):
    held = convene(personas, MeetingKind.CONFIDENTIAL)
    meeting_services.member_add(
        by=personas["coordinator"].user,
        meeting=held,
        user=personas["guest"].user,
        invited_until=timezone.now() + datetime.timedelta(days=1),
    )
    services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    assert seen_by(personas["guest"].user) == set()


def test_an_expired_invitation_gives_nothing(personas, worker, record, draft):
    held = convene(personas, MeetingKind.CONFIDENTIAL, guest=True)
    services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    member = held.members.get(user=personas["guest"].user)
    member.invited_until = timezone.now() - datetime.timedelta(minutes=1)
    member.save()
    assert seen_by(personas["guest"].user) == set()


def test_after_consent_the_conferences_members_see_the_plan_without_a_pledge(
    personas, worker, consented
):
    held = convene(personas, MeetingKind.CONFERENCE, pledged=["community"])
    plan = services.plan_create(by=worker, record=consented, approach="同行支援")
    assert seen_by(personas["community"].user) == set()
    services.plan_to_meeting(by=worker, plan=plan, meeting=held)
    assert seen_by(personas["community"].user) == {consented.pk}
    assert held.members.get(user=personas["community"].user).pledged_at is None


# --------------------------------------------------------------- the basis on the person


@pytest.fixture
def registered_elsewhere(personas):
    """A person the desk (地域包括) registered: the outreach agency has no basis on them."""
    return people_services.person_create(
        by=personas["desk"].user, name="山田 一郎", name_kana="ヤマダ イチロウ"
    )


def test_linking_the_person_gives_the_outreach_agency_a_basis(
    personas, record, registered_elsewhere
):
    worker, csw = personas["outreach"].user, personas["outreach"].agency
    person = registered_elsewhere
    assert not access.persons_visible_to(worker).filter(pk=person.pk).exists()
    # the worker cannot link a person it does not see; the office can (found by the check
    # "is this person known?")
    with pytest.raises(NotVisible):
        services.record_link_person(by=worker, record=record, person=person)
    services.record_link_person(by=personas["officer"].user, record=record, person=person)
    grant = AccessGrant.objects.get(person=person, agency=csw)
    assert (grant.basis, grant.valid_until) == ("outreach", None)
    assert access.persons_visible_to(worker).filter(pk=person.pk).exists()
    assert access.can_view(worker, person)
    assert person.pk in set(access.rule_persons(csw.pk).values_list("pk", flat=True))
    # the unrelated agency still sees nothing
    assert not access.persons_visible_to(personas["unrelated"].user).filter(pk=person.pk).exists()


def test_a_meeting_member_gains_nothing_on_the_person(personas, worker, linked, draft, person):
    held = convene(personas, MeetingKind.CONFIDENTIAL, pledged=["community"])
    services.plan_to_meeting(by=worker, plan=draft, meeting=held)
    community = personas["community"].user
    assert seen_by(community) == {linked.pk}
    assert not access.persons_visible_to(community).filter(pk=person.pk).exists()


def test_a_record_begun_with_the_person_gives_the_basis_too(personas, worker, person):
    services.record_create(
        by=worker, label="佐藤さん", source="self", began_on=days_ago(1), person=person
    )
    bases = set(
        AccessGrant.objects.filter(
            person=person, agency=personas["outreach"].agency, valid_until__isnull=True
        ).values_list("basis", flat=True)
    )
    assert bases == {"registered", "outreach"}


def test_a_record_of_another_agency_gives_it_nothing(personas, other_record, person):
    """Only the record's own agency gains the basis (the person was registered by the CSW)."""
    services.record_link_person(by=personas["officer"].user, record=other_record, person=person)
    houkatsu = personas["desk"].agency
    assert AccessGrant.objects.filter(person=person, agency=houkatsu, basis="outreach").exists()
    assert not AccessGrant.objects.filter(
        person=person, agency=personas["outreach"].agency, basis="outreach"
    ).exists()
    assert OutreachRecord.objects.visible_to(personas["desk"].user).get() == other_record


# ------------------------------------------------------------------------- the caseload


def test_the_caseload_shows_the_agencys_open_records_urgent_first(personas, worker, record):
    def begin(label, ago, **fields):
        return services.record_create(
            by=worker, label=label, source="resident", began_on=days_ago(ago), **fields
        )

    def contact(r, ago, next_on):
        services.contact_record(
            by=worker,
            record=r,
            occurred_on=days_ago(ago),
            method="phone",
            staff="鈴木",
            summary="電話",
            next_action="再訪問",
            next_action_on=days_ago(next_on),
        )

    urgent = begin("緊急", 1, is_urgent=True, urgent_note="救急要請")
    silent = begin("連絡なし", 120)  # begun 120 days ago, never contacted
    overdue = begin("期限切れ", 10)
    contact(overdue, 5, 2)
    contact(record, 3, -3)  # due in three days
    closed = begin("終了", 5)
    services.record_close(by=worker, record=closed, closed_on=days_ago(0), reason="moved")

    def listed(**flags):
        return list(selectors.caseload(user=worker, filters=selectors.CaseloadFilter(**flags)))

    assert listed() == [urgent, overdue, record, silent]
    assert listed(flag="urgent") == [urgent]
    assert listed(flag="overdue") == [overdue]
    assert listed(flag="due_week") == [urgent, overdue, record]  # urgent is always due
    assert listed(flag="silent") == [silent]
    assert listed(state="closed") == [closed]
    assert listed(q="期限") == [overdue]
    rows = {r.pk: r for r in selectors.rows_for_page([silent.pk, overdue.pk, record.pk])}
    assert rows[silent.pk].silent and rows[silent.pk].days_since_contact == 120
    assert rows[overdue.pk].overdue and not rows[overdue.pk].silent
    assert not rows[record.pk].overdue and rows[record.pk].days_since_contact == 3
    assert selectors.due_this_week(worker) == [urgent, overdue, record]
    assert selectors.silent_count(worker) == 1
    # the person's and the case's panels list the urgent record first too
    person = people_services.person_create(by=worker, name="北 一郎", name_kana="キタ イチロウ")
    newer = begin("今日から", 0)  # begun after the urgent one
    for r in (newer, urgent):
        services.record_link_person(by=worker, record=r, person=person)
    assert selectors.records_about_persons(worker, [person.pk]) == [urgent, newer]
