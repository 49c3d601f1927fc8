"""A double click or a reload never registers a meeting twice."""

import re

import pytest
from django.urls import reverse

from tsunagu.meetings.models import Meeting

pytestmark = pytest.mark.django_db


def token_in(response) -> str:
    [token] = re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())
    return token


def test_the_same_meeting_sent_twice_is_registered_once(login, personas):
    client = login(personas["coordinator"])
    url = reverse("meetings:meeting_create")
    data = {
        "form_token": token_in(client.get(url)),
        "kind": "confidential_meeting",
        "title": "支援会議（随時）",
        "schedule": "ad_hoc",
        "format": "online",
        "starts_on": "R8.12.3",
        "starts_time": "14:30",
        "place": "オンライン会議室",
    }
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert Meeting.objects.count() == 1
    assert second["Location"] == first["Location"]
    assert "この内容は既に送信されています" in client.get(second["Location"]).content.decode()
