import pytest
from django.urls import reverse

from tsunagu.accounts.models import Agency
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["user", "agency", "area", "membership", "apitoken"])
def test_admin_changelists_are_japanese(login, personas, model):
    response = login(personas["admin"]).get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200
    assert "tsunagu システム管理" in response.content.decode()


def test_no_person_data_in_the_admin(login, personas):
    html = login(personas["admin"]).get("/admin/").content.decode()
    assert "本人" not in html
    assert "世帯" not in html
    assert "監査イベント" not in html


def test_admin_change_is_audited_without_secrets(login, personas, agencies):
    client = login(personas["admin"])
    agency = agencies["housing"]
    url = reverse("admin:accounts_agency_change", args=[agency.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "area": agency.area_id,
            "phone": "058-265-9999",
            "programs-TOTAL_FORMS": "0",
            "programs-INITIAL_FORMS": "0",
            "programs-MIN_NUM_FORMS": "0",
            "programs-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Agency.objects.get(pk=agency.pk).phone == "058-265-9999"
    event = AuditEvent.objects.get(action="agency.update")
    assert event.changes == {"phone": {"before": "058-000-0000", "after": "058-265-9999"}}
    assert event.via == "admin"


def test_admin_password_change_is_audited_without_hash(login, personas):
    client = login(personas["admin"])
    user = personas["desk"].user
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = client.post(
        url,
        {
            "password1": "別の-Passw0rd-2026",
            "password2": "別の-Passw0rd-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("別の-Passw0rd-2026")
    assert AuditEvent.objects.filter(action="user.password_reset", target_id=str(user.pk)).exists()
    for event in AuditEvent.objects.all():
        assert user.password not in str(event.changes)


def test_deactivate_action(login, personas):
    client = login(personas["admin"])
    user = personas["unrelated"].user
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 1


@pytest.mark.parametrize("model", ["issuecategory", "eligibilitycriteria"])
def test_intake_configuration_in_the_admin(login, personas, model):
    response = login(personas["admin"]).get(reverse(f"admin:consultations_{model}_changelist"))
    assert response.status_code == 200
    assert (
        login(personas["officer"])
        .get(reverse(f"admin:consultations_{model}_changelist"))
        .status_code
        == 302
    )


def test_admin_index_lists_no_consultations(login, personas):
    html = login(personas["admin"]).get("/admin/").content.decode()
    assert "相談内容の分類" in html
    assert "相談受付" not in html
    assert "つなぎ" not in html.replace("多機関協働へつなぐ基準", "")
