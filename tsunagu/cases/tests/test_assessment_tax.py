"""Tax information is never shared (domain.md §6): an assessment section whose information came
from an agency holding tax information (税務部門) reaches nobody but the users acting for that
agency — not the case's coordinator, not the program office, not another team agency — on the
page and its versions, the API, the edit form (which carries the section over unchanged), the
case list's search and files, and the audit record of each new version."""

import json

import pytest
from django.urls import reverse

from conftest import make_persona
from tsunagu.accounts.models import Agency, Role
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services
from tsunagu.cases.models import Assessment, CaseStatus
from tsunagu.cases.selectors.assessment import (
    TAX_IN_AUDIT,
    TAX_WITHHELD,
    assessment_get,
    withheld_sections,
)
from tsunagu.cases.services.assessment import assessment_record
from tsunagu.cases.tests.conftest import give_consent

pytestmark = pytest.mark.django_db

TAX_TEXT = "住民税の課税額：年額 48,000円（滞納あり）"
TAX_NOTE = "R8.6 課税台帳より"
TAX_WORD = "滞納あり"
SHEET = {
    "person": "80代女性。膝が悪く外出が減っている。",
    "household": "50代の長男と二人暮らし。長男は長くひきこもり。",
    "income_debt": TAX_TEXT,
    "wishes": "このまま家で暮らしたい。息子の先を案じている。",
    "assessor_view": "世帯全体の支援が必要。まず長男との関係づくりから。",
}
# who may read the case's assessment at all, and none of them but the tax office's worker
# reads the tax section
OTHERS = ("coordinator", "officer", "desk")
API = "/api/v1"


@pytest.fixture
def tax_agency(city):
    return Agency.objects.create(
        code="tax",
        name="市民税課",
        field="other",
        operation="direct",
        area=city,
        holds_tax_information=True,
    )


@pytest.fixture
def people(personas, tax_agency):
    """The personas and ``tax``: a worker acting for the tax office."""
    return {**personas, "tax": make_persona("tax", tax_agency, Role.DESK_WORKER)}


@pytest.fixture
def taxed_case(people, consented_case, agencies, tax_agency):
    """A case in アセスメント whose team includes the tax office, with a consent naming the
    地域包括 and the tax office, and a first version whose 収入・債務 came from the tax office."""
    coordinator = people["coordinator"].user
    services.team_add(by=coordinator, case=consented_case, agency=tax_agency, role="税務")
    give_consent(people, consented_case, agencies["council"], agencies["houkatsu"], tax_agency)
    case = services.case_transition(by=coordinator, case=consented_case, to=CaseStatus.ASSESSMENT)
    assessment_record(
        by=coordinator,
        case=case,
        sections=SHEET,
        sources=[
            ("income_debt", tax_agency, TAX_NOTE),
            ("household", agencies["houkatsu"], "本人から"),
        ],
    )
    return case


def url(name, case):
    return reverse(f"cases:{name}", args=[case.pk])


def text(response) -> str:
    return response.content.decode()


# -------------------------------------------------------------------------------- the rule


def test_the_rule_withholds_tax_sections_from_all_but_the_tax_office(
    people, agencies, taxed_case, tax_agency
):
    latest = assessment_get(case=taxed_case)
    for name in (*OTHERS, "participation"):
        assert withheld_sections(latest, people[name].user) == {"income_debt"}, name
    assert withheld_sections(latest, people["tax"].user) == frozenset()
    assert withheld_sections(latest, None) == {"income_debt"}  # an audience (a meeting)
    # a section naming two tax offices is withheld from each of them
    other_tax = Agency.objects.create(
        code="tax2",
        name="資産税課",
        field="other",
        operation="direct",
        area=tax_agency.area,
        holds_tax_information=True,
    )
    assessment_record(
        by=people["coordinator"].user,
        case=taxed_case,
        sections={**SHEET, "housing": "固定資産税の評価額"},
        sources=[("housing", other_tax, ""), ("housing", agencies["houkatsu"], "")],
    )
    latest = assessment_get(case=taxed_case)
    assert withheld_sections(latest, people["tax"].user) == {"housing"}
    assert withheld_sections(latest, people["coordinator"].user) == {"housing", "income_debt"}


# ---------------------------------------------------------------------- the page, versions


@pytest.mark.parametrize("name", OTHERS)
def test_page_and_versions_withhold_the_tax_section(login, people, taxed_case, name):
    assessment_record(
        by=people["coordinator"].user,
        case=taxed_case,
        sections={"wishes": SHEET["wishes"], "work": "長男は就労経験なし。"},
    )
    client = login(people[name])
    for query in ("", "?version=1", "?version=2"):
        response = client.get(url("assessment_detail", taxed_case) + query)
        assert response.status_code == 200, (name, query)
        body = text(response)
        assert TAX_TEXT not in body and TAX_NOTE not in body, (name, query)
        assert "市民税課" not in body, (name, query)
        assert TAX_WITHHELD in body
        assert SHEET["wishes"] in body  # the rest of the sheet is there


def test_the_tax_office_reads_its_own_section(login, people, taxed_case):
    body = text(login(people["tax"]).get(url("assessment_detail", taxed_case)))
    assert TAX_TEXT in body and TAX_NOTE in body
    assert "情報元：市民税課" in body
    assert TAX_WITHHELD not in body


# ------------------------------------------------------------------------------------ API


@pytest.mark.parametrize("name", OTHERS)
def test_api_answers_null_and_names_the_withheld_sections(login, people, taxed_case, name):
    client = login(people[name])
    for query in ("", "?version=1"):
        response = client.get(f"{API}/cases/{taxed_case.pk}/assessment{query}")
        assert response.status_code == 200
        assert TAX_TEXT not in text(response) and TAX_NOTE not in text(response)
        body = response.json()
        assert body["withheld_sections"] == ["income_debt"]
        sections = {s["code"]: s for s in body["sections"]}
        assert sections["income_debt"]["text"] is None
        assert sections["income_debt"]["sources"] == []
        assert sections["income_debt"]["withheld"] is True
        assert sections["household"]["withheld"] is False
        assert sections["household"]["text"] == SHEET["household"]


def test_api_answers_the_tax_office_in_full(login, people, taxed_case):
    body = login(people["tax"]).get(f"{API}/cases/{taxed_case.pk}/assessment").json()
    assert body["withheld_sections"] == []
    sections = {s["code"]: s for s in body["sections"]}
    assert sections["income_debt"]["text"] == TAX_TEXT
    assert sections["income_debt"]["sources"][0]["note"] == TAX_NOTE


def test_openapi_documents_the_withheld_sections(client):
    schemas = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    assert "withheld_sections" in schemas["AssessmentOut"]["properties"]
    assert "税務" in schemas["AssessmentOut"]["properties"]["withheld_sections"]["description"]
    assert "withheld" in schemas["AssessmentSectionOut"]["properties"]


@pytest.mark.parametrize("sent", [None, "", "書き換えた課税の内容"])
def test_api_recording_carries_the_withheld_section_over(
    login, people, agencies, taxed_case, tax_agency, sent
):
    sections = {"wishes": "家で暮らし続けたい（再確認）"}
    if sent is not None:
        sections["income_debt"] = sent
    body = {
        "sections": sections,
        # a source sent for the withheld section is set aside too
        "sources": [{"section": "income_debt", "agency_id": agencies["csw"].pk, "note": ""}]
        if sent
        else [],
    }
    response = login(people["coordinator"]).post(
        f"{API}/cases/{taxed_case.pk}/assessment",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert TAX_TEXT not in text(response)
    assert response.json()["withheld_sections"] == ["income_debt"]
    second = taxed_case.assessments.get(version=2)
    assert second.income_debt == TAX_TEXT
    assert [(s.section, s.agency_id, s.note) for s in second.sources.all()] == [
        ("income_debt", tax_agency.pk, TAX_NOTE)
    ]
    assert second.person == ""  # not sent, not carried: as for any visible section


# ------------------------------------------------------------------------------ edit form


@pytest.mark.parametrize("name", ["coordinator", "officer"])
def test_edit_form_withholds_and_carries_the_tax_section_over(
    login, people, agencies, taxed_case, tax_agency, name
):
    client = login(people[name])
    form = client.get(url("assessment_edit", taxed_case))
    assert form.status_code == 200
    body = text(form)
    assert TAX_TEXT not in body and TAX_NOTE not in body
    assert TAX_WITHHELD in body
    assert 'data-testid="assessment-field-income_debt" data-withheld="1"' in body
    assert 'name="income_debt"' not in body and 'name="income_debt_source"' not in body
    assert SHEET["household"] in body  # the sections they may see are filled in
    response = client.post(
        url("assessment_edit", taxed_case),
        {
            **{k: v for k, v in SHEET.items() if k != "income_debt"},
            "household_source": agencies["houkatsu"].pk,
            # a field for the withheld section, forged into the post, is not used
            "income_debt": "空にしたつもり",
            "income_debt_source": agencies["csw"].pk,
        },
    )
    assert response.status_code == 302
    second = taxed_case.assessments.get(version=2)
    assert second.income_debt == TAX_TEXT
    assert sorted((s.section, s.agency_id, s.note) for s in second.sources.all()) == [
        ("household", agencies["houkatsu"].pk, ""),
        ("income_debt", tax_agency.pk, TAX_NOTE),
    ]
    assert second.household == SHEET["household"]


def test_the_tax_office_does_not_record(login, people, taxed_case):
    client = login(people["tax"])
    assert client.get(url("assessment_edit", taxed_case)).status_code == 403
    assert Assessment.objects.filter(case=taxed_case).count() == 1


# ------------------------------------------------------------------- search and the files


@pytest.mark.parametrize("name", OTHERS)
def test_a_word_only_in_the_tax_section_finds_no_case(login, people, taxed_case, name):
    client = login(people[name])
    listing = client.get(reverse("cases:case_list"), {"q": TAX_WORD})
    assert f'href="{url("case_detail", taxed_case)}"' not in text(listing)
    for fmt in ("csv", "xlsx"):
        exported = client.get(reverse("cases:case_list"), {"export": fmt})
        assert exported.status_code == 200
        content = b"".join(exported.streaming_content)
        assert TAX_WORD.encode() not in content
        assert TAX_WORD.encode("cp932") not in content


# ---------------------------------------------------------------------------------- audit


def test_the_audit_record_of_a_version_holds_no_tax_text(
    login, people, agencies, taxed_case, tax_agency
):
    assessment_record(
        by=people["coordinator"].user,
        case=taxed_case,
        sections={**SHEET, "income_debt": "", "wishes": "家で暮らし続けたい（再確認）"},
    )  # the coordinator cannot clear it: carried over
    first, second = AuditEvent.objects.filter(action="assessment.record").order_by("seq")
    stored = json.dumps([first.changes, second.changes], ensure_ascii=False)
    assert TAX_TEXT not in stored and TAX_NOTE not in stored
    assert first.changes["income_debt"] == {"before": None, "after": TAX_IN_AUDIT}
    assert [tax_agency.pk, TAX_IN_AUDIT] == first.changes["sources"]["after"][1][1:]
    assert first.changes["household"]["after"] == SHEET["household"]  # others as before
    assert "income_debt" not in second.changes  # carried over unchanged
    assert second.changes["wishes"]["after"] == "家で暮らし続けたい（再確認）"
    # the office's audit log of assessment writes, on the page, as a file and over the API
    client = login(people["officer"])
    only = {"action": "assessment.record"}
    for response in (
        client.get(reverse("audit:event_list"), only),
        client.get(reverse("audit:event_list"), {**only, "export": "csv"}),
        client.get(f"{API}/audit/events", only),
    ):
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert TAX_WORD.encode() not in content
        assert b"48,000" not in content
    api = client.get(f"{API}/audit/events", only).json()["items"]
    assert [e["changes"]["income_debt"]["after"] for e in api if "income_debt" in e["changes"]] == [
        TAX_IN_AUDIT
    ]


def test_a_section_newly_sourced_from_the_tax_office_is_masked_both_ways(
    people, agencies, taxed_case, tax_agency
):
    assessment_record(
        by=people["coordinator"].user,
        case=taxed_case,
        sections={**SHEET, "work": "給与収入あり（課税資料）"},
        sources=[("work", tax_agency, "")],
    )
    event = AuditEvent.objects.filter(action="assessment.record").latest("seq")
    assert event.changes["work"] == {"before": "", "after": TAX_IN_AUDIT}
    assert "給与収入" not in json.dumps(event.changes, ensure_ascii=False)
