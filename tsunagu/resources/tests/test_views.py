"""The 社会資源 screens with every persona: all staff search and read the directory, the office,
participation workers and community coordinators keep it, meeting guests and the system
administrator see none of it; bad input is shown in Japanese on the form and writes nothing."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Area
from tsunagu.common import spreadsheet
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.resources import export, hsds, services
from tsunagu.resources.models import (
    Frequency,
    HostProfile,
    Organization,
    Resource,
    ResourceKind,
    ResourceStatus,
    Schedule,
    ScheduleException,
    Target,
)
from tsunagu.resources.permissions import NOT_EDITOR
from tsunagu.resources.services import ScheduleIn

pytestmark = pytest.mark.django_db

T = datetime.time
STAFF = ("officer", "coordinator", "desk", "outreach", "participation", "community", "unrelated")
EDITORS = ("officer", "participation", "community")
READERS = ("desk", "coordinator", "outreach")
NOT_STAFF = ("guest", "admin")
WEDNESDAY = 2


def today() -> datetime.date:
    return timezone.localdate()


def kind(code: str) -> ResourceKind:
    return ResourceKind.objects.get(code=code)


@pytest.fixture
def editor(personas):
    return personas["participation"].user


@pytest.fixture
def daily(agencies) -> Area:
    return Area.objects.get(code="dl1")


@pytest.fixture
def district(daily) -> Area:
    return Area.objects.create(code="dst1", name="柳ケ瀬地区", kind="district", parent=daily)


@pytest.fixture
def other_area(city) -> Area:
    return Area.objects.create(code="dl2", name="北部圏域", kind="daily_life", parent=city)


def make(editor, name, code, *, schedules, area=None, org="柳ケ瀬商店街振興組合", **fields):
    organization = services.organization_get_or_create(by=editor, name=org)
    return services.resource_create(
        by=editor,
        organization=organization,
        name=name,
        kind=kind(code),
        confirmed_on=fields.pop("confirmed_on", today()),
        area=area,
        schedules=schedules,
        **fields,
    )


@pytest.fixture
def shop(editor, district):
    """A 就労体験先 in a district under 中央圏域, open Wednesday mornings."""
    return make(
        editor,
        "八百屋まるやま 品出し体験",
        "work_experience",
        area=district,
        targets=[Target.YOUTH, Target.WORKING_AGE],
        capacity=2,
        places_free=1,
        description="野菜の品出しと袋詰め",
        schedules=[ScheduleIn(Frequency.WEEKLY, WEDNESDAY, T(10), T(12))],
    )


@pytest.fixture
def others(editor, district, other_area):
    """Near misses of the Wednesday-morning search: the afternoon, another day, another
    area, another kind."""
    return [
        make(
            editor,
            "花屋 午後の水やり",
            "work_experience",
            area=district,
            schedules=[ScheduleIn(Frequency.WEEKLY, WEDNESDAY, T(13), T(15))],
        ),
        make(
            editor,
            "パン工房 木曜の袋詰め",
            "work_experience",
            area=district,
            schedules=[ScheduleIn(Frequency.WEEKLY, 3, T(10), T(12))],
        ),
        make(
            editor,
            "北部の農園 草取り",
            "work_experience",
            area=other_area,
            org="北部農園",
            schedules=[ScheduleIn(Frequency.WEEKLY, WEDNESDAY, T(9), T(12))],
        ),
        make(
            editor,
            "居場所ひだまり",
            "ibasho",
            area=district,
            org="NPO法人 ひだまり",
            schedules=[ScheduleIn(Frequency.WEEKLY, WEDNESDAY, T(10), T(16))],
        ),
    ]


def resource_post(*rows, **over) -> dict:
    """What the resource form sends: the fields and the schedule rows (each a dict)."""
    data = {
        "organization": "",
        "new_organization": "NPO法人 ひだまり",
        "name": "居場所ひだまり",
        "kind": str(kind("ibasho").pk),
        "status": ResourceStatus.OPEN,
        "description": "誰でも立ち寄れる居場所",
        "targets": [Target.YOUTH, Target.WORKING_AGE],
        "target_attributes": "ひきこもりの方",
        "conditions": "",
        "area": "",
        "postal_code": "",
        "address": "岐阜市柳ケ瀬通1丁目",
        "capacity": "10",
        "places_free": "3",
        "cost": "無料",
        "contact_name": "",
        "phone": "058-000-1111",
        "email": "",
        "accessibility": "",
        "confirmed_on": today().isoformat(),
    }
    rows = list(rows) or [{}]
    rows += [{}] * 2  # blank rows are left out
    data.update(
        {
            "schedules-TOTAL_FORMS": str(len(rows)),
            "schedules-INITIAL_FORMS": "0",
            "schedules-MIN_NUM_FORMS": "0",
            "schedules-MAX_NUM_FORMS": "1000",
        }
    )
    for n, row in enumerate(rows):
        data[f"schedules-{n}-freq"] = row.get("freq", Frequency.WEEKLY)
        for name in ("weekday", "opens_at", "closes_at", "note", "weeks", "DELETE"):
            if name in row:
                data[f"schedules-{n}-{name}"] = row[name]
    data.update(over)
    return data


WED_MORNING = {"weekday": "2", "opens_at": "10:00", "closes_at": "12:00"}


def token_in(response) -> str:
    return re.findall(r'name="form_token" value="([^"]+)"', response.content.decode())[0]


# --------------------------------------------------------------------------------- who may


@pytest.mark.parametrize("name", STAFF)
def test_every_member_of_staff_searches_and_reads(login, personas, shop, name):
    client = login(personas[name])
    response = client.get(reverse("resources:search"))
    assert response.status_code == 200
    assert shop.name in response.content.decode()
    page = client.get(reverse("resources:detail", args=[shop.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "毎週水曜 10:00〜12:00" in text and "柳ケ瀬商店街振興組合" in text
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "社会資源" in labels
    assert ("編集" in text) is (name in EDITORS)


@pytest.mark.parametrize("name", NOT_STAFF)
def test_guests_and_the_administrator_are_refused(login, personas, shop, name):
    client = login(personas[name])
    assert client.get(reverse("resources:search")).status_code == 403
    assert client.get(reverse("resources:detail", args=[shop.pk])).status_code == 403
    assert client.get(reverse("resources:create")).status_code == 403
    assert client.post(reverse("resources:confirm", args=[shop.pk])).status_code == 403
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "社会資源" not in labels


def test_signing_in_is_required(client, shop):
    response = client.get(reverse("resources:search"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", READERS)
def test_readers_do_not_keep_the_directory(login, personas, shop, name):
    client = login(personas[name])
    old = today() - datetime.timedelta(days=400)
    Resource.objects.filter(pk=shop.pk).update(confirmed_on=old)
    pages = [
        reverse("resources:create"),
        reverse("resources:edit", args=[shop.pk]),
        reverse("resources:host", args=[shop.pk]),
        reverse("resources:exception_create", args=[shop.pk]),
        reverse("resources:confirm", args=[shop.pk]),
        reverse("resources:recheck"),
    ]
    for url in pages:
        for response in (client.get(url), client.post(url, resource_post(WED_MORNING))):
            assert response.status_code == 403, url
            assert NOT_EDITOR in response.content.decode(), url
    host = {"contact_person": "丸山", "tasks": "品出し"}
    assert client.post(reverse("resources:host", args=[shop.pk]), host).status_code == 403
    closed = {"date": today().isoformat(), "is_closed": "1"}
    url = reverse("resources:exception_create", args=[shop.pk])
    assert client.post(url, closed).status_code == 403
    assert Resource.objects.count() == 1
    assert not HostProfile.objects.exists() and not ScheduleException.objects.exists()
    shop.refresh_from_db()
    assert shop.confirmed_on == old
    page = client.get(reverse("resources:detail", args=[shop.pk])).content.decode()
    assert "情報を確認した（今日）" not in page


def test_a_missing_resource_is_404(login, personas):
    client = login(personas["participation"])
    assert client.get(reverse("resources:detail", args=[999])).status_code == 404
    assert client.get(reverse("resources:edit", args=[999])).status_code == 404


# ------------------------------------------------------------------------------------ search


def test_wednesday_morning_work_experience_in_the_area_and_why(login, personas, shop, others):
    client = login(personas["desk"])
    query = {
        "kind": kind("work_experience").pk,
        "area": Area.objects.get(code="dl1").pk,  # the district under it is included
        "weekday": "2",
        "at": "10:30",
    }
    response = client.get(reverse("resources:search"), query)
    rows = response.context["rows"]
    assert [row.resource for row in rows] == [shop]
    assert rows[0].reasons == [
        "種類：就労体験先",
        "圏域：柳ケ瀬地区",
        "開いている：毎週水曜 10:00〜12:00",
    ]
    text = response.content.decode()
    assert "条件に合った理由" in text and "開いている：毎週水曜 10:00〜12:00" in text
    assert "1件" in text
    # without the time: the afternoon one too; without the kind: the 居場所 too
    query.pop("at")
    names = {
        r.resource.name for r in client.get(reverse("resources:search"), query).context["rows"]
    }
    assert names == {shop.name, "花屋 午後の水やり"}
    query.pop("kind")
    query["at"] = "10:30"
    names = {
        r.resource.name for r in client.get(reverse("resources:search"), query).context["rows"]
    }
    assert names == {shop.name, "居場所ひだまり"}


def test_target_free_places_words_and_status(login, personas, editor, shop, others):
    client = login(personas["outreach"])
    url = reverse("resources:search")
    found = lambda **q: {r.resource.name for r in client.get(url, q).context["rows"]}  # noqa: E731
    assert found(target=Target.YOUTH) == {shop.name}
    assert found(q="品出し 袋詰め") == {shop.name}
    services.resource_update(by=editor, resource=shop, places_free=0)
    assert shop.name not in found(free_only="on")
    page = client.get(url, {"q": "品出し"}).content.decode()
    assert "満員" in page
    services.resource_update(by=editor, resource=shop, status=ResourceStatus.PAUSED)
    assert shop.name not in found()  # 受入可 by default
    assert shop.name in found(status="paused")
    assert shop.name in found(status="all")


def test_a_bad_time_is_said_and_the_rest_still_searches(login, personas, shop):
    client = login(personas["desk"])
    response = client.get(reverse("resources:search"), {"at": "25時", "q": "品出し"})
    text = response.content.decode()
    assert "時刻は 10:30 のように入力してください" in text
    assert [r.resource for r in response.context["rows"]] == [shop]


def test_stale_information_is_marked_and_can_be_searched_alone(login, personas, shop, others):
    Resource.objects.filter(pk=shop.pk).update(confirmed_on=today() - datetime.timedelta(days=400))
    client = login(personas["community"])
    response = client.get(reverse("resources:search"), {"stale_only": "on"})
    assert [r.resource for r in response.context["rows"]] == [shop]
    assert "情報が古い（再確認が必要）" in response.content.decode()
    detail = client.get(reverse("resources:detail", args=[shop.pk])).content.decode()
    assert "情報が古い（再確認が必要）" in detail


def test_the_search_answers_htmx_with_its_results_and_pages(login, personas, editor, district):
    for n in range(30):
        make(
            editor,
            f"サロン{n:02d}",
            "salon",
            area=district,
            schedules=[ScheduleIn(Frequency.WEEKLY, n % 7, T(9), T(11))],
        )
    client = login(personas["desk"])
    url = reverse("resources:search")
    first = client.get(url, {"kind": kind("salon").pk})
    assert len(first.context["rows"]) == 25
    assert "30件" in first.content.decode()
    second = client.get(url, {"kind": kind("salon").pk, "page": 2})
    assert second.context["rows"][0].resource.name == "サロン25"
    rows = client.get(url, {"q": "サロン0"}, HTTP_HX_REQUEST="true")
    assert "<html" not in rows.content.decode() and "サロン09" in rows.content.decode()
    restored = client.get(
        url, {"q": "x"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restored.content.decode()


def test_exports_of_the_search(login, personas, shop, others, daily):
    client = login(personas["desk"])
    query = {"weekday": "2", "at": "10:30", "kind": kind("work_experience").pk, "area": daily.pk}
    response = client.get(reverse("resources:search"), {**query, "export": "xlsx"})
    assert "attachment" in response["Content-Disposition"]
    assert "resources_" in response["Content-Disposition"]
    values, notes, sheet = xlsx(response)
    assert sheet.title == "社会資源" and sheet.freeze_panes == "C2"
    header = values[0]
    assert header == list(export.HEADER)
    assert len(values) == 2 and notes["件数"] == 1
    row = as_dict(header, values[1])
    assert row["番号"] == shop.pk and row["名称"] == shop.name
    assert row["定員"] == 2 and row["いまの空き"] == 1
    assert row["開いている日時"] == "毎週水曜 10:00〜12:00"
    assert sheet.cell(row=2, column=8).alignment.wrap_text
    assert "開いている：毎週水曜 10:00〜12:00" in row["条件に合った理由"]

    lines = csv_rows(client.get(reverse("resources:search"), {**query, "export": "csv"}))
    assert lines[0] == list(export.HEADER) and [line[1] for line in lines[1:]] == [shop.name]


def test_the_search_file_has_every_resource_read_a_chunk_at_a_time(
    login, personas, shop, others, monkeypatch
):
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    client = login(personas["desk"])
    values, notes, _sheet = xlsx(client.get(reverse("resources:search"), {"export": "xlsx"}))
    names = [row[1] for row in values[1:]]
    assert len(names) == 5 and notes["件数"] == 5
    assert names == sorted(names)  # by name, as the page
    assert all(row[7] for row in values[1:])  # each chunk's schedules
    lines = csv_rows(client.get(reverse("resources:search"), {"export": "csv"}))
    assert [line[1] for line in lines[1:]] == names


# --------------------------------------------------------------------------- create and edit


def test_the_new_form_offers_blank_schedule_rows(login, personas):
    response = login(personas["participation"]).get(reverse("resources:create"))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) >= 3
    text = response.content.decode()
    assert "第5" in text and "くり返し" in text and "毎月（第n週）" in text


@pytest.mark.parametrize("name", EDITORS)
def test_editors_register_a_resource_with_its_schedules(login, personas, daily, name):
    client = login(personas[name])
    monthly = {
        "freq": Frequency.MONTHLY,
        "weekday": "5",
        "weeks": ["2", "4"],
        "opens_at": "09:00",
        "closes_at": "11:00",
        "note": "雨天中止",
    }
    response = client.post(
        reverse("resources:create"), resource_post(WED_MORNING, monthly, area=str(daily.pk))
    )
    assert response.status_code == 302
    resource = Resource.objects.get(name="居場所ひだまり")
    assert response["Location"] == reverse("resources:detail", args=[resource.pk])
    assert resource.organization.name == "NPO法人 ひだまり"
    assert resource.area == daily and resource.places_free == 3
    assert resource.target_list == [Target.YOUTH, Target.WORKING_AGE]
    assert [s.label for s in resource.schedules.all()] == [
        "毎週水曜 10:00〜12:00",
        "第2・第4土曜 09:00〜11:00",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "社会資源「居場所ひだまり」を登録しました。" in page


def test_an_existing_organisation_is_chosen_or_found_by_name(login, personas, shop):
    client = login(personas["participation"])
    org = shop.organization
    client.post(
        reverse("resources:create"),
        resource_post(WED_MORNING, organization=str(org.pk), new_organization="", name="魚屋"),
    )
    client.post(
        reverse("resources:create"),
        resource_post(WED_MORNING, new_organization=org.name, name="肉屋"),
    )
    assert Organization.objects.count() == 1
    assert set(org.resources.values_list("name", flat=True)) == {shop.name, "魚屋", "肉屋"}
    both = client.post(
        reverse("resources:create"),
        resource_post(WED_MORNING, organization=str(org.pk), new_organization="別の団体"),
    )
    assert "どちらかにしてください" in both.content.decode()
    none = client.post(reverse("resources:create"), resource_post(WED_MORNING, new_organization=""))
    assert "提供団体を選ぶか、新しい団体名を入力してください。" in none.content.decode()
    assert Resource.objects.count() == 3


@pytest.mark.parametrize(
    ("rows", "over", "message"),
    [
        (
            [{"weekday": "2", "opens_at": "12:00", "closes_at": "10:00"}],
            {},
            "1行目：終了時刻は開始時刻より後にしてください。",
        ),
        (
            [{**WED_MORNING, "weeks": ["5"]}],
            {},
            "1行目：毎週の予定には「第n週」を指定できません",
        ),
        (
            [{**WED_MORNING, "freq": Frequency.MONTHLY}],
            {},
            "1行目：毎月の予定は、第何週かを選んでください。",
        ),
        (
            [WED_MORNING],
            {"capacity": "2", "places_free": "5"},
            "いまの空きは定員以下にしてください。",
        ),
        ([WED_MORNING], {"name": ""}, "名称を入力してください。"),
        ([WED_MORNING], {"kind": ""}, "種類を選んでください。"),
        (
            [WED_MORNING],
            {"confirmed_on": (today() + datetime.timedelta(days=2)).isoformat()},
            "情報確認日に未来の日付は指定できません。",
        ),
        ([WED_MORNING], {"confirmed_on": "令和99年13月1日"}, "月"),
        ([{**WED_MORNING, "opens_at": "朝"}], {}, "開始は 10:30 のように入力してください。"),
        ([WED_MORNING], {"capacity": "-1"}, "定員は0以上の整数で入力してください。"),
    ],
)
def test_bad_input_is_shown_in_japanese_and_writes_nothing(login, personas, rows, over, message):
    client = login(personas["participation"])
    response = client.post(reverse("resources:create"), resource_post(*rows, **over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resource.objects.exists() and not Schedule.objects.exists()
    assert not Organization.objects.exists()  # the new organisation neither


def test_a_schedule_error_is_shown_on_the_row_as_numbered_on_screen(login, personas):
    client = login(personas["participation"])
    bad = {"weekday": "4", "opens_at": "15:00", "closes_at": "14:00"}
    response = client.post(reverse("resources:create"), resource_post({}, WED_MORNING, bad))
    text = response.content.decode()
    assert "3行目：終了時刻は開始時刻より後にしてください。" in text
    forms = response.context["formset"].forms
    assert forms[2].non_field_errors() and not forms[1].errors and not forms[0].errors
    assert not Resource.objects.exists()


def test_adding_a_row_keeps_what_was_entered_and_writes_nothing(login, personas):
    client = login(personas["participation"])
    data = resource_post(WED_MORNING, name="", add_row="1")
    response = client.post(reverse("resources:create"), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 4
    assert "名称を入力してください" not in response.content.decode()
    assert 'value="10:00"' in response.content.decode()
    assert not Resource.objects.exists() and not Organization.objects.exists()


def test_edit_replaces_the_schedules(login, personas, shop):
    client = login(personas["community"])
    form = client.get(reverse("resources:edit", args=[shop.pk]))
    assert form.status_code == 200
    assert len(form.context["formset"].forms) == 1 + 2
    assert form.context["form"].initial["targets"] == [Target.YOUTH, Target.WORKING_AGE]
    data = resource_post(
        {**WED_MORNING, "DELETE": "on"},
        {"weekday": "3", "opens_at": "13:00", "closes_at": "15:00"},
        organization=str(shop.organization_id),
        new_organization="",
        name=shop.name,
        capacity="2",
        places_free="0",
    )
    response = client.post(reverse("resources:edit", args=[shop.pk]), data)
    assert response.status_code == 302
    shop.refresh_from_db()
    assert [s.label for s in shop.schedules.all()] == ["毎週木曜 13:00〜15:00"]
    assert shop.is_full and shop.kind.code == "ibasho"
    page = client.get(reverse("resources:detail", args=[shop.pk])).content.decode()
    assert "満員" in page and "を更新しました" in page
    bad = {**data, "places_free": "3"}
    response = client.post(reverse("resources:edit", args=[shop.pk]), bad)
    assert "いまの空きは定員以下にしてください。" in response.content.decode()
    shop.refresh_from_db()
    assert shop.places_free == 0


def test_a_double_submit_registers_one_resource(login, personas):
    client = login(personas["participation"])
    token = token_in(client.get(reverse("resources:create")))
    data = resource_post(WED_MORNING, form_token=token)
    first = client.post(reverse("resources:create"), data)
    second = client.post(reverse("resources:create"), data)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Resource.objects.count() == 1
    assert "既に送信されています" in client.get(second["Location"]).content.decode()


# ------------------------------------------------------------------ host, exceptions, recheck


def test_host_profile_and_its_assessment(login, personas, shop):
    client = login(personas["participation"])
    url = reverse("resources:host", args=[shop.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"contact_person": "丸山 店主", "tasks": "", "assessment": "良好"})
    text = response.content.decode()
    assert "切り出せる業務・役割を入力してください" in text
    response = client.post(
        url, {"contact_person": "丸山 店主", "tasks": "品出し", "assessment": "良好"}
    )
    assert "アセスメントの日を入力してください。" in response.content.decode()
    assert not HostProfile.objects.exists()
    response = client.post(
        url,
        {
            "contact_person": "丸山 店主",
            "tasks": "品出し、袋詰め",
            "concerns": "接客は難しいかもしれない",
            "assessment": "店主は若者の受け入れに前向き。午前中の品出しなら負担が少ない。",
            "assessed_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    host = HostProfile.objects.get(resource=shop)
    assert host.is_assessed and host.assessed_by == personas["participation"].user
    page = client.get(reverse("resources:detail", args=[shop.pk])).content.decode()
    assert "午前中の品出しなら負担が少ない" in page and "丸山 店主" in page
    again = client.get(url)
    assert again.context["form"].initial["contact_person"] == "丸山 店主"


def test_schedule_exceptions(login, personas, shop):
    client = login(personas["officer"])
    url = reverse("resources:exception_create", args=[shop.pk])
    day = today() + datetime.timedelta(days=7)
    response = client.post(url, {"date": day.isoformat(), "is_closed": "1", "note": "棚卸し"})
    assert response.status_code == 302
    again = client.post(url, {"date": day.isoformat(), "is_closed": "1"})
    assert "この日付の例外は既に登録されています。" in again.content.decode()
    later = (day + datetime.timedelta(days=1)).isoformat()
    bad = client.post(
        url, {"date": later, "is_closed": "0", "opens_at": "15:00", "closes_at": "13:00"}
    )
    assert "終了時刻は開始時刻より後にしてください。" in bad.content.decode()
    missing = client.post(url, {"date": later, "is_closed": "0"})
    assert "開始時刻と終了時刻を入力してください" in missing.content.decode()
    assert ScheduleException.objects.count() == 1
    page = client.get(reverse("resources:detail", args=[shop.pk])).content.decode()
    assert "棚卸し" in page and "休み" in page


@pytest.mark.parametrize("name", EDITORS)
def test_recheck_list_oldest_first_and_confirm(login, personas, editor, shop, others, name):
    old, older = (today() - datetime.timedelta(days=d) for d in (400, 800))
    Resource.objects.filter(pk=shop.pk).update(confirmed_on=old)
    Resource.objects.filter(pk=others[0].pk).update(confirmed_on=older)
    ended = others[1]
    Resource.objects.filter(pk=ended.pk).update(confirmed_on=older, status=ResourceStatus.ENDED)
    client = login(personas[name])
    response = client.get(reverse("resources:recheck"))
    assert response.status_code == 200
    assert response.context["rows"] == [others[0], shop]
    token = token_in(response)
    confirm = reverse("resources:confirm", args=[shop.pk])
    response = client.post(confirm, {"back": "recheck", "form_token": token})
    assert response["Location"] == reverse("resources:recheck")
    shop.refresh_from_db()
    assert shop.confirmed_on == today()
    assert client.get(reverse("resources:recheck")).context["rows"] == [others[0]]
    response = client.post(reverse("resources:confirm", args=[others[0].pk]))
    assert response["Location"] == reverse("resources:detail", args=[others[0].pk])
    assert "情報確認日を今日にしました" in client.get(response["Location"]).content.decode()


# ------------------------------------------------------------------------------ HSDS import


def hsds_zip(change=None) -> bytes:
    """The directory as the HSDS CSV zip, one file's rows changed by ``change(name, rows)``."""
    source = zipfile.ZipFile(io.BytesIO(hsds.export_csv_zip()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            rows = list(csv.DictReader(io.StringIO(source.read(name).decode("utf-8-sig"))))
            if change is not None:
                change(name, rows)
            text = io.StringIO()
            fields = list(rows[0]) if rows else hsds.CSV_COLUMNS[name.removesuffix(".csv")]
            writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(name, "\ufeff" + text.getvalue())
    return buffer.getvalue()


def emptied() -> None:
    Resource.objects.all().delete()
    Organization.objects.all().delete()


def upload(data: bytes, name: str = "resources-hsds.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_keepers_see_the_exchange_on_the_search_page(login, personas, shop):
    url = reverse("resources:search")
    page = login(personas["community"]).get(url).content.decode()
    assert 'data-testid="hsds-import-form"' in page and "/api/v1/resources/hsds.zip" in page
    reader = login(personas["desk"]).get(url).content.decode()
    assert 'data-testid="hsds-import-form"' not in reader


def test_editors_import_the_csv_zip_from_the_search_page(login, personas, shop):
    labels = sorted(s.label for s in Schedule.objects.all())
    data = hsds_zip()
    emptied()
    client = login(personas["participation"])
    page = client.get(reverse("resources:search"))
    sent = {"file": upload(data), "form_token": token_in(page)}
    response = client.post(reverse("resources:search"), sent)
    assert response.status_code == 302 and response["Location"] == reverse("resources:search")
    assert Resource.objects.get().name == shop.name
    assert sorted(s.label for s in Schedule.objects.all()) == labels
    shown = client.get(response["Location"]).content.decode()
    assert "HSDS のファイルから社会資源を1件登録しました" in shown
    again = client.post(reverse("resources:search"), {**sent, "file": upload(data)})
    assert "既に送信されています" in client.get(again["Location"]).content.decode()
    assert Resource.objects.count() == 1


def test_an_import_with_errors_lists_them_and_writes_nothing(login, personas, shop):
    def change(name, rows):
        if name == "schedules.csv":
            rows[0]["opens_at"], rows[0]["closes_at"] = "12:00", "10:00"
        if name == "services.csv":
            rows[0]["kind"], rows[0]["kind_name"] = "karaoke", ""

    data = hsds_zip(change)
    emptied()
    client = login(personas["officer"])
    response = client.post(reverse("resources:search"), {"file": upload(data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "誤りがあるため、何も登録していません" in page
    assert "schedules.csv 2行目（closes_at 列）：終了時刻は開始時刻より後にしてください。" in page
    assert "services.csv 2行目（kind 列）：種類「karaoke」がありません" in page
    assert not Resource.objects.exists() and not Organization.objects.exists()
    missing = client.post(reverse("resources:search"), {})
    assert "取り込むファイルを選んでください。" in missing.content.decode()


def test_a_json_file_is_taken_from_the_same_form(login, personas, shop):
    data = json.dumps(hsds.export_json()).encode()
    emptied()
    client = login(personas["community"])
    response = client.post(reverse("resources:search"), {"file": upload(data, "hsds.json")})
    assert response.status_code == 302
    assert Resource.objects.get().name == shop.name


@pytest.mark.parametrize("name", READERS)
def test_readers_do_not_import(login, personas, shop, name):
    data = hsds_zip()
    emptied()
    response = login(personas[name]).post(reverse("resources:search"), {"file": upload(data)})
    assert response.status_code == 403 and NOT_EDITOR in response.content.decode()
    assert not Resource.objects.exists()


def test_the_filters_show_what_was_chosen(login, personas, shop, district):
    client = login(personas["desk"])
    query = {
        "q": '<b>"品出し"</b>',
        "kind": kind("work_experience").pk,
        "area": district.pk,
        "weekday": WEDNESDAY,
        "at": "10:30",
        "free_only": "on",
    }
    page = client.get(reverse("resources:search"), query).content.decode()
    assert 'value="&lt;b&gt;&quot;品出し&quot;&lt;/b&gt;"' in page and "<b>" not in page
    assert f'<option value="{kind("work_experience").pk}" selected>就労体験先</option>' in page
    assert f'<option value="{district.pk}" selected>' in page
    assert '<option value="2" selected>水曜</option>' in page
    assert '<option value="" selected>いつでも</option>' not in page
    assert 'type="time" name="at" value="10:30"' in page
    assert re.search(r'<input type="checkbox" name="free_only"[^>]* checked', page)
    plain = client.get(reverse("resources:search")).content.decode()
    assert f'href="{reverse("resources:detail", args=[shop.pk])}"' in plain
    assert '<option value="" selected>いつでも</option>' in plain
    assert not re.search(r'name="free_only"[^>]* checked', plain)
