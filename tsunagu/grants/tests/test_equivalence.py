"""The grants answer exactly as the rules do, whatever happened before (issue: access grants).

Hypothesis generates histories of the records that give or end a basis of access —
registrations, consultations, referrals (and moving a consultation to another person),
household moves, cases, team joins and leaves, consents and withdrawals, 参加支援 records,
outreach records linked to a person (and moved to another), archiving and merging persons — written as the
services write them (``save()``, the consent versions' ``update``, the merge's bulk moves).
After every step, for every agency, the persons, households, cases and case contents the
grants open are compared with the rules of ``tsunagu.access`` evaluated directly on the
records.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tsunagu import access
from tsunagu.accounts.models import Role
from tsunagu.cases.models import Case, CaseTeamMember, Consent
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.grants.models import CASE_CONTENT_BASES, AccessGrant, SearchEntry
from tsunagu.linkage.services.merge import merge_records
from tsunagu.outreach.models import OutreachRecord
from tsunagu.participation.models import ParticipationRecord
from tsunagu.people.models import Household, HouseholdMember, Person

AGENCIES = ("council", "houkatsu", "csw")
N_PERSONS, N_HOUSEHOLDS, MAX_CASES = 3, 2, 2

agency = st.sampled_from(AGENCIES)
person = st.integers(0, N_PERSONS - 1)
household = st.integers(0, N_HOUSEHOLDS - 1)
maybe_person = st.one_of(st.none(), person)
maybe_household = st.one_of(st.none(), household)
case_no = st.integers(0, MAX_CASES - 1)
# a new name and reading, with a date of birth (the search entries carry all three)
NAMES = (
    ("林 太郎", "ハヤシ タロウ", None),
    ("髙橋 花子", "たかはし はなこ", datetime.date(1950, 4, 1)),
    ("佐藤", "サトウ", datetime.date(1980, 1, 2)),
)

ACTION = st.one_of(
    st.tuples(st.just("register_person"), person, st.one_of(st.none(), agency)),
    st.tuples(st.just("register_household"), household, st.one_of(st.none(), agency)),
    st.tuples(st.just("join"), person, household),
    st.tuples(st.just("leave"), person, household),
    st.tuples(st.just("consult"), agency, maybe_person, maybe_household),
    st.tuples(st.just("move_consultation"), st.integers(0, 5), maybe_person, maybe_household),
    st.tuples(st.just("delete_consultation"), st.integers(0, 5)),
    st.tuples(st.just("refer"), agency, agency, maybe_person, maybe_household),
    st.tuples(st.just("open_case"), agency, agency, maybe_person, maybe_household),
    st.tuples(st.just("team_join"), case_no, agency),
    st.tuples(st.just("team_leave"), case_no, agency),
    st.tuples(st.just("consent"), case_no, person, st.frozensets(agency, max_size=3)),
    st.tuples(st.just("withdraw"), case_no, person),
    st.tuples(st.just("outreach"), agency, maybe_person),
    st.tuples(st.just("relink_outreach"), st.integers(0, 3), maybe_person),
    st.tuples(st.just("participation"), agency, person),
    st.tuples(st.just("archive"), person, st.booleans()),
    st.tuples(st.just("rename"), person, st.sampled_from(NAMES)),
    st.tuples(st.just("merge"), person, person),
)


class World:
    """The records of one history: a few persons and households, written as services do."""

    def __init__(self, agencies, user):
        self.agencies = {code: agencies[code] for code in AGENCIES}
        self.user = user
        self.today = timezone.localdate()
        self.persons = [
            Person.objects.create(name=f"本人{n}", name_kana=f"ホンニン{n}")
            for n in range(N_PERSONS)
        ]
        self.households = [Household.objects.create(label=f"世帯{n}") for n in range(N_HOUSEHOLDS)]
        self.consultations: list[Consultation] = []
        self.cases: list[Case] = []
        self.outreach: list[OutreachRecord] = []

    def _p(self, n):
        if n is None:
            return None
        self.persons[n].refresh_from_db()  # a merge may have archived it meanwhile
        return self.persons[n]

    def _h(self, n):
        return None if n is None else self.households[n]

    def _consultation(self, code, p, h):
        consultation = Consultation.objects.create(
            agency=self.agencies[code],
            recorded_by=self.user,
            received_on=self.today,
            channel="walk_in",
            consulter_type="self",
            person=self._p(p),
            household=self._h(h),
            summary="相談",
            outcome="handled",
        )
        self.consultations.append(consultation)
        return consultation

    def _referral(self, sender, receiver, p, h):
        now = timezone.now()
        return Referral.objects.create(
            consultation=self._consultation(sender, p, h),
            person=self._p(p),
            household=self._h(h),
            from_agency=self.agencies[sender],
            to_agency=self.agencies[receiver],
            sent_by=self.user,
            reason="つなぐ",
            sent_at=now,
            respond_by=now + datetime.timedelta(days=7),
        )

    def apply(self, action) -> None:
        kind, *args = action
        if kind in ("consult", "refer") and args[-2] is None and args[-1] is None:
            return  # a consultation or referral is about a person or a household
        if kind in ("refer", "open_case") and args[0] == args[1]:
            return  # an agency does not refer to itself
        if kind == "register_person":
            p, code = args
            record = self._p(p)
            record.registered_by_agency = self.agencies[code] if code else None
            record.save()
        elif kind == "register_household":
            h, code = args
            record = self.households[h]
            record.registered_by_agency = self.agencies[code] if code else None
            record.save()
        elif kind == "join":
            p, h = args
            if not HouseholdMember.objects.filter(
                person=self.persons[p], household=self.households[h], end_date__isnull=True
            ).exists():
                HouseholdMember.objects.create(
                    person=self.persons[p], household=self.households[h], relation="other_relative"
                )
        elif kind == "leave":
            p, h = args
            for member in HouseholdMember.objects.filter(
                person=self.persons[p], household=self.households[h], end_date__isnull=True
            ):
                member.end_date = self.today
                member.save()
        elif kind == "consult":
            self._consultation(*args)
        elif kind == "move_consultation":
            n, p, h = args
            if n < len(self.consultations) and (p is not None or h is not None):
                record = self.consultations[n]
                record.person, record.household = self._p(p), self._h(h)
                record.save()
        elif kind == "delete_consultation":
            (n,) = args
            if n < len(self.consultations) and not self.consultations[n].referrals.exists():
                self.consultations.pop(n).delete()
        elif kind == "refer":
            self._referral(*args)
        elif kind == "open_case":
            sender, coordinating, p, h = args
            if len(self.cases) >= MAX_CASES or (p is None and h is None):
                return
            referral = self._referral(sender, coordinating, p, h)
            case = Case.objects.create(
                person=self._p(p),
                household=self._h(h),
                referral=referral,
                referring_agency=self.agencies[sender],
                coordinating_agency=self.agencies[coordinating],
                coordinator=self.user,
                status="intake",
                opened_on=self.today,
            )
            for code in dict.fromkeys((coordinating, sender)):
                CaseTeamMember.objects.create(
                    case=case, agency=self.agencies[code], joined_on=self.today
                )
            self.cases.append(case)
        elif kind == "team_join":
            n, code = args
            if (
                n < len(self.cases)
                and not self.cases[n]
                .team.filter(agency=self.agencies[code], left_on__isnull=True)
                .exists()
            ):
                CaseTeamMember.objects.create(
                    case=self.cases[n], agency=self.agencies[code], joined_on=self.today
                )
        elif kind == "team_leave":
            n, code = args
            if n < len(self.cases):
                for member in self.cases[n].team.filter(
                    agency=self.agencies[code], left_on__isnull=True
                ):
                    member.left_on = self.today
                    member.save()
        elif kind in ("consent", "withdraw"):
            n, p = args[:2]
            if n >= len(self.cases):
                return
            case, record = self.cases[n], self.persons[p]
            last = case.consents.order_by("-version").values_list("version", flat=True).first()
            case.consents.filter(person=record, is_current=True).update(is_current=False)
            consent = Consent.objects.create(
                case=case,
                person=record,
                version=(last or 0) + 1,
                recorded_by=self.user,
                is_current=True,
                is_withdrawal=kind == "withdraw",
                given_by=record.name,
                given_on=self.today,
            )
            if kind == "consent":
                consent.scope_agencies.set([self.agencies[code] for code in args[2]])
        elif kind == "outreach":
            code, p = args
            self.outreach.append(
                OutreachRecord.objects.create(
                    agency=self.agencies[code],
                    label=f"アウトリーチ対象{len(self.outreach)}",
                    person=self._p(p),
                    source="resident",
                    began_on=self.today,
                    created_by=self.user,
                )
            )
        elif kind == "participation":
            code, p = args
            ParticipationRecord.objects.create(
                agency=self.agencies[code],
                worker=self.user,
                person=self._p(p),
                started_on=self.today,
                goals="週に一度、外に出る",
                outside_plan_reason="多機関協働の対象外",
                created_by=self.user,
            )
        elif kind == "relink_outreach":
            n, p = args
            if n < len(self.outreach):
                record = self.outreach[n]
                record.refresh_from_db()  # a merge may have moved it meanwhile
                record.person = self._p(p)
                record.save()
        elif kind == "archive":
            p, archived = args
            record = self._p(p)
            if not record.merges_into.filter(unmerged_at__isnull=True).exists():
                record.is_archived = archived
                record.save()
        elif kind == "rename":
            p, (name, kana, born) = args
            record = self._p(p)
            record.name, record.name_kana, record.birth_date = name, kana, born
            record.refresh_search_keys()
            record.save()
        elif kind == "merge":
            a, b = args
            survivor, merged = self._p(a), self._p(b)
            if a != b and not survivor.is_archived and not merged.is_archived:
                merge_records(
                    by=self.user, survivor=survivor, merged=merged, reason="同一人", candidate=None
                )


def _granted(agency_id: int, subject: str, bases=None) -> set[int]:
    return access.granted_ids(agency_id, subject, bases)


def assert_grants_follow_the_rules(world: World, step) -> None:
    for code, agency in world.agencies.items():
        pairs = {
            "persons": (_granted(agency.pk, "person"), access.rule_persons(agency.pk)),
            "households": (_granted(agency.pk, "household"), access.rule_households(agency.pk)),
            "cases": (_granted(agency.pk, "case"), access.rule_cases(agency.pk)),
            "case content": (
                _granted(agency.pk, "case", CASE_CONTENT_BASES),
                access.rule_case_content(agency.pk),
            ),
        }
        for what, (granted, rule) in pairs.items():
            expected = set(rule.values_list("pk", flat=True))
            assert granted == expected, f"after {step}: {code} {what}"
        # the search entries: the persons the rules open, not archived, with their keys now
        keys = ("key_name", "key_given", "key_kana", "key_kana_given", "birth_date")
        entries = set(SearchEntry.objects.filter(agency=agency).values_list("person_id", *keys))
        searchable = Person.objects.filter(
            pk__in=access.rule_persons(agency.pk).values("pk"), is_archived=False
        )
        assert entries == set(searchable.values_list("pk", *keys)), f"after {step}: {code} search"


@pytest.fixture
def recorder(personas):
    return personas["coordinator"].user


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(history=st.lists(ACTION, min_size=1, max_size=25))
# the writes that bypass save(): a merge moves the absorbed person's records in bulk
@example(history=[("consult", "houkatsu", 1, None), ("join", 1, 0), ("merge", 0, 1)])
# a record moved to another subject ends the grant it gave the old one
@example(history=[("consult", "houkatsu", 1, None), ("move_consultation", 0, 2, None)])
# an outreach record opens its person (and the person's household) to the outreach agency;
# linked to another person, or merged into one, it opens that one instead
@example(history=[("join", 0, 0), ("outreach", "csw", 0), ("relink_outreach", 0, 1)])
@example(history=[("join", 1, 1), ("participation", "houkatsu", 1), ("merge", 1, 2)])
@example(history=[("outreach", "csw", 1), ("merge", 0, 1), ("relink_outreach", 0, None)])
# a record deleted through an instance read before a merge moved it (its person is stale):
# the grant on the person the record was moved to ends
@example(history=[("consult", "csw", 2, None), ("merge", 0, 2), ("delete_consultation", 0)])
# a renamed person is found by the new name only; an archived one by no agency
@example(
    history=[
        ("consult", "houkatsu", 0, None),
        ("rename", 0, NAMES[1]),
        ("archive", 0, True),
        ("archive", 0, False),
    ]
)
def test_grants_answer_as_the_rules_after_every_step(agencies, recorder, history):
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            world = World(agencies, recorder)
            for step in history:
                world.apply(step)
                assert_grants_follow_the_rules(world, step)
            raise Rollback
    except Rollback:
        pass


def test_each_basis_is_named_and_an_ended_one_is_kept_with_its_end(agencies, recorder):
    """A grant says why the agency may see the subject; when the basis goes, the grant is
    closed, not deleted, so the history answers who could see the person and until when."""
    world = World(agencies, recorder)
    world.apply(("join", 0, 0))
    world.apply(("consult", "houkatsu", None, 0))
    son = world.persons[0]
    grant = AccessGrant.objects.get(person=son, agency=agencies["houkatsu"])
    assert (grant.basis, grant.valid_until) == ("household", None)

    world.apply(("leave", 0, 0))
    grant.refresh_from_db()
    assert grant.valid_until is not None
    assert not _granted(agencies["houkatsu"].pk, "person")


def test_an_outreach_record_is_a_basis_that_ends_when_it_names_another_person(agencies, recorder):
    world = World(agencies, recorder)
    world.apply(("outreach", "csw", 0))
    grant = AccessGrant.objects.get(person=world.persons[0], agency=agencies["csw"])
    assert (grant.basis, grant.valid_until) == ("outreach", None)

    world.apply(("relink_outreach", 0, 1))
    grant.refresh_from_db()
    assert grant.valid_until is not None
    assert _granted(agencies["csw"].pk, "person") == {world.persons[1].pk}


def test_a_persona_sees_what_its_agencys_grants_open(agencies, personas, recorder):
    world = World(agencies, recorder)
    world.apply(("consult", "houkatsu", 1, None))
    desk, unrelated = personas["desk"].user, personas["unrelated"].user
    assert personas["desk"].membership.role == Role.DESK_WORKER
    assert list(access.persons_visible_to(desk)) == [world.persons[1]]
    assert not access.persons_visible_to(unrelated).exists()
