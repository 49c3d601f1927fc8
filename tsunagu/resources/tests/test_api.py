"""社会資源 over ``/api/v1/``: every member of staff searches and reads the directory (meeting
guests and system administrators 403), only its keepers write (403 for the others before
anything is looked up), an unknown resource 404, invalid input 422 by the request body's
field names (schedule rows as ``schedules.<n>``), and the OpenAPI schema names every answer
``Resource…``."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Area
from tsunagu.audit.models import AuditEvent
from tsunagu.common.wareki import format_wareki
from tsunagu.resources import services
from tsunagu.resources.models import (
    Frequency,
    HostProfile,
    Organization,
    Resource,
    ResourceKind,
    Schedule,
    ScheduleException,
    Target,
)
from tsunagu.resources.services import ScheduleIn

pytestmark = pytest.mark.django_db

API = "/api/v1"


T = datetime.time

READERS = [name for name in PERSONA_NAMES if name not in ("guest", "admin")]
EDITORS = ["officer", "participation", "community"]
NOT_EDITORS = ["desk", "coordinator", "outreach", "unrelated", "guest", "admin"]


def get(client, route, data=None):
    return client.get(f"{API}{route}", data or {})


def post(client, route, data=None):
    return client.post(f"{API}{route}", json.dumps(data or {}), content_type="application/json")


def patch(client, route, data):
    return client.patch(f"{API}{route}", json.dumps(data), content_type="application/json")


def put(client, route, data):
    return client.put(f"{API}{route}", json.dumps(data), content_type="application/json")


def kind(code: str) -> ResourceKind:
    return ResourceKind.objects.get(code=code)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def editor(personas):
    return personas["participation"].user


@pytest.fixture
def district(city):
    return Area.objects.create(code="d-north", name="北地区", kind="district", parent=city)


@pytest.fixture
def shop(editor, district):
    """A work experience on Wednesday mornings and the 2nd and 4th Saturday."""
    org = services.organization_get_or_create(by=editor, name="柳ケ瀬商店街振興組合")
    return services.resource_create(
        by=editor,
        organization=org,
        name="八百屋まるやま 品出し体験",
        kind=kind("work_experience"),
        confirmed_on=timezone.localdate(),
        area=district,
        targets=[Target.YOUTH, Target.WORKING_AGE],
        capacity=2,
        places_free=1,
        description="野菜の品出しと袋詰め",
        schedules=[
            ScheduleIn(Frequency.WEEKLY, 2, T(10), T(12)),
            ScheduleIn(Frequency.MONTHLY, 5, T(9), T(11), weeks=(2, 4)),
        ],
    )


@pytest.fixture
def salon(editor):
    """A salon for the elderly on Monday afternoons, full."""
    org = services.organization_get_or_create(by=editor, name="北地区社協")
    return services.resource_create(
        by=editor,
        organization=org,
        name="ふれあいサロン北",
        kind=kind("salon"),
        confirmed_on=timezone.localdate(),
        targets=[Target.ELDERLY],
        capacity=20,
        places_free=0,
        schedules=[ScheduleIn(Frequency.WEEKLY, 0, T(13), T(15))],
    )


def new_resource(**overrides) -> dict:
    body = {
        "organization_name": "NPO法人 ひだまり",
        "name": "居場所ひだまり",
        "kind": "ibasho",
        "confirmed_on": timezone.localdate().isoformat(),
        "targets": ["youth"],
        "schedules": [
            {"freq": "weekly", "weekday": 1, "opens_at": "13:00", "closes_at": "16:00"},
            {
                "freq": "monthly",
                "weekday": 6,
                "weeks": [1, 3],
                "opens_at": "10:00",
                "closes_at": "12:00",
            },
        ],
    }
    return {**body, **overrides}


# --- who reads, who writes --------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_member_of_staff_reads_the_directory_guests_and_admins_do_not(
    login, personas, name, shop
):
    client = login(personas[name])
    routes = [
        "/resources",
        f"/resources/{shop.pk}",
        "/resources/kinds",
        "/resources/recheck",
        "/resources/hsds.json",
        "/resources/hsds.zip",
    ]
    expected = 200 if name in READERS else 403
    for route in routes:
        assert get(client, route).status_code == expected, route


def test_reads_record_no_audit_events(login, personas, shop):
    client = login(personas["desk"])
    before = AuditEvent.objects.count()
    get(client, "/resources", {"q": "品出し"})
    get(client, f"/resources/{shop.pk}")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_only_the_keepers_of_the_directory_write(login, personas, name, shop):
    client = login(personas[name])
    attempts = [
        post(client, "/resources", new_resource()),
        patch(client, f"/resources/{shop.pk}", {"places_free": 0}),
        post(client, f"/resources/{shop.pk}/confirm"),
        post(
            client, f"/resources/{shop.pk}/exceptions", {"date": timezone.localdate().isoformat()}
        ),
        put(client, f"/resources/{shop.pk}/host", {"contact_person": "店主", "tasks": "品出し"}),
        post(client, "/resources/hsds", {"services": [{"id": "x", "name": "x"}]}),
        post(client, "/resources", {}),  # refused before the body is looked at
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert Resource.objects.count() == 1 and Organization.objects.count() == 1
    assert not ScheduleException.objects.exists() and not HostProfile.objects.exists()
    shop.refresh_from_db()
    assert shop.places_free == 1


@pytest.mark.parametrize("name", EDITORS)
def test_the_keepers_register_a_resource_with_its_schedules(login, personas, name):
    response = post(login(personas[name]), "/resources", new_resource())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organization_name"] == "NPO法人 ひだまり"
    assert body["kind_code"] == "ibasho" and body["targets"] == ["youth"]
    assert body["schedule_labels"] == ["毎週火曜 13:00〜16:00", "第1・第3日曜 10:00〜12:00"]
    assert body["schedules"][1]["weeks"] == [1, 3]
    assert body["may_edit"] is True and body["host"] is None and not body["stale"]
    event = AuditEvent.objects.get(action="resource.create", target_id=str(body["id"]))
    assert event.changes["schedules"]["after"] == body["schedule_labels"]


def test_unknown_resources_answer_404_and_a_guest_403(login, personas, shop):
    client = login(personas["participation"])
    assert get(client, "/resources/999999").status_code == 404
    assert patch(client, "/resources/999999", {"name": "x"}).status_code == 404
    assert post(client, "/resources/999999/confirm").status_code == 404
    assert get(login(personas["guest"]), "/resources/999999").status_code == 403


# --- the search ---------------------------------------------------------------------------


def test_wednesday_at_half_past_ten(login, personas, shop, salon):
    client = login(personas["desk"])
    response = get(client, "/resources", {"weekday": 2, "at": "10:30"})
    assert ids(response) == [shop.pk]
    item = response.json()["items"][0]
    assert item["reasons"] == ["開いている：毎週水曜 10:00〜12:00"]
    assert item["schedule_labels"] == ["毎週水曜 10:00〜12:00", "第2・第4土曜 09:00〜11:00"]
    assert item["stale"] is False
    assert item["target_labels"] == ["若者", "現役世代"]
    assert ids(get(client, "/resources", {"weekday": 2, "at": "12:00"})) == []  # closes at 12
    saturday = get(client, "/resources", {"weekday": 5, "at": "09:30"})
    assert ids(saturday) == [shop.pk]
    assert saturday.json()["items"][0]["reasons"] == ["開いている：第2・第4土曜 09:00〜11:00"]


def test_search_by_kind_area_target_free_places_and_words(login, personas, shop, salon, city):
    client = login(personas["coordinator"])
    assert ids(get(client, "/resources")) == [salon.pk, shop.pk]  # by name
    assert ids(get(client, "/resources", {"kind": "salon"})) == [salon.pk]
    assert ids(get(client, "/resources", {"kind": kind("work_experience").pk})) == [shop.pk]
    assert ids(get(client, "/resources", {"area_id": city.pk})) == [shop.pk]  # the district too
    assert ids(get(client, "/resources", {"target": "elderly"})) == [salon.pk]
    assert ids(get(client, "/resources", {"free_only": "true"})) == [shop.pk]
    words = get(client, "/resources", {"q": "品出し 袋詰め"})
    assert ids(words) == [shop.pk]
    assert words.json()["items"][0]["reasons"] == ["「品出し」を含む", "「袋詰め」を含む"]
    services.resource_update(by=personas["officer"].user, resource=salon, status="paused")
    assert ids(get(client, "/resources")) == [shop.pk]
    assert ids(get(client, "/resources", {"status": "all"})) == [salon.pk, shop.pk]
    assert ids(get(client, "/resources", {"status": "paused"})) == [salon.pk]


def test_a_wrong_search_answers_422_naming_each_filter(login, personas):
    response = get(
        login(personas["desk"]),
        "/resources",
        {
            "weekday": 7,
            "at": "25:00",
            "kind": "nope",
            "target": "babies",
            "status": "closed",
            "area_id": 999999,
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "weekday",
        "at",
        "kind",
        "target",
        "status",
        "area_id",
    }


def test_kinds_and_the_entries_due_for_rechecking(login, personas, shop, salon):
    client = login(personas["outreach"])
    kinds = get(client, "/resources/kinds").json()
    assert len(kinds) == 12 and kinds[0]["code"] == "ibasho"
    assert ids(get(client, "/resources/recheck")) == []
    Resource.objects.filter(pk=shop.pk).update(
        confirmed_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    due = get(client, "/resources/recheck")
    assert ids(due) == [shop.pk] and due.json()["items"][0]["stale"] is True
    assert ids(get(client, "/resources", {"stale_only": "true"})) == [shop.pk]


# --- writes ---------------------------------------------------------------------------------


def test_a_bad_schedule_row_answers_422_by_its_number_and_writes_nothing(login, personas):
    client = login(personas["community"])
    rows = [
        {"freq": "weekly", "weekday": 1, "opens_at": "13:00", "closes_at": "16:00"},
        {"freq": "weekly", "weekday": 2, "opens_at": "12:00", "closes_at": "10:00"},
        {"freq": "monthly", "weekday": 5, "opens_at": "09:00", "closes_at": "11:00"},
    ]
    response = post(client, "/resources", new_resource(schedules=rows))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"schedules.2", "schedules.3"}
    assert "終了時刻は開始時刻より後" in errors["schedules.2"][0]
    assert "第何週か" in errors["schedules.3"][0]
    # the organisation named in the same request is not left behind either
    assert not Resource.objects.exists() and not Organization.objects.exists()
    bad_time = post(
        client,
        "/resources",
        new_resource(schedules=[{"freq": "weekly", "weekday": 1, "opens_at": "10時"}]),
    )
    assert bad_time.status_code == 422 and set(bad_time.json()["errors"]) == {"schedules.1"}
    assert not Schedule.objects.exists()


def test_refused_fields_answer_422_by_the_bodys_names(login, personas):
    client = login(personas["officer"])
    response = post(
        client,
        "/resources",
        new_resource(
            organization_name="",
            name="",
            kind=None,
            capacity=2,
            places_free=3,
            confirmed_on=(timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            targets=["babies"],
        ),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "organization_id",
        "name",
        "kind",
        "places_free",
        "confirmed_on",
        "targets",
    }
    unknown = post(client, "/resources", new_resource(organization_id=999999, kind="nope"))
    assert unknown.status_code == 422
    assert set(unknown.json()["errors"]) <= {"organization_id", "kind"}
    assert not Resource.objects.exists()


def test_a_date_in_wareki_and_an_existing_organisation(login, personas, shop):
    body = new_resource(
        organization_name="",
        organization_id=shop.organization_id,
        confirmed_on=format_wareki(timezone.localdate()),
        area_id=shop.area_id,
    )
    response = post(login(personas["participation"]), "/resources", body)
    assert response.status_code == 201, response.content
    assert response.json()["organization_id"] == shop.organization_id
    assert response.json()["confirmed_on"] == timezone.localdate().isoformat()
    assert response.json()["area_name"] == "北地区"


def test_a_change_replaces_the_schedules_only_when_given(login, personas, shop):
    client = login(personas["participation"])
    response = patch(client, f"/resources/{shop.pk}", {"places_free": 0, "area_id": None})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_full"] and body["area_id"] is None
    assert body["schedule_labels"] == ["毎週水曜 10:00〜12:00", "第2・第4土曜 09:00〜11:00"]
    replaced = patch(
        client,
        f"/resources/{shop.pk}",
        {
            "schedules": [
                {"freq": "weekly", "weekday": 3, "opens_at": "13:00", "closes_at": "15:00"}
            ]
        },
    )
    assert replaced.json()["schedule_labels"] == ["毎週木曜 13:00〜15:00"]
    event = AuditEvent.objects.filter(action="resource.update").latest("pk")
    assert event.changes["schedules"]["after"] == ["毎週木曜 13:00〜15:00"]
    assert patch(client, f"/resources/{shop.pk}", {"schedules": []}).json()["schedules"] == []


def test_a_change_refuses_nulls_and_bad_values(login, personas, shop):
    client = login(personas["participation"])
    nulls = patch(client, f"/resources/{shop.pk}", {"name": None, "schedules": None})
    assert nulls.status_code == 422 and set(nulls.json()["errors"]) == {"name", "schedules"}
    too_many = patch(client, f"/resources/{shop.pk}", {"places_free": 5})
    assert too_many.status_code == 422 and "places_free" in too_many.json()["errors"]
    row = patch(
        client,
        f"/resources/{shop.pk}",
        {
            "schedules": [
                {
                    "freq": "weekly",
                    "weekday": 2,
                    "weeks": [2],
                    "opens_at": "10:00",
                    "closes_at": "11:00",
                }
            ]
        },
    )
    assert row.status_code == 422 and set(row.json()["errors"]) == {"schedules.1"}
    shop.refresh_from_db()
    assert shop.places_free == 1 and shop.schedules.count() == 2


def test_confirming_the_information(login, personas, shop):
    client = login(personas["officer"])
    Resource.objects.filter(pk=shop.pk).update(
        confirmed_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    response = post(client, f"/resources/{shop.pk}/confirm")
    assert response.status_code == 200
    assert response.json()["confirmed_on"] == timezone.localdate().isoformat()
    assert response.json()["stale"] is False
    assert ids(get(client, "/resources/recheck")) == []
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = post(client, f"/resources/{shop.pk}/confirm", {"confirmed_on": future})
    assert refused.status_code == 422 and "confirmed_on" in refused.json()["errors"]


def test_exception_dates(login, personas, shop):
    client = login(personas["community"])
    closed = post(
        client,
        f"/resources/{shop.pk}/exceptions",
        {"date": timezone.localdate().isoformat(), "note": "店休日"},
    )
    assert closed.status_code == 201, closed.content
    assert closed.json()["is_closed"] and closed.json()["opens_at"] is None
    again = post(
        client, f"/resources/{shop.pk}/exceptions", {"date": timezone.localdate().isoformat()}
    )
    assert again.status_code == 422 and "date" in again.json()["errors"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    no_times = post(
        client, f"/resources/{shop.pk}/exceptions", {"date": tomorrow, "is_closed": False}
    )
    assert no_times.status_code == 422 and "opens_at" in no_times.json()["errors"]
    opened = post(
        client,
        f"/resources/{shop.pk}/exceptions",
        {"date": tomorrow, "is_closed": False, "opens_at": "13:00", "closes_at": "15:00"},
    )
    assert opened.status_code == 201 and opened.json()["opens_at"] == "13:00"
    detail = get(client, f"/resources/{shop.pk}").json()
    assert [e["date"] for e in detail["exceptions"]] == [timezone.localdate().isoformat(), tomorrow]
    assert AuditEvent.objects.filter(action="resource.exception_add").count() == 2


def test_the_host_profile_and_its_assessment(login, personas, shop):
    client = login(personas["participation"])
    route = f"/resources/{shop.pk}/host"
    body = {"contact_person": "丸山 店主", "tasks": "品出し、袋詰め", "assessment": "前向き"}
    undated = put(client, route, body)
    assert undated.status_code == 422 and "assessed_on" in undated.json()["errors"]
    assert put(client, route, {"tasks": ""}).json()["errors"].keys() == {"contact_person", "tasks"}
    saved = put(
        client, route, {**body, "assessed_on": timezone.localdate().isoformat(), "concerns": "接客"}
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["is_assessed"] and saved.json()["assessed_by_name"] == "participation さん"
    host = get(login(personas["desk"]), f"/resources/{shop.pk}").json()["host"]
    assert host["contact_person"] == "丸山 店主" and host["concerns"] == "接客"
    assert AuditEvent.objects.filter(action="resource.host_save").count() == 1


# --- HSDS over the API ----------------------------------------------------------------------


def test_hsds_export_as_json_and_as_csv_files(login, personas, shop):
    client = login(personas["desk"])
    tables = get(client, "/resources/hsds.json").json()
    assert [s["name"] for s in tables["services"]] == [shop.name]
    assert {s["byday"] for s in tables["schedules"]} == {"WE", "2SA,4SA"}
    archive = zipfile.ZipFile(io.BytesIO(get(client, "/resources/hsds.zip").content))
    assert sorted(archive.namelist()) == [
        "locations.csv",
        "organizations.csv",
        "schedules.csv",
        "service_at_locations.csv",
        "services.csv",
    ]
    services_csv = archive.read("services.csv").decode("utf-8-sig")
    assert shop.name in services_csv and "work_experience" in services_csv


def test_hsds_import_over_the_api(login, personas, shop):
    client = login(personas["officer"])
    tables = get(client, "/resources/hsds.json").json()
    Resource.objects.all().delete()
    Organization.objects.all().delete()
    tables["schedules"][0]["closes_at"] = "09:00"
    refused = post(client, "/resources/hsds", tables)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "schedules.1": ["schedules 1行目：終了時刻は開始時刻より後にしてください。"]
    }
    assert not Resource.objects.exists() and not Organization.objects.exists()
    tables["schedules"][0]["closes_at"] = "12:00"
    response = post(client, "/resources/hsds", tables)
    assert response.status_code == 201, response.content
    assert response.json() == {"organizations": 1, "resources": 1, "locations": 0, "schedules": 2}
    again = post(client, "/resources/hsds", tables)
    assert again.status_code == 422 and "既に登録されています" in str(again.json()["errors"])


def _zip_with(data: bytes, name: str, change) -> bytes:
    """The zip with one CSV file's rows changed by ``change(rows)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.namelist():
            text = source.read(member).decode("utf-8-sig")
            if member == name:
                rows = list(csv.DictReader(io.StringIO(text)))
                change(rows)
                out = io.StringIO()
                writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
                writer.writeheader()
                writer.writerows(rows)
                text = out.getvalue()
            archive.writestr(member, text)
    return buffer.getvalue()


def test_hsds_import_of_the_csv_zip_over_the_api(login, personas, shop):
    client = login(personas["participation"])
    data = get(client, "/resources/hsds.zip").content
    Resource.objects.all().delete()
    Organization.objects.all().delete()

    def closes_early(rows):
        rows[0]["closes_at"] = "09:00"

    bad = _zip_with(data, "schedules.csv", closes_early)
    refused = client.post(f"{API}/resources/hsds", bad, content_type="application/zip")
    assert refused.status_code == 422, refused.content
    assert refused.json()["errors"] == {
        "schedules.csv.2": [
            "schedules.csv 2行目（closes_at 列）：終了時刻は開始時刻より後にしてください。"
        ]
    }
    assert not Resource.objects.exists() and not Organization.objects.exists()

    # the same file from a form (how a browser sends it), known by its content
    upload = SimpleUploadedFile("社会資源.zip", data, content_type="application/octet-stream")
    response = client.post(f"{API}/resources/hsds", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json() == {"organizations": 1, "resources": 1, "locations": 0, "schedules": 2}
    assert Resource.objects.get().name == shop.name
    again = client.post(f"{API}/resources/hsds", data, content_type="application/zip")
    assert again.status_code == 422 and "既に登録されています" in str(again.json()["errors"])
    assert "services.csv.2" in again.json()["errors"]


def test_hsds_import_of_a_file_that_is_not_hsds(login, personas):
    client = login(personas["officer"])
    no_file = client.post(f"{API}/resources/hsds", {"name": "x"})
    assert no_file.status_code == 422 and "file" in no_file.json()["errors"]
    text = client.post(f"{API}/resources/hsds", "名前,種類", content_type="text/csv")
    assert text.status_code == 422 and "__all__" in text.json()["errors"]


def test_hsds_import_of_a_zip_by_others_is_refused(login, personas, shop):
    client = login(personas["desk"])
    data = get(client, "/resources/hsds.zip").content
    response = client.post(f"{API}/resources/hsds", data, content_type="application/zip")
    assert response.status_code == 403
    assert Resource.objects.count() == 1


# --- the OpenAPI schema ---------------------------------------------------------------------


def _refs(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def test_the_openapi_schema_builds_with_the_directory(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = {
        f"{method.upper()} {path.removeprefix(API)}": operation
        for path, methods in schema["paths"].items()
        if path.startswith(f"{API}/resources")
        for method, operation in methods.items()
    }
    assert set(operations) == {
        "GET /resources",
        "POST /resources",
        "GET /resources/{resource_id}",
        "PATCH /resources/{resource_id}",
        "POST /resources/{resource_id}/confirm",
        "POST /resources/{resource_id}/exceptions",
        "PUT /resources/{resource_id}/host",
        "GET /resources/kinds",
        "GET /resources/recheck",
        "GET /resources/hsds.json",
        "GET /resources/hsds.zip",
        "POST /resources/hsds",
        "GET /resources/gaps",
        "POST /resources/gaps",
        "GET /resources/gaps/{gap_id}",
        "PATCH /resources/gaps/{gap_id}",
        "POST /resources/gaps/{gap_id}/move",
    }
    for name, operation in operations.items():
        assert operation["tags"] == ["社会資源"], name
        assert operation.get("description"), name  # the Japanese docstring
    names = _refs(list(operations.values()), set())
    components = schema["components"]["schemas"]
    for name in list(names):
        _refs(components[name], names)
    own = names - {"ErrorOut", "InvalidOut", "RuleBrokenOut"}  # the shared error answers
    assert own and all(n.removeprefix("Paged").startswith("Resource") for n in own), own
