"""The 不足する社会資源 register: raising a gap (any member of staff), its stages (未対応 →
検討中 → 開発中 → 開発済み, the last naming the resource that met it; a move back says why),
the list with search, paging and Excel, the page with its history, and the same over the API —
with every persona (guests and administrators 403, non-keepers 403 on changes)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Area
from tsunagu.audit.models import AuditEvent
from tsunagu.common import spreadsheet
from tsunagu.common.tests.exports import csv_rows, xlsx
from tsunagu.resources import gap_export, gaps, hooks, services
from tsunagu.resources.models import (
    Frequency,
    GapOrigin,
    GapStatus,
    ResourceGap,
    ResourceGapEvent,
    ResourceKind,
    ResourceStatus,
    Target,
)
from tsunagu.resources.services import ScheduleIn

pytestmark = pytest.mark.django_db

API = "/api/v1"
READERS = [name for name in PERSONA_NAMES if name not in ("guest", "admin")]
EDITORS = ["officer", "participation", "community"]
NOT_EDITORS = [name for name in READERS if name not in EDITORS]
DESCRIPTION = "ひきこもりの若者が日中に過ごせる居場所が北部にない"


def kind(code: str) -> ResourceKind:
    return ResourceKind.objects.get(code=code)


@pytest.fixture
def editor(personas):
    return personas["participation"].user


@pytest.fixture
def area(agencies) -> Area:
    return Area.objects.get(code="dl1")


@pytest.fixture
def gap(personas, area):
    return gaps.gap_create(
        by=personas["desk"].user,
        description=DESCRIPTION,
        kind=kind("ibasho"),
        targets=[Target.YOUTH],
        target_attributes="ひきこもりの方",
        area=area,
        origin=GapOrigin.OTHER,
    )


@pytest.fixture
def salon(editor, area):
    organization = services.organization_get_or_create(by=editor, name="北部まちづくり協議会")
    return services.resource_create(
        by=editor,
        organization=organization,
        name="北部 ひるまの居場所",
        kind=kind("ibasho"),
        confirmed_on=timezone.localdate(),
        area=area,
        schedules=[ScheduleIn(Frequency.WEEKLY, 1, datetime.time(13), datetime.time(16))],
    )


# ------------------------------------------------------------------------------- services


def test_any_member_of_staff_raises_a_gap_with_its_first_event_and_audit(gap, personas):
    assert gap.status == GapStatus.OPEN
    assert gap.target_list == [Target.YOUTH]
    assert [e.status for e in gap.events.all()] == [GapStatus.OPEN]
    event = AuditEvent.objects.get(action="resource.gap_create")
    assert event.actor_id == personas["desk"].user.pk
    assert event.changes["description"]["after"] == DESCRIPTION


@pytest.mark.parametrize("name", ["guest", "admin"])
def test_guests_and_administrators_raise_nothing(personas, name):
    with pytest.raises(PermissionDenied):
        gaps.gap_create(by=personas[name].user, description="夜間の居場所")
    assert ResourceGap.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"description": "  "}, "description"),
        ({"description": "あ" * (gaps.DESCRIPTION_MAX + 1)}, "description"),
        ({"description": "夜間の居場所", "targets": ["babies"]}, "targets"),
        ({"description": "夜間の居場所", "origin": "rumour"}, "origin"),
        ({"description": "夜間の居場所", "target_attributes": "あ" * 201}, "target_attributes"),
    ],
)
def test_bad_input_writes_nothing(personas, fields, key):
    with pytest.raises(ValidationError) as caught:
        gaps.gap_create(by=personas["desk"].user, **fields)
    assert key in caught.value.message_dict
    assert ResourceGap.objects.count() == 0 and ResourceGapEvent.objects.count() == 0


def test_stages_forward_to_developed_with_the_resource(gap, editor, salon):
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.CONSIDERING, note="協議体で検討")
    gap.refresh_from_db()
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.DEVELOPING)
    gap.refresh_from_db()
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.DEVELOPED, met_by=salon)
    gap.refresh_from_db()
    assert (gap.status, gap.met_by) == (GapStatus.DEVELOPED, salon)
    assert [e.status for e in gap.events.all()] == [
        GapStatus.OPEN,
        GapStatus.CONSIDERING,
        GapStatus.DEVELOPING,
        GapStatus.DEVELOPED,
    ]
    assert gap.events.last().resource == salon
    assert AuditEvent.objects.filter(action="resource.gap_move").count() == 3
    assert list(salon.gaps_met.all()) == [gap]


def test_developed_needs_a_resource_that_has_not_ended(gap, editor, salon):
    with pytest.raises(ValidationError) as caught:
        gaps.gap_move(by=editor, gap=gap, status=GapStatus.DEVELOPED)
    assert "対応した社会資源を選んでください" in caught.value.message_dict["met_by"][0]
    services.resource_update(by=editor, resource=salon, status=ResourceStatus.ENDED)
    salon.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        gaps.gap_move(by=editor, gap=gap, status=GapStatus.DEVELOPED, met_by=salon)
    assert "終了した社会資源" in caught.value.message_dict["met_by"][0]
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN and gap.events.count() == 1


def test_a_resource_is_named_only_when_developed(gap, editor, salon):
    with pytest.raises(ValidationError) as caught:
        gaps.gap_move(by=editor, gap=gap, status=GapStatus.CONSIDERING, met_by=salon)
    assert "met_by" in caught.value.message_dict


def test_a_move_back_says_why_and_leaving_developed_clears_the_resource(gap, editor, salon):
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.DEVELOPED, met_by=salon)
    gap.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        gaps.gap_move(by=editor, gap=gap, status=GapStatus.CONSIDERING)
    assert "理由" in caught.value.message_dict["note"][0]
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.CONSIDERING, note="居場所が休止した")
    gap.refresh_from_db()
    assert (gap.status, gap.met_by) == (GapStatus.CONSIDERING, None)


def test_the_same_stage_and_a_stale_page_are_refused(gap, editor):
    with pytest.raises(ValidationError):
        gaps.gap_move(by=editor, gap=gap, status=GapStatus.OPEN)
    stale = ResourceGap.objects.get(pk=gap.pk)
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.CONSIDERING)
    with pytest.raises(ValidationError) as caught:
        gaps.gap_move(by=editor, gap=stale, status=GapStatus.DEVELOPING)
    assert "ほかの方が先に" in caught.value.message_dict["status"][0]


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_only_the_keepers_move_or_change_a_gap(gap, personas, name):
    with pytest.raises(PermissionDenied):
        gaps.gap_move(by=personas[name].user, gap=gap, status=GapStatus.CONSIDERING)
    with pytest.raises(PermissionDenied):
        gaps.gap_update(by=personas[name].user, gap=gap, description="別の内容")
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN and gap.description == DESCRIPTION


def test_search_by_word_stage_area_and_kind(gap, editor, personas, area, salon):
    other = gaps.gap_create(by=editor, description="夜に相談できる窓口", origin=GapOrigin.MATCHING)
    gaps.gap_move(by=editor, gap=other, status=GapStatus.DEVELOPED, met_by=salon)
    search = gaps.gap_search
    assert list(search(gaps.GapSearch(q="ひきこもり"))) == [gap]
    assert list(search(gaps.GapSearch(q="ヒキコモリ"))) == []  # kanji and kana differ
    assert list(search(gaps.GapSearch(status="active"))) == [gap]
    assert list(search(gaps.GapSearch(status="developed"))) == [other]
    assert list(search(gaps.GapSearch(area=area.parent_id))) == [gap]  # areas under it
    assert list(search(gaps.GapSearch(kind=kind("ibasho").pk))) == [gap]
    assert list(search(gaps.GapSearch(origin=GapOrigin.MATCHING))) == [other]


def test_people_are_summed_over_the_apps_that_link_them(gap, monkeypatch):
    monkeypatch.setattr(hooks, "_people_counters", [lambda ids: {ids[0]: 2}, lambda ids: {}])
    assert gaps.with_people([gap])[0].people == 2
    monkeypatch.setattr(hooks, "_people_counters", [])
    assert gaps.with_people([gap])[0].people == 0


# ---------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_and_page_by_persona(login, personas, gap, name):
    client = login(personas[name])
    expected = 200 if name in READERS else 403
    listed = client.get(reverse("resources:gap_list"))
    assert listed.status_code == expected
    page = client.get(reverse("resources:gap_detail", args=[gap.pk]))
    assert page.status_code == expected
    if expected == 200:
        assert DESCRIPTION in listed.content.decode()
        body = page.content.decode()
        assert DESCRIPTION in body
        assert ('data-testid="gap-move-link"' in body) == (name in EDITORS)


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_non_keepers_get_403_with_the_rule_on_changes(login, personas, gap, name):
    client = login(personas[name])
    for route in ("resources:gap_move", "resources:gap_edit"):
        response = client.post(reverse(route, args=[gap.pk]), {"status": "considering"})
        assert response.status_code == 403
        assert "社会資源の登録・更新は" in response.content.decode()
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN


def test_unknown_gap_is_404(login, personas):
    client = login(personas["officer"])
    assert client.get(reverse("resources:gap_detail", args=[999])).status_code == 404


def test_raising_from_the_form_once_even_when_sent_twice(login, personas, area):
    client = login(personas["coordinator"])
    form = client.get(reverse("resources:gap_create")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form)[1]
    data = {
        "description": "夜間に子どもを預けられる場所",
        "kind": "",
        "targets": ["children"],
        "target_attributes": "",
        "area": str(area.pk),
        "form_token": token,
    }
    first = client.post(reverse("resources:gap_create"), data)
    assert first.status_code == 302
    second = client.post(reverse("resources:gap_create"), data)
    assert second.status_code == 302
    assert ResourceGap.objects.count() == 1
    gap = ResourceGap.objects.get()
    assert (gap.area, gap.target_list, gap.created_by) == (
        area,
        ["children"],
        personas["coordinator"].user,
    )


def test_the_form_shows_japanese_errors_and_writes_nothing(login, personas):
    client = login(personas["desk"])
    response = client.post(
        reverse("resources:gap_create"), {"description": "", "targets": ["babies"]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "不足している社会資源・仕組みを入力してください。" in body
    assert "対象の世代を選択肢から選んでください。" in body
    assert ResourceGap.objects.count() == 0


def test_moving_on_the_page_to_developed_with_the_resource_found_by_name(
    login, personas, gap, salon
):
    client = login(personas["community"])
    url = reverse("resources:gap_move", args=[gap.pk])
    page = client.get(url, {"find": "ひるま"})
    assert salon.name in page.content.decode()
    refused = client.post(url, {"status": "developed", "met_by": "", "note": ""})
    assert "対応した社会資源を選んでください" in refused.content.decode()
    done = client.post(url, {"status": "developed", "met_by": str(salon.pk), "note": "開設"})
    assert done.status_code == 302
    gap.refresh_from_db()
    assert (gap.status, gap.met_by) == (GapStatus.DEVELOPED, salon)
    body = client.get(reverse("resources:gap_detail", args=[gap.pk])).content.decode()
    assert "開設" in body and salon.name in body


def test_editing_what_the_gap_says(login, personas, gap):
    client = login(personas["officer"])
    response = client.post(
        reverse("resources:gap_edit", args=[gap.pk]),
        {"description": "北部に若者の日中の居場所がない", "targets": ["youth", "working_age"]},
    )
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.description == "北部に若者の日中の居場所がない"
    assert gap.target_list == ["youth", "working_age"] and gap.area is None
    assert AuditEvent.objects.filter(action="resource.gap_update").count() == 1


def test_list_pages_and_exports_the_search(login, personas, editor):
    for n in range(30):
        gaps.gap_create(by=editor, description=f"不足 {n:02d}")
    gaps.gap_create(by=editor, description="=1+1 夜の居場所")
    client = login(personas["desk"])
    first = client.get(reverse("resources:gap_list"))
    assert len(first.context["rows"]) == 25
    assert len(client.get(reverse("resources:gap_list"), {"page": 2}).context["rows"]) == 6
    response = client.get(reverse("resources:gap_list"), {"export": "xlsx"})
    assert "resource_gaps_" in response["Content-Disposition"]
    values, notes, sheet = xlsx(response)
    assert sheet.title == "不足する社会資源" and sheet.max_row == 32 and notes["件数"] == 31
    assert values[0] == list(gap_export.HEADER)
    assert sheet.cell(row=1, column=3).value == "不足している社会資源・仕組み"
    assert sheet.cell(row=2, column=3).value == "=1+1 夜の居場所"
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert values[1][9] == 0  # no one waiting
    rows = csv_rows(client.get(reverse("resources:gap_list"), {"export": "csv", "q": "夜の居場所"}))
    assert len(rows) == 2 and rows[1][2] == "'=1+1 夜の居場所"
    assert not AuditEvent.objects.filter(context__has_key="export").exists()


def test_the_register_file_has_every_gap_read_a_chunk_at_a_time(
    login, personas, editor, monkeypatch
):
    for n in range(5):
        gaps.gap_create(by=editor, description=f"不足 {n}")
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    client = login(personas["desk"])
    rows = csv_rows(client.get(reverse("resources:gap_list"), {"export": "csv"}))
    assert [row[2] for row in rows[1:]] == [f"不足 {n}" for n in range(4, -1, -1)]


# ------------------------------------------------------------------------------------ API


def post(client, route, data):
    return client.post(f"{API}{route}", json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_api_reads_by_persona(login, personas, gap, name):
    client = login(personas[name])
    listed = client.get(f"{API}/resources/gaps")
    one = client.get(f"{API}/resources/gaps/{gap.pk}")
    if name not in READERS:
        assert (listed.status_code, one.status_code) == (403, 403)
        return
    assert listed.status_code == 200
    assert [g["description"] for g in listed.json()["items"]] == [DESCRIPTION]
    body = one.json()
    assert (body["status"], body["kind"], body["targets"]) == ("open", "ibasho", ["youth"])
    assert [e["status"] for e in body["events"]] == ["open"]


def test_api_raises_moves_and_refuses_with_field_names(login, personas, salon, area):
    desk = login(personas["desk"])
    created = post(
        desk,
        "/resources/gaps",
        {"description": "障害のある人の夜間の居場所", "kind": "ibasho", "area_id": area.pk},
    )
    assert created.status_code == 201, created.content
    gap_id = created.json()["id"]
    assert post(desk, f"/resources/gaps/{gap_id}/move", {"status": "considering"}).status_code == (
        403
    )
    bad = post(desk, "/resources/gaps", {"description": "", "area_id": 9999})
    assert bad.status_code == 422
    keeper = login(personas["participation"])
    refused = post(keeper, f"/resources/gaps/{gap_id}/move", {"status": "developed"})
    assert refused.status_code == 422
    assert "met_by_id" in refused.json()["errors"]
    moved = post(
        keeper, f"/resources/gaps/{gap_id}/move", {"status": "developed", "met_by_id": salon.pk}
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["met_by_name"]) == ("developed", salon.name)
    changed = keeper.patch(
        f"{API}/resources/gaps/{gap_id}",
        json.dumps({"targets": ["elderly"]}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["targets"] == ["elderly"]
    filtered = keeper.get(f"{API}/resources/gaps", {"status": "developed"}).json()
    assert [g["id"] for g in filtered["items"]] == [gap_id]
    assert keeper.get(f"{API}/resources/gaps", {"status": "maybe"}).status_code == 422
    assert keeper.get(f"{API}/resources/gaps/99999").status_code == 404
