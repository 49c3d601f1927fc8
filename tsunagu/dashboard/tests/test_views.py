"""The home page (ホーム画面): who is acting where, each role's panels, and the audit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Role, User
from tsunagu.audit.models import AuditEvent
from tsunagu.consultations import services as intake
from tsunagu.consultations.models import IssueCategory, Referral
from tsunagu.dashboard.context import ROLE_DUTIES
from tsunagu.people import services as people_services

pytestmark = pytest.mark.django_db

ALL = PERSONA_NAMES


def test_the_home_page_is_the_dashboard():
    assert reverse("dashboard") == "/"


@pytest.mark.parametrize("name", ALL)
def test_dashboard_greets_with_agency_and_role(login, personas, name):
    persona = personas[name]
    response = login(persona).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{persona.user.display_name}さん" in html
    assert persona.agency.name in html
    assert Role(persona.membership.role).label in html


def test_dashboard_shows_waiting_and_overdue_referrals_and_audits_the_names(login, personas):
    desk = personas["desk"].user
    person = people_services.person_create(by=desk, name="高橋 ミツ", name_kana="タカハシ ミツ")
    consultation = intake.consultation_record(
        by=desk,
        received_on=datetime.date(2026, 11, 1),
        channel="walk_in",
        consulter_type="self",
        person=person,
        categories=[IssueCategory.objects.get(code="elderly_care")],
        summary="介護の相談",
        consent_to_share=True,
        outcome="referred",
    )
    referral = intake.referral_send(
        by=desk, consultation=consultation, to_agency=personas["outreach"].agency, reason="訪問を"
    )
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(days=1)
    )
    receiver = login(personas["outreach"]).get("/")
    html = receiver.content.decode()
    assert "自機関あてのつなぎ" in html and "高橋 ミツ" in html and "期限超過" in html
    event = AuditEvent.objects.filter(action="dashboard.view").latest("seq")
    assert event.person_ids == [person.pk]
    sender_html = login(personas["desk"]).get("/").content.decode()
    assert "送ったつなぎで回答期限を過ぎたもの" in sender_html
    assert "高橋 ミツ" not in login(personas["unrelated"]).get("/").content.decode()


@pytest.mark.parametrize("name", ALL)
def test_each_role_sees_its_duties(login, personas, name):
    persona = personas[name]
    response = login(persona).get("/")
    assert response.templates[0].name == "dashboard/dashboard.html"
    duties = ROLE_DUTIES[persona.membership.role]
    assert response.context["duties"] == duties
    assert all(duty in response.content.decode() for duty in duties)


def test_the_office_sees_the_agencies_and_the_audit_log_counting_its_own_reads(login, personas):
    response = login(personas["officer"]).get("/")
    html = response.content.decode()
    assert response.context["agency_total"] == sum(
        row["count"] for row in response.context["agency_stats"]
    )
    assert f"支援関係機関（{response.context['agency_total']}機関）" in html
    assert response.context["active_user_count"] == len(PERSONA_NAMES)
    assert response.context["audit_events_24h"] == AuditEvent.objects.count()
    assert "監査ログを見る" in html


@pytest.mark.parametrize("name", [n for n in ALL if n != "officer"])
def test_only_the_office_sees_the_audit_log_and_the_administrator_the_agencies(
    login, personas, name
):
    response = login(personas[name]).get("/")
    assert "audit_events_24h" not in response.context
    assert "監査ログを見る" not in response.content.decode()
    assert ("agency_stats" in response.context) is (name == "admin")


def test_without_a_membership_no_panel_is_shown(client, personas, monkeypatch):
    from tsunagu.dashboard import context

    called = []
    monkeypatch.setattr(context, "widgets", lambda: [lambda *a, **kw: called.append(a) or {}])
    user = User.objects.create_user(username="nomember", password="x")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-testid="no-membership"' in response.content.decode()
    assert response.context["duties"] == ()
    assert called == []


def test_the_panels_of_the_page_are_one_audited_read(login, personas, monkeypatch):
    """Each panel records the persons it names; the page writes them as one event."""
    from tsunagu.audit.services import audit_read
    from tsunagu.dashboard import context

    def panel(name, persons):
        def widget(user, *, request):
            audit_read(request, "dashboard.view", persons=persons, context={"panel": name})
            return {}

        return widget

    desk = personas["desk"].user
    a, b, c = (
        people_services.person_create(by=desk, name=name, name_kana="テスト")
        for name in ("一 花子", "二 太郎", "三 次郎")
    )
    registered = context.widgets()
    monkeypatch.setattr(
        context,
        "widgets",
        lambda: [panel("first", [a.pk, b.pk]), *registered, panel("second", [b.pk, c.pk])],
    )
    before = AuditEvent.objects.count()
    response = login(personas["officer"]).get("/")
    assert response.status_code == 200
    new = AuditEvent.objects.filter(action="dashboard.view").order_by("seq")
    assert new.count() == 1
    event = new.get()
    assert {a.pk, b.pk, c.pk} <= set(event.person_ids)
    panels = [part.get("panel") for part in event.context["parts"]]
    assert panels[0] == "first" and panels[-1] == "second"
    # the office's count of the last 24 hours includes this page's own read
    assert response.context["audit_events_24h"] == AuditEvent.objects.count() > before
