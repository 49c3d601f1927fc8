"""庁内アカウント through OIDC: the code flow against a provider on loopback, and every refusal."""

from __future__ import annotations

import time
from io import StringIO
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditEvent
from tsunagu.settings import directory

from .oidc_provider import Provider, apply_settings, other_key

pytestmark = pytest.mark.django_db

BUTTON = "庁内アカウントでログイン"


@pytest.fixture(scope="module")
def provider():
    running = Provider().start()
    yield running
    running.stop()


def configure(settings, provider, **environ):
    apply_settings(settings, provider, **environ)


@pytest.fixture
def oidc(settings, provider):
    configure(settings, provider)
    return provider


def start(client: Client, next_url: str = "") -> str:
    """Press the button: tsunagu sends the browser to the provider's authorization URL."""
    url = reverse("oidc_authentication_init")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    response = client.get(url, REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 302
    return response["Location"]


def come_back(client: Client, query: dict):
    return client.get(reverse("oidc_authentication_callback"), query, REMOTE_ADDR="192.0.2.50")


def sign_in(client, provider, claims, **changes):
    return come_back(client, provider.authorize(start(client), claims, **changes))


def claims_for(username: str, **extra) -> dict:
    return {"sub": f"sub-{username}", "preferred_username": username, **extra}


def failures():
    return list(AuditEvent.objects.filter(action="auth.login_failed").order_by("id"))


def test_off_by_default_no_button_and_no_route(client, settings):
    assert settings.TSUNAGU_OIDC_ENABLED is False
    assert BUTTON not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_missing_variables_are_named_when_the_settings_load():
    with pytest.raises(directory.DirectoryConfigurationError, match="TSUNAGU_OIDC_JWKS_ENDPOINT"):
        directory.oidc_settings(
            {
                "TSUNAGU_OIDC_CLIENT_ID": "x",
                "TSUNAGU_OIDC_AUTHORIZATION_ENDPOINT": "https://idp/a",
                "TSUNAGU_OIDC_TOKEN_ENDPOINT": "https://idp/t",
                "TSUNAGU_OIDC_USERINFO_ENDPOINT": "https://idp/u",
            }
        )


def test_the_login_page_offers_the_directory_beside_the_password(client, oidc):
    html = client.get(reverse("login") + "?next=/persons/").content.decode()
    assert BUTTON in html
    assert "/oidc/authenticate/?next=/persons/" in html
    assert 'name="password"' in html  # local accounts keep working


def test_a_directory_user_signs_in_as_the_tsunagu_user_with_that_id(client, oidc, personas):
    location = start(client, next_url="/persons/")
    assert location.startswith(oidc.base + "/authorize?")
    assert "code_challenge=" in location and "nonce=" in location
    response = come_back(client, oidc.authorize(location, claims_for("Officer", name="市 太郎")))
    assert response.status_code == 302
    assert response["Location"] == "/persons/"
    officer = personas["officer"].user
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert "パスワード変更" in client.get(reverse("dashboard")).content.decode()
    officer.refresh_from_db()
    assert officer.display_name == "市 太郎"  # the directory's name follows
    assert officer.memberships.count() == 1  # roles never do
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor_id == officer.pk
    assert login.context == {"method": "oidc"}
    assert login.ip_address == "192.0.2.50"
    # the code went back with the PKCE verifier and the client's own secret
    assert oidc.token_requests[-1]["code_verifier"]


def test_the_password_form_still_signs_in_and_says_so(client, oidc, personas):
    response = client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="auth.login").context == {"method": "password"}


def test_an_unknown_directory_user_is_refused_with_a_japanese_reason(client, oidc, personas):
    response = sign_in(client, oidc, claims_for("suzuki"))
    assert response.status_code == 302
    assert response["Location"] == "/login/?sso=failed&reason=unknown_user"
    assert "_auth_user_id" not in client.session
    html = client.get(response["Location"]).content.decode()
    assert "庁内アカウントでのログインはできません（つなぐに登録されていないアカウント）" in html
    assert not User.objects.filter(username__iexact="suzuki").exists()
    (failed,) = failures()
    assert failed.context == {"username": "suzuki", "method": "oidc", "reason": "unknown_user"}


def test_with_creation_on_a_new_user_arrives_without_any_role(client, settings, provider):
    configure(settings, provider, TSUNAGU_SSO_CREATE_USERS="on")
    response = sign_in(client, provider, claims_for("Suzuki", name="鈴木 花子", email="s@city"))
    assert response.status_code == 302
    user = User.objects.get(username="Suzuki")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.display_name == "鈴木 花子"
    assert not user.has_usable_password()
    assert user.memberships.count() == 0
    created = AuditEvent.objects.get(action="auth.directory_user_created")
    assert created.context == {"method": "oidc"}
    # no local password to change; nothing to see until a role is granted
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "パスワード変更" not in page.content.decode()
    assert client.get(reverse("people:person_list")).status_code in {403, 404}
    # the next sign-in finds the same user, whatever the case the directory writes it in
    client.logout()
    sign_in(client, provider, claims_for("SUZUKI"))
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.filter(username__iexact="suzuki").count() == 1


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        ({"is_service_account": True}, "service_account", "API専用のアカウント"),
        ({"is_active": False}, "inactive", "無効になっているアカウント"),
    ],
)
def test_service_accounts_and_disabled_users_cannot_sign_in_this_way(
    client, oidc, personas, change, reason, message
):
    user = personas["desk"].user
    User.objects.filter(pk=user.pk).update(**change)
    response = sign_in(client, oidc, claims_for("desk"))
    assert response["Location"] == f"/login/?sso=failed&reason={reason}"
    assert "_auth_user_id" not in client.session
    assert message in client.get(response["Location"]).content.decode()
    assert failures()[-1].context["reason"] == reason


@pytest.mark.parametrize(
    "changes",
    [
        {"signing_key": other_key()},  # a forged token
        {"id_token": {"aud": "another-client"}},  # a token issued to another application
        {"id_token": {"iss": "https://elsewhere.example/"}},  # another provider
        {"id_token": {"exp": int(time.time()) - 60}},  # expired
        {"id_token": {"exp": None}},  # no expiry at all
        {"id_token": {"nonce": "replayed"}},  # a token from another sign-in
        {"userinfo": {"sub": "sub-someone-else"}},  # userinfo about another person
    ],
    ids=["forged", "audience", "issuer", "expired", "no-expiry", "nonce", "subject"],
)
def test_a_token_that_does_not_check_out_signs_nobody_in(client, oidc, personas, changes):
    response = sign_in(client, oidc, claims_for("officer"), **changes)
    assert response.status_code == 302
    assert response["Location"] == "/login/?sso=failed&reason=token"
    assert "_auth_user_id" not in client.session
    assert failures()[-1].context["reason"] == "token"
    assert (
        "もう一度「ログイン」を押してください" in client.get(response["Location"]).content.decode()
    )


def test_a_code_works_once(client, oidc, personas):
    query = oidc.authorize(start(client), claims_for("officer"))
    assert "_auth_user_id" in come_back(client, query).wsgi_request.session
    other = Client()
    other_query = oidc.authorize(start(other), claims_for("officer"))
    other_query["code"] = query["code"]  # the used code, with the other browser's own state
    response = come_back(other, other_query)
    assert response["Location"] == "/login/?sso=failed&reason=provider_refused"
    assert "_auth_user_id" not in other.session
    assert failures()[-1].context["reason"] == "provider_refused"


def test_a_stale_or_forged_state_goes_back_to_the_login_page_not_an_error(client, oidc):
    response = come_back(client, {"code": "abc", "state": "never-issued"})
    assert response.status_code == 302
    assert response["Location"] == "/login/?sso=failed&reason=state"
    assert failures()[-1].context == {"method": "oidc", "reason": "state"}


def test_the_provider_refusing_is_recorded(client, oidc):
    location = start(client)
    state = dict(p.split("=", 1) for p in location.split("?", 1)[1].split("&"))["state"]
    response = come_back(client, {"error": "access_denied", "state": state})
    assert response["Location"].startswith("/login/?sso=failed")
    assert failures()[-1].context == {
        "method": "oidc",
        "reason": "provider_refused",
        "detail": "access_denied",
    }


def test_an_unreachable_provider_is_a_message_not_a_server_error(client, settings, provider):
    configure(settings, provider, TSUNAGU_OIDC_TOKEN_ENDPOINT="http://127.0.0.1:9/token")
    response = sign_in(client, provider, claims_for("officer"))
    assert response["Location"] == "/login/?sso=failed&reason=provider_unreachable"
    html = client.get(response["Location"]).content.decode()
    assert "認証基盤に接続できませんでした" in html


def test_refused_callbacks_do_not_lock_the_shared_proxy_out(client, oidc, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        come_back(client, {"code": "abc", "state": "never-issued"})
        sign_in(client, oidc, claims_for("officer"), signing_key=other_key())
    response = sign_in(client, oidc, claims_for("officer"))
    assert response.status_code == 302 and not response["Location"].startswith("/login/")
    assert client.session["_auth_user_id"] == str(personas["officer"].user.pk)


def test_directory_check_reaches_the_signing_keys(oidc):
    out = StringIO()
    call_command("directory_check", stdout=out)
    assert f"JWKS: {oidc.base}/jwks（RS256 の鍵 1 個）" in out.getvalue()
    assert "[OIDC] OK" in out.getvalue()


def test_directory_check_says_when_nothing_is_configured():
    out = StringIO()
    call_command("directory_check", stdout=out)
    assert "庁内アカウントでのログインは設定されていません" in out.getvalue()


def test_directory_check_fails_when_the_provider_is_away(settings, provider):
    configure(settings, provider, TSUNAGU_OIDC_JWKS_ENDPOINT="http://127.0.0.1:9/jwks")
    with pytest.raises(CommandError):
        call_command("directory_check", stdout=StringIO(), stderr=(err := StringIO()))
    assert "JWKS（http://127.0.0.1:9/jwks）を取得できません" in err.getvalue()


def test_signing_out_ends_the_providers_session_too(client, oidc, personas):
    sign_in(client, oidc, claims_for("desk"))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc.base}/logout"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query == {
        "id_token_hint": oidc.issued_id_tokens[-1],
        "post_logout_redirect_uri": "http://testserver/login/",
        "client_id": "tsunagu-test",
    }
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.logout").count() == 1


def test_a_password_sign_in_signs_out_here_only(client, oidc, personas):
    client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_without_the_logout_endpoint_the_provider_is_left_alone(
    client, settings, provider, personas
):
    configure(settings, provider, TSUNAGU_OIDC_LOGOUT_ENDPOINT="")
    assert settings.OIDC_STORE_ID_TOKEN is False
    sign_in(client, provider, claims_for("officer"))
    assert client.session["_auth_user_id"] == str(personas["officer"].user.pk)
    assert "oidc_id_token" not in client.session
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_the_policy_lets_the_logout_form_reach_the_provider(client, oidc, settings):
    header = client.get(reverse("login"))["Content-Security-Policy"]
    assert f"form-action 'self' {oidc.base}" in header
    assert directory.form_action({"TSUNAGU_OIDC_ENABLED": False}) == ["'self'"]


def test_a_required_group_keeps_other_directory_accounts_out(client, settings, provider, personas):
    configure(settings, provider, TSUNAGU_OIDC_REQUIRE_GROUP="tsunagu-users")
    response = sign_in(client, provider, claims_for("officer", groups=["総務課"]))
    assert response["Location"] == "/login/?sso=failed&reason=not_in_group"
    assert (
        "つなぐの利用を認められたグループに属していない"
        in client.get(response["Location"]).content.decode()
    )
    assert failures()[-1].context["reason"] == "not_in_group"
    sign_in(client, provider, claims_for("officer", groups=["総務課", "tsunagu-users"]))
    assert client.session["_auth_user_id"] == str(personas["officer"].user.pk)
