"""事例概要シート: what the sheet holds (tax never, consent gate, 特記事項, 支援会議 notice),
who may open it on screen, as a PDF and over the API, and the audit of every read."""

import datetime
import json
import re
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI

from conftest import make_persona
from tsunagu.accounts.models import Role
from tsunagu.api import errors
from tsunagu.api.auth import MembershipSessionAuth, TokenAuth
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services as case_services
from tsunagu.cases.models import Activity, PlanItem, SupportPlan
from tsunagu.cases.selectors.assessment import TAX_WITHHELD
from tsunagu.cases.services import assessment as assessment_services
from tsunagu.meetings import summary
from tsunagu.meetings.models import AgendaItem
from tsunagu.meetings.pdf import render_pdf
from tsunagu.meetings.summary_api import router as summary_router
from tsunagu.urls import urlpatterns as project_urlpatterns

from .conftest import add_member

# The sheet's API router, mounted for these tests before the project's own URLs (the project
# API registers it in tsunagu/api_v1.py), with the same error answers.
test_api = NinjaAPI(
    auth=[TokenAuth(), MembershipSessionAuth()], urls_namespace="summary_sheet_api_test"
)
errors.install(test_api)
test_api.add_router("/", summary_router)
urlpatterns = [path("api/v1/", test_api.urls), *project_urlpatterns]
THIS_URLCONF = __name__

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TAX_TEXT = "住民税の課税額：年額 48,000円（非課税ではない）"
ADDRESS = "岐阜県テスト市本町1丁目2番3号"
PHONE = "058-111-2222"


def embedded_fonts(pdf: bytes) -> bytes:
    """The PDF's bytes with its compressed streams inflated (font dictionaries sit in an
    object stream), to look for the embedded font names."""
    inflated = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def sheet_url(item) -> str:
    return f"/meetings/{item.meeting_id}/items/{item.pk}/sheet/"


def pdf_url(item) -> str:
    return f"/meetings/{item.meeting_id}/items/{item.pk}/sheet.pdf"


def api_url(item, suffix: str = "sheet") -> str:
    return f"/api/v1/meetings/{item.meeting_id}/items/{item.pk}/{suffix}"


@pytest.fixture
def filled_case(personas, consented_case, household_8050, agencies, tax_agency):
    """The consented 8050 case with an assessment (one section from the tax office), a plan
    under discussion, a team and some activity; the mother has an address and phone."""
    case = consented_case
    by = personas["coordinator"].user
    mother = household_8050["mother"]
    mother.address, mother.phone = ADDRESS, PHONE
    mother.sex = "female"
    mother.save()
    case_services.case_transition(by=by, case=case, to="assessment")
    case.refresh_from_db()
    assessment_services.assessment_record(
        by=by,
        case=case,
        sections={
            "person": "母（83歳）は要介護2。長男と二人暮らし。",
            "health": "母は膝の痛みで外出が難しい。長男は通院歴なし。",
            "income_debt": TAX_TEXT,
            "wishes": "母：息子が外とつながってほしい。長男：今は会いたくない。",
            "assessor_view": "世帯全体の支援が必要。長男への接触は手紙から始める。",
        },
        sources=[
            ("health", agencies["houkatsu"], "R8.11 訪問時"),
            ("income_debt", tax_agency, ""),
        ],
    )
    case_services.team_add(by=by, case=case, agency=agencies["csw"], role="アウトリーチ")
    plan = SupportPlan.objects.create(
        case=case,
        version=1,
        kind="initial",
        status="in_conference",
        goals="母が安心して在宅生活を続け、長男が少しずつ外出できる。",
        policy="地域包括が母の介護を、CSWが長男への関係づくりを担う。",
        next_monitoring_on=datetime.date(2027, 3, 8),
        created_by=by,
    )
    PlanItem.objects.create(
        plan=plan,
        order=1,
        issue="母の介護",
        action="介護サービスの調整",
        agency=agencies["houkatsu"],
        frequency="月1回",
    )
    PlanItem.objects.create(
        plan=plan,
        order=2,
        issue="長男の孤立",
        action="手紙と訪問による関係づくり",
        agency=agencies["csw"],
        frequency="週1回",
        statutory_service="outreach",
    )
    for days, summary_text in ((10, "訪問（不在）"), (40, "手紙を投函"), (200, "古い記録")):
        Activity.objects.create(
            case=case,
            occurred_on=datetime.date(2026, 12, 8) - datetime.timedelta(days=days),
            kind="visit",
            agency=agencies["csw"],
            summary=summary_text,
            recorded_by=by,
        )
    case.refresh_from_db()
    return case


@pytest.fixture
def filled_item(conference, filled_case):
    plan = filled_case.plans.get()
    return AgendaItem.objects.create(
        meeting=conference, order=1, case=filled_case, plan=plan, purpose="plan_adoption"
    )


# ---------------------------------------------------------------------------- the sheet


def test_sheet_holds_the_common_format(filled_item, household_8050):
    sheet = summary.summary_sheet(filled_item)
    assert sheet["personal_content"] is True
    meeting = sheet["meeting"]
    assert meeting["date_wareki"].startswith("令和8年12月8日")
    assert "重層的支援体制整備事業実施要綱" in meeting["legal_basis"]
    assert "本人同意の範囲" in meeting["legal_basis"]
    assert meeting["confidentiality_notice"] == ""
    assert sheet["item"]["purpose_label"] == "プランの決定"
    case = sheet["case"]
    assert case["person"] == {
        "name": "山田 フミ",
        "name_kana": "ヤマダ フミ",
        "age": 83,
        "sex": "female",
        "sex_label": "女",
    }
    members = case["household"]["members"]
    assert [(m["relation_label"], m["age"], m["is_person"]) for m in members] == [
        ("世帯主", 83, True),
        ("子", 52, False),
    ]
    assert case["issue_categories"] == ["高齢・介護", "ひきこもり", "8050問題"]
    sections = {s["code"]: s for s in case["assessment"]["sections"]}
    assert sections["health"]["sources"] == ["地域包括支援センター中央"]
    assert "膝の痛み" in sections["health"]["text"]
    plan = case["plan"]
    assert plan["under_discussion"] is True
    assert [(i["agency"], i["statutory_label"]) for i in plan["items"]] == [
        ("地域包括支援センター中央", ""),
        ("コミュニティソーシャルワーカー", "アウトリーチ等を通じた継続的支援事業"),
    ]
    assert case["recent_activity"]["count"] == 2
    assert case["recent_activity"]["total"] == 3
    assert "コミュニティソーシャルワーカー" in [t["agency"] for t in case["team"]]
    # never the address or telephone, nor the household members' names
    dumped = json.dumps(sheet, ensure_ascii=False, default=str)
    assert ADDRESS not in dumped
    assert PHONE not in dumped
    assert "山田 一郎" not in dumped


def test_tax_information_is_never_on_the_sheet(filled_item, confidential):
    sheet = summary.summary_sheet(filled_item)
    sections = {s["code"]: s for s in sheet["case"]["assessment"]["sections"]}
    assert sections["income_debt"]["withheld"] is True
    assert sections["income_debt"]["text"] == TAX_WITHHELD
    assert sections["income_debt"]["sources"] == []
    assert sections["health"]["withheld"] is False
    assert TAX_TEXT not in json.dumps(sheet, ensure_ascii=False, default=str)
    # not even at a 支援会議
    item = AgendaItem.objects.create(
        meeting=confidential, case=filled_item.case, purpose="information"
    )
    dumped = json.dumps(summary.summary_sheet(item), ensure_ascii=False, default=str)
    assert TAX_TEXT not in dumped
    assert "市民税課" not in dumped


def test_conference_without_consent_shows_only_a_notice(personas, conference, case):
    item = AgendaItem.objects.create(meeting=conference, case=case, purpose="information")
    sheet = summary.summary_sheet(item)
    assert sheet["personal_content"] is False
    assert sheet["case"] is None
    assert sheet["case_number"] == case.pk
    assert "同意" in sheet["notice"]
    assert "山田" not in json.dumps(sheet, ensure_ascii=False, default=str)


def test_conference_consent_must_allow_sharing_in_the_conference(
    personas, conference, case, agencies
):
    by = personas["coordinator"].user
    case_services.consent_record(
        by=by,
        case=case,
        given_by="山田 フミ",
        given_on=case.opened_on,
        method="signature",
        scope_agencies=[agencies["council"]],
        share_in_conference=False,
        notes="長男の病歴は共有しない",
    )
    item = AgendaItem.objects.create(meeting=conference, case=case, purpose="information")
    sheet = summary.summary_sheet(item)
    assert sheet["personal_content"] is False
    assert sheet["consent_notes"] == ""  # nothing personal, not even the notes
    case_services.consent_record(
        by=by,
        case=case,
        given_by="山田 フミ",
        given_on=case.opened_on,
        method="signature",
        scope_agencies=[agencies["council"]],
        share_in_conference=True,
    )
    assert summary.summary_sheet(item)["personal_content"] is True
    case_services.consent_withdraw(by=by, case=case, given_on=case.opened_on, given_by="山田 フミ")
    assert summary.summary_sheet(item)["personal_content"] is False


def test_consent_notes_are_printed_as_a_warning(personas, conference, consented_case, agencies):
    case_services.consent_record(
        by=personas["coordinator"].user,
        case=consented_case,
        given_by="山田 フミ",
        given_on=consented_case.opened_on,
        method="signature",
        scope_agencies=[agencies["council"]],
        share_in_conference=True,
        notes="長男の病歴は会議で共有しない",
    )
    item = AgendaItem.objects.create(meeting=conference, case=consented_case, purpose="progress")
    assert summary.summary_sheet(item)["consent_notes"] == "長男の病歴は会議で共有しない"


def test_confidential_meeting_shares_without_consent_under_the_duty(confidential_item):
    sheet = summary.summary_sheet(confidential_item)
    assert sheet["personal_content"] is True
    assert sheet["case"]["person"]["name"] == "山田 フミ"
    assert "社会福祉法第106条の6" in sheet["meeting"]["legal_basis"]
    assert "秘密を漏らしてはなりません" in sheet["meeting"]["confidentiality_notice"]
    assert "支援会議資料（守秘義務あり）" in sheet["meeting"]["header"]
    assert sheet["case"]["assessment"] is None
    assert sheet["case"]["plan"] is None


def test_item_without_a_case_has_the_title_only(conference):
    item = AgendaItem.objects.create(
        meeting=conference, purpose="resource", title="ひきこもりの方の居場所づくり"
    )
    sheet = summary.summary_sheet(item)
    assert sheet["case"] is None
    assert sheet["case_number"] is None
    assert sheet["personal_content"] is False
    assert sheet["item"]["title"] == "ひきこもりの方の居場所づくり"
    assert summary.sheet_filename(item) == f"事例概要シート_議題{item.pk}.pdf"


def test_plan_under_discussion_wins_over_a_newer_draft(personas, filled_item):
    SupportPlan.objects.create(
        case=filled_item.case,
        version=2,
        kind="replan",
        status="draft",
        goals="別の目標",
        policy="別の方針",
        created_by=personas["coordinator"].user,
    )
    assert summary.summary_sheet(filled_item)["case"]["plan"]["version"] == 1
    filled_item.plan = None
    assert summary.summary_sheet(filled_item)["case"]["plan"]["version"] == 2


# ---------------------------------------------------------------------------- screens


def test_coordinator_reads_the_sheet_and_it_is_audited(login, personas, filled_item):
    response = login(personas["coordinator"]).get(sheet_url(filled_item))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="summary-sheet"' in body
    assert "山田 フミ" in body
    assert "PDFをダウンロード" in body
    assert TAX_WITHHELD in body
    assert TAX_TEXT not in body
    assert ADDRESS not in body
    assert 'data-testid="sheet-confidential-notice"' not in body
    event = AuditEvent.objects.filter(action="meeting.summary_sheet").latest("seq")
    assert event.actor == personas["coordinator"].user
    assert event.target_type == "meetings.agendaitem"
    assert event.target_id == str(filled_item.pk)
    assert event.context["meeting"] == filled_item.meeting_id
    assert event.context["case"] == filled_item.case_id
    assert event.context["format"] == "html"
    assert event.person_ids == filled_item.case.subject_persons()


def test_unrelated_worker_gets_404(login, personas, filled_item):
    client = login(personas["unrelated"])
    assert client.get(sheet_url(filled_item)).status_code == 404
    assert client.get(pdf_url(filled_item)).status_code == 404
    assert not AuditEvent.objects.filter(action="meeting.summary_sheet").exists()


def test_admin_role_gets_403(login, personas, conference_item):
    assert login(personas["admin"]).get(sheet_url(conference_item)).status_code == 403


def test_item_of_another_meeting_gets_404(login, personas, conference_item, confidential):
    url = f"/meetings/{confidential.pk}/items/{conference_item.pk}/sheet/"
    assert login(personas["coordinator"]).get(url).status_code == 404


def test_member_from_another_agency_sees_the_conference_sheet(
    login, personas, conference, conference_item
):
    client = login(personas["desk"])
    assert client.get(sheet_url(conference_item)).status_code == 404
    add_member(conference, personas["desk"])
    assert client.get(sheet_url(conference_item)).status_code == 200


def test_confidential_meeting_needs_the_members_pledge(
    login, personas, confidential, confidential_item
):
    member = add_member(confidential, personas["desk"])
    client = login(personas["desk"])
    response = client.get(sheet_url(confidential_item))
    assert response.status_code == 403
    assert "守秘義務の誓約" in response.content.decode()
    assert client.get(pdf_url(confidential_item)).status_code == 403
    assert not AuditEvent.objects.filter(action="meeting.summary_sheet").exists()
    member.pledged_at = timezone.now()
    member.pledge_recorded_by = personas["coordinator"].user
    member.save()
    response = client.get(sheet_url(confidential_item))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="sheet-confidential-notice"' in body
    assert "支援会議資料（守秘義務あり）" in body


def test_convening_coordinator_without_membership_needs_a_pledge_too(
    login, personas, confidential_item
):
    response = login(personas["coordinator"]).get(sheet_url(confidential_item))
    assert response.status_code == 403


def test_guest_sees_the_sheet_only_while_invited(login, personas, conference, conference_item):
    client = login(personas["guest"])
    assert client.get(sheet_url(conference_item)).status_code == 404
    member = add_member(
        conference,
        personas["guest"],
        is_guest=True,
        invited_until=timezone.now() + datetime.timedelta(days=1),
    )
    assert client.get(sheet_url(conference_item)).status_code == 200
    member.invited_until = timezone.now() - datetime.timedelta(minutes=1)
    member.save()
    assert client.get(sheet_url(conference_item)).status_code == 404
    member.invited_until = None
    member.invitation_revoked_at = timezone.now()
    member.save()
    assert client.get(sheet_url(conference_item)).status_code == 404


def test_sheet_without_consent_shows_the_notice_on_screen(login, personas, conference, case):
    item = AgendaItem.objects.create(meeting=conference, case=case, purpose="information")
    body = login(personas["coordinator"]).get(sheet_url(item)).content.decode()
    assert 'data-testid="sheet-notice"' in body
    assert 'data-testid="sheet-person"' not in body
    event = AuditEvent.objects.filter(action="meeting.summary_sheet").latest("seq")
    assert event.context["personal_content"] is False


@pytest.mark.urls(THIS_URLCONF)
@pytest.mark.parametrize("name", ["tax", "coordinator", "officer", "desk"])
def test_no_reader_of_the_sheet_finds_tax_information_even_the_tax_office(
    login, personas, filled_item, tax_agency, monkeypatch, name
):
    """The sheet is the meeting's material: the tax section is withheld whoever opens it, on
    screen, in the PDF (its HTML before rendering) and over the API, the tax office too."""
    from tsunagu.meetings import summary_views

    people = {**personas, "tax": make_persona("tax", tax_agency, Role.DESK_WORKER)}
    if name in ("tax", "desk"):
        add_member(filled_item.meeting, people[name])
    rendered: list[str] = []
    monkeypatch.setattr(
        summary_views, "render_pdf", lambda html, **kw: rendered.append(html) or b"%PDF-1.7"
    )
    client = login(people[name])
    screen = client.get(sheet_url(filled_item))
    pdf = client.get(pdf_url(filled_item))
    api = client.get(api_url(filled_item))
    api_pdf = client.get(api_url(filled_item, "sheet.pdf"))
    assert [r.status_code for r in (screen, pdf, api, api_pdf)] == [200] * 4, name
    assert len(rendered) == 2
    for body in (screen.content.decode(), api.content.decode(), *rendered):
        assert TAX_TEXT not in body, name
        assert "情報元：市民税課" not in body, name
    for body in (api.content.decode(), *rendered):  # the screen names the reader's agency
        assert "市民税課" not in body, name
    assert TAX_WITHHELD in screen.content.decode() and TAX_WITHHELD in rendered[0]
    sections = {s["code"]: s for s in api.json()["case"]["assessment"]["sections"]}
    assert sections["income_debt"] == {
        "code": "income_debt",
        "label": "収入・債務",
        "text": TAX_WITHHELD,
        "sources": [],
        "withheld": True,
    }


def test_pdf_download(login, personas, filled_item):
    response = login(personas["coordinator"]).get(pdf_url(filled_item))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    expected = quote(f"事例概要シート_事例{filled_item.case_id}.pdf")
    assert response["Content-Disposition"] == (
        f'attachment; filename="case_summary_sheet_case{filled_item.case_id}.pdf"; '
        f"filename*=UTF-8''{expected}"
    )
    assert expected.startswith("%E4%BA%8B%E4%BE%8B")  # 事例 percent-encoded as UTF-8
    assert response.content.startswith(b"%PDF")
    assert b"IPAex" in embedded_fonts(response.content)
    event = AuditEvent.objects.filter(action="meeting.summary_sheet").latest("seq")
    assert event.context["format"] == "pdf"


# ---------------------------------------------------------------------------- PDF


def test_render_pdf_embeds_ipaex_and_refuses_remote_urls(settings):
    html = (
        "<html><body><p>事例概要シート 取扱注意</p>"
        '<img src="http://example.invalid/x.png"></body></html>'
    )
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert b"+IPAexGothic" in embedded_fonts(pdf)
    from tsunagu.meetings.pdf import _is_local

    assert not _is_local("http://example.invalid/x.png")
    assert not _is_local("file:///etc/passwd")
    assert _is_local("data:text/plain,abc")


def test_sample_sheet_pdf_artifact(rf, personas, filled_item, confidential):
    """A realistic sheet, kept for a human eye (test-artifacts/summary_sheet_sample.pdf)."""
    from django.template.loader import render_to_string

    item = AgendaItem.objects.create(
        meeting=confidential, case=filled_item.case, plan=filled_item.plan, purpose="progress"
    )
    sheet = summary.summary_sheet(item)
    html = render_to_string("meetings/summary_sheet_pdf.html", {"sheet": sheet})
    pdf = render_pdf(html, header=sheet["meeting"]["header"])
    assert pdf.startswith(b"%PDF")
    assert b"IPAexMincho" in embedded_fonts(pdf)  # the title
    assert b"IPAexGothic" in embedded_fonts(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "summary_sheet_sample.pdf").write_bytes(pdf)


# ---------------------------------------------------------------------------- API


@pytest.mark.urls(THIS_URLCONF)
def test_api_sheet_json(login, personas, filled_item):
    response = login(personas["coordinator"]).get(api_url(filled_item))
    assert response.status_code == 200
    data = response.json()
    assert data["personal_content"] is True
    assert data["case"]["person"]["name"] == "山田 フミ"
    sections = {s["code"]: s for s in data["case"]["assessment"]["sections"]}
    assert sections["income_debt"]["withheld"] is True
    assert TAX_TEXT not in response.content.decode()
    event = AuditEvent.objects.filter(action="meeting.summary_sheet").latest("seq")
    assert event.context["format"] == "json"
    assert event.via == "api"


@pytest.mark.urls(THIS_URLCONF)
def test_api_sheet_gates(login, personas, confidential, confidential_item):
    assert login(personas["unrelated"]).get(api_url(confidential_item)).status_code == 404
    member = add_member(confidential, personas["desk"])
    client = login(personas["desk"])
    response = client.get(api_url(confidential_item))
    assert response.status_code == 403
    assert "守秘義務の誓約" in response.json()["detail"]
    assert client.get(api_url(confidential_item, "sheet.pdf")).status_code == 403
    assert not AuditEvent.objects.filter(action="meeting.summary_sheet").exists()
    member.pledged_at = timezone.now()
    member.save()
    data = client.get(api_url(confidential_item)).json()
    assert "秘密を漏らしてはなりません" in data["meeting"]["confidentiality_notice"]


@pytest.mark.urls(THIS_URLCONF)
def test_api_sheet_pdf(login, personas, conference_item):
    response = login(personas["coordinator"]).get(api_url(conference_item, "sheet.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="meeting.summary_sheet").latest("seq")
    assert event.context["format"] == "pdf"
