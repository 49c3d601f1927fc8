"""地域づくり活動 pages with every persona: staff read the list and the page (meeting guests
and administrators 403), community coordinators and the office record (others 403 with the
rule); the form records once when sent twice, shows the services' Japanese messages, finds the
place among the 社会資源 by name; the list searches, pages and exports (Excel, CSV); a gap
noticed is raised from the page; a linked consultation shows only to those who may see it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.common import spreadsheet
from tsunagu.common.tests.exports import csv_rows, xlsx
from tsunagu.resources.models import GapOrigin, ResourceGap

from ..models import Activity
from ..services import activities as services
from .test_activities_fixtures import *  # noqa: F403
from .test_activities_fixtures import EDITORS, NOT_EDITORS, READERS, at, attribute, kind

pytestmark = pytest.mark.django_db


def token_of(body: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', body)[1]


def form_data(area, **extra) -> dict:
    data = {
        "kind": str(kind("salon").pk),
        "title": "みどりサロン",
        "day": "令和8年6月3日",
        "start_time": "13:30",
        "end_time": "15:00",
        "area": str(area.pk),
        "children": "0",
        "youth": "2",
        "working_age": "3",
        "elderly": "7",
        "org1_name": "みどり会",
        "org1_contact": "058-000-1111",
        "attribute_first_time": "2",
        "discussed": "防災の話",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_and_page_by_persona(login, personas, salon, name):
    client = login(personas[name])
    expected = 200 if name in READERS else 403
    listed = client.get(reverse("community:activity_list"))
    page = client.get(reverse("community:activity_detail", args=[salon.pk]))
    assert (listed.status_code, page.status_code) == (expected, expected)
    if expected == 200:
        assert salon.title in listed.content.decode()
        body = page.content.decode()
        assert "夏の見守りと熱中症の声かけ" in body and "中央ふれあい会館" in body
        assert "うち初参加" in body
        assert ('data-testid="activity-edit-link"' in body) == (name in EDITORS)


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_non_editors_get_403_with_the_rule_on_writes(login, personas, salon, area, name):
    client = login(personas[name])
    routes = [
        (reverse("community:activity_create"), form_data(area)),
        (reverse("community:activity_edit", args=[salon.pk]), form_data(area)),
        (reverse("community:activity_gap", args=[salon.pk]), {"description": "夜の居場所"}),
    ]
    for url, data in routes:
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code == 403
            assert "地域づくり活動の記録は、地域福祉コーディネーターと事務局" in (
                response.content.decode()
            )
    assert Activity.objects.count() == 1 and ResourceGap.objects.count() == 0


@pytest.mark.parametrize("name", ["guest", "admin"])
def test_guests_and_administrators_get_403_on_writes(login, personas, salon, name):
    client = login(personas[name])
    assert client.get(reverse("community:activity_create")).status_code == 403
    assert client.get(reverse("community:activity_edit", args=[salon.pk])).status_code == 403


def test_unknown_activity_is_404(login, personas):
    client = login(personas["officer"])
    assert client.get(reverse("community:activity_detail", args=[999])).status_code == 404
    assert client.get(reverse("community:activity_edit", args=[999])).status_code == 404


def test_recording_from_the_form_once_even_when_sent_twice(login, personas, area):
    client = login(personas["community"])
    form = client.get(reverse("community:activity_create")).content.decode()
    data = form_data(area, form_token=token_of(form))
    first = client.post(reverse("community:activity_create"), data)
    assert first.status_code == 302, first.content.decode()
    second = client.post(reverse("community:activity_create"), data)
    assert second.status_code == 302
    activity = Activity.objects.get()
    assert (activity.participants, activity.created_by) == (12, personas["community"].user)
    assert [o.name for o in activity.organisers.all()] == ["みどり会"]
    assert activity.attribute_counts.get().attribute == attribute("first_time")
    assert activity.starts_at == at(2026, 6, 3, 13, 30)
    assert activity.ends_at == at(2026, 6, 3, 15)


def test_the_form_shows_the_services_japanese_messages_and_writes_nothing(login, personas, area):
    client = login(personas["officer"])
    response = client.post(
        reverse("community:activity_create"),
        form_data(area, participants="20", end_time="12:00", attribute_first_time="13"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "参加者数（20人）が世代別の人数の合計（12人）と合いません。" in body
    assert "終了日時は開始日時より後にしてください。" in body
    assert Activity.objects.count() == 0
    empty = client.post(reverse("community:activity_create"), {"title": ""}).content.decode()
    assert "名称を入力してください。" in empty and "種類を選んでください。" in empty


def test_the_place_is_found_among_the_resources_by_name(login, personas, area, venue):
    client = login(personas["community"])
    url = reverse("community:activity_create")
    found = client.post(url, form_data(area, place_find="ふれあい", find_place="1"))
    assert found.status_code == 200
    assert f'<option value="{venue.pk}">中央ふれあい会館' in found.content.decode()
    assert Activity.objects.count() == 0
    done = client.post(url, form_data(area, place=str(venue.pk)))
    assert done.status_code == 302
    assert Activity.objects.get().place == venue


def test_editing_an_activity(login, personas, salon):
    client = login(personas["officer"])
    url = reverse("community:activity_edit", args=[salon.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="中央自治会"' in form.content.decode()
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(
        {
            "kind": str(salon.kind_id),
            "day": "2026-05-10",
            "start_time": "10:00",
            "elderly": "20",
            "participants": "26",
            "org1_name": "中央自治会",
            "attribute_first_time": "3",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    salon.refresh_from_db()
    assert (salon.elderly, salon.participants) == (20, 26)
    assert AuditEvent.objects.filter(action="community.activity_update").count() == 1


def test_a_linked_consultation_shows_only_to_those_who_may_see_it(
    login, personas, area, consultation
):
    activity = services.activity_create(
        by=personas["officer"].user,
        kind=kind("salon"),
        title="相談が生まれたサロン",
        starts_at=at(2026, 5, 11),
        area=area,
        consultations=[consultation.pk],
    )
    url = reverse("community:activity_detail", args=[activity.pk])
    for name, shown in (("desk", True), ("officer", True), ("community", False)):
        body = login(personas[name]).get(url).content.decode()
        assert (f"相談受付 #{consultation.pk}（令和8年5月12日" in body) == shown, name


def test_raising_a_gap_from_the_activity(login, personas, salon):
    client = login(personas["community"])
    url = reverse("community:activity_gap", args=[salon.pk])
    page = client.get(url)
    assert page.status_code == 200
    refused = client.post(url, {"description": ""})
    assert "不足している社会資源・仕組みを入力してください。" in refused.content.decode()
    done = client.post(
        url,
        {
            "description": "男性が参加しやすい集いの場",
            "targets": ["elderly"],
            "area": str(salon.area_id),
            "form_token": token_of(page.content.decode()),
        },
    )
    assert done.status_code == 302
    gap = ResourceGap.objects.get()
    assert gap.origin == GapOrigin.COMMUNITY and gap.activity_link.activity == salon
    body = client.get(reverse("community:activity_detail", args=[salon.pk])).content.decode()
    assert "男性が参加しやすい集いの場" in body
    register = client.get(reverse("resources:gap_detail", args=[gap.pk])).content.decode()
    assert "地域づくり活動：ふれあいサロン 5月の会（令和8年5月10日）" in register


def test_list_searches_pages_and_exports(login, personas, editor, area, salon):
    for n in range(26):
        services.activity_create(
            by=editor,
            kind=kind("kayoinoba"),
            title=f"通いの場 {n:02d}",
            starts_at=at(2026, 4, 1 + n),
            area=area,
            elderly=n,
        )
    services.activity_create(
        by=editor,
        kind=kind("event"),
        title="=1+1 交流会",
        starts_at=at(2025, 4, 5),
        area=area,
        youth=4,
    )
    client = login(personas["desk"])
    url = reverse("community:activity_list")
    assert len(client.get(url).context["rows"]) == 25
    assert len(client.get(url, {"page": 2}).context["rows"]) == 3
    assert [a.title for a in client.get(url, {"q": "熱中症"}).context["rows"]] == [salon.title]
    year = client.get(url, {"fiscal_year": "2025"}).context["rows"]
    assert [a.title for a in year] == ["=1+1 交流会"]
    kinds = client.get(url, {"kind": str(kind("salon").pk)}).context["rows"]
    assert [a.title for a in kinds] == [salon.title]
    bad = client.get(url, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert "「この日まで」は「この日から」より後の日付に" in bad.content.decode()

    response = client.get(url, {"export": "xlsx"})
    assert "community_activities_" in response["Content-Disposition"]
    values, notes, sheet = xlsx(response)
    assert sheet.title == "地域づくり活動" and sheet.freeze_panes == "E2"
    assert sheet.max_row == 29 and notes["件数"] == 28
    assert sheet.cell(row=1, column=14).value == "参加者数"
    assert notes["参加者数"] == sum(range(26)) + 4 + salon.participants
    assert values[-1][4] == "=1+1 交流会" and sheet.cell(row=29, column=5).data_type == "s"
    text = client.get(url, {"export": "csv", "q": "交流会"})
    assert text["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(text)
    assert len(rows) == 2
    assert rows[1][4] == "'=1+1 交流会" and rows[1][1] == "令和7年4月5日"
    salon_row = csv_rows(client.get(url, {"export": "csv", "q": "熱中症"}))[1]
    assert salon_row[5:9] == ["中央ふれあい会館", "中央圏域", "", "中央自治会"]
    assert salon_row[13] == "20"
    events = AuditEvent.objects.filter(action="community.activity_export")
    assert events.count() == 3 and events.first().actor_id == personas["desk"].user.pk
    assert sorted(e.context["rows"] for e in events) == [1, 1, 28]


def test_the_list_file_has_every_activity_read_a_chunk_at_a_time(
    login, personas, editor, area, salon, monkeypatch
):
    for n in range(4):
        services.activity_create(
            by=editor,
            kind=kind("kayoinoba"),
            title=f"通いの場 {n}",
            starts_at=at(2026, 4, 1 + n),
            area=area,
        )
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    client = login(personas["desk"])
    rows = csv_rows(client.get(reverse("community:activity_list"), {"export": "csv"}))
    assert len(rows) == 1 + 5
    assert [row[8] for row in rows[1:] if row[0] == str(salon.pk)] == ["中央自治会"]


def test_the_consultations_page_links_the_activity_it_was_raised_at(
    login, personas, area, consultation
):
    activity = services.activity_create(
        by=personas["officer"].user,
        kind=kind("kodomo_shokudo"),
        title="ひまわり食堂",
        starts_at=at(2026, 5, 11, 17),
        area=area,
        consultations=[consultation.pk],
    )
    client = login(personas["desk"])
    body = client.get(
        reverse("consultations:consultation_detail", args=[consultation.pk])
    ).content.decode()
    link = reverse("community:activity_detail", args=[activity.pk])
    assert f'<a href="{link}">地域づくり活動：ひまわり食堂（令和8年5月11日）</a>' in body
