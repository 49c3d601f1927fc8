"""The directory exchanged as HSDS 3.0 tables: what is exported comes back the same when
imported into an empty directory; an import with any bad row writes nothing and names each
row; HSDS categories, monthly ``byday`` patterns and statuses are read."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu.accounts.models import Area
from tsunagu.audit.models import AuditEvent
from tsunagu.resources import hsds, services
from tsunagu.resources.models import (
    Frequency,
    Organization,
    Resource,
    ResourceKind,
    ResourceStatus,
    Schedule,
    Target,
)
from tsunagu.resources.services import ScheduleIn

pytestmark = pytest.mark.django_db

T = datetime.time


def kind(code: str) -> ResourceKind:
    return ResourceKind.objects.get(code=code)


@pytest.fixture
def editor(personas):
    return personas["community"].user


@pytest.fixture
def directory(editor, city):
    """Two organisations, three resources: a work experience with its place, a monthly
    salon and a paused study support."""
    district = Area.objects.create(code="d-south", name="南地区", kind="district", parent=city)
    shops = services.organization_get_or_create(by=editor, name="柳ケ瀬商店街振興組合")
    Organization.objects.filter(pk=shops.pk).update(
        description="商店街の店主の会", email="info@yanagase.example.jp", phone="058-111-2222"
    )
    council = services.organization_get_or_create(by=editor, name="南地区社協")
    services.resource_create(
        by=editor,
        organization=shops,
        name="八百屋まるやま 品出し体験",
        kind=kind("work_experience"),
        confirmed_on=timezone.localdate() - datetime.timedelta(days=30),
        area=district,
        targets=[Target.YOUTH, Target.WORKING_AGE],
        target_attributes="ひきこもりの方",
        conditions="事前に見学",
        capacity=2,
        places_free=1,
        cost="無料",
        contact_name="丸山",
        phone="058-222-3333",
        email="maruyama@example.jp",
        postal_code="500-8000",
        address="岐阜市柳ケ瀬通1-1",
        accessibility="車いす可",
        description="野菜の品出しと袋詰め",
        schedules=[
            ScheduleIn(Frequency.WEEKLY, 2, T(10), T(12), note="祝日は休み"),
            ScheduleIn(Frequency.MONTHLY, 5, T(9), T(11, 30), weeks=(2, 4)),
        ],
    )
    services.resource_create(
        by=editor,
        organization=council,
        name="ふれあいサロン南",
        kind=kind("salon"),
        confirmed_on=timezone.localdate(),
        targets=[Target.ELDERLY],
        schedules=[ScheduleIn(Frequency.MONTHLY, 0, T(13), T(15), weeks=(1,))],
    )
    services.resource_create(
        by=editor,
        organization=council,
        name="学習支援 みなみ",
        kind=kind("study_support"),
        confirmed_on=timezone.localdate() - datetime.timedelta(days=500),
        status=ResourceStatus.PAUSED,
        targets=[Target.CHILDREN],
    )


def described() -> list[tuple]:
    """Every resource as the directory shows it (ids aside)."""
    return [
        (
            r.organization.name,
            r.name,
            r.kind.code,
            r.description,
            r.targets,
            r.target_attributes,
            r.conditions,
            r.area.code if r.area_id else None,
            r.postal_code,
            r.address,
            r.capacity,
            r.places_free,
            r.cost,
            r.contact_name,
            r.phone,
            r.email,
            r.accessibility,
            r.status,
            r.confirmed_on,
            [(s.label, s.note) for s in r.schedules.all()],
        )
        for r in Resource.objects.select_related("organization", "kind", "area").order_by("name")
    ]


def empty_the_directory() -> None:
    Resource.objects.all().delete()
    Organization.objects.all().delete()


def test_the_export_has_the_hsds_tables_with_stable_ids(directory):
    tables = hsds.export_json()
    assert set(tables) == {
        "organizations",
        "services",
        "locations",
        "service_at_locations",
        "schedules",
    }
    shop = Resource.objects.get(name="八百屋まるやま 品出し体験")
    service = next(s for s in tables["services"] if s["name"] == shop.name)
    assert service["id"] == f"tsunagu-service-{shop.pk}"
    assert service["organization_id"] == f"tsunagu-org-{shop.organization_id}"
    assert service["assured_date"] == shop.confirmed_on.isoformat()
    assert service["status"] == "active" and service["kind"] == "work_experience"
    assert service["attributes"][0]["taxonomy_term"]["name"] == "就労体験先"
    rows = [s for s in tables["schedules"] if s["service_id"] == service["id"]]
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in rows] == [
        ("WEEKLY", "WE", "10:00", "12:00"),
        ("MONTHLY", "2SA,4SA", "09:00", "11:30"),
    ]
    [location] = tables["locations"]
    assert location["addresses"][0]["address_1"] == "岐阜市柳ケ瀬通1-1"
    assert tables["service_at_locations"] == [
        {
            "id": f"tsunagu-service-at-location-{shop.pk}",
            "service_id": service["id"],
            "location_id": location["id"],
        }
    ]
    paused = next(s for s in tables["services"] if s["name"] == "学習支援 みなみ")
    assert paused["status"] == "temporarily closed"
    assert hsds.export_json() == tables  # the same directory, the same tables


def test_round_trip_into_an_empty_directory(directory, editor):
    before = described()
    organizations = list(Organization.objects.values("name", "description", "email", "phone"))
    tables = hsds.export_json()
    empty_the_directory()
    counts = hsds.import_json(tables, by=editor)
    assert counts == {"organizations": 2, "resources": 3, "locations": 1, "schedules": 3}
    assert described() == before
    assert list(Organization.objects.values("name", "description", "email", "phone")) == (
        organizations
    )
    labels = sorted(s.label for s in Schedule.objects.all())
    assert labels == ["毎週水曜 10:00〜12:00", "第1月曜 13:00〜15:00", "第2・第4土曜 09:00〜11:30"]
    assert AuditEvent.objects.filter(action="resource.create").count() == 6  # 3 + 3 again
    assert AuditEvent.objects.filter(action="resource.hsds_import").get().context == counts


def test_a_bad_row_writes_nothing_and_names_the_row(directory, editor):
    tables = hsds.export_json()
    empty_the_directory()
    events = AuditEvent.objects.count()
    assert len(tables["schedules"]) == 3
    tables["schedules"][2]["opens_at"], tables["schedules"][2]["closes_at"] = "15:00", "13:00"
    with pytest.raises(ValidationError) as caught:
        hsds.import_json(tables, by=editor)
    assert caught.value.message_dict == {
        "schedules.3": ["schedules 3行目：終了時刻は開始時刻より後にしてください。"]
    }
    assert not Resource.objects.exists() and not Organization.objects.exists()
    assert not Schedule.objects.exists()
    assert AuditEvent.objects.count() == events


def test_every_bad_row_is_named_at_once(editor):
    data = {
        "organizations": [{"id": "o1", "name": "NPO法人 ひだまり", "email": "not-an-address"}],
        "services": [
            {"id": "s1", "organization_id": "o1", "name": "居場所", "assured_date": "2024-04-01"},
            {"id": "s2", "organization_id": "o9", "name": "サロン"},
            {
                "id": "s3",
                "organization_id": "o1",
                "name": "x" * 201,
                "assured_date": "2024-04-01",
                "status": "open",
                "capacity": "たくさん",
            },
        ],
        "schedules": [
            {"id": "a", "service_id": "s1", "freq": "DAILY", "byday": "MO"},
            {"id": "b", "service_id": "s1", "freq": "MONTHLY", "byday": "-1FR"},
            {"id": "c", "service_id": "s1", "freq": "MONTHLY", "bymonthday": "15"},
            {"id": "d", "service_id": "s9", "freq": "WEEKLY", "byday": "MO"},
            {"id": "e", "service_id": "s1", "freq": "WEEKLY", "byday": "MO", "opens_at": "10時"},
            {
                "id": "e",
                "service_id": "s1",
                "freq": "MONTHLY",
                "byday": "SA",
                "opens_at": "10:00",
                "closes_at": "12:00",
            },
        ],
    }
    with pytest.raises(ValidationError) as caught:
        hsds.import_json(data, by=editor)
    errors = caught.value.message_dict
    assert list(errors) == [
        "organizations.1",
        "services.2",
        "services.3",
        "schedules.1",
        "schedules.2",
        "schedules.3",
        "schedules.4",
        "schedules.5",
        "schedules.6",
    ]
    assert "メールアドレス" in errors["organizations.1"][0]
    assert errors["services.2"][0].startswith("services 2行目：organization_id「o9」")
    assert any("assured_date" in m for m in errors["services.2"])
    text = " ".join(errors["services.3"])
    assert "status「open」" in text and "定員" in text
    assert "WEEKLY" in errors["schedules.1"][0]
    assert "後ろから数える" in errors["schedules.2"][0]
    assert "bymonthday" in errors["schedules.3"][0]
    assert "「s9」" in errors["schedules.4"][0]
    assert "HH:MM" in errors["schedules.5"][0]
    assert any("重複" in m for m in errors["schedules.6"])
    assert any("第何週か" in m for m in errors["schedules.6"])
    assert not Resource.objects.exists() and not Organization.objects.exists()


def test_a_resource_already_in_the_directory_is_refused(directory, editor):
    with pytest.raises(ValidationError) as caught:
        hsds.import_json(hsds.export_json(), by=editor)
    assert "既に登録されています" in caught.value.message_dict["services.1"][0]
    assert Resource.objects.count() == 3


def test_categories_monthly_patterns_and_statuses_from_another_system(editor):
    data = {
        "organizations": [
            {"id": "org-a", "name": "こども食堂ネット", "website": "https://kodomo.example.jp"}
        ],
        "services": [
            {
                "id": "svc-1",
                "organization_id": "org-a",
                "name": "みんなの食堂",
                "status": "temporarily closed",
                "assured_date": "2025-01-15T09:00:00+09:00",
                "attributes": [{"taxonomy_term": {"name": "子ども食堂"}}],
                "phones": [{"number": "058-333-4444"}],
            },
            {
                "id": "svc-2",
                "organization_id": "org-a",
                "name": "茶話会",
                "assured_date": "2025-01-15",
                "categories": ["サロン"],
                "kind": "ibasho",
            },
            {
                "id": "svc-3",
                "organization_id": "org-a",
                "name": "なんでも相談会",
                "assured_date": "2025-01-15",
                "attributes": [{"taxonomy_term": {"name": "Food Pantry"}}],
            },
        ],
        "schedules": [
            {
                "id": "sch-1",
                "service_id": "svc-1",
                "freq": "monthly",
                "byday": "2SA,4SA,1SU",
                "opens_at": "11:00:00+09:00",
                "closes_at": "14:00",
            },
            {
                "id": "sch-2",
                "service_id": "svc-2",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "MO,TH",
                "opens_at": "10:00",
                "closes_at": "11:30",
            },
        ],
    }
    counts = hsds.import_json(data, by=editor)
    assert counts == {"organizations": 1, "resources": 3, "locations": 0, "schedules": 4}
    found = {r.name: r for r in Resource.objects.select_related("kind", "organization")}
    assert found["みんなの食堂"].kind.code == "kodomo_shokudo"
    assert found["みんなの食堂"].status == ResourceStatus.PAUSED
    assert found["みんなの食堂"].phone == "058-333-4444"
    assert found["みんなの食堂"].confirmed_on == datetime.date(2025, 1, 15)
    assert found["茶話会"].kind.code == "salon"  # the category before our own code
    assert found["なんでも相談会"].kind.code == "other"
    assert found["茶話会"].organization.url == "https://kodomo.example.jp"
    assert [s.label for s in found["みんなの食堂"].schedules.all()] == [
        "第2・第4土曜 11:00〜14:00",
        "第1日曜 11:00〜14:00",
    ]
    assert [s.label for s in found["茶話会"].schedules.all()] == [
        "毎週月曜 10:00〜11:30",
        "毎週木曜 10:00〜11:30",
    ]


def test_only_the_keepers_of_the_directory_import(personas):
    for name in ("desk", "coordinator", "outreach", "guest", "admin"):
        with pytest.raises(PermissionDenied):
            hsds.import_json({"services": []}, by=personas[name].user)


def test_the_csv_files_hold_the_same_tables(directory):
    archive = zipfile.ZipFile(io.BytesIO(hsds.export_csv_zip()))

    def rows(name):
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

    services_rows = rows("services.csv")
    assert [r["name"] for r in services_rows] == [
        "八百屋まるやま 品出し体験",
        "ふれあいサロン南",
        "学習支援 みなみ",
    ]
    assert services_rows[0]["targets"] == "youth|working_age"
    assert services_rows[0]["phone"] == "058-222-3333"
    assert rows("locations.csv")[0]["postal_code"] == "500-8000"
    assert [r["byday"] for r in rows("schedules.csv")] == ["WE", "2SA,4SA", "1MO"]
    assert rows("organizations.csv")[0]["phone"] == "058-111-2222"


# --- the CSV files in a zip, taken in ------------------------------------------------------


def read_zip(data: bytes) -> dict[str, list[dict]]:
    """The zip's CSV files as rows by file name (``services.csv`` …)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }


def write_zip(files: dict[str, list[dict]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, rows in files.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(name, text.getvalue().encode(encoding))
    return buffer.getvalue()


@pytest.fixture
def exported(directory):
    """The directory's CSV files (as rows to change), the directory emptied."""
    files = read_zip(hsds.export_csv_zip())
    empty_the_directory()
    return files


def refused(data: bytes, editor) -> dict[str, list[str]]:
    """The errors of an import that must write nothing."""
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        hsds.import_file(data, by=editor)
    assert not Resource.objects.exists() and not Organization.objects.exists()
    assert not Schedule.objects.exists()
    assert AuditEvent.objects.count() == events
    return caught.value.message_dict


def test_csv_round_trip_into_an_empty_directory(directory, editor):
    before = described()
    data = hsds.export_csv_zip()
    empty_the_directory()
    counts = hsds.import_file(data, by=editor)
    assert counts == {"organizations": 2, "resources": 3, "locations": 1, "schedules": 3}
    assert described() == before

    def without_ids(files):
        return {
            name: [
                {k: v for k, v in row.items() if k != "id" and not k.endswith("_id")}
                for row in rows
            ]
            for name, rows in files.items()
        }

    assert without_ids(read_zip(hsds.export_csv_zip())) == without_ids(read_zip(data))
    shops = Organization.objects.get(name="柳ケ瀬商店街振興組合")
    assert (shops.description, shops.email, shops.phone) == (
        "商店街の店主の会",
        "info@yanagase.example.jp",
        "058-111-2222",
    )
    assert AuditEvent.objects.filter(action="resource.hsds_import").get().context == counts


def test_csv_files_saved_by_excel_in_shift_jis_with_columns_in_another_order(exported, editor):
    files = {
        name: [dict(reversed(list(row.items()))) for row in rows]
        for name, rows in exported.items()
        if rows
    }
    files["services.csv"].append({name: "" for name in files["services.csv"][0]})  # blank
    counts = hsds.import_file(write_zip(files, encoding="cp932"), by=editor)
    assert counts["resources"] == 3 and counts["schedules"] == 3
    shop = Resource.objects.get(name="八百屋まるやま 品出し体験")
    assert shop.address == "岐阜市柳ケ瀬通1-1" and shop.area.code == "d-south"


def test_csv_a_bad_time_names_file_line_and_column(exported, editor):
    exported["schedules.csv"][1]["opens_at"] = "9時"
    errors = refused(write_zip(exported), editor)
    assert errors == {
        "schedules.csv.3": [
            "schedules.csv 3行目（opens_at 列）：時刻は HH:MM の形で指定してください。"
        ]
    }


def test_csv_closing_before_opening(exported, editor):
    row = exported["schedules.csv"][0]
    row["opens_at"], row["closes_at"] = "12:00", "10:00"
    errors = refused(write_zip(exported), editor)
    assert errors == {
        "schedules.csv.2": [
            "schedules.csv 2行目（closes_at 列）：終了時刻は開始時刻より後にしてください。"
        ]
    }


def test_csv_a_weekday_that_does_not_exist(exported, editor):
    exported["schedules.csv"][0]["byday"] = "8"  # a day number (there are seven days)
    exported["schedules.csv"][1]["byday"] = "8SA"  # the eighth Saturday of the month
    errors = refused(write_zip(exported), editor)
    assert list(errors) == ["schedules.csv.2", "schedules.csv.3"]
    assert errors["schedules.csv.2"] == [
        "schedules.csv 2行目（byday 列）：byday「8」：曜日は MO・TU・WE・TH・FR・SA・SU で"
        "指定してください（数字の曜日には対応していません）。"
    ]
    assert errors["schedules.csv.3"] == [
        "schedules.csv 3行目（byday 列）：第n週は1〜5の中から選んでください。"
    ]


def test_csv_an_unknown_kind(exported, editor):
    exported["services.csv"][1]["kind"] = "karaoke"
    exported["services.csv"][1]["kind_name"] = "カラオケ"
    errors = refused(write_zip(exported), editor)
    assert errors == {
        "services.csv.3": [
            "services.csv 3行目（kind 列）：種類「karaoke」がありません（種類のコードか名前で"
            "指定してください。例：ibasho、居場所）。"
        ]
    }


def test_csv_a_kind_named_only_by_its_name(exported, editor):
    exported["services.csv"][1]["kind"] = ""
    assert hsds.import_file(write_zip(exported), by=editor)["resources"] == 3
    assert Resource.objects.get(name="ふれあいサロン南").kind.code == "salon"


def test_csv_a_required_column_missing_is_answered_alone(exported, editor):
    for row in exported["services.csv"]:
        del row["assured_date"]
    exported["schedules.csv"][0]["opens_at"] = "9時"  # not looked at: the files come first
    errors = refused(write_zip(exported), editor)
    assert errors == {
        "services.csv": ["services.csv：1行目（見出し）に列「assured_date」がありません。"]
    }


def test_csv_a_required_file_missing(exported, editor):
    del exported["organizations.csv"]
    errors = refused(write_zip(exported), editor)
    assert errors == {"organizations.csv": ["organizations.csv が zip の中にありません。"]}


def test_csv_every_bad_row_at_once_by_file_line_and_column(exported, editor):
    exported["organizations.csv"][0]["email"] = "not-an-address"
    exported["services.csv"][0]["assured_date"] = "令和のいつか"
    exported["services.csv"][2]["capacity"] = "たくさん"
    exported["schedules.csv"][2]["freq"] = "DAILY"
    errors = refused(write_zip(exported), editor)
    assert list(errors) == [
        "organizations.csv.2",
        "services.csv.2",
        "services.csv.4",
        "schedules.csv.4",
    ]
    assert errors["organizations.csv.2"][0].startswith("organizations.csv 2行目（email 列）：")
    assert errors["services.csv.2"][0].startswith("services.csv 2行目（assured_date 列）：")
    assert errors["services.csv.4"][0].startswith("services.csv 4行目（capacity 列）：")
    assert errors["schedules.csv.4"][0].startswith("schedules.csv 4行目（freq 列）：")


def test_a_file_that_is_neither_json_nor_a_zip(editor):
    for data in (b"PK\x03\x04 broken", "名前,種類\n".encode()):
        with pytest.raises(ValidationError) as caught:
            hsds.import_file(data, by=editor)
        assert "hsds.zip と同じ形" in caught.value.message_dict["__all__"][0]
    assert not Resource.objects.exists()


def test_json_is_taken_from_a_file_too(directory, editor):
    data = json.dumps(hsds.export_json()).encode()
    empty_the_directory()
    assert hsds.import_file(data, by=editor)["resources"] == 3


def test_only_the_keepers_of_the_directory_import_files(personas):
    for name in ("desk", "coordinator", "outreach", "guest", "admin"):
        with pytest.raises(PermissionDenied):
            hsds.import_file(b"PK\x03\x04", by=personas[name].user)
