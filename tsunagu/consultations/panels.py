"""The 相談受付 and つなぎ sections of the person and household pages, registered in
``ConsultationsConfig.ready()`` (``tsunagu.people.panels``)."""

from __future__ import annotations

from tsunagu.people.panels import AUDIT
from tsunagu.people.selectors import households_of

from .selectors import consultation_list, is_overdue, referral_list


def _consultations_and_referrals(user, *, person_ids=(), household_ids=()) -> dict:
    """Consultations and referrals about the households or any of the persons, newest first."""
    about = (list(person_ids), list(household_ids))
    consultation_rows = list(consultation_list(user=user, about=about))
    referral_rows = list(referral_list(user=user, about=about))
    for referral in referral_rows:
        referral.overdue = is_overdue(referral)
    return {
        "consultations": consultation_rows,
        "referrals": referral_rows,
        AUDIT: {
            "consultations": [c.pk for c in consultation_rows],
            "referrals": [r.pk for r in referral_rows],
        },
    }


def person_panel(user, person) -> dict:
    """The person's own consultations and referrals and those of their households (a
    household consultation about an 8050 family concerns the mother as much as the son)."""
    households = households_of(user=user, person=person).values_list("pk", flat=True)
    return _consultations_and_referrals(
        user, person_ids=[person.pk], household_ids=list(households)
    )


def household_panel(user, household) -> dict:
    """The household's consultations and referrals and those of any current member."""
    return _consultations_and_referrals(
        user,
        person_ids=[m.person_id for m in household.current_members],
        household_ids=[household.pk],
    )
