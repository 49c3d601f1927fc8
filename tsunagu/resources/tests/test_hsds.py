"""The directory exchanged as HSDS 3.0 tables: what is exported comes back the same when
imported into an empty directory; an import with any bad row writes nothing and names each
row; HSDS categories, monthly ``byday`` patterns and statuses are read."""

import csv
import datetime
import io
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
TODAY = timezone.localdate()


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
        confirmed_on=TODAY - datetime.timedelta(days=30),
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
        confirmed_on=TODAY,
        targets=[Target.ELDERLY],
        schedules=[ScheduleIn(Frequency.MONTHLY, 0, T(13), T(15), weeks=(1,))],
    )
    services.resource_create(
        by=editor,
        organization=council,
        name="学習支援 みなみ",
        kind=kind("study_support"),
        confirmed_on=TODAY - datetime.timedelta(days=500),
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
