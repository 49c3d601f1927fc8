"""With TSUNAGU_REQUIRE_2FA, the office and administrators confirm each sign-in with a TOTP code."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from tsunagu.accounts import services as account_services
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TWO_FACTOR = reverse("accounts:two_factor")


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True


def sign_in(username):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_of(device, *, earlier=False):
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)


def test_off_by_default(settings, personas):
    assert settings.REQUIRE_2FA is False
    assert sign_in("officer").get("/").status_code == 200


@pytest.mark.parametrize("name", ["officer", "admin"])
def test_the_office_and_administrators_set_up_an_app_at_their_first_sign_in(
    required, personas, name
):
    client = sign_in(name)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)

    page = client.get(TWO_FACTOR)
    html = page.content.decode()
    assert page.status_code == 200
    assert "二段階認証" in html
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn here (img-src data:)
    device = TOTPDevice.objects.get(user=personas[name].user)
    assert not device.confirmed
    assert client.get(TWO_FACTOR).status_code == 200
    assert TOTPDevice.objects.filter(user=personas[name].user).count() == 1  # same key

    wrong = client.post(TWO_FACTOR, {"code": "000000"})
    assert wrong.status_code == 400
    assert "確認コードが正しくありません" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.2fa_failed").count() == 1
    device.throttle_reset()

    right = client.post(TWO_FACTOR, {"code": code_of(device), "next": "/agencies/"})
    assert right.status_code == 302
    assert right["Location"] == "/agencies/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrolled").count() == 1
    assert AuditEvent.objects.filter(action="auth.2fa_verified").count() == 1


def test_the_next_sign_in_asks_for_a_code_without_the_qr(required, personas):
    user = personas["officer"].user
    device = TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
    client = sign_in("officer")
    page = client.get(TWO_FACTOR)
    assert "data:image/svg+xml" not in page.content.decode()
    assert client.get("/audit/").status_code == 302
    assert client.post(TWO_FACTOR, {"code": code_of(device)}).status_code == 302
    assert client.get("/audit/").status_code == 200


def test_other_roles_are_not_asked(required, personas):
    assert sign_in("desk").get("/").status_code == 200
    assert not TOTPDevice.objects.exists()


def test_an_unconfirmed_session_cannot_use_the_api_or_htmx(required, personas):
    client = sign_in("officer")
    assert client.get("/api/v1/agencies").status_code == 403
    partial = client.get("/agencies/", HTTP_HX_REQUEST="true")
    assert partial["HX-Redirect"] == TWO_FACTOR


def test_api_tokens_are_not_asked(required, personas):
    _token, raw = account_services.api_token_issue(
        membership=personas["officer"].membership, name="連携", by=personas["officer"].user
    )
    response = Client().get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_the_administrator_has_it_set_up_again(required, login, personas):
    user = personas["officer"].user
    TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
    admin = Client()
    admin.force_login(personas["admin"].user)
    admin_device = TOTPDevice.objects.create(
        user=personas["admin"].user, name="認証アプリ", confirmed=True
    )
    admin.post(TWO_FACTOR, {"code": code_of(admin_device)})
    response = admin.post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="auth.2fa_reset")
    assert event.actor == personas["admin"].user
    assert event.target_id == str(user.pk)
