"""Merging persons and undoing it: exact restoration, households, audit, who may do it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from tsunagu.audit.models import AuditEvent, AuditPersonLink
from tsunagu.cases.models import Case
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.linkage.models import CandidateOrigin, CandidateStatus, MatchCandidate, PersonMerge
from tsunagu.linkage.services.merge import _person_relations, person_merge, person_unmerge
from tsunagu.linkage.services.review import (
    auto_merge_threshold,
    candidate_add,
    candidate_confirm,
    candidate_reject,
    candidates_from_pairs,
)
from tsunagu.linkage.services.shared import LinkageConflict
from tsunagu.people import services as people_services
from tsunagu.people.models import Household, HouseholdMember, Person

# --- shared fixtures (imported by the view and API tests) --------------------------------


@pytest.fixture
def twins(personas, case, household_8050, categories):
    """The 8050 mother (registered by the desk, the subject of a case) and the same woman
    registered again by the coordinator's agency under another spelling: a consultation of
    her own, a household of her own and a current membership of the mother's household."""
    coordinator = personas["coordinator"].user
    mother = household_8050["mother"]
    dup = people_services.person_create(
        by=coordinator,
        name="山田 ふみ",
        name_kana="やまだ ふみ",
        birth_date=datetime.date(1943, 5, 2),
        address="岐阜市中央一丁目2番3号",
        phone="058-111-2222",
        sex="female",
    )
    own = people_services.household_create(by=coordinator, label="山田ふみ世帯")
    people_services.household_add_member(by=None, household=own, person=dup, relation="head")
    old = people_services.household_create(by=coordinator, label="旧住所の世帯")
    left = people_services.household_add_member(
        by=None,
        household=old,
        person=dup,
        relation="head",
        start_date=datetime.date(2000, 1, 1),
    )
    HouseholdMember.objects.filter(pk=left.pk).update(end_date=datetime.date(2010, 3, 31))
    people_services.household_add_member(
        by=None, household=household_8050["household"], person=dup, relation="mother"
    )
    dup_consultation = consultation_services.consultation_record(
        by=coordinator,
        received_on=timezone.localdate(),
        channel="phone",
        consulter_type="self",
        person=dup,
        categories=[categories["elderly_care"]],
        summary="足腰が弱り買い物に困っている。",
        outcome="handled",
    )
    return {
        "mother": mother,
        "dup": dup,
        "own_household": own,
        "old_household": old,
        "household": household_8050["household"],
        "dup_consultation": dup_consultation,
        "case": case,
    }


@pytest.fixture
def candidate(twins):
    return candidate_add(
        person_a=twins["mother"],
        person_b=twins["dup"],
        probability=0.93,
        reasons=["name", "kana", "dob"],
        origin=CandidateOrigin.BATCH,
    )


@pytest.fixture
def stranger(personas):
    """A person only the unrelated agency (住宅・空家対策課) knows."""
    return people_services.person_create(
        by=personas["unrelated"].user,
        name="山田 ふみ子",
        name_kana="ヤマダ フミコ",
        birth_date=datetime.date(1943, 5, 2),
    )


def fk_snapshot(*persons) -> dict:
    """Every row of every model pointing at these persons, and the persons themselves."""
    ids = [p.pk for p in persons]
    snap = {}
    for model in (Case, Consultation, Referral, HouseholdMember):
        for row in model._base_manager.filter(person_id__in=ids).values():
            snap[(model._meta.label_lower, row["id"])] = row
    for row in Person.objects.filter(pk__in=ids).values():
        snap[("people.person", row["id"])] = row
    return snap


def current_members(household: Household) -> list[int]:
    return sorted(
        HouseholdMember.objects.filter(household=household, end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )


# --- merge and unmerge ------------------------------------------------------------------


def test_every_model_pointing_at_person_is_covered():
    labels = {(m._meta.label_lower, f) for m, f in _person_relations()}
    assert labels == {
        ("cases.case", "person"),
        ("cases.consent", "person"),
        ("community.communityreport", "person"),
        ("community.watch", "person"),
        ("consultations.consultation", "person"),
        ("consultations.referral", "person"),
        ("outreach.outreachrecord", "person"),
        ("participation.participationrecord", "person"),
        ("people.householdmember", "person"),
    }


def test_merge_repoints_records_and_archives_the_absorbed_person(personas, twins):
    mother, dup = twins["mother"], twins["dup"]
    before_dup = Person.objects.filter(pk=dup.pk).values().get()
    merge = person_merge(
        by=personas["officer"].user, survivor=mother, merged=dup, reason="同一人物と確認"
    )
    assert Consultation.objects.get(pk=twins["dup_consultation"].pk).person_id == mother.pk
    assert not Consultation.objects.filter(person=dup).exists()
    assert not HouseholdMember.objects.filter(person=dup, end_date__isnull=True).exists()
    # the shared household holds the mother once; her own household now lists the survivor
    assert current_members(twins["household"]) == sorted([mother.pk, household_son_id(twins)])
    assert current_members(twins["own_household"]) == [mother.pk]
    after_dup = Person.objects.filter(pk=dup.pk).values().get()
    assert after_dup["is_archived"] is True
    assert {k: v for k, v in after_dup.items() if k != "is_archived"} == {
        k: v for k, v in before_dup.items() if k != "is_archived"
    }
    assert merge.merged_by == personas["officer"].user
    assert len(merge.ended_memberships) == 1
    moved_models = {row["model"] for row in merge.moved}
    assert moved_models == {"consultations.consultation", "people.householdmember"}


def household_son_id(twins) -> int:
    return (
        HouseholdMember.objects.filter(household=twins["household"], relation="child")
        .values_list("person_id", flat=True)
        .get()
    )


def test_unmerge_restores_the_exact_previous_state(personas, twins):
    mother, dup = twins["mother"], twins["dup"]
    before = fk_snapshot(mother, dup)
    merge = person_merge(
        by=personas["officer"].user, survivor=dup, merged=mother, reason="同一人物と確認"
    )
    # the case, the consultation and the referral about the mother moved to the survivor
    assert Case.objects.get(pk=twins["case"].pk).person_id == dup.pk
    assert fk_snapshot(mother, dup) != before
    person_unmerge(by=personas["officer"].user, merge=merge, reason="別人と判明")
    assert fk_snapshot(mother, dup) == before
    merge.refresh_from_db()
    assert merge.unmerged_by == personas["officer"].user
    assert merge.unmerge_reason == "別人と判明"


def test_records_added_after_the_merge_stay_with_the_survivor(personas, twins, categories):
    mother, dup = twins["mother"], twins["dup"]
    merge = person_merge(
        by=personas["officer"].user, survivor=mother, merged=dup, reason="同一人物"
    )
    later = consultation_services.consultation_record(
        by=personas["desk"].user,
        received_on=timezone.localdate(),
        channel="phone",
        consulter_type="self",
        person=mother,
        categories=[categories["elderly_care"]],
        summary="統合後の相談。",
        outcome="handled",
    )
    person_unmerge(by=personas["officer"].user, merge=merge, reason="誤り")
    assert Consultation.objects.get(pk=later.pk).person_id == mother.pk
    assert Consultation.objects.get(pk=twins["dup_consultation"].pk).person_id == dup.pk


def test_double_unmerge_is_refused(personas, twins):
    merge = person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )
    person_unmerge(by=personas["officer"].user, merge=merge, reason="誤り")
    with pytest.raises(LinkageConflict):
        person_unmerge(by=personas["officer"].user, merge=merge, reason="もう一度")


def test_unmerge_refused_when_a_moved_record_changed_since(personas, twins):
    merge = person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )
    Consultation.objects.filter(pk=twins["dup_consultation"].pk).update(
        person=household_son_id(twins)
    )
    with pytest.raises(LinkageConflict, match="相談"):
        person_unmerge(by=personas["officer"].user, merge=merge, reason="誤り")
    assert Person.objects.get(pk=twins["dup"].pk).is_archived


def test_unmerge_of_an_earlier_merge_waits_for_the_later_one(personas, twins):
    officer = personas["officer"].user
    third = people_services.person_create(by=officer, name="山田 フミ", name_kana="ヤマダ フミ")
    first = person_merge(by=officer, survivor=twins["mother"], merged=twins["dup"], reason="同一")
    second = person_merge(by=officer, survivor=third, merged=twins["mother"], reason="同")
    with pytest.raises(LinkageConflict, match="先にそちら"):
        person_unmerge(by=officer, merge=first, reason="誤り")
    person_unmerge(by=officer, merge=second, reason="誤り")
    person_unmerge(by=officer, merge=first, reason="誤り")
    assert not Person.objects.filter(is_archived=True).exists()


def test_merge_refuses_the_same_or_an_archived_person(personas, twins):
    officer = personas["officer"].user
    with pytest.raises(ValidationError):
        person_merge(by=officer, survivor=twins["mother"], merged=twins["mother"], reason="同一")
    person_merge(by=officer, survivor=twins["mother"], merged=twins["dup"], reason="同")
    with pytest.raises((LinkageConflict, PermissionDenied)):
        person_merge(by=officer, survivor=twins["dup"], merged=twins["mother"], reason="同一")
    assert PersonMerge.objects.count() == 1


def test_merge_needs_a_reason(personas, twins):
    with pytest.raises(ValidationError) as exc:
        person_merge(
            by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason=" "
        )
    assert "reason" in exc.value.message_dict
    assert not Person.objects.get(pk=twins["dup"].pk).is_archived


# --- audit ------------------------------------------------------------------------------


def test_merge_and_unmerge_are_audited_with_both_persons_and_history_kept(personas, twins):
    mother, dup = twins["mother"], twins["dup"]
    links_before = set(
        AuditPersonLink.objects.filter(person_id__in=[mother.pk, dup.pk]).values_list(
            "event_id", "person_id"
        )
    )
    merge = person_merge(
        by=personas["officer"].user, survivor=mother, merged=dup, reason="同一人物"
    )
    event = AuditEvent.objects.get(action="person.merge")
    assert event.person_ids == sorted([mother.pk, dup.pk])
    assert event.target_id == str(merge.pk)
    assert event.actor == personas["officer"].user
    assert event.context["moved"] == merge.moved
    person_unmerge(by=personas["officer"].user, merge=merge, reason="誤り")
    undo = AuditEvent.objects.get(action="person.unmerge")
    assert undo.person_ids == sorted([mother.pk, dup.pk])
    links_after = set(
        AuditPersonLink.objects.filter(person_id__in=[mother.pk, dup.pk]).values_list(
            "event_id", "person_id"
        )
    )
    # nothing rewritten: the earlier history of both ids is still there, two events added
    assert links_before < links_after
    assert len(links_after - links_before) == 4


def test_candidate_confirm_and_reject_are_audited(personas, twins, candidate):
    candidate_confirm(
        by=personas["coordinator"].user, candidate=candidate, survivor=twins["mother"], note="確認"
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONFIRMED
    assert candidate.reviewed_by == personas["coordinator"].user
    event = AuditEvent.objects.get(action="linkage.candidate_confirm")
    assert event.person_ids == sorted([twins["mother"].pk, twins["dup"].pk])
    merge = PersonMerge.objects.get()
    assert merge.candidate == candidate and merge.survivor == twins["mother"]
    assert AuditEvent.objects.filter(action="linkage.candidate_add").count() == 1


def test_reject_needs_a_note_and_keeps_both(personas, twins, candidate):
    with pytest.raises(ValidationError):
        candidate_reject(by=personas["officer"].user, candidate=candidate, note="")
    candidate_reject(
        by=personas["officer"].user, candidate=candidate, note="生年月日は同じだが別人"
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REJECTED
    assert not PersonMerge.objects.exists()
    assert AuditEvent.objects.filter(action="linkage.candidate_reject").count() == 1
    with pytest.raises(LinkageConflict):
        candidate_confirm(
            by=personas["officer"].user, candidate=candidate, survivor=twins["mother"]
        )


def test_unmerging_a_confirmed_candidate_marks_it_rejected(personas, twins, candidate):
    merge = candidate_confirm(
        by=personas["officer"].user, candidate=candidate, survivor=twins["dup"]
    )
    person_unmerge(by=personas["officer"].user, merge=merge, reason="別人")
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REJECTED
    # the pair is not queued again by a later run
    again = candidate_add(
        person_a=twins["dup"], person_b=twins["mother"], probability=0.9, origin="batch"
    )
    assert again.pk == candidate.pk
    assert MatchCandidate.objects.count() == 1


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "coordinator"])
def test_reviewers_may_merge(personas, twins, who):
    merge = person_merge(
        by=personas[who].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )
    assert merge.pk


@pytest.mark.parametrize(
    "who", ["desk", "outreach", "participation", "community", "guest", "admin", "unrelated"]
)
def test_other_roles_may_not_merge_confirm_reject_or_unmerge(personas, twins, candidate, who):
    user = personas[who].user
    with pytest.raises(PermissionDenied):
        person_merge(by=user, survivor=twins["mother"], merged=twins["dup"], reason="x")
    with pytest.raises(PermissionDenied):
        candidate_confirm(by=user, candidate=candidate, survivor=twins["mother"])
    with pytest.raises(PermissionDenied):
        candidate_reject(by=user, candidate=candidate, note="別人")
    merge = person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="x"
    )
    with pytest.raises(PermissionDenied):
        person_unmerge(by=user, merge=merge, reason="誤り")
    assert not PersonMerge.objects.get().unmerged_at


def test_a_coordinator_may_not_merge_a_person_they_cannot_see(personas, twins, stranger):
    with pytest.raises(PermissionDenied):
        person_merge(
            by=personas["coordinator"].user, survivor=twins["dup"], merged=stranger, reason="x"
        )
    assert not Person.objects.get(pk=stranger.pk).is_archived


# --- candidates -------------------------------------------------------------------------


def test_candidate_add_orders_dedupes_and_refuses_bad_pairs(twins):
    mother, dup = twins["mother"], twins["dup"]
    first = candidate_add(person_a=dup, person_b=mother, probability=0.8, origin="batch")
    assert (first.person_a_id, first.person_b_id) == tuple(sorted([mother.pk, dup.pk]))
    second = candidate_add(person_a=mother, person_b=dup, probability=0.9)
    assert second.pk == first.pk
    with pytest.raises(ValidationError):
        candidate_add(person_a=mother, person_b=mother, probability=0.9)
    with pytest.raises(ValidationError):
        candidate_add(person_a=mother, person_b=dup, probability=1.5)
    Person.objects.filter(pk=dup.pk).update(is_archived=True)
    dup.refresh_from_db()
    with pytest.raises(ValidationError):
        candidate_add(
            person_a=twins["household"].members.first().person, person_b=dup, probability=0.9
        )


def test_a_worker_may_only_point_out_persons_they_see(personas, twins, stranger):
    with pytest.raises(PermissionDenied):
        candidate_add(
            by=personas["coordinator"].user,
            person_a=twins["dup"],
            person_b=stranger,
            probability=0.7,
        )
    made = candidate_add(
        by=personas["coordinator"].user,
        person_a=twins["dup"],
        person_b=twins["mother"],
        probability=0.7,
    )
    assert made.origin == CandidateOrigin.MANUAL


def test_pairs_from_a_batch_run_wait_for_review_by_default(twins, stranger):
    pairs = [
        (twins["mother"].pk, twins["dup"].pk, 0.999, ["name", "dob"]),
        (twins["dup"].pk, stranger.pk, 0.75, ["dob"]),
        (stranger.pk, stranger.pk, 0.9, []),
    ]
    result = candidates_from_pairs(pairs, origin="batch")
    assert (result.added, result.skipped, result.merged) == (2, 1, 0)
    assert not PersonMerge.objects.exists()
    assert MatchCandidate.objects.filter(status="pending").count() == 2
    again = candidates_from_pairs(pairs, origin="batch")
    assert (again.added, again.existing) == (0, 2)


def test_pairs_at_or_above_the_configured_threshold_merge(settings, twins, stranger):
    settings.TSUNAGU = {**settings.TSUNAGU, "LINKAGE_AUTO_MERGE_THRESHOLD": 0.99}
    result = candidates_from_pairs(
        [
            (twins["dup"].pk, twins["mother"].pk, 0.995, ["name", "dob"]),
            (twins["dup"].pk, stranger.pk, 0.989, ["dob"]),
        ],
        origin="batch",
    )
    assert (result.added, result.merged) == (2, 1)
    merge = PersonMerge.objects.get()
    assert merge.is_automatic and merge.merged_by is None
    assert merge.survivor_id == min(twins["mother"].pk, twins["dup"].pk)
    # the second pair followed the absorbed record to its survivor and waits for review
    pending = MatchCandidate.objects.get(status="pending")
    assert {pending.person_a_id, pending.person_b_id} == {merge.survivor_id, stranger.pk}


@pytest.fixture
def father_and_son(personas):
    """山田 太郎 (1944) and his son 山田 太郎 (1972) at one address and landline, registered by
    the coordinator's agency."""
    home = {"address": "岐阜市今沢町1-2-3", "phone": "058-265-4141", "sex": "male"}
    return tuple(
        people_services.person_create(
            by=personas["coordinator"].user,
            name="山田 太郎",
            name_kana="ヤマダ タロウ",
            birth_date=day,
            **home,
        )
        for day in (datetime.date(1944, 5, 1), datetime.date(1972, 5, 1))
    )


def test_a_father_and_son_of_one_name_never_merge_automatically(settings, father_and_son):
    """Above the configured threshold, a pair the rules hold back still waits for a person."""
    settings.TSUNAGU = {**settings.TSUNAGU, "LINKAGE_AUTO_MERGE_THRESHOLD": 0.99}
    father, son = father_and_son
    result = candidates_from_pairs([(father.pk, son.pk, 0.999, ["name"])], origin="batch")
    assert (result.added, result.merged) == (1, 0)
    assert not PersonMerge.objects.exists()
    assert MatchCandidate.objects.get().status == "pending"


@override_settings(TSUNAGU={"LINKAGE_AUTO_MERGE_THRESHOLD": 1.5})
def test_a_threshold_out_of_range_is_refused():
    with pytest.raises(ValueError, match="LINKAGE_AUTO_MERGE_THRESHOLD"):
        auto_merge_threshold()
