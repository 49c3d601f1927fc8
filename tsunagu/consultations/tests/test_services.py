import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.common.business_days import add_office_days
from tsunagu.consultations import selectors, services
from tsunagu.consultations.models import (
    Consultation,
    Referral,
    ReferralEvent,
    ReferralOutcome,
    ReferralStatus,
)

pytestmark = pytest.mark.django_db
S = ReferralStatus


def test_consultation_is_recorded_with_primary_category_and_audited(consultation, household_8050):
    links = {link.category.code: link.is_primary for link in consultation.category_links.all()}
    assert links == {"elderly_care": False, "hikikomori": False, "problem_8050": True}
    event = AuditEvent.objects.get(action="consultation.create")
    members = [household_8050["mother"].pk, household_8050["son"].pk]
    assert event.person_ids == sorted(members)
    assert event.context == {"consultation": consultation.pk}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"categories": []}, "categories"),
        ({"received_on": datetime.date(2999, 1, 1)}, "received_on"),
        ({"outcome": "?"}, "outcome"),
        ({"household": None, "person": None}, "person"),
    ],
)
def test_bad_consultations_change_nothing(personas, household_8050, categories, change, field):
    kwargs = {
        "by": personas["desk"].user,
        "received_on": datetime.date(2026, 11, 1),
        "channel": "phone",
        "consulter_type": "self",
        "person": household_8050["mother"],
        "household": None,
        "categories": [categories["elderly_care"]],
        "summary": "相談",
        "outcome": "handled",
    }
    kwargs.update(change)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.consultation_record(**kwargs)
    assert field in excinfo.value.message_dict
    assert Consultation.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_primary_category_must_be_chosen(personas, household_8050, categories):
    with pytest.raises(ValidationError, match="選んだ相談内容の中から"):
        services.consultation_record(
            by=personas["desk"].user,
            received_on=datetime.date(2026, 11, 1),
            channel="phone",
            consulter_type="self",
            person=household_8050["mother"],
            categories=[categories["elderly_care"]],
            primary_category=categories["debt"],
            summary="相談",
            outcome="handled",
        )


def test_admin_and_guest_cannot_record(personas, household_8050, categories):
    for name in ("admin", "guest"):
        with pytest.raises(PermissionDenied):
            services.consultation_record(
                by=personas[name].user,
                received_on=datetime.date(2026, 11, 1),
                channel="phone",
                consulter_type="self",
                person=household_8050["mother"],
                categories=[categories["elderly_care"]],
                summary="相談",
                outcome="handled",
            )


def test_unrelated_agency_cannot_record_for_a_person_it_cannot_see(
    personas, household_8050, categories
):
    with pytest.raises(services.NotVisible):
        services.consultation_record(
            by=personas["unrelated"].user,
            received_on=datetime.date(2026, 11, 1),
            channel="phone",
            consulter_type="self",
            person=household_8050["son"],
            categories=[categories["housing"]],
            summary="相談",
            outcome="handled",
        )


def test_update_is_audited_with_diff_and_only_by_recording_agency(
    personas, consultation, categories
):
    services.consultation_update(
        by=personas["desk"].user,
        consultation=consultation,
        categories=[categories["hikikomori"]],
        primary_category=categories["hikikomori"],
        summary="修正後の概要",
    )
    event = AuditEvent.objects.get(action="consultation.update")
    assert event.changes["summary"]["after"] == "修正後の概要"
    assert event.changes["categories"]["after"] == ["hikikomori"]
    with pytest.raises(PermissionDenied):
        services.consultation_update(
            by=personas["officer"].user,
            consultation=consultation,
            categories=[categories["hikikomori"]],
            summary="x",
        )


def _send(personas, consultation, to="outreach", **kw):
    """The desk (地域包括) refers to the outreach worker's agency (CSW)."""
    return services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=personas[to].agency,
        reason="ひきこもり状態の息子さんへの支援をお願いします。",
        **kw,
    )


def test_referral_loop_to_completion(personas, consultation, household_8050):
    referral = _send(personas, consultation, person=household_8050["son"])
    assert referral.status == S.SENT
    assert referral.respond_by > referral.sent_at
    outreach = personas["outreach"].user
    referral = services.referral_accept(by=outreach, referral=referral)
    referral = services.referral_start(by=outreach, referral=referral)
    referral = services.referral_complete(
        by=outreach, referral=referral, outcome=ReferralOutcome.SUPPORT_STARTED, note="訪問開始"
    )
    assert referral.status == S.COMPLETED
    assert referral.outcome == "support_started"
    assert list(referral.events.values_list("to_status", flat=True)) == [
        "sent",
        "accepted",
        "in_progress",
        "completed",
    ]
    actions = list(
        AuditEvent.objects.filter(target_type="consultations.referral")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["referral.send", "referral.accept", "referral.start", "referral.complete"]
    assert AuditEvent.objects.filter(action="referral.send").get().person_ids == [
        household_8050["son"].pk
    ]


ALL_STATES = list(S.values)
ALLOWED = set(services.TRANSITIONS)


def _referral_in(personas, consultation, status):
    referral = _send(personas, consultation)
    Referral.objects.filter(pk=referral.pk).update(status=status)  # arrange the starting state
    referral.refresh_from_db()
    return referral


MOVES = {
    S.ACCEPTED: lambda by, r: services.referral_accept(by=by, referral=r),
    S.RETURNED: lambda by, r: services.referral_return(by=by, referral=r, reason="対象外です"),
    S.IN_PROGRESS: lambda by, r: services.referral_start(by=by, referral=r),
    S.COMPLETED: lambda by, r: services.referral_complete(
        by=by, referral=r, outcome=ReferralOutcome.INFORMATION_ONLY
    ),
}


@pytest.mark.parametrize(("start", "target"), list(itertools.product(ALL_STATES, MOVES)))
def test_every_transition_allowed_or_refused(personas, consultation, start, target):
    referral = _referral_in(personas, consultation, start)
    receiver = personas["outreach"].user
    if (start, target) in ALLOWED:
        moved = MOVES[target](receiver, referral)
        assert moved.status == target
        assert ReferralEvent.objects.filter(referral=referral, to_status=target).exists()
    else:
        with pytest.raises(services.TransitionError):
            MOVES[target](receiver, referral)
        referral.refresh_from_db()
        assert referral.status == start


@pytest.mark.parametrize("target", list(MOVES))
def test_only_the_receiving_agency_moves_a_referral(personas, consultation, target):
    referral = _send(personas, consultation)
    if target in (S.IN_PROGRESS, S.COMPLETED):
        referral = services.referral_accept(by=personas["outreach"].user, referral=referral)
    for name in ("desk", "coordinator", "unrelated"):
        with pytest.raises((PermissionDenied, services.TransitionError)):
            MOVES[target](personas[name].user, referral)


def test_concurrent_move_is_refused(personas, consultation):
    referral = _send(personas, consultation)
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_accept(by=personas["outreach"].user, referral=referral)
    with pytest.raises(services.TransitionError):
        services.referral_return(by=personas["outreach"].user, referral=stale, reason="x")


def test_return_needs_reason_and_sender_acknowledges_or_resends(personas, consultation):
    referral = _send(personas, consultation)
    with pytest.raises(ValidationError, match="差し戻す理由"):
        services.referral_return(by=personas["outreach"].user, referral=referral, reason=" ")
    referral = services.referral_return(
        by=personas["outreach"].user, referral=referral, reason="当機関の対象ではありません"
    )
    attention = selectors.referral_attention(user=personas["desk"].user)
    assert list(attention["returned"]) == [referral]
    with pytest.raises(PermissionDenied):
        services.referral_acknowledge_return(by=personas["outreach"].user, referral=referral)
    new = services.referral_resend(
        by=personas["desk"].user,
        referral=referral,
        to_agency=personas["unrelated"].agency,
        reason="住まいの相談として",
    )
    assert new.previous == referral
    referral.refresh_from_db()
    assert referral.return_acknowledged_at is not None
    assert list(selectors.referral_attention(user=personas["desk"].user)["returned"]) == []


def test_rereferral_sends_onward(personas, consultation):
    referral = services.referral_accept(
        by=personas["outreach"].user, referral=_send(personas, consultation)
    )
    with pytest.raises(ValidationError, match="再紹介先"):
        services.referral_complete(
            by=personas["outreach"].user, referral=referral, outcome=ReferralOutcome.REREFERRED
        )
    services.referral_complete(
        by=personas["outreach"].user,
        referral=referral,
        outcome=ReferralOutcome.REREFERRED,
        rerefer_to=personas["unrelated"].agency,
        rerefer_reason="住まいの課題が中心のため",
    )
    onward = Referral.objects.get(previous=referral)
    assert (onward.from_agency, onward.to_agency, onward.status) == (
        personas["outreach"].agency,
        personas["unrelated"].agency,
        S.SENT,
    )


def test_send_validation(personas, consultation):
    with pytest.raises(ValidationError) as excinfo:
        services.referral_send(
            by=personas["desk"].user,
            consultation=consultation,
            to_agency=personas["desk"].agency,
            reason="",
        )
    assert set(excinfo.value.message_dict) == {"to_agency", "reason"}
    assert Referral.objects.count() == 0


def test_multi_agency_referral_needs_criteria_and_what_was_tried(
    personas, consultation, coordinator_agency
):
    with pytest.raises(ValidationError) as excinfo:
        services.referral_send(
            by=personas["desk"].user,
            consultation=consultation,
            to_agency=coordinator_agency,
            reason="世帯全体の支援が必要",
            kind="multi_agency",
        )
    assert set(excinfo.value.message_dict) == {"criteria", "tried_with_agencies"}
    with pytest.raises(ValidationError, match="多機関協働事業を実施する機関"):
        services.referral_send(
            by=personas["desk"].user,
            consultation=consultation,
            to_agency=personas["unrelated"].agency,
            reason="x",
            kind="multi_agency",
            criterion_household=True,
            tried_with_agencies="ひきこもり相談室と連携",
        )
    referral = services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=coordinator_agency,
        reason="世帯全体の支援が必要",
        kind="multi_agency",
        criterion_household=True,
        criterion_gap=False,
        tried_with_agencies="ひきこもり相談室・保健センターと連携したが進まない",
        is_urgent=True,
    )
    assert referral.is_urgent
    # it waits in the coordinator's inbox; accepting it opens a 多機関協働 case (インテーク)
    assert list(
        selectors.referral_attention(user=personas["coordinator"].user)["inbox_waiting"]
    ) == [referral]
    accepted = services.referral_accept(by=personas["coordinator"].user, referral=referral)
    assert accepted.status == S.ACCEPTED
    assert accepted.case.status == "intake"


def test_overdue_referrals_show_on_both_dashboards(personas, consultation, settings):
    referral = _send(personas, consultation)
    assert not selectors.is_overdue(referral)
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(hours=1)
    )
    assert list(selectors.referral_attention(user=personas["outreach"].user)["inbox_overdue"]) == [
        referral
    ]
    assert list(selectors.referral_attention(user=personas["desk"].user)["outbox_overdue"]) == [
        referral
    ]
    settings.TSUNAGU = {**settings.TSUNAGU, "REFERRAL_RESPONSE_DAYS": 10}
    later = _send(personas, consultation)
    sent_on = timezone.localtime(later.sent_at).date()
    assert timezone.localtime(later.respond_by).date() == add_office_days(sent_on, 10)


def test_deadline_skips_weekends_and_holidays():
    sent = timezone.make_aware(datetime.datetime(2026, 11, 20, 16, 0))  # Friday afternoon
    due = timezone.localtime(services.respond_by_for(sent))
    # Mon 23 is 勤労感謝の日: Tue 24, Wed 25, Thu 26
    assert (due.date(), due.hour) == (datetime.date(2026, 11, 26), 23)


def test_help_desk_suggestions_rank_by_themes(agencies, categories):
    from tsunagu.consultations.models import HelpDeskRoute

    HelpDeskRoute.objects.create(category=categories["hikikomori"], agency=agencies["csw"])
    HelpDeskRoute.objects.create(category=categories["problem_8050"], agency=agencies["csw"])
    HelpDeskRoute.objects.create(category=categories["elderly_care"], agency=agencies["houkatsu"])
    ids = [categories[c].pk for c in ("hikikomori", "problem_8050", "elderly_care")]
    ranked = selectors.help_desk_suggestions(category_ids=ids)
    assert [(a.code, themes) for a, themes in ranked] == [
        ("csw", ["ひきこもり", "8050問題"]),
        ("houkatsu", ["高齢・介護"]),
    ]
    assert [
        a.code
        for a, _ in selectors.help_desk_suggestions(
            category_ids=ids, exclude_agency_id=agencies["csw"].pk
        )
    ] == ["houkatsu"]


def test_long_return_reason_is_kept_whole_in_the_trail(personas, consultation):
    reason = "対象外の理由。" * 60  # well over any short column
    referral = services.referral_return(
        by=personas["outreach"].user, referral=_send(personas, consultation), reason=reason
    )
    assert referral.return_reason == reason
    event = AuditEvent.objects.get(action="referral.return")
    assert event.changes["note"]["after"] == reason


def test_resending_a_multi_agency_referral_keeps_its_eligibility(
    personas, consultation, coordinator_agency, agencies
):
    from tsunagu.accounts.models import AgencyProgram

    referral = services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=coordinator_agency,
        reason="世帯全体の支援が必要",
        kind="multi_agency",
        criterion_gap=True,
        tried_with_agencies="保健センターと連携",
    )
    services.referral_return(
        by=personas["coordinator"].user, referral=referral, reason="別の事業者へ"
    )
    referral.refresh_from_db()
    AgencyProgram.objects.create(agency=agencies["office"], program="multi_agency")
    new = services.referral_resend(
        by=personas["desk"].user, referral=referral, to_agency=agencies["office"], reason="再送"
    )
    assert (new.criterion_gap, new.tried_with_agencies) == (True, "保健センターと連携")
    with pytest.raises(PermissionDenied):
        services.referral_resend(
            by=personas["coordinator"].user,
            referral=referral,
            to_agency=agencies["office"],
            reason="x",
        )


def test_subject_person_ids_cover_household_members(
    consultation, household_8050, django_assert_max_num_queries
):
    expected = sorted([household_8050["mother"].pk, household_8050["son"].pk])
    with django_assert_max_num_queries(1):
        assert selectors.subject_person_ids([consultation, consultation]) == expected
