"""Object checks (``access.can_view``, ``access.sees_case_content``) answer as the visible
querysets do, and a page that asks twice reads the grants once until a grant changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PERSONA_NAMES
from tsunagu import access
from tsunagu.accounts.models import User
from tsunagu.cases.models import Case
from tsunagu.cases.selectors.case import case_get
from tsunagu.cases.services.team import team_add, team_leave
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.people.models import Household, Person
from tsunagu.people.selectors import household_get, person_get, visible_person_ids


@pytest.mark.django_db
def test_each_object_check_answers_as_the_visible_querysets(personas, case, agencies):
    team_add(by=personas["coordinator"].user, case=case, agency=personas["outreach"].agency)
    give_consent(personas, case, personas["outreach"].agency)
    team_add(by=personas["coordinator"].user, case=case, agency=personas["community"].agency)
    archived = Person.objects.create(name="記録 整理", name_kana="キロク セイリ")
    Person.objects.filter(pk=archived.pk).update(is_archived=True)
    checked = 0
    for name in PERSONA_NAMES:
        user = personas[name].user
        for model, visible in (
            (Person, access.persons_visible_to),
            (Household, access.households_visible_to),
            (Case, access.cases_visible_to),
        ):
            expected = set(visible(user).values_list("pk", flat=True))
            for obj in model.objects.all():
                assert access.can_view(user, obj) is (obj.pk in expected), (name, obj)
                checked += 1
        content = set(access.case_content_visible_to(user).values_list("pk", flat=True))
        assert access.sees_case_content(user, case) is (case.pk in content), name
    assert checked >= 40  # every persona × every person, household and case


@pytest.fixture
def standard_categories(transactional_db):
    """The categories a migration installs (a transactional test before may have emptied
    the tables)."""
    from tsunagu.consultations.categories import install_standard_categories
    from tsunagu.consultations.models import IssueCategory

    install_standard_categories(IssueCategory)


@pytest.fixture
def committed_case(standard_categories, personas, multi_referral, case):
    return case


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_kept_for_the_request_until_a_grant_changes(personas, committed_case):
    case = committed_case
    """Outside a transaction (a page) the answer is kept on the user object; any refresh of
    the grants (the team changes) makes the next check read them again."""
    outreach = personas["outreach"].user
    coordinator = personas["coordinator"].user
    assert not access.can_view(outreach, case)
    with CaptureQueriesContext(connection) as asked_again:
        assert not access.can_view(outreach, case)
    assert len(asked_again) == 0

    team_add(by=coordinator, case=case, agency=personas["outreach"].agency)
    assert access.can_view(outreach, case)  # the same user object: read again
    assert not access.sees_case_content(outreach, case)  # no consent names the agency

    give_consent(personas, case, personas["outreach"].agency)
    assert access.sees_case_content(outreach, case)

    team_leave(by=coordinator, case=case, agency=personas["outreach"].agency, reason="終了")
    assert not access.sees_case_content(outreach, case)
    assert not access.can_view(outreach, case)


@pytest.mark.django_db
def test_the_coordinator_sees_the_referrals_about_the_households_it_coordinates(
    personas, case, household_8050, consultation
):
    """The referral rule's SQL answers as its ORM wording: referrals about the household,
    the case's person or a current member, where the consultation allows sharing."""
    from django.db.models import Q

    from tsunagu.consultations import services as intake
    from tsunagu.consultations.models import Referral
    from tsunagu.people.models import HouseholdMember

    desk = personas["desk"].user
    son = household_8050["son"]
    intake.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=personas["outreach"].agency,
        person=son,
        reason="本人への訪問",
    )
    coordinator = personas["coordinator"].user
    agency = access.acting_agency_id(coordinator)
    coordinated = Case.objects.filter(coordinating_agency_id=agency)
    households = coordinated.filter(household__isnull=False).values("household_id")
    members = HouseholdMember.objects.filter(
        end_date__isnull=True, household_id__in=households
    ).values("person_id")
    about = (
        Q(household_id__in=households)
        | Q(person_id__in=coordinated.filter(person__isnull=False).values("person_id"))
        | Q(person_id__in=members)
    )
    reference = Referral.objects.filter(
        Q(from_agency_id=agency)
        | Q(to_agency_id=agency)
        | (Q(consultation__consent_to_share=True) & about)
    )
    seen = set(access.referrals_visible_to(coordinator).values_list("pk", flat=True))
    assert seen == set(reference.values_list("pk", flat=True))
    assert (
        Referral.objects.filter(person=son, to_agency=personas["outreach"].agency).get().pk in seen
    )


@pytest.mark.django_db(transaction=True)
def test_a_page_read_answers_the_later_object_checks(personas, committed_case, agencies):
    """The reads of the case, person and household pages (``case_get``,
    ``visible_person_ids``, ``person_get``, ``household_get``) leave their answers for the
    object checks that follow in the request: no second query, and the same answer as a
    fresh user object gets by asking the grants."""
    case = committed_case
    team_add(by=personas["coordinator"].user, case=case, agency=personas["outreach"].agency)
    stranger = Person.objects.create(name="別人 太郎", name_kana="ベツジン タロウ")
    asked = [*case.subject_persons(), stranger.pk]

    def fresh(name):
        user = User.objects.get(pk=personas[name].user.pk)
        user.acting_membership = personas[name].membership
        return user

    for name in ("coordinator", "desk", "outreach", "officer"):
        user = fresh(name)
        found = case_get(user=user, pk=case.pk)
        visible = visible_person_ids(user, asked)
        with CaptureQueriesContext(connection) as checks:
            assert access.can_view(user, found)
            answers = {pk: access.can_view(user, Person(pk=pk)) for pk in asked}
            assert visible_person_ids(user, asked) == visible  # asked again: kept
        assert len(checks) == 0, name
        assert answers == {pk: pk in visible for pk in asked}, name
        other = fresh(name)  # nothing kept: the grants answer
        assert answers == {pk: access.can_view(other, Person(pk=pk)) for pk in asked}, name

    desk = fresh("desk")
    person = person_get(user=desk, pk=case.person_id)
    household = household_get(user=desk, pk=case.household_id)
    with CaptureQueriesContext(connection) as checks:
        assert access.can_view(desk, person)
        assert access.can_view(desk, household)
    assert len(checks) == 0
