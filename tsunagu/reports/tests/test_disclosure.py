"""開示請求への回答: the program office answers a person's disclosure request with their whole
record and its access history, as Excel and as PDF; anyone else gets 404 (page and API); the
reference number is required; every file is audited; a household member's own records stay
out; tax information stays out."""

from __future__ import annotations

import datetime
import io
import re
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services as case_services
from tsunagu.cases.services import assessment as assessment_services
from tsunagu.community.services import watches as watch_services
from tsunagu.consultations import services as consultation_services
from tsunagu.meetings.models import AgendaItem
from tsunagu.meetings.tests.conftest import *  # noqa: F403
from tsunagu.reports.disclosure import document
from tsunagu.reports.disclosure.record import TAX_WITHHELD

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
SHEETS = [
    "表紙",
    "本人",
    "世帯",
    "相談",
    "つなぎ",
    "事例",
    "同意",
    "支援プラン",
    "支援経過",
    "会議",
    "アウトリーチ",
    "参加支援",
    "見守り",
    "閲覧の根拠",
    "閲覧・変更の履歴",
]
TAX_TEXT = "住民税の課税額：年額 48,000円"
SON_REFERRAL = "息子さんへの訪問をお願いします。"
SON_WATCH = "日中ひとりで過ごしていて、外出がない。"
ACTIVITY = "母を訪問し、介護サービスの希望を聞いた。"
REQUEST = {"reference": "R8開示第12号", "requested_on": "令和8年12月1日", "note": "本人からの請求"}


def page_url(person) -> str:
    return f"/persons/{person.pk}/disclosure/"


def api_url(person, fmt: str, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/v1/reports/persons/{person.pk}/disclosure.{fmt}" + (
        f"?{params}" if params else ""
    )


@pytest.fixture
def record(personas, agencies, consented_case, household_8050, consultation, tax_agency):
    """The mother of the 8050 household: a consultation at the desk, a referral to
    多機関協働 that opened her case (consent, an assessment with a section from the tax office,
    the CSW on the team, an activity), the case on a 重層的支援会議's agenda; reads of her page
    by the desk, the coordinator and the office. Her son has a referral and a watch of his
    own."""
    coordinator, desk = personas["coordinator"].user, personas["desk"].user
    case = consented_case
    case_services.case_transition(by=coordinator, case=case, to="assessment")
    case.refresh_from_db()
    assessment_services.assessment_record(
        by=coordinator,
        case=case,
        sections={
            "person": "母（83歳）は要介護2。",
            "income_debt": TAX_TEXT,
            "wishes": "在宅生活を続けたい。",
        },
        sources=[("income_debt", tax_agency, "")],
    )
    case_services.team_add(by=coordinator, case=case, agency=agencies["csw"], role="訪問")
    case_services.activity_record(
        by=coordinator,
        case=case,
        occurred_on=datetime.date(2026, 12, 1),
        kind="visit",
        summary=ACTIVITY,
    )
    AgendaItem.objects.create(
        meeting=make_meeting(personas, "conference", "重層的支援会議（12月）"),  # noqa: F405
        order=1,
        case=case,
        purpose="information",
        title="母の在宅生活",
    )
    son = household_8050["son"]
    consultation_services.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=agencies["csw"],
        reason=SON_REFERRAL,
        person=son,
    )
    watch_services.watch_create(
        by=desk,
        person=son,
        reason=SON_WATCH,
        frequency="weekly",
        starts_on=datetime.date(2026, 12, 1),
    )
    return {"person": household_8050["mother"], "son": son, "case": case}


@pytest.fixture
def read_by_three(client, personas, record):
    mother = record["person"]
    for name in ("desk", "coordinator", "officer"):
        client.force_login(personas[name].user)
        assert client.get(f"/persons/{mother.pk}/").status_code == 200
    client.logout()
    return record


def workbook_of(response):
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body), read_only=True)


def texts(sheet) -> str:
    return "\n".join(
        str(value) for row in sheet.iter_rows(values_only=True) for value in row if value
    )


# ---------------------------------------------------------------------------- the workbook


def test_the_office_gets_every_part_and_the_access_history(login, personas, read_by_three):
    mother = read_by_three["person"]
    client = login(personas["officer"])
    response = client.post(page_url(mother), {**REQUEST, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="disclosure_person_{mother.pk}_' in response["Content-Disposition"]
    book = workbook_of(response)
    assert book.sheetnames == SHEETS
    sheets = {name: texts(book[name]) for name in SHEETS}

    cover = sheets["表紙"]
    assert settings.TSUNAGU["MUNICIPALITY_NAME"] in cover
    assert "山田 フミ（ヤマダ フミ）" in cover
    assert "R8開示第12号" in cover and "令和8年12月1日" in cover
    assert "officer さん（重層的支援推進室・自治体職員（事務局））" in cover

    assert "昭和18年5月2日（1943-05-02）" in sheets["本人"]
    assert "山田世帯" in sheets["世帯"] and "世帯主" in sheets["世帯"]
    assert "母の介護が必要になり" in sheets["相談"] and "◎8050問題" in sheets["相談"]
    assert "世帯全体の支援が必要です。" in sheets["つなぎ"]
    assert "福祉まるごと支援員（社協）" in sheets["事例"] and "訪問" in sheets["事例"]
    assert "署名（利用申込書）" in sheets["同意"]
    assert ACTIVITY in sheets["支援経過"]
    assert "重層的支援会議（12月）" in sheets["会議"] and "母の在宅生活" in sheets["会議"]
    assert "地域包括支援センター中央" in sheets["閲覧の根拠"]

    # the access history: the reads of the three agencies, with the Japanese labels
    history = book["閲覧・変更の履歴"]
    rows = list(history.iter_rows(values_only=True))
    heading = next(n for n, row in enumerate(rows) if row[0] == "日時")
    columns = rows[heading]
    index = {name: columns.index(name) for name in ("操作", "所属機関", "役割", "操作者")}
    events = [row for row in rows[heading + 1 :] if row[0]]
    reads = [row for row in events if row[index["操作"]] == "本人の閲覧"]
    assert {row[index["所属機関"]] for row in reads} == {
        "地域包括支援センター中央",
        "福祉まるごと支援員（社協）",
        "重層的支援推進室",
    }
    assert {row[index["役割"]] for row in reads} >= {
        "相談支援機関職員",
        "多機関協働事業者（コーディネーター）",
    }
    assert "desk さん" in {row[index["操作者"]] for row in reads}
    assert "相談の登録" in {row[index["操作"]] for row in events}
    # newest first
    moments = [row[0] for row in events]
    assert moments == sorted(moments, reverse=True)
    # both the ISO date-time and its 和暦
    assert columns[1] == "日時（和暦）" and str(events[0][1]).startswith("令和")


def test_tax_information_and_the_sons_own_records_stay_out(login, personas, read_by_three):
    mother, son = read_by_three["person"], read_by_three["son"]
    response = login(personas["officer"]).post(page_url(mother), {**REQUEST, "format": "xlsx"})
    book = workbook_of(response)
    sheets = {name: texts(book[name]) for name in SHEETS}
    everything = "\n".join(sheets.values())
    assert TAX_TEXT not in everything
    assert "市民税課" not in sheets["事例"]
    assert TAX_WITHHELD in sheets["事例"]
    assert "母（83歳）は要介護2。" in sheets["事例"]
    # the son: named in the household listing, nothing of his own records
    assert son.name in sheets["世帯"]
    for name in SHEETS:
        if name not in ("世帯", "閲覧・変更の履歴"):
            assert son.name not in sheets[name], name
    assert SON_REFERRAL not in everything
    assert SON_WATCH not in everything
    assert "1974" not in sheets["世帯"]  # no birth date of another member


def test_the_export_is_audited_with_the_reference(login, personas, read_by_three):
    mother = read_by_three["person"]
    login(personas["officer"]).post(page_url(mother), {**REQUEST, "format": "xlsx"})
    event = AuditEvent.objects.filter(action="person.disclosure_export").get()
    assert event.actor == personas["officer"].user
    assert event.acting_agency == personas["officer"].agency
    assert list(event.person_links.values_list("person_id", flat=True)) == [mother.pk]
    assert "R8開示第12号" in event.purpose
    context = event.context
    assert context["format"] == "xlsx"
    assert context["reference"] == "R8開示第12号"
    assert context["requested_on"] == "2026-12-01"
    assert context["parts"]["consultations"] == 1
    assert context["parts"]["activities"] == 1
    assert context["parts"]["history"] >= 3
    assert context["tables"]["cases"]["アセスメント"] == 3  # two sections and the marker
    from tsunagu.audit.labels import action_label

    assert action_label("person.disclosure_export").startswith("開示請求への回答")


# ---------------------------------------------------------------------------- the PDF


def test_the_pdf_renders_with_the_person_and_the_history(
    login, personas, read_by_three, monkeypatch
):
    mother = read_by_three["person"]
    seen: list[str] = []
    real = document.render_pdf

    def render(html, **kwargs):
        seen.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(document, "render_pdf", render)
    response = login(personas["officer"]).post(page_url(mother), {**REQUEST, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    html = seen[-1]
    assert "山田 フミ" in html and "R8開示第12号" in html
    assert 'data-testid="disclosure-part-history"' in html
    assert "地域包括支援センター中央" in html and "本人の閲覧" in html
    assert ACTIVITY in html and TAX_TEXT not in html and SON_REFERRAL not in html
    inflated = [response.content]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", response.content, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    assert b"IPAexGothic" in b"\n".join(inflated)
    event = AuditEvent.objects.filter(action="person.disclosure_export").get()
    assert event.context["format"] == "pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "disclosure_sample.pdf").write_bytes(response.content)  # for a human eye


def test_the_pdf_lists_the_newest_events_up_to_its_limit(
    login, personas, read_by_three, monkeypatch
):
    """A long history: the PDF prints the newest events and says how many more the workbook
    holds; the audit says so too."""
    from tsunagu.reports.disclosure.record import access as history

    mother = read_by_three["person"]
    monkeypatch.setattr(history, "PDF_EVENT_LIMIT", 2)
    seen: list[str] = []
    monkeypatch.setattr(document, "render_pdf", lambda html, **kw: seen.append(html) or b"%PDF")
    response = login(personas["officer"]).post(page_url(mother), {**REQUEST, "format": "pdf"})
    assert response.status_code == 200
    assert 'data-testid="disclosure-truncated"' in seen[-1]
    event = AuditEvent.objects.filter(action="person.disclosure_export").get()
    assert event.context["parts"]["history"] == 2
    skipped = event.context["truncated"]["history"]["閲覧・変更の履歴"]
    assert skipped == AuditEvent.objects.concerning_person(mother.pk).count() - 1 - 2


# ---------------------------------------------------------------------------- the page


def test_the_office_sees_the_entry_and_the_counts(login, personas, read_by_three):
    mother = read_by_three["person"]
    client = login(personas["officer"])
    person_page = client.get(f"/persons/{mother.pk}/").content.decode()
    assert 'data-testid="disclosure-link"' in person_page
    assert page_url(mother) in person_page
    response = client.get(page_url(mother))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="disclosure-count-consultations"' in body
    assert 'data-testid="disclosure-xlsx"' in body and 'data-testid="disclosure-pdf"' in body
    event = AuditEvent.objects.filter(action="person.disclosure_view").latest("seq")
    assert event.context["counts"]["cases"] == 1
    assert list(event.person_links.values_list("person_id", flat=True)) == [mother.pk]


def test_without_a_reference_number_nothing_is_made(login, personas, record):
    mother = record["person"]
    client = login(personas["officer"])
    response = client.post(page_url(mother), {"requested_on": "令和8年12月1日", "format": "xlsx"})
    assert response.status_code == 422
    assert "開示請求の受付番号を入力してください。" in response.content.decode()
    api = client.get(api_url(mother, "xlsx", requested_on="2026-12-01"))
    assert api.status_code == 422
    assert api.json()["errors"]["reference"] == ["開示請求の受付番号を入力してください。"]
    assert not AuditEvent.objects.filter(action="person.disclosure_export").exists()


@pytest.mark.parametrize("name", ["desk", "coordinator", "admin", "unrelated", "guest"])
def test_everyone_but_the_office_gets_404(login, personas, record, name):
    mother = record["person"]
    client = login(personas[name])
    assert (
        'data-testid="disclosure-link"' not in client.get(f"/persons/{mother.pk}/").content.decode()
    )
    assert client.get(page_url(mother)).status_code == 404
    assert client.post(page_url(mother), {**REQUEST, "format": "xlsx"}).status_code == 404
    for fmt in ("xlsx", "pdf"):
        query = {"reference": "R8-12", "requested_on": "2026-12-01"}
        assert client.get(api_url(mother, fmt, **query)).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="person.disclosure").exists()


def test_the_api_answers_the_office(login, personas, read_by_three):
    mother = read_by_three["person"]
    client = login(personas["officer"])
    response = client.get(api_url(mother, "xlsx", reference="R8-12", requested_on="2026-12-01"))
    assert response.status_code == 200
    assert workbook_of(response).sheetnames == SHEETS
    event = AuditEvent.objects.filter(action="person.disclosure_export").get()
    assert event.via == "api" and event.context["reference"] == "R8-12"
    assert client.get(api_url(mother, "xlsx", reference="x")).status_code == 422
    missing = api_url(
        type(mother)(pk=mother.pk + 999), "xlsx", reference="x", requested_on="2026-12-01"
    )
    assert client.get(missing).status_code == 404
