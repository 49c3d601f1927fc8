"""Person registration refuses overlong names, non-kana readings and non-phone numbers with
the same Japanese messages on the screen and over the API, and preselects no sex."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.people import services
from tsunagu.people.models import Person

pytestmark = pytest.mark.django_db

LONG_NAME = "山" * 300
LONG_KANA = "ヤ" * 400
BAD_KANA = "山田 太郎"
BAD_PHONE = "abc-not-phone"

CASES = [
    ({"name": LONG_NAME}, "name", "氏名は100文字以内で入力してください。"),
    ({"name_kana": LONG_KANA}, "name_kana", "フリガナは100文字以内で入力してください。"),
    ({"name_kana": BAD_KANA}, "name_kana", "フリガナはカタカナまたはひらがなで入力してください。"),
    ({"phone": BAD_PHONE}, "phone", "電話番号は「058-123-4567」のように"),
    ({"mobile_phone": "090-12"}, "mobile_phone", "携帯電話は「058-123-4567」のように"),
    ({"phone": "058-123-4567 内線12"}, "phone", "電話番号は「058-123-4567」のように"),
]


def valid(**overrides):
    return {"name": "山田 太郎", "name_kana": "ヤマダ タロウ", **overrides}


def assert_nothing_written():
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="person.create").exists()


@pytest.mark.parametrize(("overrides", "field", "message"), CASES)
def test_service_refuses(personas, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        services.person_create(by=personas["desk"].user, **valid(**overrides))
    assert any(m.startswith(message) for m in caught.value.message_dict[field])
    assert_nothing_written()


@pytest.mark.parametrize(("overrides", "field", "message"), CASES)
def test_form_refuses(login, personas, overrides, field, message):
    response = login(personas["desk"]).post(reverse("people:person_create"), valid(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="error-{field}">{message}' in html
    assert_nothing_written()


@pytest.mark.parametrize(("overrides", "field", "message"), CASES)
def test_api_refuses_with_the_same_message(login, personas, overrides, field, message):
    response = login(personas["desk"]).post(
        "/api/v1/persons", valid(**overrides), content_type="application/json"
    )
    assert response.status_code == 422
    assert any(m.startswith(message) for m in response.json()["errors"][field])
    assert_nothing_written()


def test_api_normalises_like_the_form(login, personas):
    response = login(personas["desk"]).post(
        "/api/v1/persons",
        valid(
            name_kana="やまだ たろう",
            phone="０５８（１２３）４５６７",
            mobile_phone="090−1234−5678",
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert person.name_kana == "ヤマダ タロウ"
    assert person.phone == "058(123)4567"
    assert person.mobile_phone == "090-1234-5678"
    assert person.sex == "unknown"


def test_form_preselects_no_sex_and_not_choosing_means_unknown(login, personas):
    client = login(personas["desk"])
    html = client.get(reverse("people:person_create")).content.decode()
    assert '<option value="" selected>選択してください</option>' in html
    assert "selected>男" not in html
    response = client.post(reverse("people:person_create"), valid(sex=""))
    assert response.status_code == 302
    assert Person.objects.get().sex == "unknown"
