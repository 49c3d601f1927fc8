"""A team agency that the case person's consent names sees the 参加支援 beside the case for
that person, never a household member's (each member's details only on their own consent):
the case page and the person pages agree."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu import access
from tsunagu.cases import services as case_services
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.participation import services

pytestmark = pytest.mark.django_db


def _open(personas, case, person):
    return services.record_open(
        by=personas["participation"].user,
        person=person,
        case=case,
        started_on=timezone.localdate() - datetime.timedelta(days=3),
        goals="地域の活動に参加したい",
        is_early=True,
    )


def test_a_members_record_follows_the_members_own_consent(
    personas, agencies, case, household_8050, login
):
    mother, son = household_8050["mother"], household_8050["son"]
    case_services.team_add(by=personas["coordinator"].user, case=case, agency=agencies["csw"])
    give_consent(personas, case, agencies["council"], agencies["csw"])  # the mother's
    give_consent(personas, case, agencies["council"], person=son)  # the son: not the csw
    mothers, sons = _open(personas, case, mother), _open(personas, case, son)
    team = personas["outreach"].user  # the csw on the team
    assert access.sees_case_content(team, case)
    records = set(access.participation_records_visible_to(team).values_list("pk", flat=True))
    assert records == {mothers.pk}
    persons = set(access.persons_visible_to(team).values_list("pk", flat=True))
    assert mother.pk in persons and son.pk not in persons
    client = login(personas["outreach"])
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert mother.name in page
    assert son.name not in page
    assert client.get(reverse("people:person_detail", args=[son.pk])).status_code == 404
    assert client.get(reverse("participation:record_detail", args=[sons.pk])).status_code == 404
    # the son's own consent naming the csw opens both at once
    give_consent(personas, case, agencies["council"], agencies["csw"], person=son)
    assert access.participation_records_visible_to(team).filter(pk=sons.pk).exists()
    assert client.get(reverse("people:person_detail", args=[son.pk])).status_code == 200
