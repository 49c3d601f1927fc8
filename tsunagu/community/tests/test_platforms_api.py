"""プラットフォーム over the API with every persona: staff read the list and one platform with
its members and meetings (meeting guests and administrators 403), community coordinators and
the office create, change, add and retire members (others 403 with the rule), the services'
rules answer 422 by the body's field names, unknown ids 404."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import PERSONA_NAMES

from ..models import Platform, PlatformMember
from ..services import activities as activity_services
from ..services import platforms as services
from .test_activities_fixtures import *  # noqa: F403
from .test_activities_fixtures import NOT_EDITORS, READERS, at, kind

pytestmark = pytest.mark.django_db

API = "/api/v1"


def send(client, method, route, data):
    return getattr(client, method)(
        f"{API}{route}", json.dumps(data), content_type="application/json"
    )


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads_by_persona(login, personas, platform, editor, area, name):
    services.member_add(
        by=editor, platform=platform, name="中央自治会", joined_on=datetime.date(2025, 4, 1)
    )
    activity_services.activity_create(
        by=editor,
        kind=kind("platform"),
        title="ぷらっと 第1回",
        starts_at=at(2025, 5, 20, 18),
        area=area,
        platform=platform,
        elderly=9,
        outcome="見守りの輪を始めた",
    )
    client = login(personas[name])
    listed = client.get(f"{API}/community/platforms")
    one = client.get(f"{API}/community/platforms/{platform.pk}")
    if name not in READERS:
        assert (listed.status_code, one.status_code) == (403, 403)
        return
    assert [p["name"] for p in listed.json()["items"]] == ["中央ぷらっと会議"]
    found = one.json()
    assert [m["name"] for m in found["members"]] == ["中央自治会"]
    assert [(m["title"], m["participants"], m["outcome"]) for m in found["meetings"]] == [
        ("ぷらっと 第1回", 9, "見守りの輪を始めた")
    ]


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_non_editors_are_refused_writes(login, personas, platform, name):
    client = login(personas[name])
    created = send(
        client, "post", "/community/platforms", {"name": "北部", "started_on": "2026-04-01"}
    )
    assert created.status_code == 403
    assert "地域福祉コーディネーターと事務局" in created.json()["detail"]
    route = f"/community/platforms/{platform.pk}"
    assert send(client, "patch", route, {"name": "別名"}).status_code == 403
    added = send(client, "post", f"{route}/members", {"name": "自治会", "joined_on": "2025-05-01"})
    assert added.status_code == 403
    assert Platform.objects.count() == 1 and PlatformMember.objects.count() == 0


def test_create_change_and_members(login, personas, area):
    client = login(personas["community"])
    created = send(
        client,
        "post",
        "/community/platforms",
        {"name": "北部 ささえあい会議", "area_id": area.pk, "started_on": "2026-04-01"},
    )
    assert created.status_code == 201, created.content
    platform_id = created.json()["id"]
    route = f"/community/platforms/{platform_id}"
    refused = send(client, "patch", route, {"ended_on": "2026-03-01"})
    assert refused.status_code == 422
    assert refused.json()["errors"]["ended_on"] == ["終了日は開始日より後の日付にしてください。"]
    agency = personas["desk"].agency
    added = send(
        client,
        "post",
        f"{route}/members",
        {"agency_id": agency.pk, "role": "相談", "joined_on": "2026-04-10"},
    )
    assert added.status_code == 201, added.content
    member = added.json()["members"][0]
    assert (member["name"], member["agency_id"]) == (agency.name, agency.pk)
    twice = send(
        client, "post", f"{route}/members", {"agency_id": agency.pk, "joined_on": "2026-05-01"}
    )
    assert twice.status_code == 422 and "既に構成団体" in twice.json()["errors"]["name"][0]
    unknown = send(
        client, "post", f"{route}/members", {"agency_id": 9999, "joined_on": "2026-05-01"}
    )
    assert unknown.status_code == 422 and "agency_id" in unknown.json()["errors"]
    left = send(client, "post", f"{route}/members/{member['id']}/leave", {"left_on": "2026-04-01"})
    assert left.status_code == 422 and "left_on" in left.json()["errors"]
    left = send(client, "post", f"{route}/members/{member['id']}/leave", {"left_on": "2026-09-30"})
    assert left.status_code == 200 and left.json()["members"][0]["left_on"] == "2026-09-30"
    assert send(client, "post", f"{route}/members/9999/leave", {}).status_code == 404
    changed = send(client, "patch", route, {"ended_on": "2027-03-31", "area_id": None})
    assert changed.status_code == 200
    assert (changed.json()["ended_on"], changed.json()["area_id"]) == ("2027-03-31", None)
    assert client.get(f"{API}/community/platforms/9999").status_code == 404


def test_the_list_filters(login, personas, platform, editor, district):
    services.platform_create(
        by=editor,
        name="旧 北部協議体",
        area=district,
        started_on=datetime.date(2020, 4, 1),
        ended_on=datetime.date(2023, 3, 31),
    )
    client = login(personas["desk"])
    url = f"{API}/community/platforms"
    names = lambda **q: [p["name"] for p in client.get(url, q).json()["items"]]  # noqa: E731
    assert names() == ["中央ぷらっと会議"]
    assert names(ended="true") == ["中央ぷらっと会議", "旧 北部協議体"]
    assert names(ended="true", area_id=district.pk) == ["旧 北部協議体"]
    assert names(q="ぷらっと") == ["中央ぷらっと会議"]
    assert client.get(url, {"area_id": 9999}).status_code == 422
