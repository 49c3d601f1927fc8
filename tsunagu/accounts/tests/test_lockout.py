"""Repeated failed sign-ins lock the user ID; the program office unlocks it (all audited)."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from tsunagu.accounts import lockout
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "ログインに続けて失敗したため、このアカウントは一時的にロックされています。"


def sign_in(client, username, password, address="192.0.2.10"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, addresses=None):
    for i in range(times):
        address = addresses[i] if addresses else "192.0.2.10"
        sign_in(client, username, "まちがい", address)


def test_settings_lock_after_five_failures_for_thirty_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert lockout.cooloff_minutes() == 30
    assert "username" in settings.AXES_LOCKOUT_PARAMETERS
    assert ["username", "ip_address"] in settings.AXES_LOCKOUT_PARAMETERS


def test_four_failures_still_let_the_right_password_in(client, personas):
    fail(client, "desk", 4)
    assert sign_in(client, "desk", PASSWORD).status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, personas):
    fail(client, "desk", 6)
    response = sign_in(client, "desk", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED_TEXT in html
    assert "30分後に再度お試しいただくか、事務局に解除を依頼してください。" in html
    assert '<html lang="ja">' in html
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()

    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() == 7  # six wrong passwords and the refused right one
    locked = AuditEvent.objects.get(action="auth.locked_out")  # once, when it locked
    assert locked.context["username"] == "desk"
    assert locked.context["failure_limit"] == 5
    assert locked.ip_address == "192.0.2.10"


def test_the_lockout_answer_is_the_same_for_an_id_that_does_not_exist(client, personas):
    fail(client, "desk", 5)
    fail(client, "nobody-such", 5)
    real = sign_in(client, "desk", "まちがい")
    made_up = sign_in(client, "nobody-such", "まちがい")
    assert real.status_code == made_up.status_code == 429

    def page(response):  # the answer without its CSRF token
        return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())

    assert page(real) == page(made_up)


def test_an_attacker_changing_address_each_time_still_locks_the_account(client, personas):
    addresses = [f"198.51.100.{i}" for i in range(1, 7)]
    fail(client, "desk", 6, addresses)
    response = sign_in(client, "desk", PASSWORD, "203.0.113.99")  # yet another address
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert [lock.username for lock in lockout.locked_accounts()] == ["desk"]
    assert lockout.locked_accounts()[0].addresses == 7  # the refused try is counted too


def test_other_accounts_from_the_same_address_are_not_locked(client, personas):
    fail(client, "desk", 6)
    assert sign_in(client, "coordinator", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cooloff(client, personas):
    fail(client, "desk", 5)
    assert sign_in(client, "desk", PASSWORD).status_code == 429
    # the last failure was 31 minutes ago
    lockout.LoginAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
    assert lockout.locked_accounts() == []
    assert sign_in(client, "desk", PASSWORD).status_code == 302


def test_the_program_office_unlocks_from_its_screen(client, login, personas):
    fail(client, "desk", 6)
    officer = login(personas["officer"])
    page = officer.get(reverse("accounts:login_locks"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ログインのロック" in html and "desk" in html

    response = officer.post(reverse("accounts:login_unlock"), {"username": "desk"})
    assert response.status_code == 302
    assert lockout.locked_accounts() == []
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor == personas["officer"].user
    assert event.context["username"] == "desk"
    assert event.context["was_locked"] is True

    assert sign_in(Client(), "desk", PASSWORD).status_code == 302


@pytest.mark.parametrize("name", ["desk", "coordinator", "guest"])
def test_only_the_office_and_the_administrator_may_unlock(login, personas, name):
    client = login(personas[name])
    assert client.get(reverse("accounts:login_locks")).status_code == 403
    assert client.post(reverse("accounts:login_unlock"), {"username": "x"}).status_code == 403
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


def test_the_unlock_link_is_in_the_menu_of_the_office_only(login, personas):
    assert "nav-login-locks" in login(personas["officer"]).get("/").content.decode()
    assert "nav-login-locks" in login(personas["admin"]).get("/").content.decode()
    assert "nav-login-locks" not in login(personas["desk"]).get("/").content.decode()


def test_the_administrator_unlocks_in_the_admin_site(client, login, personas):
    fail(client, "desk", 6, [f"198.51.100.{i}" for i in range(1, 7)])
    admin = login(personas["admin"])
    changelist = admin.get("/admin/accounts/loginattempt/")
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "ログインの失敗・ロック" in html and "ロック中" in html and "接続元" in html
    assert "ログインの失敗・ロック" in admin.get("/admin/").content.decode()

    ids = list(lockout.LoginAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/accounts/loginattempt/",
        {"action": "unlock", "_selected_action": ids[:1]},
    )
    assert response.status_code == 302
    assert not lockout.LoginAttempt.objects.exists()  # every address of that user ID
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor == personas["admin"].user
    assert event.via == "admin"
    assert sign_in(Client(), "desk", PASSWORD).status_code == 302


def test_the_officer_cannot_open_the_admin_site(login, personas):
    assert login(personas["officer"]).get("/admin/accounts/loginattempt/").status_code == 302


def test_unlock_from_the_command_line_is_audited(client, personas):
    fail(client, "desk", 6)
    out = StringIO()
    call_command("axes_reset_username", "desk", stdout=out)
    assert "ロックを解除しました" in out.getvalue()
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor is None and event.via == "cli"
    assert sign_in(client, "desk", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_earlier_typos(client, personas):
    fail(client, "desk", 4)
    assert sign_in(client, "desk", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "desk", 4)
    assert sign_in(client, "desk", PASSWORD).status_code == 302


def test_the_admin_login_page_is_protected_too(client, personas):
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "admin", "password": "まちがい"}, REMOTE_ADDR="192.0.2.7"
        )
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
