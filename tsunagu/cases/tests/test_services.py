import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tsunagu import access
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services, workflow
from tsunagu.cases.models import Case, CaseStatus, CaseStatusEvent
from tsunagu.consultations import services as intake
from tsunagu.consultations.tests.conftest import (  # noqa: F401  (fixtures)
    categories,
    consultation,
    coordinator_agency,
    household_8050,
)

pytestmark = pytest.mark.django_db
C = CaseStatus
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def multi_referral(personas, consultation, coordinator_agency):
    return intake.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=coordinator_agency,
        reason="世帯全体の支援が必要",
        kind="multi_agency",
        criterion_household=True,
        tried_with_agencies="ひきこもり相談室と連携したが進まない",
        is_urgent=True,
    )


@pytest.fixture
def case(personas, multi_referral):
    intake.referral_accept(by=personas["coordinator"].user, referral=multi_referral)
    return Case.objects.get(referral=multi_referral)


def test_accepting_a_multi_agency_referral_opens_the_case(
    personas, case, multi_referral, household_8050
):
    assert case.status == C.INTAKE
    assert case.is_urgent
    assert case.household == household_8050["household"]
    assert case.coordinator == personas["coordinator"].user
    assert {m.agency.code for m in case.team.all()} == {"council", "houkatsu"}
    assert case.status_events.get().to_status == C.INTAKE
    event = AuditEvent.objects.get(action="case.open")
    assert event.context == {"case": case.pk, "referral": multi_referral.pk}
    assert sorted(event.person_ids) == sorted(
        [household_8050["mother"].pk, household_8050["son"].pk]
    )


def test_only_the_coordinating_agency_may_open(personas, multi_referral):
    with pytest.raises(PermissionDenied):
        services.case_open_from_referral(by=personas["desk"].user, referral=multi_referral)
    with pytest.raises(PermissionDenied):
        services.case_open_from_referral(by=personas["participation"].user, referral=multi_referral)
    assert not Case.objects.exists()


def _consent(personas, case, **kw):
    values = {
        "by": personas["coordinator"].user,
        "case": case,
        "given_by": "高橋 ミツ",
        "given_on": TODAY,
        "method": "signature",
        "scope_agencies": [personas["outreach"].agency],
        "share_in_conference": True,
    }
    values.update(kw)
    return services.consent_record(**values)


def test_consent_versions_and_withdrawal_cut_access_at_once(personas, case, household_8050):
    outreach = personas["outreach"]
    mother, son = household_8050["mother"], household_8050["son"]
    for agency in (outreach.agency, personas["community"].agency):
        services.team_add(by=personas["coordinator"].user, case=case, agency=agency)
    assert not access.can_view(outreach.user, mother)
    first = _consent(personas, case)
    assert (first.version, first.person, case.current_consent()) == (1, mother, first)
    assert access.can_view(outreach.user, mother)
    assert access.can_view(outreach.user, household_8050["household"])
    # The mother's consent is hers: the adult son's details need his own (§6).
    assert not access.can_view(outreach.user, son)
    withdrawal = services.consent_withdraw(
        by=personas["coordinator"].user, case=case, given_by="高橋 ミツ", given_on=TODAY
    )
    assert withdrawal.version == 2 and withdrawal.is_withdrawal
    assert case.current_consent() is None
    assert not access.can_view(outreach.user, mother)
    again = _consent(personas, case, scope_agencies=[personas["community"].agency])
    assert again.version == 3
    assert access.can_view(personas["community"].user, mother)
    assert not access.can_view(outreach.user, mother)
    assert list(case.consents.values_list("version", flat=True)) == [1, 2, 3]  # never overwritten
    assert AuditEvent.objects.filter(action__startswith="consent.").count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_by": " "}, "given_by"),
        ({"given_on": datetime.date(2999, 1, 1)}, "given_on"),
        ({"method": "fax"}, "method"),
        ({"method": "oral", "witness": ""}, "witness"),
        ({"scope_agencies": [], "share_in_conference": False}, "scope_agencies"),
    ],
)
def test_bad_consent_changes_nothing(personas, case, change, field):
    with pytest.raises(ValidationError) as excinfo:
        _consent(personas, case, **change)
    assert field in excinfo.value.message_dict
    assert not case.consents.exists()


def test_only_the_coordinator_records_consent(personas, case):
    for name in ("desk", "outreach", "unrelated"):
        with pytest.raises(PermissionDenied):
            _consent(personas, case, by=personas[name].user)


def test_intake_needs_consent_or_an_explicit_confidential_meeting_path(personas, case):
    coordinator = personas["coordinator"].user
    with pytest.raises(workflow.CaseTransitionError, match="支援会議"):
        services.case_transition(by=coordinator, case=case, to=C.ASSESSMENT)
    with pytest.raises(ValidationError, match="理由"):
        services.case_transition(by=coordinator, case=case, to=C.ASSESSMENT, without_consent=True)
    moved = services.case_transition(
        by=coordinator,
        case=case,
        to=C.ASSESSMENT,
        without_consent=True,
        note="本人と会えておらず、まず支援会議で情報共有する",
    )
    assert moved.status == C.ASSESSMENT
    assert (
        CaseStatusEvent.objects.filter(case=case)
        .last()
        .note.startswith("同意なし（支援会議で扱う）")
    )


def test_with_consent_intake_moves_to_assessment_and_planning(personas, case):
    _consent(personas, case)
    coordinator = personas["coordinator"].user
    case = services.case_transition(by=coordinator, case=case, to=C.ASSESSMENT)
    case = services.case_transition(by=coordinator, case=case, to=C.PLANNING)
    assert case.status == C.PLANNING
    assert AuditEvent.objects.filter(action="case.transition").count() == 2


@pytest.mark.parametrize(("start", "target"), list(itertools.product(C.values, C.values)))
def test_every_direct_move_allowed_or_refused(personas, case, start, target):
    Case.objects.filter(pk=case.pk).update(status=start)  # arrange the starting state
    case.refresh_from_db()
    _consent(personas, case)
    move = (start, target)
    coordinator = personas["coordinator"].user
    if move in workflow.DIRECT_TRANSITIONS:
        moved = services.case_transition(by=coordinator, case=case, to=target, note="再開します")
        assert moved.status == target
    else:
        with pytest.raises(workflow.CaseTransitionError) as excinfo:
            services.case_transition(by=coordinator, case=case, to=target, note="x")
        if move in workflow.DECISION_TRANSITIONS:
            assert "会議の決定" in str(excinfo.value)
        case.refresh_from_db()
        assert case.status == start


def test_reopening_needs_a_reason_and_keeps_history(personas, case):
    Case.objects.filter(pk=case.pk).update(status=C.CLOSED, closed_on=TODAY)
    case.refresh_from_db()
    coordinator = personas["coordinator"].user
    with pytest.raises(ValidationError, match="再開の理由"):
        services.case_transition(by=coordinator, case=case, to=C.ASSESSMENT)
    case = services.case_transition(by=coordinator, case=case, to=C.ASSESSMENT, note="再び相談")
    assert (case.status, case.closed_on) == (C.ASSESSMENT, None)
    assert AuditEvent.objects.filter(action="case.reopen").exists()
    assert case.status_events.count() == 2


def test_case_visibility(personas, case):
    visible = {name for name, p in personas.items() if access.can_view(p.user, case)}
    assert visible == {"officer", "coordinator", "participation", "desk"}  # council + referrer


def test_team_add(personas, case, agencies):
    member = services.team_add(
        by=personas["coordinator"].user, case=case, agency=agencies["csw"], role="訪問"
    )
    assert member.agency == agencies["csw"]
    assert access.can_view(personas["outreach"].user, case)
    with pytest.raises(ValidationError, match="既に支援チーム"):
        services.team_add(by=personas["coordinator"].user, case=case, agency=agencies["csw"])


def test_unknown_target_status_is_a_clear_error(personas, case):
    with pytest.raises(workflow.CaseTransitionError, match="移行先の状態"):
        services.case_transition(by=personas["coordinator"].user, case=case, to="done")


def test_over_long_values_are_refused_in_japanese(personas, case, agencies):
    coordinator = personas["coordinator"].user
    _consent(personas, case)
    with pytest.raises(ValidationError, match="100文字以内"):
        services.consent_withdraw(by=coordinator, case=case, given_by="長" * 101, given_on=TODAY)
    with pytest.raises(ValidationError, match="100文字以内"):
        services.team_add(by=coordinator, case=case, agency=agencies["csw"], role="役" * 101)
    assert case.current_consent() is not None


def test_consent_cannot_name_an_inactive_agency(personas, case, agencies):
    agencies["csw"].is_active = False
    agencies["csw"].save()
    with pytest.raises(ValidationError, match="無効になっている機関"):
        _consent(personas, case, scope_agencies=[agencies["csw"]])


def test_manage_permission_matches_the_service_rule(personas, case):
    allowed = {n for n, p in personas.items() if p.user.has_perm("cases.manage_case", case)}
    assert allowed == {"officer", "coordinator"}
