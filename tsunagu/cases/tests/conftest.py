import pytest

from tsunagu.cases import services as case_services
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.tests.conftest import *  # noqa: F403


@pytest.fixture
def multi_referral(personas, consultation, coordinator_agency):
    """The desk (地域包括) refers the 8050 household (mother as the person) to 多機関協働."""
    return consultation_services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=coordinator_agency,
        reason="世帯全体の支援が必要です。",
        kind="multi_agency",
        criterion_household=True,
        tried_with_agencies="ひきこもり相談室・保健センターと連携したが進まない",
        is_urgent=True,
    )


@pytest.fixture
def case(personas, multi_referral):
    """The coordinator accepts the referral, which opens the case (インテーク)."""
    consultation_services.referral_accept(by=personas["coordinator"].user, referral=multi_referral)
    multi_referral.refresh_from_db()
    return multi_referral.case


@pytest.fixture
def consented_case(personas, case, agencies):
    """The case with a signed consent naming the coordinating agency only."""
    case_services.consent_record(
        by=personas["coordinator"].user,
        case=case,
        given_by="山田 フミ",
        given_on=case.opened_on,
        method="signature",
        scope_agencies=[agencies["council"]],
        share_in_conference=True,
    )
    return case


def give_consent(personas, case, *agencies, share_in_conference=True, person=None):
    """The case's person (or ``person``) consents to sharing with ``agencies``."""
    return case_services.consent_record(
        by=personas["coordinator"].user,
        case=case,
        person=person,
        given_by="山田 フミ",
        given_on=case.opened_on,
        method="signature",
        scope_agencies=list(agencies),
        share_in_conference=share_in_conference,
    )
