"""庁内アカウント through LDAP / Active Directory: the login form against a real slapd.

python-ldap's ``slapdtest`` starts an OpenLDAP server on loopback for the module (``make
system-deps`` installs slapd and ldap-utils); the directory holds the people below, with
passwords that differ from their local tsunagu passwords.
"""

from __future__ import annotations

import base64
import os
import shutil
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import PASSWORD
from tsunagu.accounts.forms import DIRECTORY_UNREACHABLE
from tsunagu.audit.models import AuditEvent
from tsunagu.settings import directory

pytestmark = pytest.mark.django_db

User = get_user_model()

DIRECTORY_PASSWORD = "directory-pass-2026"
INVALID = "ユーザーIDまたはパスワードが正しくありません。"
PEOPLE = {  # uid: displayName
    "desk": "窓口 花子",
    "officer": "推進室 太郎",
    "newcomer": "新任 次郎",
    "service": "連携 システム",
}


def _ldif_value(name: str, value: str) -> str:
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


@pytest.fixture(scope="module")
def slapd():
    if shutil.which("slapd") is None and not os.path.exists("/usr/sbin/slapd"):
        if os.environ.get("CI"):
            pytest.fail("slapd is missing: make system-deps installs slapd and ldap-utils")
        pytest.skip("slapd is not installed")
    slapdtest = pytest.importorskip("slapdtest")

    class Directory(slapdtest.SlapdObject):
        openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif")

    server = Directory()
    server.start()
    base = server.suffix
    entries = [
        f"dn: {base}\nobjectClass: dcObject\nobjectClass: organization\n"
        f"dc: {base.split(',')[0][3:]}\no: city\n",
        f"dn: ou=people,{base}\nobjectClass: organizationalUnit\nou: people\n",
    ]
    for uid, name in PEOPLE.items():
        entries.append(
            "\n".join(
                [
                    f"dn: uid={uid},ou=people,{base}",
                    "objectClass: inetOrgPerson",
                    f"uid: {uid}",
                    _ldif_value("cn", name),
                    _ldif_value("sn", name.split()[0]),
                    _ldif_value("displayName", name),
                    f"mail: {uid}@city.example.lg.jp",
                    f"userPassword: {DIRECTORY_PASSWORD}",
                ]
            )
            + "\n"
        )
    entries.append(f"dn: ou=groups,{base}\nobjectClass: organizationalUnit\nou: groups\n")
    entries.append(  # the staff allowed to use tsunagu: the desk worker only
        f"dn: cn=tsunagu-users,ou=groups,{base}\nobjectClass: groupOfNames\n"
        f"cn: tsunagu-users\nmember: uid=desk,ou=people,{base}\n"
    )
    server.ldapadd("\n".join(entries))
    yield server
    server.stop()


def configure(settings, slapd, mode: str = "search", **environ) -> None:
    values = {"TSUNAGU_LDAP_SERVER_URI": slapd.ldap_uri}
    if mode == "template":
        values["TSUNAGU_LDAP_USER_DN_TEMPLATE"] = f"uid=%(user)s,ou=people,{slapd.suffix}"
    else:
        values |= {
            "TSUNAGU_LDAP_USER_SEARCH_BASE": f"ou=people,{slapd.suffix}",
            "TSUNAGU_LDAP_USER_FILTER": "(uid=%(user)s)",
            "TSUNAGU_LDAP_BIND_DN": slapd.root_dn,
            "TSUNAGU_LDAP_BIND_PASSWORD": slapd.root_pw,
        }
    for name, value in directory.ldap_settings(values | environ).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        directory.LDAP_BACKEND,
        "rules.permissions.ObjectPermissionBackend",
        "tsunagu.accounts.backends.PasswordBackend",
    ]


@pytest.fixture(params=["search", "template"])
def ldap_on(request, settings, slapd):
    configure(settings, slapd, request.param)
    return slapd


def sign_in(client, username, password):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="192.0.2.60",
    )


def test_settings_need_a_way_to_find_the_user():
    with pytest.raises(directory.DirectoryConfigurationError, match="USER_DN_TEMPLATE"):
        directory.ldap_settings({"TSUNAGU_LDAP_SERVER_URI": "ldap://127.0.0.1:1"})
    assert directory.ldap_settings({}) == {"TSUNAGU_LDAP_ENABLED": False}


def test_the_directory_password_signs_the_user_in(client, ldap_on, personas):
    response = sign_in(client, "DESK", DIRECTORY_PASSWORD)  # the case the directory ignores
    assert response.status_code == 302
    desk = personas["desk"].user
    assert client.session["_auth_user_id"] == str(desk.pk)
    desk.refresh_from_db()
    assert desk.display_name == "窓口 花子"  # the directory's name follows
    assert desk.email == "desk@city.example.lg.jp"
    assert desk.memberships.count() == 1  # roles never do
    assert desk.has_usable_password()  # the local password is left as it was
    login = AuditEvent.objects.get(action="auth.login")
    assert (login.actor_id, login.context) == (desk.pk, {"method": "ldap"})


def test_the_local_password_keeps_working(client, ldap_on, personas):
    assert sign_in(client, "desk", PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action="auth.login").context == {"method": "password"}


def test_a_wrong_password_is_refused_and_counted_towards_the_lockout(
    client, ldap_on, personas, settings
):
    response = sign_in(client, "desk", "まちがい-password")
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    assert AuditEvent.objects.get(action="auth.login_failed").context == {"username": "desk"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "desk", "まちがい-password")
    assert sign_in(client, "desk", DIRECTORY_PASSWORD).status_code == 429  # locked


def test_an_unknown_directory_account_is_refused_without_creation(client, ldap_on, personas):
    response = sign_in(client, "newcomer", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.context == {"username": "newcomer", "method": "ldap", "reason": "unknown_user"}


def test_with_creation_on_it_arrives_without_a_role(client, settings, slapd, personas):
    configure(settings, slapd, TSUNAGU_SSO_CREATE_USERS="1")
    assert sign_in(client, "newcomer", DIRECTORY_PASSWORD).status_code == 302
    user = User.objects.get(username="newcomer")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.display_name == "新任 次郎"
    assert not user.has_usable_password()
    assert user.memberships.count() == 0
    created = AuditEvent.objects.get(action="auth.directory_user_created")
    assert (created.target_id, created.context) == (str(user.pk), {"method": "ldap"})
    # the list of persons stays closed until a role grant is approved
    assert client.get(reverse("people:person_list")).status_code in {403, 404}


def test_a_service_account_cannot_sign_in_with_the_directory(client, ldap_on, agencies):
    User.objects.create_user(username="service", password=PASSWORD, is_service_account=True)
    response = sign_in(client, "service", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.context == {"username": "service", "method": "ldap", "reason": "service_account"}


def test_an_unreachable_directory_says_so_in_japanese(client, settings, slapd, personas):
    configure(settings, slapd, TSUNAGU_LDAP_SERVER_URI="ldap://127.0.0.1:9")
    response = sign_in(client, "desk", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert DIRECTORY_UNREACHABLE in response.content.decode()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.context == {
        "username": "desk",
        "method": "ldap",
        "reason": "directory_unreachable",
    }
    # the local account still signs in while the directory is away
    assert sign_in(client, "desk", PASSWORD).status_code == 302


def test_directory_check_finds_a_person_and_names_what_it_would_take(settings, slapd):
    configure(settings, slapd)
    out = StringIO()
    call_command("directory_check", "--user", "desk", stdout=out)
    text = out.getvalue()
    assert f"見つかりました: uid=desk,ou=people,{slapd.suffix}" in text
    assert "氏名（displayName）: 窓口 花子" in text
    assert "[LDAP] OK" in text


def test_directory_check_fails_with_a_reason(settings, slapd):
    configure(settings, slapd)
    with pytest.raises(CommandError):
        call_command(
            "directory_check", "--user", "nobody", stdout=StringIO(), stderr=(err := StringIO())
        )
    assert "ディレクトリに「nobody」が見つかりません" in err.getvalue()
    configure(settings, slapd, TSUNAGU_LDAP_SERVER_URI="ldap://127.0.0.1:9")
    with pytest.raises(CommandError):
        call_command("directory_check", stdout=StringIO(), stderr=(err := StringIO()))
    assert "ディレクトリに接続できません" in err.getvalue()


def test_a_required_group_keeps_other_directory_accounts_out(client, settings, slapd, personas):
    configure(
        settings,
        slapd,
        TSUNAGU_LDAP_REQUIRE_GROUP=f"cn=tsunagu-users,ou=groups,{slapd.suffix}",
        TSUNAGU_LDAP_GROUP_SEARCH_BASE=f"ou=groups,{slapd.suffix}",
    )
    response = sign_in(client, "officer", DIRECTORY_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.context == {"username": "officer", "method": "ldap", "reason": "not_in_group"}
    assert sign_in(client, "desk", DIRECTORY_PASSWORD).status_code == 302  # a member
    # the local password of a non-member still works: the group governs the directory only
    client.logout()
    assert sign_in(client, "officer", PASSWORD).status_code == 302


def test_a_required_group_needs_where_to_find_it():
    with pytest.raises(directory.DirectoryConfigurationError, match="GROUP_SEARCH_BASE"):
        directory.ldap_settings(
            {
                "TSUNAGU_LDAP_SERVER_URI": "ldap://127.0.0.1:1",
                "TSUNAGU_LDAP_USER_DN_TEMPLATE": "uid=%(user)s,dc=x",
                "TSUNAGU_LDAP_REQUIRE_GROUP": "cn=g,dc=x",
            }
        )
