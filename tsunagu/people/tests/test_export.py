"""The persons' search as a file: every person found, cell by cell; nobody the agency may not
see; one audited read naming them."""

import datetime

import pytest
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.common.wareki import age_on
from tsunagu.people import services
from tsunagu.people.selectors import today

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1942, 5, 2)


@pytest.fixture
def hanako(personas):
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


@pytest.fixture
def formula(personas):
    return services.person_create(
        by=personas["desk"].user, name="鈴木 一", name_kana="スズキ ハジメ", address="=1+1"
    )


def test_the_persons_leave_as_xlsx_cell_by_cell(login, personas, household, hanako, formula):
    response = login(personas["desk"]).get(reverse("people:person_list"), {"export": "xlsx"})
    rows, notes, sheet = xlsx(response)
    header = rows[0]
    assert header[:6] == ["本人ID", "氏名", "フリガナ", "生年月日", "生年月日（和暦）", "年齢"]
    assert notes["件数"] == 2 and notes["条件"] == "なし（すべて）"
    by_name = {row[1]: as_dict(header, row) for row in rows[1:]}
    row = by_name["佐藤 花子"]
    assert row["本人ID"] == hanako.pk
    assert row["フリガナ"] == "サトウ ハナコ"
    assert row["生年月日"] == datetime.datetime(1942, 5, 2)
    assert row["生年月日（和暦）"] == "昭和17年5月2日"
    assert row["年齢"] == age_on(BIRTH, today())
    assert row["性別"] == "女"
    assert row["住所"] == "テスト市中央1-2-3"
    assert row["世帯"] == "佐藤世帯"
    assert row["登録日（和暦）"].startswith("令和")
    assert by_name["鈴木 一"]["住所"] == "=1+1"
    assert by_name["鈴木 一"]["生年月日"] is None and by_name["鈴木 一"]["年齢"] is None
    address = header.index("住所") + 1
    assert all(sheet.cell(row=r, column=address).data_type == "s" for r in (2, 3))


def test_the_search_filters_the_csv_and_is_audited_once(login, personas, hanako, formula):
    response = login(personas["desk"]).get(
        reverse("people:person_list"), {"q": "佐藤", "birth_date": "S17.5.2", "export": "csv"}
    )
    rows = csv_rows(response)
    assert len(rows) == 2 and rows[1][1] == "佐藤 花子"
    assert rows[1][3:5] == ["1942-05-02", "昭和17年5月2日"]
    (event,) = AuditEvent.objects.filter(action="person.search")
    assert event.person_ids == [hanako.pk]
    assert event.context == {
        "q": "佐藤",
        "birth_date": "1942-05-02",
        "export": "csv",
        "list": "本人一覧",
        "rows": 1,
    }


def test_a_formula_stays_text_in_the_csv(login, personas, formula):
    rows = csv_rows(login(personas["desk"]).get(reverse("people:person_list"), {"export": "csv"}))
    assert as_dict(rows[0], rows[1])["住所"] == "'=1+1"


def test_an_unrelated_agency_exports_nobody(login, personas, hanako):
    response = login(personas["unrelated"]).get(reverse("people:person_list"), {"export": "xlsx"})
    rows, notes, _ = xlsx(response)
    assert len(rows) == 1 and notes["件数"] == 0
    (event,) = AuditEvent.objects.filter(action="person.search")
    assert event.person_ids == [] and event.context["rows"] == 0


def test_the_page_links_both_files_with_its_search(login, personas, hanako):
    html = (
        login(personas["desk"])
        .get(reverse("people:person_list"), {"q": "佐藤", "page": "1"})
        .content.decode()
    )
    assert 'href="?q=%E4%BD%90%E8%97%A4&amp;export=csv"' in html and "CSVで出力" in html
