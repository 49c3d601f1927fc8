"""Text as it is kept (tsunagu.common.text): no invisible controls in any stored text, wherever
it was typed (a screen, the API, a service), and no text too long for its field; a screen
that refuses a long text keeps what was typed and says so in Japanese."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from tsunagu.audit.models import AuditEvent
from tsunagu.common.forms import BootstrapForm
from tsunagu.common.text import FORBIDDEN, TEXT_MAX_LENGTH, clean_text
from tsunagu.consultations.models import Consultation, IssueCategory
from tsunagu.people import services as people_services
from tsunagu.people.models import Household, Person

RLO = "\u202e"
VT = "\x0b"
ESC_SEQUENCE = "\x1b[31m"

# what must never be kept: controls but tab and newline, DEL, C1, bidi controls, ZWSP, BOM
_REMOVED = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u2028\u2029]"
)

japanese = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),  # kana
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # kanji
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width forms
        st.sampled_from(
            [
                *("\n", "\t", " ", "\u3000", "。", "、", "「", "」", "ー", "〜", "①", "㈱"),
                *("髙", "\U000e0100", "\u200d", "\u200c", "👨", "👩", "a", "1", "-", "(", "・"),
            ]
        ),
    )
)


# --- the rule ----------------------------------------------------------------------------


@given(st.text())
@example("山田" + RLO + "太郎" + VT + ESC_SEQUENCE + "\r\n\x7f\x85\x9b1m\ufeff\u200b\u2066")
def test_nothing_invisible_is_kept(text):
    for multiline in (True, False):
        cleaned = clean_text(text, multiline=multiline)
        assert not _REMOVED.search(cleaned)
        assert not FORBIDDEN.search(cleaned)
        assert "\r" not in cleaned
        assert clean_text(cleaned, multiline=multiline) == cleaned  # once is enough
        if not multiline:
            assert "\n" not in cleaned and "\t" not in cleaned


@given(japanese)
def test_japanese_text_and_its_lines_are_kept_as_typed(text):
    assert clean_text(text) == text
    assert clean_text(text, multiline=False) == text.replace("\n", " ").replace("\t", " ")


# lines without a newline of their own: "\r" joined before a line that starts with "\n"
# is one CRLF, rightly one newline
@given(st.lists(japanese.map(lambda line: line.replace("\n", "")), max_size=5))
def test_line_breaks_of_any_kind_become_one_newline(lines):
    for newline in ("\r\n", "\r", "\n", VT, "\u2028"):
        assert clean_text(newline.join(lines)) == "\n".join(lines)


def test_examples():
    assert clean_text(f"山田{RLO}太郎") == "山田太郎"
    assert clean_text(f"ヤマダ{VT}タロウ", multiline=False) == "ヤマダ タロウ"
    assert clean_text(f"要{ESC_SEQUENCE}注意\x1b[0m です\x1b]0;title\x07。") == "要注意 です。"
    assert clean_text("葛\U000e0100城") == "葛\U000e0100城"  # 異体字 (IVS)
    assert clean_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # emoji (ZWJ)
    assert unicodedata.category(RLO) == "Cf"


# --- every save ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_service_stores_clean_text_and_audits_it_clean(personas):
    person = people_services.person_create(
        by=personas["desk"].user,
        name=f"山田{RLO} 太郎",
        name_kana=f"ヤマダ{VT}タロウ",
        contact_notes=f"夜は{ESC_SEQUENCE}電話に出ない\r\n昼は可",
    )
    person.refresh_from_db()
    assert person.name == "山田 太郎"
    assert person.name_kana == "ヤマダ タロウ"
    assert person.contact_notes == "夜は電話に出ない\n昼は可"
    assert RLO not in person.key_name
    event = AuditEvent.objects.get(action="person.create")
    assert event.changes["name"]["after"] == "山田 太郎"
    assert event.changes["contact_notes"]["after"] == "夜は電話に出ない\n昼は可"


@pytest.mark.django_db
def test_a_text_too_long_for_its_field_is_refused_in_japanese(personas):
    household = people_services.household_create(by=personas["desk"].user, label="山田世帯")
    household.notes = "あ" * (TEXT_MAX_LENGTH + 1)
    household.label = "い" * 101
    with pytest.raises(ValidationError) as refused:
        household.save()
    assert refused.value.message_dict == {
        "notes": [
            f"備考が長すぎます（最大20,000文字、入力は{TEXT_MAX_LENGTH + 1:,}文字）。分けて記録してください。"
        ],
        "label": ["世帯の呼称は100文字以内で入力してください。"],
    }
    household.notes = "あ" * TEXT_MAX_LENGTH
    household.label = "い" * 100
    household.save()
    assert len(Household.objects.get().notes) == TEXT_MAX_LENGTH


# --- a screen -----------------------------------------------------------------------------


@pytest.fixture
def son(personas):
    return people_services.person_create(
        by=personas["desk"].user, name="山田 一郎", name_kana="ヤマダ イチロウ"
    )


def consultation_post(**overrides):
    category = IssueCategory.objects.get(code="hikikomori")
    return {
        "received_on": "令和8年11月21日",
        "channel": "walk_in",
        "consulter_type": "family",
        "consulter_name": f"山田{RLO} 花子",
        "consulter_relation": "長女",
        "categories": [category.pk],
        "primary_category": "",
        "summary": "母の物忘れがひどくなってきた。",
        "consent_to_share": "yes",
        "outcome": "handled",
        **overrides,
    }


@pytest.mark.django_db
def test_a_screen_stores_and_shows_clean_text(login, personas, son):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={son.pk}"
    summary = f"{RLO}息子が{VT}部屋から{ESC_SEQUENCE}出てこない。\r\n母は80代。"
    response = client.post(url, consultation_post(summary=summary))
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.summary == "息子が\n部屋から出てこない。\n母は80代。"
    assert consultation.consulter_name == "山田 花子"
    page = client.get(response["Location"]).content.decode()
    assert "部屋から出てこない" in page
    assert RLO not in page and "\x1b" not in page and VT not in page


@pytest.mark.django_db
def test_a_pasted_book_is_refused_on_the_form_which_keeps_it(login, personas, son):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={son.pk}"
    book = "相談の記録。" * 166_666 + "ここまで"  # a megabyte of characters (3 MB in UTF-8)
    response = client.post(url, consultation_post(summary=book))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"入力が長すぎます（最大20,000文字、入力は{len(book):,}文字）。" in page
    assert "is-invalid" in page
    assert "ここまで</textarea>" in page  # what was typed is still there, to the end
    assert Consultation.objects.count() == 0


def test_every_text_box_of_the_forms_is_limited():
    from django import forms

    class Note(BootstrapForm):
        text = forms.CharField(widget=forms.Textarea)
        title = forms.CharField(max_length=50)

    form = Note({"text": "あ" * (TEXT_MAX_LENGTH + 1), "title": "題"})
    assert not form.is_valid()
    assert form.errors["text"] == [
        f"入力が長すぎます（最大20,000文字、入力は{TEXT_MAX_LENGTH + 1:,}文字）。分けて記録してください。"
    ]
    assert Note({"text": "あ" * TEXT_MAX_LENGTH, "title": "題"}).is_valid()


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_a_request_over_the_limit_gets_a_japanese_page(login, personas, son):
    client = login(personas["desk"])
    url = reverse("consultations:consultation_create") + f"?person={son.pk}"
    response = client.post(url, consultation_post(summary="あ" * 5000))
    assert response.status_code == 400
    page = response.content.decode()
    assert "送信された内容を受け付けられませんでした" in page
    assert "戻る" in page
    assert Consultation.objects.count() == 0


# --- the API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_stores_and_answers_clean_text(login, personas):
    client = login(personas["desk"])
    body = {
        "name": f"佐藤{RLO} 花子",
        "name_kana": f"サトウ{VT}ハナコ",
        "contact_notes": f"{ESC_SEQUENCE}午前中のみ\r\n\x00携帯へ",
    }
    created = client.post("/api/v1/persons", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    answer = client.get(f"/api/v1/persons/{created.json()['id']}").json()
    assert (answer["name"], answer["name_kana"], answer["contact_notes"]) == (
        "佐藤 花子",
        "サトウ ハナコ",
        "午前中のみ\n携帯へ",
    )
    assert Person.objects.get().name == "佐藤 花子"


@pytest.mark.django_db
def test_the_api_refuses_a_pasted_book_with_422_in_japanese(login, personas):
    client = login(personas["desk"])
    body = {"name": "鈴木 一", "name_kana": "スズキ ハジメ", "contact_notes": "あ" * 1_000_000}
    response = client.post("/api/v1/persons", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "入力内容に誤りがあります。",
        "errors": {
            "contact_notes": [
                "連絡上の注意が長すぎます（最大20,000文字、入力は1,000,000文字）。分けて記録してください。"
            ]
        },
    }
    assert Person.objects.count() == 0


# --- a CSV import ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_csv_import_stores_clean_text(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tsunagu.linkage.services.imports import (
        import_map,
        import_start,
        import_upload,
        import_validate,
    )

    by = personas["coordinator"].user
    # the file itself refuses C0 controls (csvfile); the other invisible characters pass it
    text = (
        "利用者番号,氏名,フリガナ,生年月日,性別,住所,電話番号\r\n"
        f'A-1,"山田{RLO} 太郎",ヤマダ タロウ,昭和55年3月1日,男,'
        "岐阜市\u2067今沢町\u20691-2-3\u200b\x9b31m,058-123-4567\r\n"
    )
    batch = import_upload(
        by=by, file=SimpleUploadedFile("a.csv", text.encode()), source_label="介護システム"
    )
    batch = import_map(by=by, batch=batch, mapping=batch.mapping)
    batch = import_validate(by=by, batch=batch)
    import_start(by=by, batch=batch)  # the test settings run the job at once
    person = Person.objects.get()
    assert (person.name, person.name_kana, person.address) == (
        "山田 太郎",
        "ヤマダ タロウ",
        "岐阜市今沢町1-2-3",
    )
