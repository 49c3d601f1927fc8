import datetime

import pytest
from django.core.exceptions import ValidationError

from tsunagu.audit.models import AuditEvent
from tsunagu.people import services
from tsunagu.people.models import Person

pytestmark = pytest.mark.django_db


def test_person_create_is_audited_with_acting_agency(personas):
    desk = personas["desk"]
    person = services.person_create(
        by=desk.user,
        name="髙橋 ハナ",
        name_kana="タカハシ ハナ",
        birth_date=datetime.date(1943, 5, 2),
    )
    assert person.name == "髙橋 ハナ"  # stored exactly as entered
    assert person.registered_by_agency == desk.agency
    event = AuditEvent.objects.get(action="person.create")
    assert event.person_ids == [person.pk]
    assert event.changes["name"] == {"before": None, "after": "髙橋 ハナ"}
    assert event.acting_agency == desk.agency


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": " ", "name_kana": "ア"}, "氏名を入力してください。"),
        ({"name": "山田", "name_kana": ""}, "フリガナを入力してください。"),
        ({"name": "山田", "name_kana": "ヤマダ", "sex": "x"}, "性別の値が正しくありません。"),
        (
            {"name": "山田", "name_kana": "ヤマダ", "birth_date": datetime.date(2999, 1, 1)},
            "生年月日が未来の日付になっています。",
        ),
    ],
)
def test_person_create_rejects_bad_input_and_writes_nothing(personas, kwargs, message):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(by=personas["desk"].user, **kwargs)
    assert message in str(excinfo.value)
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_household_membership_period(personas):
    by = personas["desk"].user
    household = services.household_create(by=by, label="山田世帯")
    mother = services.person_create(by=by, name="山田 フミ", name_kana="ヤマダ フミ")
    services.household_add_member(by=by, household=household, person=mother, relation="head")
    with pytest.raises(ValidationError, match="既にこの世帯の世帯員です"):
        services.household_add_member(by=by, household=household, person=mother, relation="head")
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("seq")) == [
        "household.create",
        "person.create",
        "household.member_add",
    ]


def test_adding_a_member_needs_both_records_visible(personas):
    desk, other = personas["desk"].user, personas["unrelated"].user
    household = services.household_create(by=desk, label="佐藤世帯")
    stranger = services.person_create(by=other, name="佐藤 次郎", name_kana="サトウ ジロウ")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.household_add_member(
            by=desk, household=household, person=stranger, relation="child"
        )
    assert not household.members.exists()


def test_short_kana_search_matches_a_reading_typed_without_space(personas):
    from tsunagu.people.selectors import person_search

    desk = personas["desk"].user
    person = services.person_create(by=desk, name="佐藤花子", name_kana="さとうはなこ")
    assert list(person_search(user=desk, q="さと")) == [person]
    assert list(person_search(user=desk, q="佐藤")) == [person]


def test_person_list_page_queries_do_not_grow_with_rows(client, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    desk = personas["desk"].user
    household = services.household_create(by=desk, label="佐藤世帯")
    client.force_login(desk)

    def add(n):
        for i in range(n):
            person = services.person_create(
                by=desk, name=f"佐藤 {i}郎", name_kana=f"サトウ {'ア' * (i + 1)}"
            )
            services.household_add_member(
                by=desk, household=household, person=person, relation="child"
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/persons/", {"q": "佐藤"})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count("佐藤世帯")

    add(3)
    count()  # the first request also writes the session
    few, shown_few = count()
    add(9)
    many, shown_many = count()
    assert (shown_few, shown_many) == (3, 12)
    assert many == few
