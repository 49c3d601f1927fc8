"""A double click, a reload or the back button never records a consultation or a referral twice."""

import re

import pytest
from django.urls import reverse

from tsunagu.common.models import FormSubmission
from tsunagu.consultations.models import Consultation, IssueCategory, Referral

pytestmark = pytest.mark.django_db

ALREADY = "この内容は既に送信されています"


def token_in(response) -> str:
    [token] = re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())
    return token


def messages_of(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def consultation_post(token, **overrides):
    hikikomori = IssueCategory.objects.get(code="hikikomori")
    return {
        "form_token": token,
        "categories": [hikikomori.pk],
        "received_on": "令和8年11月21日",
        "channel": "walk_in",
        "consulter_type": "family",
        "summary": "母の物忘れがひどくなってきた。",
        "consent_to_share": "yes",
        "outcome": "handled",
        **overrides,
    }


def test_each_rendering_of_the_intake_form_has_a_new_token(login, personas, household_8050):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    first, second = token_in(client.get(url)), token_in(client.get(url))
    assert first != second
    assert not FormSubmission.objects.exists()  # rendering writes nothing


def test_the_same_intake_sent_twice_records_one_consultation(login, personas, household_8050):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    data = consultation_post(token_in(client.get(url)))
    first = client.post(url, data)
    consultation = Consultation.objects.get()
    assert first["Location"] == reverse("consultations:consultation_detail", args=[consultation.pk])
    second = client.post(url, data)
    assert Consultation.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]  # the first result again
    assert ALREADY in messages_of(client, second)


def test_a_refused_intake_keeps_its_token_for_the_corrected_form(login, personas, household_8050):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    token = token_in(client.get(url))
    refused = client.post(url, consultation_post(token, summary=""))
    assert refused.status_code == 200
    assert not Consultation.objects.exists()
    corrected = client.post(url, consultation_post(token))
    assert corrected.status_code == 302
    assert Consultation.objects.count() == 1


def test_without_a_token_the_form_works_as_before(login, personas, household_8050):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    data = consultation_post("")
    client.post(url, data)
    client.post(url, data)
    assert Consultation.objects.count() == 2


def test_the_same_referral_sent_twice_makes_one_referral(
    login, personas, consultation, agencies, household_8050
):
    client = login(personas["desk"])
    url = reverse("consultations:referral_create", args=[consultation.pk])
    data = {
        "form_token": token_in(client.get(url)),
        "to_agency": agencies["csw"].pk,
        "target": f"member:{household_8050['son'].pk}",
        "reason": "息子さんへの訪問をお願いします。",
    }
    first = client.post(url, data)
    referral = Referral.objects.get()
    assert first["Location"] == reverse("consultations:referral_detail", args=[referral.pk])
    second = client.post(url, data)
    assert Referral.objects.count() == 1  # one open referral in the CSW's inbox
    assert second["Location"] == first["Location"]
    assert ALREADY in messages_of(client, second)


def test_another_users_copy_of_a_token_creates_nothing_and_shows_nothing(
    login, personas, household_8050
):
    desk = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={household_8050['son'].pk}"
    data = consultation_post(token_in(desk.get(url)))
    first = desk.post(url, data)
    officer = login(personas["officer"])
    again = officer.post(url, data)
    assert Consultation.objects.count() == 1
    assert again["Location"] == reverse("dashboard")
    assert again["Location"] != first["Location"]
