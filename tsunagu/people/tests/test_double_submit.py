"""A double click or a reload never registers a person or a household twice."""

import re

import pytest
from django.urls import reverse

from tsunagu.people.models import Household, Person

pytestmark = pytest.mark.django_db

ALREADY = "この内容は既に送信されています"


def token_in(response) -> str:
    [token] = re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())
    return token


def person_data(token, **overrides):
    return {
        "form_token": token,
        "name": "山田 太郎",
        "name_kana": "やまだ たろう",
        "birth_date": "昭和55年3月1日",
        "sex": "male",
        "address": "テスト市本町1-1",
        **overrides,
    }


def test_the_same_person_form_sent_twice_registers_one_person(login, personas):
    client = login(personas["desk"])
    url = reverse("people:person_create")
    data = person_data(token_in(client.get(url)))
    first = client.post(url, data)
    person = Person.objects.get()
    assert first["Location"] == reverse("people:person_detail", args=[person.pk])
    second = client.post(url, data)
    assert Person.objects.count() == 1
    assert second["Location"] == first["Location"]
    assert ALREADY in client.get(second["Location"]).content.decode()


def test_the_duplicate_confirmation_step_can_still_be_sent(login, personas):
    """The first send stops at the possible-duplicate step; confirming uses the same token."""
    client = login(personas["desk"])
    url = reverse("people:person_create")
    client.post(url, person_data(token_in(client.get(url))))
    token = token_in(client.get(url))
    stopped = client.post(url, person_data(token))
    assert stopped.status_code == 200
    assert Person.objects.count() == 1
    confirmed = person_data(
        token_in(stopped),
        duplicate_step="1",
        confirm_not_duplicate="on",
        duplicate_reason="生年月日が同じ別人（本人確認済み）",
    )
    assert client.post(url, confirmed).status_code == 302
    assert client.post(url, confirmed).status_code == 302
    assert Person.objects.count() == 2


def test_the_same_household_form_sent_twice_registers_one_household(login, personas):
    client = login(personas["desk"])
    url = reverse("people:household_create")
    data = {"form_token": token_in(client.get(url)), "label": "山田世帯", "address": "本町1-1"}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert Household.objects.count() == 1
    assert second["Location"] == first["Location"]
