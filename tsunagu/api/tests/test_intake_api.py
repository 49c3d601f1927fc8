"""The 包括的相談支援 API: persons, households, consultations, referrals, help desk.

Every persona gets exactly what the screens would give it: the municipal office sees
everything, an involved agency its own objects, an unrelated worker 404 and empty lists,
admins and meeting guests 403.
"""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Agency, AgencyProgram
from tsunagu.accounts.services import api_token_issue
from tsunagu.audit.models import AuditEvent
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import HelpDeskRoute, IssueCategory, Referral
from tsunagu.people import services as people_services
from tsunagu.people.models import Household, Person

pytestmark = pytest.mark.django_db

API = "/api/v1"
NO_CASES = ("admin", "guest")
STAFF = [name for name in PERSONA_NAMES if name not in NO_CASES]
NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}


@dataclass
class World:
    mother: Person
    son: Person
    sato: Person
    household: object
    consultation: object
    other_consultation: object
    referral: Referral

    def ids(self, names):
        return {getattr(self, name).pk for name in names}


# What each persona may see of the world (by attribute name)
SEES = {
    "officer": {
        "persons": {"mother", "son", "sato"},
        "households": {"household"},
        "consultations": {"consultation", "other_consultation"},
        "referrals": {"referral"},
    },
    "desk": {
        "persons": {"mother", "son"},
        "households": {"household"},
        "consultations": {"consultation"},
        "referrals": {"referral"},
    },
    # receiving agency: the referred son (so his household), the consented consultation
    "outreach": {
        "persons": {"son"},
        "households": {"household"},
        "consultations": {"consultation"},
        "referrals": {"referral"},
    },
    "community": {
        "persons": {"sato"},
        "households": set(),
        "consultations": {"other_consultation"},
        "referrals": set(),
    },
}
NOTHING = {"persons": set(), "households": set(), "consultations": set(), "referrals": set()}


def sees(name):
    return SEES.get(name, NOTHING)


def categories(*codes):
    found = {c.code: c for c in IssueCategory.objects.filter(code__in=codes)}
    return [found[code] for code in codes]


@pytest.fixture
def world(personas) -> World:
    """An 8050 household known to the 地域包括 (desk), referred to the CSW (outreach);
    an unrelated person known only to the 地域福祉コーディネーター (community)."""
    desk = personas["desk"].user
    community = personas["community"].user
    today = timezone.localdate()
    mother = people_services.person_create(
        by=desk,
        name="山田 フミ",
        name_kana="ヤマダ フミ",
        birth_date=datetime.date(1942, 4, 1),
        sex="female",
    )
    son = people_services.person_create(
        by=desk,
        name="山田 タロウ",
        name_kana="ヤマダ タロウ",
        birth_date=datetime.date(1973, 6, 15),
        sex="male",
    )
    household = people_services.household_create(by=desk, label="山田世帯")
    people_services.household_add_member(
        by=desk, household=household, person=mother, relation="head"
    )
    people_services.household_add_member(by=desk, household=household, person=son, relation="child")
    elderly, p8050 = categories("elderly_care", "problem_8050")
    consultation = consultation_services.consultation_record(
        by=desk,
        received_on=today,
        channel="walk_in",
        consulter_type="self",
        summary="母の介護と、長年外出していない息子のこと",
        outcome="referred",
        categories=[elderly, p8050],
        primary_category=p8050,
        person=mother,
        household=household,
        consent_to_share=True,
    )
    referral = consultation_services.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=personas["outreach"].agency,
        reason="息子さんへの訪問をお願いします。",
        person=son,
    )
    sato = people_services.person_create(
        by=community,
        name="佐藤 花子",
        name_kana="サトウ ハナコ",
        birth_date=datetime.date(1980, 3, 1),
    )
    (isolation,) = categories("isolation")
    other = consultation_services.consultation_record(
        by=community,
        received_on=today,
        channel="phone",
        consulter_type="resident",
        summary="近所づきあいがなく心配",
        outcome="handled",
        categories=[isolation],
        person=sato,
    )
    return World(mother, son, sato, household, consultation, other, referral)


def token_client(persona) -> Client:
    _, raw = api_token_issue(membership=persona.membership, name="連携システム", by=None)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client, path, data=None):
    return client.post(f"{API}{path}", json.dumps(data or {}), content_type="application/json")


def patch(client, path, data):
    return client.patch(f"{API}{path}", json.dumps(data), content_type="application/json")


def get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def object_routes(w: World) -> list[tuple[str, str, str]]:
    """(kind, name, path) of every GET route on one object."""
    routes = [("persons", n, f"/persons/{getattr(w, n).pk}") for n in ("mother", "son", "sato")]
    routes.append(("households", "household", f"/households/{w.household.pk}"))
    routes += [
        ("consultations", n, f"/consultations/{getattr(w, n).pk}")
        for n in ("consultation", "other_consultation")
    ]
    routes.append(("referrals", "referral", f"/referrals/{w.referral.pk}"))
    return routes


# --- the permission matrix --------------------------------------------------------------


def test_openapi_lists_the_intake_paths(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/persons",
        "/persons/{person_id}",
        "/persons/known-check",
        "/households",
        "/households/{household_id}",
        "/households/{household_id}/members",
        "/consultations",
        "/consultations/{consultation_id}",
        "/categories",
        "/helpdesk/suggestions",
        "/referrals",
        "/referrals/{referral_id}",
        "/referrals/{referral_id}/accept",
        "/referrals/{referral_id}/return",
        "/referrals/{referral_id}/start",
        "/referrals/{referral_id}/complete",
        "/referrals/{referral_id}/acknowledge",
        "/referrals/{referral_id}/resend",
    ):
        assert f"{API}{path}" in paths, path
    assert "patch" in paths[f"{API}/consultations/{{consultation_id}}"]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_lists_show_each_persona_exactly_its_objects(login, personas, world, name):
    client = login(personas[name])
    for kind, path in (
        ("persons", "/persons"),
        ("consultations", "/consultations"),
        ("referrals", "/referrals"),
    ):
        response = get(client, path)
        if name in NO_CASES:
            assert response.status_code == 403, path
            assert response.json() == FORBIDDEN
            continue
        assert response.status_code == 200, path
        body = response.json()
        assert {item["id"] for item in body["items"]} == world.ids(sees(name)[kind]), path
        assert body["count"] == len(sees(name)[kind])


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_object_routes_per_persona(login, personas, world, name):
    client = login(personas[name])
    for kind, obj, path in object_routes(world):
        response = get(client, path)
        if name in NO_CASES:
            assert response.status_code == 403, path
        elif obj in sees(name)[kind]:
            assert response.status_code == 200, path
            assert response.json()["id"] == getattr(world, obj).pk
        else:
            assert response.status_code == 404, (name, path)
            assert response.json() == NOT_FOUND


def write_routes(w: World, personas) -> list[tuple[str, str, dict]]:
    """(method, path, body) of every write, with a body that would otherwise succeed."""
    outreach = personas["outreach"].agency.pk
    return [
        ("post", "/persons", {"name": "新井 一郎", "name_kana": "アライ イチロウ"}),
        ("post", "/persons/known-check", {"name": "山田 フミ", "name_kana": "ヤマダ フミ"}),
        ("post", "/households", {"label": "山田世帯", "head_person_id": w.mother.pk}),
        (
            "post",
            f"/households/{w.household.pk}/members",
            {"person_id": w.son.pk, "relation": "child"},
        ),
        (
            "post",
            "/consultations",
            {
                "received_on": timezone.localdate().isoformat(),
                "channel": "phone",
                "consulter_type": "family",
                "person_id": w.son.pk,
                "categories": ["hikikomori"],
                "summary": "再度の相談",
                "outcome": "handled",
            },
        ),
        ("patch", f"/consultations/{w.consultation.pk}", {"summary": "修正"}),
        (
            "post",
            "/referrals",
            {"consultation_id": w.consultation.pk, "to_agency_id": outreach, "reason": "再"},
        ),
        ("post", f"/referrals/{w.referral.pk}/accept", {}),
        ("post", f"/referrals/{w.referral.pk}/return", {"reason": "対象外"}),
        ("post", f"/referrals/{w.referral.pk}/start", {}),
        ("post", f"/referrals/{w.referral.pk}/complete", {"outcome": "support_started"}),
        ("post", f"/referrals/{w.referral.pk}/acknowledge", {}),
        ("post", f"/referrals/{w.referral.pk}/resend", {"to_agency_id": outreach, "reason": "再"}),
    ]


@pytest.mark.parametrize("name", NO_CASES)
def test_admin_and_guest_get_403_on_every_route(login, personas, world, name):
    client = login(personas[name])
    for path in ("/categories", "/helpdesk/suggestions", "/persons", "/consultations"):
        assert get(client, path).status_code == 403, path
    for method, path, body in write_routes(world, personas):
        sender = patch if method == "patch" else post
        response = sender(client, path, body)
        assert response.status_code == 403, path
        assert response.json() == FORBIDDEN
    assert Person.objects.count() == 3


def test_unrelated_worker_gets_404_on_every_object_route(login, personas, world):
    client = login(personas["unrelated"])
    get(client, "/categories")
    events_before = AuditEvent.objects.count()
    for _, _, path in object_routes(world):
        response = get(client, path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
    for method, path, body in write_routes(world, personas):
        if path in ("/persons", "/persons/known-check"):
            continue  # not an object route (see the known-check tests)
        sender = patch if method == "patch" else post
        response = sender(client, path, body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
    for path in ("/persons", "/consultations", "/referrals"):
        assert get(client, path).json() == {"items": [], "count": 0}
    # filtering by another agency's ids reveals nothing either
    assert get(client, "/consultations", {"person_id": world.mother.pk}).json()["count"] == 0
    assert get(client, "/referrals", {"box": "inbox"}).json()["count"] == 0
    world.referral.refresh_from_db()
    assert world.referral.status == "sent"
    # nothing was written: only the three (empty) list reads and two filtered ones
    assert AuditEvent.objects.count() == events_before + 5


@pytest.mark.parametrize("name", STAFF)
def test_categories_and_help_desk_for_every_staff_persona(login, personas, agencies, name):
    hikikomori, p8050 = categories("hikikomori", "problem_8050")
    HelpDeskRoute.objects.create(category=hikikomori, agency=agencies["csw"], sort_order=1)
    HelpDeskRoute.objects.create(category=p8050, agency=agencies["csw"], sort_order=1)
    HelpDeskRoute.objects.create(category=p8050, agency=agencies["houkatsu"], sort_order=2)
    client = login(personas[name])
    codes = [c["code"] for c in get(client, "/categories").json()]
    assert {"elderly_care", "hikikomori", "problem_8050"} <= set(codes)
    response = client.get(
        f"{API}/helpdesk/suggestions", {"categories": ["hikikomori", "problem_8050"]}
    )
    assert response.status_code == 200
    suggested = [(s["agency_name"], s["themes"]) for s in response.json()]
    own = personas[name].agency.name
    expected = [
        ("コミュニティソーシャルワーカー", ["ひきこもり", "8050問題"]),
        ("地域包括支援センター中央", ["8050問題"]),
    ]
    assert suggested == [item for item in expected if item[0] != own]


def test_inactive_categories_are_not_offered(login, personas):
    IssueCategory.objects.filter(code="other").update(is_active=False)
    codes = [c["code"] for c in get(login(personas["desk"]), "/categories").json()]
    assert "other" not in codes and "hikikomori" in codes


# --- persons ----------------------------------------------------------------------------


def test_person_search_by_short_name_kana_and_wareki_birth_date(login, personas, world):
    client = login(personas["officer"])
    assert [p["id"] for p in get(client, "/persons", {"q": "佐藤"}).json()["items"]] == [
        world.sato.pk
    ]
    found = get(client, "/persons", {"q": "やまだ"}).json()["items"]
    assert {p["id"] for p in found} == {world.mother.pk, world.son.pk}
    by_birth = get(client, "/persons", {"birth_date": "昭和17年4月1日"}).json()
    assert [p["id"] for p in by_birth["items"]] == [world.mother.pk]
    assert by_birth["items"][0]["birth_date_wareki"] == "昭和17年4月1日"
    event = AuditEvent.objects.filter(action="person.search").latest("seq")
    assert (event.via, event.person_ids) == ("api", [world.mother.pk])
    assert event.context["birth_date"] == "昭和17年4月1日"
    bad = get(client, "/persons", {"birth_date": "平成31年5月1日"})
    assert bad.status_code == 422
    assert "存在しません" in bad.json()["errors"]["birth_date"][0]


def test_person_search_audits_only_the_page_shown(login, personas, world):
    client = login(personas["officer"])
    body = get(client, "/persons", {"page_size": 1, "page": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 1
    event = AuditEvent.objects.filter(action="person.search").latest("seq")
    assert event.person_ids == [body["items"][0]["id"]]
    assert event.context["page"] == "2"


def test_person_detail_is_audited_and_lists_visible_households(login, personas, world):
    client = login(personas["outreach"])
    body = get(client, f"/persons/{world.son.pk}").json()
    assert body["name"] == "山田 タロウ"
    assert body["households"] == [{"id": world.household.pk, "label": "山田世帯"}]
    assert body["registered_by_agency_name"] == "地域包括支援センター中央"
    event = AuditEvent.objects.filter(action="person.view").latest("seq")
    assert (event.via, event.person_ids, event.target_id) == (
        "api",
        [world.son.pk],
        str(world.son.pk),
    )
    assert event.acting_agency == personas["outreach"].agency


def test_person_create_accepts_wareki_and_refuses_impossible_dates(login, personas):
    client = login(personas["desk"])
    response = post(
        client,
        "/persons",
        {
            "name": "髙橋 ハナ",
            "name_kana": "タカハシ ハナ",
            "birth_date": "昭和18年5月2日",
            "sex": "female",
            "phone": "058-111-2222",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["birth_date"], body["birth_date_wareki"]) == ("1943-05-02", "昭和18年5月2日")
    assert body["name"] == "髙橋 ハナ"
    iso = post(
        client,
        "/persons",
        {"name": "林 一", "name_kana": "ハヤシ ハジメ", "birth_date": "1950-01-02"},
    )
    assert iso.json()["birth_date"] == "1950-01-02"
    bad = post(
        client,
        "/persons",
        {"name": "林 二郎", "name_kana": "ハヤシ ジロウ", "birth_date": "平成31年5月1日"},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["detail"] == "入力内容に誤りがあります。"
    assert "平成31年5月1日は存在しません" in body["errors"]["birth_date"][0]
    empty = post(client, "/persons", {"name": "", "name_kana": ""})
    assert empty.json()["errors"] == {"name": ["氏名を入力してください。"]}
    too_long = post(client, "/persons", {"name": "山" * 101, "name_kana": "ヤマ"})
    assert too_long.json()["errors"] == {"name": ["氏名は100文字以内で入力してください。"]}
    assert Person.objects.filter(name__startswith="林 二郎").count() == 0
    assert AuditEvent.objects.filter(action="person.create").count() == 2


def test_duplicate_of_a_hidden_person_answers_409_without_contents(login, personas, world):
    Agency.objects.filter(pk=personas["officer"].agency.pk).update(is_program_office=True)
    client = login(personas["desk"])
    payload = {"name": "佐藤　花子", "name_kana": "さとう はなこ", "birth_date": "S55.3.1"}
    response = post(client, "/persons", payload)
    assert response.status_code == 409
    body = response.json()
    assert body["matches"] == []
    assert body["hidden_matches"] == 1
    assert body["contacts"] == [{"name": "重層的支援推進室", "phone": "058-000-0000"}]
    assert "既に登録されている可能性" in body["detail"]
    text = json.dumps(body, ensure_ascii=False)
    assert "花子" not in text and "ハナコ" not in text and "佐藤" not in text
    assert Person.objects.count() == 3
    check = AuditEvent.objects.filter(action="person.known_check").latest("seq")
    assert (check.via, check.person_ids) == ("api", [world.sato.pk])
    confirmed = post(
        client,
        "/persons",
        {**payload, "confirm_not_duplicate": True, "duplicate_reason": "同姓同名の別人と確認"},
    )
    assert confirmed.status_code == 201
    event = AuditEvent.objects.get(action="person.create_confirmed_distinct")
    assert event.purpose == "同姓同名の別人と確認"
    assert set(event.person_ids) == {confirmed.json()["id"], world.sato.pk}


def test_duplicate_of_a_visible_person_names_its_id(login, personas, world):
    client = login(personas["desk"])
    response = post(
        client,
        "/persons",
        {"name": "山田フミ", "name_kana": "ヤマダ フミ", "birth_date": "1942-04-01"},
    )
    assert response.status_code == 409
    body = response.json()
    [match] = body["matches"]
    assert match["person_id"] == world.mother.pk
    assert match["reasons"] == ["氏名が一致", "フリガナが一致", "生年月日が一致"]
    assert match["band"] == "高" and 0.99 <= match["probability"] <= 1
    assert (body["hidden_matches"], body["contacts"]) == (0, [])


def test_known_check_uses_address_and_sex_and_gives_probability(login, personas, world):
    client = login(personas["desk"])
    kazuko = people_services.person_create(
        by=personas["desk"].user,
        name="村上 和子",
        name_kana="ムラカミ カズコ",
        sex="female",
        address="テスト市本町2丁目3番地4",
        phone="058-000-2222",
    )
    asked = {"name": "村上和子", "name_kana": "むらかみ かずこ", "sex": "female"}
    bare = post(client, "/persons/known-check", asked).json()
    fuller = post(
        client,
        "/persons/known-check",
        asked | {"address": "テスト市本町二丁目三番四号", "phone": "０５８（０００）２２２２"},
    ).json()
    [plain] = [m for m in bare["matches"] if m["person_id"] == kazuko.pk]
    [richer] = [m for m in fuller["matches"] if m["person_id"] == kazuko.pk]
    assert "住所・電話が一致" in richer["reasons"]
    assert richer["probability"] > plain["probability"]
    assert bare["common_name"] is False
    assert set(richer) == {"person_id", "reasons", "probability", "band", "caution"}
    # neither side has a date of birth: a namesake in the household could not be told apart
    assert richer["caution"] == "同一世帯で生年月日のない記録（同姓同名の家族と区別できない）"


@pytest.mark.parametrize("name", STAFF)
def test_known_check_per_persona(login, personas, world, name):
    Agency.objects.filter(pk=personas["officer"].agency.pk).update(is_program_office=True)
    response = post(
        login(personas[name]),
        "/persons/known-check",
        {"name": "山田 タロウ", "name_kana": "ヤマダ タロウ", "birth_date": "昭和48年6月15日"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    if "son" in sees(name)["persons"]:
        assert [m["person_id"] for m in body["matches"]] == [world.son.pk]
        assert body["hidden_matches"] == 0
    else:
        assert body["matches"] == [] and body["hidden_matches"] == 1
        assert body["contacts"][0]["name"] == "重層的支援推進室"
        assert "タロウ" not in json.dumps(body, ensure_ascii=False)
    event = AuditEvent.objects.filter(action="person.known_check").latest("seq")
    assert (event.via, event.person_ids) == ("api", [world.son.pk])


def test_known_check_needs_a_name(login, personas):
    response = post(login(personas["desk"]), "/persons/known-check", {"name": " "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["氏名またはフリガナを入力してください。"]}


# --- households -------------------------------------------------------------------------


def test_household_create_with_head_and_add_member(login, personas, world):
    client = login(personas["desk"])
    response = post(
        client, "/households", {"label": "山田タロウ世帯", "head_person_id": world.son.pk}
    )
    assert response.status_code == 201
    household = response.json()
    assert [(m["person_id"], m["relation"]) for m in household["members"]] == [
        (world.son.pk, "head")
    ]
    added = post(
        client,
        f"/households/{household['id']}/members",
        {"person_id": world.mother.pk, "relation": "mother", "start_date": "2024-04-01"},
    )
    assert added.status_code == 201
    members = added.json()["members"]
    assert [(m["name"], m["relation_label"], m["start_date"]) for m in members] == [
        ("山田 タロウ", "世帯主", None),
        ("山田 フミ", "母", "2024-04-01"),
    ]
    again = post(
        client,
        f"/households/{household['id']}/members",
        {"person_id": world.mother.pk, "relation": "mother"},
    )
    assert again.status_code == 422
    assert again.json()["errors"] == {"person_id": ["この方は既にこの世帯の世帯員です。"]}
    bad = post(
        client,
        f"/households/{household['id']}/members",
        {"person_id": world.son.pk, "relation": "x"},
    )
    assert bad.json()["errors"] == {"relation": ["続柄の値が正しくありません。"]}
    assert post(client, "/households", {"label": " "}).json()["errors"] == {
        "label": ["世帯の呼称を入力してください。"]
    }
    # a hidden person cannot be made the head of a new household (and nothing is created)
    hidden = post(client, "/households", {"label": "佐藤世帯", "head_person_id": world.sato.pk})
    assert hidden.status_code == 404
    assert not Household.objects.filter(label="佐藤世帯").exists()


def test_household_shows_hidden_members_only_by_relation(login, personas, world):
    officer = personas["officer"].user
    mixed = people_services.household_create(by=officer, label="佐藤世帯")
    people_services.household_add_member(
        by=officer, household=mixed, person=world.sato, relation="head"
    )
    people_services.household_add_member(
        by=officer, household=mixed, person=world.son, relation="lodger"
    )
    response = get(login(personas["community"]), f"/households/{mixed.pk}")
    assert response.status_code == 200
    members = response.json()["members"]
    assert members == [
        {
            "visible": True,
            "person_id": world.sato.pk,
            "name": "佐藤 花子",
            "name_kana": "サトウ ハナコ",
            "relation": "head",
            "relation_label": "世帯主",
            "start_date": None,
        },
        {
            "visible": False,
            "person_id": None,
            "name": None,
            "name_kana": None,
            "relation": "lodger",
            "relation_label": "同居人",
            "start_date": None,
        },
    ]
    assert "山田" not in json.dumps(response.json(), ensure_ascii=False)
    event = AuditEvent.objects.filter(action="household.view").latest("seq")
    assert (event.via, event.person_ids, event.target_id) == ("api", [world.sato.pk], str(mixed.pk))


# --- consultations ----------------------------------------------------------------------


def consultation_body(w: World, **overrides):
    return {
        "received_on": timezone.localdate().isoformat(),
        "channel": "home_visit",
        "consulter_type": "family",
        "consulter_name": "山田 フミ",
        "consulter_relation": "母",
        "person_id": w.son.pk,
        "household_id": w.household.pk,
        "categories": ["hikikomori", "problem_8050"],
        "primary_category": "hikikomori",
        "summary": "息子が長年外出していない",
        "consent_to_share": True,
        "outcome": "referred",
        **overrides,
    }


def test_consultation_record_and_update(login, personas, world):
    client = login(personas["desk"])
    response = post(client, "/consultations", consultation_body(world))
    assert response.status_code == 201
    body = response.json()
    assert body["categories"] == [
        {"code": "hikikomori", "name": "ひきこもり", "is_primary": True},
        {"code": "problem_8050", "name": "8050問題", "is_primary": False},
    ]
    assert (body["primary_category"], body["agency_name"]) == (
        "hikikomori",
        "地域包括支援センター中央",
    )
    assert (body["channel_label"], body["outcome_label"]) == ("訪問", "他機関へつなぎ")
    pk = body["id"]
    changed = patch(
        client, f"/consultations/{pk}", {"summary": "訂正した概要", "outcome": "handled"}
    )
    assert changed.status_code == 200
    assert (changed.json()["summary"], changed.json()["primary_category"]) == (
        "訂正した概要",
        "hikikomori",
    )
    recat = patch(client, f"/consultations/{pk}", {"categories": ["problem_8050"]})
    assert recat.json()["categories"] == [
        {"code": "problem_8050", "name": "8050問題", "is_primary": False}
    ]
    event = AuditEvent.objects.filter(action="consultation.update").latest("seq")
    assert event.changes["categories"] == {
        "before": ["hikikomori", "problem_8050"],
        "after": ["problem_8050"],
    }
    # the receiving agency sees the consultation but may not correct it
    outreach = login(personas["outreach"])
    refused = patch(outreach, f"/consultations/{world.consultation.pk}", {"summary": "x"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "相談を修正できるのは受け付けた機関だけです。"
    # the office sees everything but corrects nothing it did not record
    officer = login(personas["officer"])
    assert patch(officer, f"/consultations/{pk}", {"summary": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"summary": " "}, {"summary": ["相談内容（概要）を入力してください。"]}),
        (
            {"categories": [], "primary_category": None},
            {"categories": ["相談内容を1つ以上選んでください。"]},
        ),
        ({"categories": ["nope"]}, {"categories": ["相談内容の分類が見つかりません：nope"]}),
        (
            {"primary_category": "nope"},
            {"primary_category": ["相談内容の分類が見つかりません：nope"]},
        ),
        (
            {"primary_category": "debt"},
            {
                "primary_category": [
                    "「最も困っていること（◎）」は選んだ相談内容の中から選んでください。"
                ]
            },
        ),
        ({"channel": "fax"}, {"channel": ["相談経路の値が正しくありません。"]}),
        ({"consulter_type": "x"}, {"consulter_type": ["相談者の値が正しくありません。"]}),
        ({"outcome": ""}, {"outcome": ["対応結果を選んでください。"]}),
        ({"received_on": None}, {"received_on": ["受付日を入力してください。"]}),
        (
            {"received_on": "2999-01-01"},
            {"received_on": ["受付日に未来の日付は指定できません。"]},
        ),
        (
            {"person_id": None, "household_id": None},
            {"person_id": ["本人または世帯を指定してください。"]},
        ),
    ],
)
def test_consultation_record_refuses_bad_input(login, personas, world, overrides, errors):
    client = login(personas["desk"])
    before = AuditEvent.objects.count()
    response = post(client, "/consultations", consultation_body(world, **overrides))
    assert response.status_code == 422
    assert response.json() == {"detail": "入力内容に誤りがあります。", "errors": errors}
    assert AuditEvent.objects.count() == before


def test_consultation_update_refuses_bad_input(login, personas, world):
    client = login(personas["desk"])
    path = f"/consultations/{world.consultation.pk}"
    assert patch(client, path, {"summary": ""}).json()["errors"] == {
        "summary": ["相談内容（概要）を入力してください。"]
    }
    assert patch(client, path, {"outcome": "maybe"}).json()["errors"] == {
        "outcome": ["対応結果を選んでください。"]
    }
    assert patch(client, path, {"channel": None}).json()["errors"] == {
        "channel": ["値を指定してください。"]
    }
    world.consultation.refresh_from_db()
    assert world.consultation.outcome == "referred"


def test_consultation_filters_and_audit(login, personas, world):
    client = login(personas["officer"])

    def ids(**params):
        return {c["id"] for c in get(client, "/consultations", params).json()["items"]}

    both = {world.consultation.pk, world.other_consultation.pk}
    assert ids() == both
    assert ids(q="外出") == {world.consultation.pk}
    assert ids(category="isolation") == {world.other_consultation.pk}
    assert ids(agency_id=personas["desk"].agency.pk) == {world.consultation.pk}
    assert ids(outcome="handled") == {world.other_consultation.pk}
    assert ids(person_id=world.sato.pk) == {world.other_consultation.pk}
    assert ids(household_id=world.household.pk) == {world.consultation.pk}
    today = timezone.localdate()
    assert ids(date_from=today.isoformat(), date_to=today.isoformat()) == both
    assert ids(date_to=(today - datetime.timedelta(days=1)).isoformat()) == set()
    assert get(client, "/consultations", {"category": "nope"}).status_code == 422
    event = AuditEvent.objects.filter(action="consultation.list").order_by("seq").first()
    assert event.via == "api"
    assert set(event.person_ids) == {world.mother.pk, world.son.pk, world.sato.pk}
    detail = get(client, f"/consultations/{world.consultation.pk}").json()
    assert detail["person_name"] == "山田 フミ"
    view = AuditEvent.objects.filter(action="consultation.view").latest("seq")
    assert (view.via, view.person_ids) == ("api", sorted([world.mother.pk, world.son.pk]))


def test_consultation_without_consent_stays_with_its_agency(login, personas, world):
    """A receiving agency sees the consultation only if the person consented to sharing."""
    world.consultation.consent_to_share = False
    world.consultation.save()
    client = login(personas["outreach"])
    assert get(client, f"/consultations/{world.consultation.pk}").status_code == 404
    assert get(client, f"/referrals/{world.referral.pk}").status_code == 200


# --- referrals --------------------------------------------------------------------------


def test_referral_loop_over_tokens_for_both_agencies(personas, world):
    desk, outreach = personas["desk"], personas["outreach"]
    sender, receiver = token_client(desk), token_client(outreach)
    created = post(
        sender,
        "/referrals",
        {
            "consultation_id": world.consultation.pk,
            "to_agency_id": outreach.agency.pk,
            "reason": "母の介護サービス調整中。息子さんへの訪問をお願いします。",
            "person_id": world.son.pk,
        },
    )
    assert created.status_code == 201
    referral = created.json()
    rid = referral["id"]
    assert (referral["status"], referral["overdue"], referral["person_id"]) == (
        "sent",
        False,
        world.son.pk,
    )
    assert [e["to_status"] for e in referral["events"]] == ["sent"]
    assert rid in {r["id"] for r in get(receiver, "/referrals", {"box": "inbox"}).json()["items"]}
    assert rid in {r["id"] for r in get(sender, "/referrals", {"box": "outbox"}).json()["items"]}
    assert rid not in {r["id"] for r in get(sender, "/referrals", {"box": "inbox"}).json()["items"]}

    def move(client, action, body=None):
        return post(client, f"/referrals/{rid}/{action}", body)

    # illegal moves are refused with the rule named; the sender cannot answer for the receiver
    refused = move(receiver, "start")
    assert refused.status_code == 409
    rule = "「送付」のつなぎを「対応中」にはできません。"
    assert refused.json() == {"detail": rule, "errors": {"__all__": [rule]}}
    assert move(receiver, "acknowledge").status_code == 409
    accept_by_sender = move(sender, "accept")
    assert accept_by_sender.status_code == 403
    assert accept_by_sender.json() == {"detail": "この操作はつなぎ先の機関だけが行えます。"}
    accepted = move(receiver, "accept", {"note": "担当を決めました"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert move(receiver, "accept").status_code == 409
    assert move(receiver, "return", {"reason": "対象外"}).status_code == 409
    assert move(sender, "start").status_code == 403
    assert move(receiver, "start").json()["status"] == "in_progress"
    missing = move(receiver, "complete", {"outcome": ""})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"outcome": ["結果を選んでください。"]}
    done = move(receiver, "complete", {"outcome": "support_started", "note": "訪問を開始"})
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["outcome"], body["outcome_label"]) == (
        "completed",
        "support_started",
        "支援開始",
    )
    assert [e["to_status"] for e in body["events"]] == [
        "sent",
        "accepted",
        "in_progress",
        "completed",
    ]
    assert body["events"][1]["note"] == "担当を決めました"
    assert move(receiver, "complete", {"outcome": "declined"}).status_code == 409
    assert (
        move(sender, "resend", {"to_agency_id": outreach.agency.pk, "reason": "再"}).status_code
        == 409
    )
    # the receiver's writes were recorded as its own agency's
    accepted_event = AuditEvent.objects.get(action="referral.accept")
    assert accepted_event.acting_agency == outreach.agency
    assert accepted_event.actor == outreach.user
    # both agencies read the referral; each read is audited as coming over the API
    assert get(sender, f"/referrals/{rid}").status_code == 200
    assert get(receiver, f"/referrals/{rid}").status_code == 200
    views = AuditEvent.objects.filter(action="referral.view", target_id=str(rid))
    assert {(e.acting_agency_id, e.via) for e in views} == {
        (desk.agency.pk, "api"),
        (outreach.agency.pk, "api"),
    }
    assert all(e.person_ids == [world.son.pk] for e in views)
    assert AuditEvent.objects.filter(action="referral.list", via="api").count() == 3


def test_return_acknowledge_and_resend_over_tokens(personas, world):
    desk, outreach = personas["desk"], personas["outreach"]
    sender, receiver = token_client(desk), token_client(outreach)
    rid = world.referral.pk
    no_reason = post(receiver, f"/referrals/{rid}/return", {"reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == {"reason": ["差し戻す理由を入力してください。"]}
    returned = post(receiver, f"/referrals/{rid}/return", {"reason": "区域外のため"})
    assert (returned.json()["status"], returned.json()["return_reason"]) == (
        "returned",
        "区域外のため",
    )
    assert post(receiver, f"/referrals/{rid}/acknowledge").status_code == 403
    assert (
        post(
            receiver, f"/referrals/{rid}/resend", {"to_agency_id": desk.agency.pk, "reason": "x"}
        ).status_code
        == 403
    )
    own = post(
        sender, f"/referrals/{rid}/resend", {"to_agency_id": desk.agency.pk, "reason": "再送"}
    )
    assert own.status_code == 422
    assert own.json()["errors"] == {"to_agency_id": ["自分の機関にはつなげません。"]}
    unknown = post(sender, f"/referrals/{rid}/resend", {"to_agency_id": 999999, "reason": "再送"})
    assert unknown.json()["errors"] == {"to_agency_id": ["指定された機関が見つかりません。"]}
    community = personas["community"].agency
    resent = post(
        sender,
        f"/referrals/{rid}/resend",
        {"to_agency_id": community.pk, "reason": "地域の見守りを"},
    )
    assert resent.status_code == 201
    new = resent.json()
    assert (new["previous_id"], new["to_agency_id"], new["status"]) == (rid, community.pk, "sent")
    old = get(sender, f"/referrals/{rid}").json()
    assert old["return_acknowledged_at"] is not None
    assert old["next_referral_ids"] == [new["id"]]
    # acknowledging again changes nothing and is allowed
    assert post(sender, f"/referrals/{rid}/acknowledge").status_code == 200
    # the community coordinator now sees the new referral, not the returned one
    coordinator = token_client(personas["community"])
    assert get(coordinator, f"/referrals/{new['id']}").status_code == 200
    assert get(coordinator, f"/referrals/{rid}").status_code == 404


def test_complete_with_rereferral(personas, world):
    outreach = token_client(personas["outreach"])
    rid = world.referral.pk
    assert post(outreach, f"/referrals/{rid}/accept").status_code == 200
    missing = post(outreach, f"/referrals/{rid}/complete", {"outcome": "rereferred"})
    assert missing.json()["errors"] == {
        "rerefer_to_agency_id": ["再紹介先の機関を選んでください。"]
    }
    community = personas["community"].agency
    done = post(
        outreach,
        f"/referrals/{rid}/complete",
        {
            "outcome": "rereferred",
            "rerefer_to_agency_id": community.pk,
            "rerefer_reason": "居場所づくりへ",
        },
    )
    assert done.status_code == 200
    onward = done.json()["next_referral_ids"]
    assert len(onward) == 1
    detail = get(outreach, f"/referrals/{onward[0]}").json()
    assert (detail["from_agency_id"], detail["to_agency_id"], detail["previous_id"]) == (
        personas["outreach"].agency.pk,
        community.pk,
        rid,
    )


def test_overdue_referrals_show_on_both_sides(login, personas, world):
    Referral.objects.filter(pk=world.referral.pk).update(
        respond_by=timezone.now() - datetime.timedelta(hours=1)
    )
    for name, box in (("desk", "outbox"), ("outreach", "inbox")):
        client = login(personas[name])
        items = get(client, "/referrals", {"box": box, "overdue": "true"}).json()["items"]
        assert [(r["id"], r["overdue"]) for r in items] == [(world.referral.pk, True)]
    client = login(personas["outreach"])
    post(client, f"/referrals/{world.referral.pk}/accept")
    assert get(client, "/referrals", {"overdue": "true"}).json()["count"] == 0
    assert get(client, "/referrals", {"status": "accepted"}).json()["items"][0]["overdue"] is False
    assert get(client, "/referrals", {"box": "sideways"}).status_code == 422
    assert get(client, "/referrals", {"status": "lost"}).json()["errors"] == {
        "status": ["状態の値が正しくありません。"]
    }


def test_multi_agency_referral_with_eligibility_check(login, personas, world):
    council = personas["coordinator"].agency
    AgencyProgram.objects.create(agency=council, program="multi_agency")
    desk = token_client(personas["desk"])
    body = {
        "consultation_id": world.consultation.pk,
        "to_agency_id": council.pk,
        "kind": "multi_agency",
        "reason": "世帯全体の支援が必要",
        "household_id": world.household.pk,
    }
    refused = post(desk, "/referrals", body)
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"criteria", "tried_with_agencies"}
    wrong = post(
        desk,
        "/referrals",
        {
            **body,
            "to_agency_id": personas["outreach"].agency.pk,
            "criterion_gap": True,
            "tried_with_agencies": "x",
        },
    )
    assert "多機関協働事業を実施する機関" in wrong.json()["errors"]["to_agency_id"][0]
    sent = post(
        desk,
        "/referrals",
        {
            **body,
            "criterion_household": True,
            "criterion_gap": True,
            "tried_with_agencies": "CSWと同行訪問したが本人に会えない",
            "is_urgent": True,
        },
    )
    assert sent.status_code == 201
    referral = sent.json()
    assert (referral["kind_label"], referral["criterion_household"], referral["is_urgent"]) == (
        "多機関協働へのつなぎ",
        True,
        True,
    )
    coordinator = token_client(personas["coordinator"])
    inbox = get(coordinator, "/referrals", {"box": "inbox"}).json()["items"]
    assert [r["id"] for r in inbox] == [referral["id"]]
    accept = post(coordinator, f"/referrals/{referral['id']}/accept")
    assert accept.status_code == 200
    assert accept.json()["status"] == "accepted"  # and a 多機関協働 case is open
    # the coordinator now sees the household it was referred, and both its members
    household = get(coordinator, f"/households/{world.household.pk}").json()
    assert all(m["visible"] for m in household["members"])


def test_referral_send_refuses_unseen_subjects(login, personas, world):
    client = login(personas["desk"])
    body = {
        "consultation_id": world.consultation.pk,
        "to_agency_id": personas["outreach"].agency.pk,
        "reason": "x",
        "person_id": world.sato.pk,
    }
    assert post(client, "/referrals", body).status_code == 404
    no_reason = post(client, "/referrals", {**body, "person_id": None, "reason": ""})
    assert no_reason.json()["errors"] == {"reason": ["つなぐ理由・依頼内容を入力してください。"]}
    missing = post(client, "/referrals", {})
    assert missing.json()["errors"] == {
        "consultation_id": ["元の相談を指定してください。"],
        "to_agency_id": ["つなぎ先の機関を選んでください。"],
    }
    assert Referral.objects.count() == 1


def test_session_writes_are_csrf_checked(personas, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["desk"].user)
    response = post(client, "/persons/known-check", {"name": "山田 フミ"})
    assert response.status_code in (401, 403)
    assert get(client, f"/persons/{world.mother.pk}").status_code == 200


def test_receiving_agency_sees_names_but_not_records_of_others(login, personas, world):
    """The receiver of a referral about the son sees the consented consultation about his
    mother by name, as on the screens, but not her record; the household shows her only
    by relation."""
    client = login(personas["outreach"])
    consultation = get(client, f"/consultations/{world.consultation.pk}").json()
    assert (consultation["person_name"], consultation["person_visible"]) == ("山田 フミ", False)
    assert consultation["household_visible"] is True
    assert get(client, f"/persons/{world.mother.pk}").status_code == 404
    members = get(client, f"/households/{world.household.pk}").json()["members"]
    assert [(m["visible"], m["person_id"], m["relation"]) for m in members] == [
        (False, None, "head"),
        (True, world.son.pk, "child"),
    ]
    referral = get(client, f"/referrals/{world.referral.pk}").json()
    assert (referral["person_visible"], referral["household_id"]) == (True, None)
    listed = get(client, "/consultations").json()["items"]
    assert [(c["id"], c["person_visible"]) for c in listed] == [(world.consultation.pk, False)]


def test_filtering_by_a_retired_category_still_works(login, personas):
    from tsunagu.consultations.models import IssueCategory

    IssueCategory.objects.filter(code="debt").update(is_active=False)
    client = login(personas["officer"])
    assert client.get("/api/v1/consultations", {"category": "debt"}).status_code == 200
    assert client.get("/api/v1/consultations", {"category": "nope"}).status_code == 422
