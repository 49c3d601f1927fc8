"""The audit log reads in Japanese: roles, actions and objects, names only where allowed."""

import pytest
from django.urls import reverse

from tsunagu.audit.labels import action_label, role_label, target_labels
from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_record
from tsunagu.people import services as people_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanako(personas):
    return people_services.person_create(
        by=personas["desk"].user, name="佐藤 花子", name_kana="サトウ ハナコ"
    )


@pytest.fixture
def logged(personas, hanako):
    desk = personas["desk"].user
    audit_record(actor=desk, action="person.search", persons=[hanako])
    audit_record(actor=desk, action="person.view", target=hanako, persons=[hanako])
    audit_record(actor=desk, action="assessment.view", target_type="cases.assessment", target_id=11)
    return hanako


def test_labels_of_roles_and_actions():
    assert role_label("municipal_officer") == "自治体職員（事務局）"
    assert role_label("") == ""
    assert action_label("person.search") == "本人の検索"
    assert action_label("case.view") == "事例の閲覧"
    assert action_label("case.something_new") == "事例の操作"  # named from its parts
    assert action_label("odd") == "odd"


def test_the_log_page_shows_japanese_labels_not_codes(login, personas, logged):
    html = login(personas["officer"]).get(reverse("audit:event_list")).content.decode()
    assert 'data-testid="event-action">本人の検索<' in html
    assert 'data-testid="event-action">監査ログの閲覧<' in html
    assert "・相談支援機関職員" in html
    assert "・自治体職員（事務局）" in html
    assert f'data-testid="event-target">佐藤 花子（本人 #{logged.pk}）<' in html
    assert 'data-testid="event-target">アセスメント #11<' in html
    for code in ("desk_worker", "municipal_officer", ">person.search<", ">cases.assessment"):
        assert code not in html


def test_a_person_is_named_only_for_a_viewer_who_may_see_them(personas, logged):
    events = list(AuditEvent.objects.filter(action="person.view"))
    key = ("people.person", str(logged.pk))
    assert target_labels(user=personas["desk"].user, events=events)[key] == (
        f"佐藤 花子（本人 #{logged.pk}）"
    )
    assert target_labels(user=personas["unrelated"].user, events=events)[key] == (
        f"本人 #{logged.pk}"
    )


def test_a_case_is_named_by_its_number(personas):
    event = audit_record(actor=None, action="case.view", target_type="cases.case", target_id=7)
    labels = target_labels(user=personas["officer"].user, events=[event])
    assert labels[("cases.case", "7")] == "事例 #7"


def test_api_keeps_codes_and_adds_labels(login, personas, logged):
    response = login(personas["officer"]).get("/api/v1/audit/events", {"action": "person.view"})
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["action"] == "person.view"
    assert item["action_label"] == "本人の閲覧"
    assert item["acting_role"] == "desk_worker"
    assert item["acting_role_label"] == "相談支援機関職員"
    assert item["target_type"] == "people.person"
    assert item["target_label"] == f"佐藤 花子（本人 #{logged.pk}）"


def test_the_unrelated_worker_gets_no_log(login, personas, logged):
    client = login(personas["unrelated"])
    assert client.get(reverse("audit:event_list")).status_code in (403, 404)
    assert client.get("/api/v1/audit/events").status_code in (403, 404)


def test_the_access_history_page_is_never_cached_and_needs_sign_in(personas, login):
    from django.test import Client

    response = login(personas["officer"]).get(reverse("audit:event_list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    anonymous = Client().get(reverse("audit:event_list"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_a_referral_event_is_named_without_a_case_column(login, personas):
    """A referral has a case only as a reverse relation: its events still list."""
    audit_record(
        actor=personas["desk"].user,
        action="referral.view",
        target_type="consultations.referral",
        target_id=5,
    )
    audit_record(
        actor=personas["desk"].user,
        action="plan.view",
        target_type="cases.supportplan",
        target_id=9,
    )
    response = login(personas["officer"]).get(reverse("audit:event_list"))
    assert response.status_code == 200
    labels = target_labels(user=personas["officer"].user, events=AuditEvent.objects.all())
    assert labels[("consultations.referral", "5")] == "つなぎ #5"


def test_the_outreach_request_to_the_office_has_its_own_label():
    assert action_label("outreach.identify_request") == "アウトリーチ対象の本人の特定を事務局に依頼"
