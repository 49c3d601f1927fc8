"""The 見守り screens with every persona: the keeping agency (地域包括 desk) works its
watches, a watcher agency (the CSW) sees them and records checks, the office sees them all,
the unrelated agency gets 404, guests, administrators and roles outside watching get 403;
every read and write is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.common import spreadsheet
from tsunagu.common.tests.exports import csv_rows, xlsx
from tsunagu.consultations.models import Consultation

from ..models import SafetyCheck, Watch
from ..services import watches as services
from .test_watches_fixtures import *  # noqa: F403
from .test_watches_fixtures import days_ago

pytestmark = pytest.mark.django_db

SEE = ("desk", "officer", "outreach")  # keeper, office, watcher agency (csw_watcher)


def _pages(watch):
    return [
        reverse("community:watch_detail", args=[watch.pk]),
        reverse("community:check_create", args=[watch.pk]),
        reverse("community:watch_escalate", args=[watch.pk]),
    ]


@pytest.mark.parametrize("name", SEE)
def test_those_who_see_the_watch(login, personas, watch, csw_watcher, name):
    client = login(personas[name])
    list_page = client.get(reverse("community:watch_list"))
    assert list_page.status_code == 200
    assert watch.label in list_page.content.decode()
    for url in _pages(watch):
        assert client.get(url).status_code == 200, url
    assert AuditEvent.objects.filter(
        action="community.watch_view", target_id=str(watch.pk), actor=personas[name].user
    ).exists()
    assert AuditEvent.objects.filter(
        action="community.watch_list", actor=personas[name].user, context__watches=[watch.pk]
    ).exists()


def test_unrelated_agency_gets_404(login, personas, watch, csw_watcher):
    client = login(personas["unrelated"])
    page = client.get(reverse("community:watch_list"))
    assert page.status_code == 200 and watch.label not in page.content.decode()
    for url in [
        *_pages(watch),
        reverse("community:watcher_add", args=[watch.pk]),
        reverse("community:watch_end", args=[watch.pk]),
        reverse("community:watch_person", args=[watch.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("community:check_create", args=[watch.pk]),
            {"checked_on": str(days_ago(0)), "outcome": "ok", "checked_by_name": "x"},
        ).status_code
        == 404
    )
    assert not SafetyCheck.objects.exists()


@pytest.mark.parametrize("name", ["guest", "admin", "participation"])
def test_roles_outside_watching_get_403(login, personas, watch, name):
    client = login(personas[name])
    assert client.get(reverse("community:watch_list")).status_code == 403
    assert client.get(reverse("community:watch_create")).status_code == 403
    assert client.get(reverse("community:watch_detail", args=[watch.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, watch):
    response = client.get(reverse("community:watch_detail", args=[watch.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_watcher_agency_may_not_add_watchers_or_end(login, personas, watch, csw_watcher):
    client = login(personas["outreach"])
    assert client.get(reverse("community:watcher_add", args=[watch.pk])).status_code == 403
    assert (
        client.post(
            reverse("community:watch_end", args=[watch.pk]),
            {"ended_on": str(days_ago(0)), "end_reason": "x"},
        ).status_code
        == 403
    )
    watch.refresh_from_db()
    assert watch.ended_on is None


def test_list_puts_mine_and_overdue_first_and_searches(login, personas, keeper, watch, agencies):
    late = services.watch_create(
        by=keeper, label="遅れている方", reason="r", starts_on=days_ago(40), frequency="weekly"
    )
    fresh = services.watch_create(
        by=keeper, label="始めたばかり", reason="r", starts_on=days_ago(0), frequency="weekly"
    )
    officer = personas["officer"].user
    theirs = services.watch_create(
        by=officer, label="他機関の方", reason="r", starts_on=days_ago(60), agency=agencies["csw"]
    )
    services.watcher_add(by=officer, watch=theirs, kind="houkatsu", agency=agencies["houkatsu"])
    client = login(personas["desk"])
    rows = client.get(reverse("community:watch_list")).context["rows"]
    # mine first (overdue first, the latest due first), then the watch we only watch
    assert [w.pk for w in rows] == [late.pk, watch.pk, fresh.pk, theirs.pk]
    assert [w.overdue for w in rows] == [True, True, False, True]
    found = client.get(reverse("community:watch_list"), {"q": "ヤマダ"}).context["rows"]
    assert [w.pk for w in found] == [watch.pk]
    overdue = client.get(reverse("community:watch_list"), {"overdue": "on"}).context["rows"]
    assert [w.pk for w in overdue] == [late.pk, watch.pk, theirs.pk]
    mine = client.get(reverse("community:watch_list"), {"mine": "on"}).context["rows"]
    assert theirs.pk not in [w.pk for w in mine]


def test_list_exports(login, personas, watch):
    client = login(personas["desk"])
    response = client.get(reverse("community:watch_list"), {"export": "xlsx"})
    assert "watches_" in response["Content-Disposition"]
    values, notes, sheet = xlsx(response)
    assert sheet.title == "見守り" and values[0][:3] == ["番号", "呼び名", "本人"]
    assert sheet.cell(2, 2).value == watch.label and notes["件数"] == 1
    rows = csv_rows(client.get(reverse("community:watch_list"), {"export": "csv"}))
    assert rows[1][0] == str(watch.pk) and rows[1][1] == watch.label
    (event,) = AuditEvent.objects.filter(action="community.watch_list", context__export="csv")
    assert event.context["rows"] == 1
    assert event.person_ids == ([watch.person_id] if watch.person_id else [])


def test_the_list_file_has_every_watch_and_a_name_only_for_those_who_may_open_the_person(
    login, personas, keeper, watch, labelled, csw_watcher, monkeypatch
):
    for n in range(3):
        services.watch_create(
            by=keeper,
            label=f"4丁目 {n}",
            reason="見守りの依頼",
            frequency="weekly",
            starts_on=days_ago(1),
        )
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    rows = csv_rows(login(personas["desk"]).get(reverse("community:watch_list"), {"export": "csv"}))
    assert len(rows) == 1 + 5
    assert [row[2] for row in rows[1:] if row[0] == str(watch.pk)] == [watch.person.name]
    watcher = login(personas["outreach"])
    rows = csv_rows(watcher.get(reverse("community:watch_list"), {"export": "csv"}))
    assert [row[:3] for row in rows[1:]] == [[str(watch.pk), watch.label, "（特定済み）"]]
    events = AuditEvent.objects.filter(action="community.watch_list", context__export="csv")
    assert [(e.context["rows"], e.person_ids) for e in events.order_by("id")] == [
        (5, [watch.person_id]),
        (1, [watch.person_id]),
    ]


def test_create_with_a_person_found_by_search(login, personas, person):
    client = login(personas["desk"])
    page = client.get(reverse("community:watch_create"), {"q": "山田"})
    assert person in page.context["found"]
    response = client.post(
        reverse("community:watch_create"),
        {
            "person": person.pk,
            "reason": "一人暮らし",
            "frequency": "biweekly",
            "starts_on": str(days_ago(0)),
        },
    )
    watch = Watch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("community:watch_detail", args=[watch.pk])
    assert watch.person == person and watch.label == person.name


def test_create_with_a_person_not_seen_is_404(login, personas, person):
    client = login(personas["unrelated"])
    assert client.get(reverse("community:watch_create"), {"person": person.pk}).status_code == 404


def test_create_errors_in_japanese(login, personas):
    client = login(personas["desk"])
    page = client.post(
        reverse("community:watch_create"),
        {"reason": "", "frequency": "weekly", "starts_on": str(days_ago(0))},
    )
    assert page.status_code == 200
    assert "見守りの理由を入力してください。" in page.content.decode()
    assert not Watch.objects.exists()


def test_record_a_check(login, personas, watch, named_watcher):
    client = login(personas["desk"])
    page = client.get(reverse("community:check_create", args=[watch.pk]))
    assert "民生委員 田中" in page.content.decode()
    response = client.post(
        reverse("community:check_create", args=[watch.pk]),
        {"checked_on": str(days_ago(0)), "outcome": "needs_action", "watcher": named_watcher.pk},
    )
    assert response.status_code == 302
    detail = client.get(reverse("community:watch_detail", args=[watch.pk]))
    assert detail.context["prompt"] is not None
    assert 'data-testid="watch-prompt"' in detail.content.decode()


def test_a_future_check_is_refused(login, personas, watch):
    client = login(personas["desk"])
    page = client.post(
        reverse("community:check_create", args=[watch.pk]),
        {"checked_on": str(days_ago(-1)), "outcome": "ok", "checked_by_name": "x"},
    )
    assert page.status_code == 200
    assert "確認日に未来の日付は指定できません。" in page.content.decode()
    assert not SafetyCheck.objects.exists()


def test_overdue_shown_on_the_page(login, personas, watch):
    page = login(personas["desk"]).get(reverse("community:watch_detail", args=[watch.pk]))
    assert page.context["overdue"]  # started 30 days ago, weekly, never checked


def test_escalate_from_the_screen(login, personas, watch, agencies, category):
    client = login(personas["desk"])
    response = client.post(
        reverse("community:watch_escalate", args=[watch.pk]),
        {
            "to": "consultation",
            "agency": agencies["council"].pk,
            "categories": [category.pk],
            "reason": "食事がとれていない",
        },
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.person == watch.person
    detail = client.get(reverse("community:watch_detail", args=[watch.pk]))
    assert [e.consultation_visible for e in detail.context["escalations"]] == [True]
    link = reverse("consultations:consultation_detail", args=[consultation.pk])
    assert link in detail.content.decode()
    # an agency that only watches sees that it was escalated, not the consultation
    services.watcher_add(
        by=personas["desk"].user, watch=watch, kind="other", agency=agencies["csw"]
    )
    csw = login(personas["outreach"]).get(reverse("community:watch_detail", args=[watch.pk]))
    assert [e.consultation_visible for e in csw.context["escalations"]] == [False]
    assert link not in csw.content.decode()


def test_add_watcher_and_end(login, personas, watch, agencies):
    client = login(personas["desk"])
    response = client.post(
        reverse("community:watcher_add", args=[watch.pk]),
        {"kind": "business", "name": "中央新聞店", "contact": "058-000-2222"},
    )
    assert response.status_code == 302
    assert watch.watchers.get().name == "中央新聞店"
    page = client.post(
        reverse("community:watch_end", args=[watch.pk]), {"ended_on": str(days_ago(0))}
    )
    assert "終了の理由を入力してください。" in page.content.decode()
    response = client.post(
        reverse("community:watch_end", args=[watch.pk]),
        {"ended_on": str(days_ago(0)), "end_reason": "施設に入所"},
    )
    assert response.status_code == 302
    watch.refresh_from_db()
    assert watch.ended_on == days_ago(0)
    assert AuditEvent.objects.filter(action="community.watch_end").exists()


def test_link_the_person_of_a_labelled_watch(login, personas, labelled, person):
    client = login(personas["desk"])
    page = client.get(reverse("community:watch_person", args=[labelled.pk]), {"q": "山田"})
    assert person in page.context["found"]
    client.post(reverse("community:watch_person", args=[labelled.pk]), {"person": person.pk})
    labelled.refresh_from_db()
    assert labelled.person == person


def test_a_watcher_agency_sees_the_watch_not_the_register(login, personas, watch, csw_watcher):
    """The watch (its label, address and checks) is shared with the agencies named as its
    watchers; the person's register only with those who may open it."""
    person_url = reverse("people:person_detail", args=[watch.person_id])
    csw = login(personas["outreach"])
    page = csw.get(reverse("community:watch_detail", args=[watch.pk]))
    assert page.status_code == 200
    assert page.context["watch"].person_visible is False
    assert person_url not in page.content.decode()
    assert "特定済み" in page.content.decode()
    desk = login(personas["desk"])
    page = desk.get(reverse("community:watch_detail", args=[watch.pk])).content.decode()
    assert person_url in page
