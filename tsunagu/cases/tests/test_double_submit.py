"""A double click or a reload never records a support activity or a plan twice."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.cases.models import Activity

from .flow import to_planning

pytestmark = pytest.mark.django_db

ALREADY = "この内容は既に送信されています"


def token_in(response) -> str:
    [token] = re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())
    return token


def test_the_same_activity_sent_twice_is_recorded_once(login, personas, case):
    client = login(personas["desk"])
    url = reverse("cases:activity_create", args=[case.pk])
    data = {
        "form_token": token_in(client.get(url)),
        "occurred_on": timezone.localdate().isoformat(),
        "kind": "call",
        "summary": "本人に電話した",
    }
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert Activity.objects.count() == 1
    assert second["Location"] == first["Location"]
    assert ALREADY in client.get(second["Location"]).content.decode()


def test_the_same_plan_sent_twice_is_drafted_once(login, personas, consented_case):
    case = to_planning(personas, consented_case)
    client = login(personas["coordinator"])
    url = reverse("cases:plan_create", args=[case.pk])
    data = {"form_token": token_in(client.get(url)), "goals": "外出できる", "policy": "段階的に"}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert case.plans.count() == 1
    assert second["Location"] == first["Location"]
