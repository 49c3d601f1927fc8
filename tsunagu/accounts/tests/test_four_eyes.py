"""The system administrator must not become a reader of client data (domain.md §6): no API
token for another user's membership, no role opening personal data without a municipal
officer's approval, and no password set for someone without them being told."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_persona
from tsunagu.accounts import services
from tsunagu.accounts.models import (
    ApiToken,
    Membership,
    Notification,
    Role,
    RoleGrantRequest,
    User,
)
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_account(agencies):
    persona = make_persona("hsds-sync", agencies["policy"], Role.ADMIN)
    persona.user.is_service_account = True
    persona.user.save()
    return persona


# --- API tokens ----------------------------------------------------------------------------


def test_admin_site_does_not_issue_a_token_for_the_officer(login, personas):
    client = login(personas["admin"])
    officer_membership = personas["officer"].membership
    form = client.get("/admin/accounts/apitoken/add/").content.decode()
    assert f'value="{officer_membership.pk}"' not in form
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {
            "membership": officer_membership.pk,
            "name": "連携",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError, match="本人だけ"):
        services.api_token_issue(
            membership=officer_membership, name="連携", by=personas["admin"].user
        )


def test_admin_issues_a_token_only_for_a_service_account_without_case_roles(
    login, personas, service_account, agencies
):
    client = login(personas["admin"])
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"membership": service_account.membership.pk, "name": "名簿の連携"},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert (token.user, token.issued_by) == (service_account.user, personas["admin"].user)
    # once the service account also holds a role opening personal data, no more tokens
    Membership.objects.create(
        user=service_account.user, agency=agencies["houkatsu"], role=Role.DESK_WORKER
    )
    with pytest.raises(ValidationError):
        services.api_token_issue(
            membership=service_account.membership, name="二つ目", by=personas["admin"].user
        )


def test_a_user_issues_and_revokes_their_own_token(login, personas, client):
    desk = personas["desk"]
    page = login(desk).get(reverse("accounts:token_list"))
    assert "APIトークン" in page.content.decode()
    response = client.post(
        reverse("accounts:token_list"),
        {"membership": desk.membership.pk, "name": "記録の連携", "expires_on": ""},
    )
    html = response.content.decode()
    assert 'data-testid="token-raw"' in html
    raw = html.split('<code class="user-select-all">')[1].split("</code>")[0]
    token = ApiToken.objects.get()
    assert (token.user, token.issued_by, token.membership) == (
        desk.user,
        desk.user,
        desk.membership,
    )
    client.logout()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200 and me.json()["username"] == "desk"
    # the list never shows the token again; revoking ends it
    client.force_login(desk.user)
    assert raw not in client.get(reverse("accounts:token_list")).content.decode()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_user_cannot_revoke_or_use_another_users_membership(login, personas, client):
    desk, officer = personas["desk"], personas["officer"]
    token, _raw = services.api_token_issue(
        membership=officer.membership, name="事務局の連携", by=officer.user
    )
    login(desk)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    response = client.post(
        reverse("accounts:token_list"),
        {"membership": officer.membership.pk, "name": "なりすまし"},
    )
    assert "正しく選択してください" in response.content.decode()
    assert ApiToken.objects.filter(user=desk.user).count() == 0


def test_token_form_refuses_a_past_expiry_in_japanese(login, personas, client):
    desk = personas["desk"]
    response = login(desk).post(
        reverse("accounts:token_list"),
        {"membership": desk.membership.pk, "name": "期限切れ", "expires_on": "令和元年5月1日"},
    )
    assert "明日以降" in response.content.decode()
    assert not ApiToken.objects.exists()


# --- role grants: proposed by the administrator, approved by another officer ---------------


def test_admin_cannot_give_itself_the_officer_role_in_the_admin_site(login, personas, agencies):
    admin_user = personas["admin"].user
    client = login(personas["admin"])
    response = client.post(
        "/admin/accounts/membership/add/",
        {
            "user": admin_user.pk,
            "agency": agencies["office"].pk,
            "role": Role.MUNICIPAL_OFFICER,
            "title": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # 「正しく選択してください」: the role is not offered
    assert not Membership.objects.filter(user=admin_user, role=Role.MUNICIPAL_OFFICER).exists()
    # the user page's membership list is read only
    page = client.get(f"/admin/accounts/user/{admin_user.pk}/change/").content.decode()
    assert "memberships-0-role" not in page


def test_a_proposed_role_opens_nothing_until_another_officer_approves(
    login, personas, agencies, client
):
    admin_user, officer = personas["admin"].user, personas["officer"].user
    login(personas["admin"])
    response = client.post(
        "/admin/accounts/rolegrantrequest/add/",
        {
            "user": admin_user.pk,
            "agency": agencies["office"].pk,
            "role": Role.MUNICIPAL_OFFICER,
            "title": "",
            "reason": "年度末の集計",
        },
    )
    assert response.status_code == 302
    grant = RoleGrantRequest.objects.get()
    assert grant.status == "pending" and grant.proposed_by == admin_user
    assert not Membership.objects.filter(user=admin_user, role=Role.MUNICIPAL_OFFICER).exists()
    assert AuditEvent.objects.filter(action="membership.propose", actor=admin_user).exists()
    assert Notification.objects.filter(recipient=officer, kind="role_grant").exists()
    # the administrator cannot approve (not an officer), nor reach the approval page
    assert client.get(reverse("accounts:role_grant_list")).status_code == 403
    assert (
        client.post(
            reverse("accounts:role_grant_decide", args=[grant.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    # an officer approves: the membership exists from then on, and the decision is audited
    client.force_login(officer)
    page = client.get(reverse("accounts:role_grant_list")).content.decode()
    assert "年度末の集計" in page and 'data-testid="role-grant-pending"' in page
    client.post(reverse("accounts:role_grant_decide", args=[grant.pk]), {"decision": "approve"})
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == ("approved", officer)
    assert Membership.objects.get(
        user=admin_user, role=Role.MUNICIPAL_OFFICER, agency=agencies["office"]
    ).is_active
    event = AuditEvent.objects.get(action="membership.approve")
    assert event.actor == officer and event.context["proposed_by"] == admin_user.pk
    # a decided request is not decided again
    with pytest.raises(ValidationError, match="既に"):
        services.role_grant_decide(grant=grant, by=officer, approve=False, note="やはり")


def test_the_grantee_and_the_proposer_cannot_approve(personas, agencies):
    officer = personas["officer"].user
    grant = services.role_grant_propose(
        user=officer, agency=agencies["council"], role=Role.COORDINATOR, by=personas["admin"].user
    )
    with pytest.raises(ValidationError, match="本人"):
        services.role_grant_decide(grant=grant, by=officer, approve=True)
    second = make_persona("officer2", agencies["office"], Role.MUNICIPAL_OFFICER).user
    own = services.role_grant_propose(
        user=personas["desk"].user, agency=agencies["council"], role=Role.COORDINATOR, by=second
    )
    with pytest.raises(ValidationError, match="本人"):
        services.role_grant_decide(grant=own, by=second, approve=True)
    with pytest.raises(ValidationError, match="自治体職員"):
        services.role_grant_decide(grant=own, by=personas["coordinator"].user, approve=True)
    services.role_grant_decide(grant=grant, by=second, approve=True)
    assert Membership.objects.filter(user=officer, role=Role.COORDINATOR, is_active=True).exists()


def test_rejection_needs_a_reason_and_grants_nothing(login, personas, agencies, client):
    grant = services.role_grant_propose(
        user=personas["desk"].user,
        agency=agencies["office"],
        role=Role.MUNICIPAL_OFFICER,
        by=personas["admin"].user,
    )
    login(personas["officer"])
    client.post(reverse("accounts:role_grant_decide", args=[grant.pk]), {"decision": "reject"})
    grant.refresh_from_db()
    assert grant.status == "pending"
    client.post(
        reverse("accounts:role_grant_decide", args=[grant.pk]),
        {"decision": "reject", "note": "異動の予定なし"},
    )
    grant.refresh_from_db()
    assert (grant.status, grant.decision_note) == ("rejected", "異動の予定なし")
    assert not Membership.objects.filter(
        user=personas["desk"].user, role=Role.MUNICIPAL_OFFICER
    ).exists()
    assert AuditEvent.objects.filter(action="membership.reject").exists()


def test_the_administrator_role_is_granted_at_once(personas, agencies):
    grant = services.role_grant_propose(
        user=personas["desk"].user,
        agency=agencies["policy"],
        role=Role.ADMIN,
        by=personas["admin"].user,
    )
    assert isinstance(grant, Membership) and grant.is_active


def test_reactivating_a_personal_data_role_in_the_admin_site_is_a_request(login, personas):
    desk = personas["desk"]
    services.membership_revoke(membership=desk.membership, by=personas["admin"].user)
    client = login(personas["admin"])
    response = client.post(
        f"/admin/accounts/membership/{desk.membership.pk}/change/",
        {"title": "", "is_active": "on"},
    )
    assert response.status_code == 302
    desk.membership.refresh_from_db()
    assert not desk.membership.is_active
    assert RoleGrantRequest.objects.get().user == desk.user


# --- passwords set by someone else ---------------------------------------------------------


def test_admin_setting_the_officers_password_is_audited_and_told(login, personas):
    officer = personas["officer"].user
    officer.email = "officer@city.example.jp"
    officer.save()
    client = login(personas["admin"])
    client.post(
        reverse("admin:auth_user_password_change", args=[officer.pk]),
        {
            "password1": "別の-Passw0rd-2026",
            "password2": "別の-Passw0rd-2026",
            "usable_password": "true",
        },
    )
    officer = User.objects.get(pk=officer.pk)
    assert officer.check_password("別の-Passw0rd-2026")
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor, event.target_id) == (personas["admin"].user, str(officer.pk))
    notice = Notification.objects.get(recipient=officer, kind="account_security")
    assert "パスワードを設定しました" in notice.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@city.example.jp"]


# --- the same rules through /api/v1/ --------------------------------------------------------


def test_api_own_tokens(login, personas, client):
    desk, officer = personas["desk"], personas["officer"]
    login(desk)
    refused = client.post(
        "/api/v1/me/tokens",
        {"membership_id": officer.membership.pk, "name": "なりすまし"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "自分の有効な所属" in str(refused.json())
    issued = client.post(
        "/api/v1/me/tokens",
        {"membership_id": desk.membership.pk, "name": "記録の連携"},
        content_type="application/json",
    )
    assert issued.status_code == 201
    body = issued.json()
    assert body["token"].startswith("tsu_") and body["membership_id"] == desk.membership.pk
    listed = client.get("/api/v1/me/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]
    client.force_login(officer.user)
    assert client.post(f"/api/v1/me/tokens/{body['id']}/revoke").status_code == 404
    client.force_login(desk.user)
    revoked = client.post(f"/api/v1/me/tokens/{body['id']}/revoke").json()
    assert revoked["revoked_at"] is not None


def test_api_role_grant_decision(login, personas, agencies, client):
    grant = services.role_grant_propose(
        user=personas["admin"].user,
        agency=agencies["office"],
        role=Role.MUNICIPAL_OFFICER,
        by=personas["admin"].user,
        reason="集計",
    )
    login(personas["admin"])
    assert client.get("/api/v1/role-grants").status_code == 403
    login(personas["desk"])
    assert (
        client.post(
            f"/api/v1/role-grants/{grant.pk}/decision",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    login(personas["officer"])
    pending = client.get("/api/v1/role-grants?status=pending").json()
    assert [g["id"] for g in pending["items"]] == [grant.pk]
    no_reason = client.post(
        f"/api/v1/role-grants/{grant.pk}/decision",
        {"approve": False},
        content_type="application/json",
    )
    assert no_reason.status_code == 422
    decided = client.post(
        f"/api/v1/role-grants/{grant.pk}/decision",
        {"approve": True, "note": "確認済み"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert Membership.objects.filter(
        user=personas["admin"].user, role=Role.MUNICIPAL_OFFICER, is_active=True
    ).exists()


def test_a_second_identical_request_in_the_admin_site_is_a_form_error(login, personas, agencies):
    client = login(personas["admin"])
    data = {
        "user": personas["desk"].user.pk,
        "agency": agencies["office"].pk,
        "role": Role.MUNICIPAL_OFFICER,
        "title": "",
        "reason": "兼務",
    }
    assert client.post("/admin/accounts/rolegrantrequest/add/", data).status_code == 302
    again = client.post("/admin/accounts/rolegrantrequest/add/", data)
    assert again.status_code == 200 and "既に承認待ち" in again.content.decode()
    assert RoleGrantRequest.objects.count() == 1
