"""地域づくり活動 over the API with every persona: staff read the list and one activity
(meeting guests and administrators 403), community coordinators and the office record and
change (others 403 with the rule), the services' rules answer 422 by the body's field names,
filters narrow the list, and a gap noticed is raised in the register."""

from __future__ import annotations

import json

import pytest

from conftest import PERSONA_NAMES
from tsunagu.resources.models import GapOrigin, ResourceGap

from ..models import Activity
from .test_activities_fixtures import *  # noqa: F403
from .test_activities_fixtures import NOT_EDITORS, READERS

pytestmark = pytest.mark.django_db

API = "/api/v1"


def send(client, method, route, data):
    return getattr(client, method)(
        f"{API}{route}", json.dumps(data), content_type="application/json"
    )


def body(area, **extra) -> dict:
    data = {
        "kind": "kodomo_shokudo",
        "title": "ひまわり食堂",
        "starts_at": "2026-06-07T17:00:00+09:00",
        "ends_at": "2026-06-07T19:00:00+09:00",
        "area_id": area.pk,
        "children": 12,
        "working_age": 5,
        "organisers": [{"name": "NPO ひまわり", "contact": "058-222-3333"}],
        "attributes": {"foreign": 2},
        "outcome": "学習支援を始める",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads_by_persona(login, personas, salon, name):
    client = login(personas[name])
    listed = client.get(f"{API}/community/activities")
    one = client.get(f"{API}/community/activities/{salon.pk}")
    if name not in READERS:
        assert (listed.status_code, one.status_code) == (403, 403)
        return
    assert listed.status_code == 200
    assert [a["title"] for a in listed.json()["items"]] == [salon.title]
    found = one.json()
    assert (found["kind"], found["participants"], found["place_name"]) == (
        "salon",
        20,
        "中央ふれあい会館",
    )
    assert found["organisers"] == [
        {"name": "中央自治会", "agency_id": None, "contact": "058-111-2222"}
    ]
    assert found["attributes"] == [{"code": "first_time", "name": "初参加", "count": 3}]


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_non_editors_are_refused_writes(login, personas, salon, area, name):
    client = login(personas[name])
    created = send(client, "post", "/community/activities", body(area))
    assert created.status_code == 403
    assert "地域福祉コーディネーターと事務局" in created.json()["detail"]
    changed = send(client, "patch", f"/community/activities/{salon.pk}", {"title": "別名"})
    assert changed.status_code == 403
    gap = send(client, "post", f"/community/activities/{salon.pk}/gaps", {"description": "夜"})
    assert gap.status_code == 403
    assert Activity.objects.count() == 1


def test_recording_and_changing_an_activity(login, personas, area, platform, consultation):
    client = login(personas["officer"])
    created = send(
        client,
        "post",
        "/community/activities",
        body(area, platform_id=platform.pk, consultation_ids=[consultation.pk]),
    )
    assert created.status_code == 201, created.content
    found = created.json()
    assert (found["participants"], found["platform_name"]) == (17, "中央ぷらっと会議")
    assert found["consultation_ids"] == [consultation.pk]
    activity_id = found["id"]
    # the coordinator (another agency) does not see the consultation linked
    community = login(personas["community"])
    seen = community.get(f"{API}/community/activities/{activity_id}").json()
    assert seen["consultation_ids"] == []
    changed = send(
        community, "patch", f"/community/activities/{activity_id}", {"elderly": 3, "title": "食堂"}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["participants"], changed.json()["title"]) == (20, "食堂")
    assert Activity.objects.get().consultation_links.count() == 1


def test_rules_answer_422_by_the_bodys_field_names(login, personas, area, venue):
    client = login(personas["community"])
    refused = send(
        client,
        "post",
        "/community/activities",
        body(
            area, participants=30, ends_at="2026-06-07T16:00:00+09:00", attributes={"foreign": 40}
        ),
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert "世代別の人数の合計（17人）と合いません" in errors["participants"][0]
    assert errors["ends_at"] == ["終了日時は開始日時より後にしてください。"]
    assert "参加者数（17人）を超えています" in errors["attribute_foreign"][0]
    unknown = send(
        client,
        "post",
        "/community/activities",
        body(area, kind="karaoke", place_id=99999, attributes={"left_handed": 1}),
    )
    assert unknown.status_code == 422
    assert set(unknown.json()["errors"]) == {"kind", "place_id", "attributes"}
    hidden = send(client, "post", "/community/activities", body(area, consultation_ids=[99999]))
    assert "consultation_ids" in hidden.json()["errors"]
    assert Activity.objects.count() == 0
    assert client.get(f"{API}/community/activities/99999").status_code == 404


def test_the_list_filters(login, personas, area, district, salon, editor):
    send(login(personas["community"]), "post", "/community/activities", body(district))
    client = login(personas["desk"])
    url = f"{API}/community/activities"
    titles = lambda **q: [a["title"] for a in client.get(url, q).json()["items"]]  # noqa: E731
    assert titles(kind="kodomo_shokudo") == ["ひまわり食堂"]
    assert titles(area_id=district.pk) == ["ひまわり食堂"]
    assert titles(area_id=area.pk) == ["ひまわり食堂", salon.title]
    assert titles(q="熱中症") == [salon.title]
    assert titles(fiscal_year=2026, date_to="2026-05-31") == [salon.title]
    assert client.get(url, {"kind": "karaoke"}).status_code == 422
    assert client.get(url, {"date_from": "2026-06-01", "date_to": "2026-05-01"}).status_code == 422


def test_a_gap_noticed_is_raised_in_the_register(login, personas, salon):
    client = login(personas["community"])
    refused = send(client, "post", f"/community/activities/{salon.pk}/gaps", {"description": ""})
    assert refused.status_code == 422 and "description" in refused.json()["errors"]
    done = send(
        client,
        "post",
        f"/community/activities/{salon.pk}/gaps",
        {"description": "送迎のある居場所", "targets": ["elderly"]},
    )
    assert done.status_code == 201
    gap = ResourceGap.objects.get(pk=done.json()["gap_id"])
    assert (gap.origin, gap.area_id) == (GapOrigin.COMMUNITY, salon.area_id)
    assert client.get(f"{API}/community/activities/{salon.pk}").json()["gap_ids"] == [gap.pk]
