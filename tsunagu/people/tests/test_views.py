import datetime

import pytest
from django.urls import reverse

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.common.wareki import age_on
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import IssueCategory
from tsunagu.people import services
from tsunagu.people.models import Household, HouseholdMember, Person
from tsunagu.people.selectors import today

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1942, 5, 2)


@pytest.fixture
def hanako(personas):
    """佐藤 花子, registered at the 地域包括支援センター (the desk persona's agency)."""
    return services.person_create(
        by=personas["desk"].user,
        name="佐藤 花子",
        name_kana="サトウ ハナコ",
        birth_date=BIRTH,
        sex="female",
        address="テスト市中央1-2-3",
    )


@pytest.fixture
def household(personas, hanako):
    by = personas["desk"].user
    household = services.household_create(by=by, label="佐藤世帯", address="テスト市中央1-2-3")
    services.household_add_member(by=by, household=household, person=hanako, relation="head")
    return household


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# --- who gets what ---------------------------------------------------------

# persona → (open pages, pages about hanako and her household)
OPEN = {name: 200 for name in PERSONA_NAMES} | {"admin": 403, "guest": 403}
ABOUT_HANAKO = {name: 404 for name in PERSONA_NAMES} | {
    "officer": 200,
    "desk": 200,
    "admin": 403,
    "guest": 403,
}


def page_urls(hanako, household):
    """(url, expectations) for every page of this app."""
    return [
        (reverse("people:person_list"), OPEN),
        (reverse("people:person_list") + "?q=佐藤", OPEN),
        (reverse("people:person_create"), OPEN),
        (reverse("people:known_check") + "?name=佐藤+花子&name_kana=サトウ+ハナコ", OPEN),
        (reverse("people:household_create"), OPEN),
        (reverse("people:person_detail", args=[hanako.pk]), ABOUT_HANAKO),
        (reverse("people:household_detail", args=[household.pk]), ABOUT_HANAKO),
        (reverse("people:household_create") + f"?person={hanako.pk}", ABOUT_HANAKO),
        (
            reverse("people:person_create") + f"?household={household.pk}&relation=child",
            ABOUT_HANAKO,
        ),
    ]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_page_answers_each_persona_as_it_should(login, personas, hanako, household, name):
    client = login(personas[name])
    for url, expected in page_urls(hanako, household):
        response = client.get(url)
        assert response.status_code == expected[name], (name, url)
        if expected[name] == 200:
            assert "no-store" in response["Cache-Control"]


def test_anonymous_user_is_sent_to_login(client, hanako, household):
    for url, _ in page_urls(hanako, household):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_missing_objects_and_bad_ids_answer_404(login, personas):
    client = login(personas["officer"])
    assert client.get(reverse("people:person_detail", args=[999999])).status_code == 404
    assert client.get(reverse("people:household_detail", args=[999999])).status_code == 404
    assert client.get(reverse("people:household_create") + "?person=abc").status_code == 404
    assert client.get(reverse("people:person_create") + "?household=abc").status_code == 404


def test_posting_is_refused_to_admin_and_guest(login, personas):
    for name in ("admin", "guest"):
        client = login(personas[name])
        data = {"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "sex": "male"}
        assert client.post(reverse("people:person_create"), data).status_code == 403
        assert client.post(reverse("people:household_create"), {"label": "x"}).status_code == 403
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0


# --- search ----------------------------------------------------------------


def test_two_character_family_name_and_given_name_are_found(login, personas, hanako):
    services.person_create(by=personas["desk"].user, name="伊藤 一郎", name_kana="イトウ イチロウ")
    client = login(personas["desk"])
    for q in ("佐藤", "花子", "さとう", "サトウ ハナコ", "佐藤花子", "佐"):
        html = client.get(reverse("people:person_list"), {"q": q}).content.decode()
        assert "佐藤 花子" in html, q
        assert "伊藤 一郎" not in html, q
    # one or two characters match the start of the family or given name only
    html = client.get(reverse("people:person_list"), {"q": "藤"}).content.decode()
    assert "佐藤 花子" not in html


def test_search_by_birth_date_in_wareki(login, personas, hanako):
    client = login(personas["desk"])
    html = client.get(
        reverse("people:person_list"), {"q": "佐藤", "birth_date": "昭和17年5月2日"}
    ).content.decode()
    assert "佐藤 花子" in html
    html = client.get(
        reverse("people:person_list"), {"q": "佐藤", "birth_date": "S17.5.3"}
    ).content.decode()
    assert "佐藤 花子" not in html


def test_search_list_shows_wareki_age_sex_address_and_household(login, personas, household):
    html = login(personas["desk"]).get(reverse("people:person_list")).content.decode()
    assert "昭和17年5月2日（1942年）" in html
    assert f"{age_on(BIRTH, today())}歳" in html
    assert "女" in html and "テスト市中央1-2-3" in html
    assert reverse("people:household_detail", args=[household.pk]) in html


def test_search_with_impossible_date_shows_japanese_error(login, personas, hanako):
    html = (
        login(personas["desk"])
        .get(reverse("people:person_list"), {"birth_date": "平成31年5月1日"})
        .content.decode()
    )
    assert "平成31年5月1日は存在しません" in html
    assert "佐藤 花子" not in html


def test_unrelated_worker_finds_nobody(login, personas, hanako):
    response = login(personas["unrelated"]).get(reverse("people:person_list"), {"q": "佐藤"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "佐藤 花子" not in html
    assert response.context["total"] == 0
    (event,) = events("person.search")
    assert event.person_ids == []


def test_each_search_page_is_audited_with_the_persons_listed(login, personas, hanako):
    client = login(personas["desk"])
    client.get(reverse("people:person_list"), {"q": "佐藤"})
    (event,) = events("person.search")
    assert event.person_ids == [hanako.pk]
    assert event.context == {"q": "佐藤"}
    assert event.actor == personas["desk"].user
    assert event.acting_agency == personas["desk"].agency


def test_search_pages_by_25_and_audits_only_the_page_shown(login, personas):
    by = personas["desk"].user
    for i in range(30):
        # readings are kana only: the number spelled in kana (アア, アイ, …)
        kana = "".join("アイウエオカキクケコ"[int(d)] for d in f"{i:02d}")
        services.person_create(by=by, name=f"山田 太郎{i:02d}", name_kana=f"ヤマダ タロウ{kana}")
    client = login(personas["desk"])
    first = client.get(reverse("people:person_list"), {"q": "山田"})
    assert len(first.context["rows"]) == 25
    assert "1 / 2ページ" in first.content.decode()
    second = client.get(reverse("people:person_list"), {"q": "山田", "page": 2})
    assert len(second.context["rows"]) == 5
    one, two = events("person.search")
    assert len(one.person_ids) == 25 and len(two.person_ids) == 5
    assert not set(one.person_ids) & set(two.person_ids)


def test_live_search_answers_htmx_with_the_rows_only(login, personas, hanako):
    response = login(personas["desk"]).get(
        reverse("people:person_list"), {"q": "佐藤"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "佐藤 花子" in html
    assert "<html" not in html and 'data-testid="result-count"' in html


# --- "is this person known?" ----------------------------------------------


def known_check(client, **params):
    return client.get(reverse("people:known_check"), params)


def test_known_check_shows_a_visible_match_with_link_and_intake_button(login, personas, hanako):
    response = known_check(
        login(personas["desk"]), name="佐藤花子", name_kana="さとう はなこ", birth_date="S17.5.2"
    )
    html = response.content.decode()
    assert 'data-testid="known-check"' in html
    assert "この方は既に登録されているかもしれません" in html
    assert reverse("people:person_detail", args=[hanako.pk]) in html
    assert f"/consultations/new/?person={hanako.pk}" in html
    assert "この方で相談を受け付ける" in html
    assert "他の機関にあります" not in html
    (event,) = events("person.known_check")
    assert event.person_ids == [hanako.pk]
    assert event.context == {"visible": 1, "hidden": 0}


def test_known_check_tells_unrelated_worker_only_whom_to_contact(login, personas, agencies, hanako):
    office = agencies["office"]
    office.is_program_office = True
    office.phone = "058-214-2111"
    office.save()
    response = known_check(
        login(personas["unrelated"]), name="佐藤 花子", name_kana="サトウ ハナコ"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "この方は既に登録されているかもしれません" in html
    assert "同じ方と思われる記録が他の機関にあります（1件）。内容はお見せできません。" in html
    assert office.name in html and "058-214-2111" in html
    for secret in ("佐藤", "花子", "サトウ", "ハナコ", "昭和17年", "テスト市中央"):
        assert secret not in html, secret
    assert personas["desk"].agency.name not in html
    assert "/persons/" not in html and "/consultations/new/" not in html
    (event,) = events("person.known_check")
    assert event.person_ids == [hanako.pk]  # the trail records what was matched
    assert event.context == {"visible": 0, "hidden": 1}


def test_known_check_finds_variant_spellings(login, personas):
    takahashi = services.person_create(
        by=personas["desk"].user, name="髙橋 ハナ", name_kana="タカハシ ハナ"
    )
    html = known_check(login(personas["desk"]), name="高橋ハナ").content.decode()
    assert reverse("people:person_detail", args=[takahashi.pk]) in html


def test_known_check_shows_the_band_and_reasons_of_each_candidate(login, personas, hanako):
    client = login(personas["desk"])
    exact = known_check(
        client, name="佐藤花子", name_kana="さとう はなこ", birth_date="S17.5.2", sex="female"
    ).content.decode()
    assert "一致の可能性 高（99.9%）" in exact
    for reason in ("氏名が一致", "フリガナが一致", "生年月日が一致"):
        assert reason in exact
    # the date of birth typed with one digit wrong, the address in kanji numerals
    typo = known_check(
        client,
        name="佐藤 花子",
        name_kana="サトウ ハナコ",
        birth_date="1942-05-08",
        address="テスト市中央一丁目二番三号",
    ).content.decode()
    assert reverse("people:person_detail", args=[hanako.pk]) in typo
    assert "生年月日が1桁違い" in typo and "住所が一致" in typo
    # a twin sister at the same address is not offered as the same person
    twin = known_check(
        client,
        name="佐藤 恵子",
        name_kana="サトウ ケイコ",
        birth_date="S17.5.2",
        sex="female",
        address="テスト市中央1-2-3",
    ).content.decode()
    assert "見つかりませんでした" in twin


def test_known_check_without_match_or_query(login, personas, hanako):
    client = login(personas["desk"])
    html = known_check(client, name="鈴木 一郎", name_kana="スズキ イチロウ").content.decode()
    assert "見つかりませんでした" in html
    assert known_check(client).status_code == 200
    assert len(events("person.known_check")) == 1  # an empty query reads nothing


# --- registering a person -----------------------------------------------------


def person_data(**overrides):
    data = {
        "name": "山田 太郎",
        "name_kana": "やまだ たろう",
        "birth_date": "昭和55年3月1日",
        "sex": "male",
        "postal_code": "５００－８７０１",
        "address": "テスト市本町1-1",
        "phone": "058-000-1111",
        "mobile_phone": "090-0000-1111",
        "contact_notes": "夕方以降に電話",
    }
    return data | overrides


def test_registering_a_new_person(login, personas):
    client = login(personas["desk"])
    response = client.post(reverse("people:person_create"), person_data(), follow=True)
    person = Person.objects.get()
    assert response.redirect_chain[-1][0] == reverse("people:person_detail", args=[person.pk])
    assert "山田 太郎さんを登録しました。" in response.content.decode()
    assert person.name_kana == "ヤマダ タロウ"  # hiragana readings are kept as katakana
    assert person.birth_date == datetime.date(1980, 3, 1)
    assert person.postal_code == "500-8701"
    assert person.registered_by_agency == personas["desk"].agency
    assert [e.person_ids for e in events("person.create")] == [[person.pk]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "氏名を入力してください。"),
        ({"name_kana": ""}, "フリガナを入力してください。"),
        ({"name_kana": "Yamada"}, "フリガナはカタカナまたはひらがなで入力してください。"),
        ({"birth_date": "平成31年5月1日"}, "平成31年5月1日は存在しません"),
        ({"birth_date": "2100-01-01"}, "生年月日が未来の日付になっています。"),
        ({"postal_code": "12345"}, "郵便番号は「500-8701」のように7桁の数字で入力してください。"),
        ({"sex": "x"}, "性別の値が正しくありません。"),
    ],
)
def test_bad_input_shows_japanese_errors_and_creates_nothing(login, personas, overrides, message):
    response = login(personas["desk"]).post(
        reverse("people:person_create"), person_data(**overrides)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "is-invalid" in html and "invalid-feedback" in html
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="person.create").exists()


def test_duplicate_registration_needs_an_audited_confirmation(login, personas, agencies, hanako):
    agencies["office"].is_program_office = True
    agencies["office"].save()
    client = login(personas["unrelated"])
    url = reverse("people:person_create")
    data = person_data(name="佐藤 花子", name_kana="サトウ ハナコ", birth_date="1942-05-02")

    first = client.post(url, data)
    html = first.content.decode()
    assert first.status_code == 200
    assert 'data-testid="duplicate-confirm"' in html
    assert "上記とは別の方として登録する" in html
    assert "同じ方と思われる記録が他の機関にあります（1件）" in html
    assert agencies["office"].name in html
    assert reverse("people:person_detail", args=[hanako.pk]) not in html
    assert Person.objects.count() == 1

    unticked = client.post(url, data | {"duplicate_step": "1"})
    assert "チェックを入れてください" in unticked.content.decode()
    no_reason = client.post(url, data | {"duplicate_step": "1", "confirm_not_duplicate": "on"})
    assert "別の方と判断した理由を入力してください" in no_reason.content.decode()
    assert Person.objects.count() == 1

    confirmed = client.post(
        url,
        data
        | {
            "duplicate_step": "1",
            "confirm_not_duplicate": "on",
            "duplicate_reason": "本人確認書類で別人と確認",
        },
    )
    new = Person.objects.exclude(pk=hanako.pk).get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("people:person_detail", args=[new.pk])
    (event,) = events("person.create_confirmed_distinct")
    assert event.person_ids == sorted([hanako.pk, new.pk])
    assert event.purpose == "本人確認書類で別人と確認"
    assert event.context == {"set_aside": [hanako.pk]}
    # the pair set aside waits in the 名寄せ review queue; nothing is merged
    from tsunagu.linkage.models import MatchCandidate

    (pair,) = MatchCandidate.objects.all()
    assert {pair.person_a_id, pair.person_b_id} == {hanako.pk, new.pk}
    assert (pair.origin, pair.status) == ("registration", "pending")
    assert not Person.objects.get(pk=hanako.pk).is_archived
    # every time the matches were shown, the check was audited
    checks = events("person.known_check")
    assert len(checks) == 3
    assert all(e.person_ids == [hanako.pk] for e in checks)


def test_registering_a_member_into_a_household(login, personas, household, hanako):
    client = login(personas["desk"])
    url = reverse("people:person_create") + f"?household={household.pk}&relation=child"
    page = client.get(url)
    assert "佐藤世帯に世帯員を追加する" in page.content.decode()
    assert page.context["form"]["relation"].value() == "child"
    response = client.post(
        url, person_data(name="佐藤 一郎", name_kana="サトウ イチロウ", relation="child")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:household_detail", args=[household.pk])
    son = Person.objects.get(name="佐藤 一郎")
    member = HouseholdMember.objects.get(person=son)
    assert member.household == household and member.relation == "child"


def test_member_registration_without_relation_changes_nothing(login, personas, household):
    url = reverse("people:person_create") + f"?household={household.pk}"
    response = login(personas["desk"]).post(url, person_data(relation=""))
    assert "続柄を選んでください。" in response.content.decode()
    assert Person.objects.count() == 1


# --- a person's page ------------------------------------------------------------


@pytest.fixture
def elderly_care(db):
    return IssueCategory.objects.get(code="elderly_care")


def consult(persona, *, person=None, household=None, category, summary="介護の相談"):
    return consultation_services.consultation_record(
        by=persona.user,
        received_on=today(),
        channel="walk_in",
        consulter_type="family",
        summary=summary,
        outcome="referred",
        categories=[category],
        primary_category=category,
        person=person,
        household=household,
    )


def test_person_page_shows_details_households_consultations_and_referrals(
    login, personas, agencies, household, hanako, elderly_care
):
    consultation = consult(personas["desk"], person=hanako, category=elderly_care)
    consultation_services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=agencies["csw"],
        reason="見守りの依頼",
    )
    client = login(personas["desk"])
    response = client.get(reverse("people:person_detail", args=[hanako.pk]))
    html = response.content.decode()
    age = age_on(BIRTH, today())
    assert f"昭和17年5月2日（1942年）・{age}歳" in html
    assert 'data-testid="person-name">佐藤 花子<' in html
    assert reverse("people:household_detail", args=[household.pk]) in html
    assert "介護の相談" in html and "高齢・介護" in html
    assert "コミュニティソーシャルワーカー" in html  # the referral
    assert f"/consultations/new/?person={hanako.pk}" in html
    assert reverse("people:household_create") + f"?person={hanako.pk}" in html
    (event,) = events("person.view")
    assert event.person_ids == [hanako.pk]
    assert event.target_id == str(hanako.pk)
    assert event.context["consultations"] == [consultation.pk]


def test_person_page_hides_consultations_of_other_agencies(login, personas, hanako, elderly_care):
    # the program office records a consultation about 花子: the desk must not see it
    consult(personas["officer"], person=hanako, category=elderly_care, summary="事務局の記録")
    url = reverse("people:person_detail", args=[hanako.pk])
    assert "事務局の記録" not in login(personas["desk"]).get(url).content.decode()
    assert "事務局の記録" in login(personas["officer"]).get(url).content.decode()


# --- households -----------------------------------------------------------------


def test_household_from_a_person_makes_them_head(login, personas, hanako):
    client = login(personas["desk"])
    url = reverse("people:household_create") + f"?person={hanako.pk}"
    page = client.get(url)
    assert page.context["form"]["label"].value() == "佐藤世帯"
    response = client.post(url, {"label": "佐藤世帯", "address": "テスト市中央1-2-3", "notes": ""})
    household = Household.objects.get()
    assert response["Location"] == reverse("people:household_detail", args=[household.pk])
    member = household.members.get()
    assert member.person == hanako and member.relation == "head"
    assert household.registered_by_agency == personas["desk"].agency


def test_household_without_label_changes_nothing(login, personas, hanako):
    url = reverse("people:household_create") + f"?person={hanako.pk}"
    response = login(personas["desk"]).post(url, {"label": " ", "address": ""})
    assert "世帯の呼称を入力してください。" in response.content.decode()
    assert Household.objects.count() == 0
    assert not HouseholdMember.objects.exists()


def test_household_page_shows_members_and_what_the_viewer_may_see(
    login, personas, household, hanako, elderly_care
):
    by = personas["desk"].user
    son = services.person_create(by=by, name="佐藤 一郎", name_kana="サトウ イチロウ")
    services.household_add_member(by=by, household=household, person=son, relation="child")
    about_son = consult(personas["desk"], person=son, category=elderly_care, summary="息子の相談")
    about_all = consult(
        personas["desk"], household=household, category=elderly_care, summary="世帯の相談"
    )
    response = login(personas["desk"]).get(reverse("people:household_detail", args=[household.pk]))
    html = response.content.decode()
    assert html.count('data-testid="member-row"') == 2
    assert "世帯主" in html and "子" in html
    assert reverse("people:person_detail", args=[son.pk]) in html
    assert "息子の相談" in html and "世帯の相談" in html
    assert f"/consultations/new/?household={household.pk}" in html
    assert 'name="household"' in html and 'value="child" selected' in html
    (event,) = events("household.view")
    assert event.person_ids == sorted([hanako.pk, son.pk])
    assert sorted(event.context["consultations"]) == sorted([about_son.pk, about_all.pk])


def test_household_member_is_linked_only_when_the_viewer_may_see_them(
    login, personas, household, hanako
):
    # the housing desk registers the son; he lives in the household registered by 包括
    son = services.person_create(
        by=personas["unrelated"].user, name="佐藤 一郎", name_kana="サトウ イチロウ"
    )
    # arranged by the system: neither agency alone may link records it cannot see
    services.household_add_member(by=None, household=household, person=son, relation="child")
    response = login(personas["unrelated"]).get(
        reverse("people:household_detail", args=[household.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("people:person_detail", args=[son.pk]) in html
    # a member this agency may not open shows only the relation: no name, no birth date
    assert "佐藤 花子" not in html
    assert "この所属では閲覧できない世帯員" in html
    assert reverse("people:person_detail", args=[hanako.pk]) not in html
    assert (
        login(personas["unrelated"])
        .get(reverse("people:person_detail", args=[hanako.pk]))
        .status_code
        == 404
    )


def test_known_check_shows_a_father_of_the_same_name_with_the_caution(login, personas):
    """The son of 山田 太郎 (same name, address and landline; born 1972) typed at the desk:
    the father (born 1944) is shown below 中 with the caution first, on the page and in the
    API; the son's own record, once registered, comes first and without a caution."""
    import json

    from tsunagu.accounts.services import api_token_issue

    desk = personas["desk"]
    home = {"address": "岐阜市今沢町1-2-3", "phone": "058-265-4141", "sex": "male"}
    father = services.person_create(
        by=desk.user, name="山田 太郎", name_kana="ヤマダ タロウ",
        birth_date=datetime.date(1944, 5, 1), **home,
    )  # fmt: skip
    typed = {
        "name": "山田 太郎",
        "name_kana": "ヤマダ タロウ",
        "birth_date": "1972-05-01",
        "sex": "male",
        "address": "岐阜市今沢町一丁目二番三号",
        "phone": "0582654141",
    }
    caution = "同一世帯・同名・生年月日が異なる（親子・きょうだいなど別の方の可能性）"
    html = known_check(login(desk), **typed).content.decode()
    assert reverse("people:person_detail", args=[father.pk]) in html
    assert 'data-testid="known-caution"' in html and caution in html
    assert "一致の可能性 低" in html
    _, raw = api_token_issue(membership=desk.membership, name="連携システム", by=None)
    from django.test import Client

    api = Client(headers={"Authorization": f"Bearer {raw}"})
    answer = api.post(
        "/api/v1/persons/known-check", json.dumps(typed), content_type="application/json"
    ).json()
    (match,) = answer["matches"]
    assert (match["person_id"], match["band"], match["caution"]) == (father.pk, "低", caution)
    assert match["reasons"][0] == caution
