"""A browser idle for longer than SESSION_IDLE_MINUTES is signed out at its next request."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from tsunagu.accounts.security import LAST_ACTIVITY_KEY
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

IDLE_MESSAGE = "一定時間操作がなかったため、ログアウトしました。"


class Clock:
    """``django.utils.timezone.now`` moved by hand."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, minutes):
        self.now += timedelta(minutes=minutes)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


@pytest.fixture
def signed_in(client, personas, clock):
    response = client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_default_is_thirty_minutes(settings):
    assert settings.SESSION_IDLE_MINUTES == 30


def test_activity_within_the_limit_keeps_the_session(signed_in, clock):
    for _ in range(4):
        clock.advance(25)
        assert signed_in.get("/").status_code == 200  # 100 minutes, never 30 idle


def test_an_idle_session_is_signed_out_with_a_message(signed_in, clock):
    clock.advance(31)
    response = signed_in.get(reverse("accounts:notification_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]
    assert "_auth_user_id" not in signed_in.session

    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert IDLE_MESSAGE in page.content.decode()

    event = AuditEvent.objects.filter(action="auth.logout").latest("id")
    assert event.context == {"reason": "idle"}
    # signed out for good: the next page asks for the login again, without the message
    again = signed_in.get("/")
    assert again.status_code == 302


def test_an_htmx_request_sends_the_whole_page_to_the_login(signed_in, clock):
    clock.advance(31)
    response = signed_in.get(reverse("accounts:agency_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")
    assert IDLE_MESSAGE in signed_in.get(reverse("login")).content.decode()


def test_an_api_request_on_an_idle_session_is_unauthorised(signed_in, clock):
    assert signed_in.get("/api/v1/agencies").status_code == 200
    clock.advance(31)
    response = signed_in.get("/api/v1/agencies")
    assert response.status_code in (401, 403)
    assert "_auth_user_id" not in signed_in.session


def test_the_last_activity_is_written_at_most_once_a_minute(signed_in, clock):
    first = signed_in.session[LAST_ACTIVITY_KEY]
    clock.advance(0.5)
    signed_in.get("/")
    assert signed_in.session[LAST_ACTIVITY_KEY] == first
    clock.advance(1)
    signed_in.get("/")
    assert signed_in.session[LAST_ACTIVITY_KEY] > first


def test_the_limit_comes_from_the_settings(signed_in, clock, settings):
    settings.SESSION_IDLE_MINUTES = 5
    clock.advance(6)
    assert signed_in.get("/").status_code == 302


def test_zero_turns_the_timeout_off(signed_in, clock, settings):
    settings.SESSION_IDLE_MINUTES = 0
    clock.advance(120)
    assert signed_in.get("/").status_code == 200
