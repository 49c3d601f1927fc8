import pytest
from django.urls import reverse

from conftest import PASSWORD, PERSONA_NAMES
from tsunagu.accounts.models import Role
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ALL = PERSONA_NAMES


def test_login_page_is_japanese(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert "ユーザーID" in html and "パスワード" in html and "ログイン" in html


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_shows_japanese_error_and_is_audited(client, personas):
    response = client.post(reverse("login"), {"username": "desk", "password": "違う"})
    assert response.status_code == 200
    assert "ユーザーIDまたはパスワードが正しくありません。" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.context == {"username": "desk"}


def test_login_and_logout_are_audited(client, personas):
    response = client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=personas["desk"].user).exists()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").exists()


def test_deactivated_user_cannot_sign_in(client, personas):
    user = personas["desk"].user
    user.is_active = False
    user.save()
    response = client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()


NAV_EXPECTED = {
    # persona: (支援関係機関, 監査ログ, システム管理)
    "officer": (True, True, False),
    "coordinator": (True, False, False),
    "desk": (True, False, False),
    "outreach": (True, False, False),
    "participation": (True, False, False),
    "community": (True, False, False),
    "guest": (False, False, False),
    "admin": (True, False, True),
    "unrelated": (True, False, False),
}


@pytest.mark.parametrize("name", ALL)
def test_navigation_shows_only_what_the_role_may_use(login, personas, name):
    client = login(personas[name])
    response = client.get("/")
    labels = [item["label"] for item in response.context["nav_items"]]
    directory, audit, admin = NAV_EXPECTED[name]
    assert ("支援関係機関" in labels) is directory
    assert ("監査ログ" in labels) is audit
    assert ("システム管理" in labels) is admin
    # and each hidden entry is really closed, each shown one really opens
    assert client.get(reverse("accounts:agency_list")).status_code == (200 if directory else 403)
    assert client.get(reverse("audit:event_list")).status_code == (200 if audit else 403)


@pytest.mark.parametrize("name", ALL)
def test_navigation_answers_as_the_users_permissions_do(login, personas, name):
    """The bar asks the rules alone; it must show exactly the entries ``has_perm`` allows."""
    import rules

    from tsunagu.accounts.navigation import NAV_ITEMS

    client = login(personas[name])
    response = client.get("/")
    user = response.wsgi_request.user
    shown = {item["label"] for item in response.context["nav_items"]}
    for item in NAV_ITEMS:
        if item.permission is not None:
            assert rules.perm_exists(item.permission), item.permission
            assert (item.label in shown) is user.has_perm(item.permission), item.label


def test_admin_site_only_for_system_admin(login, personas):
    assert login(personas["admin"]).get("/admin/").status_code == 200
    personas["officer"].user.is_staff = False
    assert login(personas["officer"]).get("/admin/").status_code == 302


def test_admin_cannot_delete_users(login, personas):
    client = login(personas["admin"])
    user = personas["desk"].user
    response = client.get(reverse("admin:accounts_user_delete", args=[user.pk]))
    assert response.status_code == 403


def test_user_without_membership_is_told_what_to_do(client, db):
    from tsunagu.accounts.models import User

    user = User.objects.create_user(username="nobody", password=PASSWORD)
    client.force_login(user)
    response = client.get("/")
    assert "有効な所属が登録されていません" in response.content.decode()
    assert response.context["nav_items"] == []
    assert client.get(reverse("accounts:agency_list")).status_code == 403


def test_agency_directory_search_and_paging(login, personas, agencies, city):
    from conftest import make_agency

    for i in range(30):
        make_agency(f"extra{i:02d}", f"テスト相談所{i:02d}", city)
    client = login(personas["desk"])
    page1 = client.get(reverse("accounts:agency_list"))
    assert page1.context["total"] == 38
    assert len(page1.context["page"].object_list) == 25
    page2 = client.get(reverse("accounts:agency_list"), {"page": 2})
    assert len(page2.context["page"].object_list) == 13
    found = client.get(reverse("accounts:agency_list"), {"q": "包括"})
    assert [a.name for a in found.context["page"].object_list] == ["地域包括支援センター中央"]
    by_field = client.get(reverse("accounts:agency_list"), {"field": "housing"})
    assert [a.code for a in by_field.context["page"].object_list] == ["housing"]


def test_agency_search_htmx_returns_partial(login, personas):
    client = login(personas["desk"])
    response = client.get(reverse("accounts:agency_list"), {"q": "住宅"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "住宅・空家対策課" in html


def test_agency_detail_and_missing_agency(login, personas, agencies):
    client = login(personas["coordinator"])
    response = client.get(reverse("accounts:agency_detail", args=[agencies["houkatsu"].pk]))
    assert response.status_code == 200
    assert "中央圏域" in response.content.decode()
    assert client.get(reverse("accounts:agency_detail", args=[999999])).status_code == 404
    guest = login(personas["guest"])
    assert (
        guest.get(reverse("accounts:agency_detail", args=[agencies["houkatsu"].pk])).status_code
        == 403
    )


def test_switching_membership_changes_acting_agency(login, personas, agencies):
    from tsunagu.accounts.models import Membership

    persona = personas["desk"]
    second = Membership.objects.create(
        user=persona.user, agency=agencies["housing"], role=Role.DESK_WORKER
    )
    client = login(persona)
    assert client.get("/").context["membership"] == persona.membership
    response = client.post(
        reverse("accounts:switch_membership"), {"membership": second.pk, "next": "/"}
    )
    assert response.status_code == 302
    assert client.get("/").context["membership"] == second


def test_cannot_switch_to_someone_elses_membership(login, personas):
    client = login(personas["desk"])
    other = personas["officer"].membership
    client.post(reverse("accounts:switch_membership"), {"membership": other.pk})
    assert client.get("/").context["membership"] == personas["desk"].membership


def test_switch_ignores_offsite_next(login, personas):
    client = login(personas["desk"])
    response = client.post(
        reverse("accounts:switch_membership"),
        {"membership": personas["desk"].membership.pk, "next": "https://example.com/"},
    )
    assert response["Location"] == "/"


def test_password_change(client, personas):
    client.force_login(personas["desk"].user)
    page = client.get(reverse("password_change"))
    assert "パスワード変更" in page.content.decode()
    bad = client.post(
        reverse("password_change"),
        {"old_password": "間違い", "new_password1": "x", "new_password2": "x"},
    )
    assert bad.status_code == 200
    assert "元のパスワード" in bad.content.decode() or "旧パスワード" in bad.content.decode()
    good = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "あたらしい-Passw0rd-2026",
            "new_password2": "あたらしい-Passw0rd-2026",
        },
    )
    assert good.status_code == 302
    personas["desk"].user.refresh_from_db()
    assert personas["desk"].user.check_password("あたらしい-Passw0rd-2026")


def test_audit_log_lists_and_records_its_own_reading(login, personas):
    client = login(personas["officer"])
    response = client.get(reverse("audit:event_list"), {"person": 5})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="audit.list").latest("seq")
    assert event.person_ids == [5]
    assert event.actor == personas["officer"].user


def test_audit_log_rejects_reversed_period_in_japanese(login, personas):
    client = login(personas["officer"])
    response = client.get(
        reverse("audit:event_list"), {"date_from": "令和7年5月1日", "date_to": "R7.4.1"}
    )
    assert "期間の開始日が終了日より後になっています。" in response.content.decode()
    bad = client.get(reverse("audit:event_list"), {"date_from": "平成31年5月1日"})
    assert "存在しません" in bad.content.decode()


@pytest.mark.parametrize("name", ALL)
def test_intake_entries_only_for_roles_that_handle_persons(login, personas, name):
    labels = [i["label"] for i in login(personas[name]).get("/").context["nav_items"]]
    expected = name not in ("admin", "guest")
    assert ("本人・世帯" in labels) is expected
    assert ("相談受付" in labels) is expected
    assert ("つなぎ" in labels) is expected
