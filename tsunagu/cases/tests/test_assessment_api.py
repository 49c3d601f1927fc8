"""The インテーク・アセスメントシート over the API: reading (latest, a given version, the list
of versions) for every persona, recording a new version, its refusals (403, 404, 409, 422
naming the field), the audit of reads and writes, and the screens and the API agreeing."""

import json

import pytest
from django.urls import reverse

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Agency
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services
from tsunagu.cases.models import Assessment, AssessmentSource, Case, CaseStatus
from tsunagu.cases.selectors.assessment import SECTIONS
from tsunagu.cases.services.assessment import assessment_record
from tsunagu.cases.tests.conftest import give_consent

pytestmark = pytest.mark.django_db

API = "/api/v1"
C = CaseStatus
NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}
INVALID = "入力内容に誤りがあります。"

SHEET = {
    "person": "80代女性。膝が悪く外出が減っている。",
    "household": "50代の長男と二人暮らし。長男は長くひきこもり。",
    "wishes": "このまま家で暮らしたい。息子の先を案じている。",
    "assessor_view": "世帯全体の支援が必要。まず長男との関係づくりから。",
}

# as on the screens (test_assessment.ACCESS): "act" reads and records, "see" reads only
ACCESS = {
    "officer": "act",
    "coordinator": "act",
    "desk": "see",
    "participation": "see",
    "outreach": 404,
    "community": 404,
    "unrelated": 404,
    "guest": 403,
    "admin": 403,
}


@pytest.fixture
def assessing_case(personas, consented_case, agencies):
    """The consented case (the consent naming the referring 地域包括 too) moved on to
    アセスメント by its coordinator."""
    give_consent(personas, consented_case, agencies["council"], agencies["houkatsu"])
    return services.case_transition(
        by=personas["coordinator"].user, case=consented_case, to=C.ASSESSMENT
    )


def _record(personas, case, who="coordinator", sections=None, sources=()):
    return assessment_record(
        by=personas[who].user, case=case, sections=sections or SHEET, sources=list(sources)
    )


def path(case, tail=""):
    return f"{API}/cases/{case.pk}/assessment{tail}"


def post(client, case, body, **extra):
    return client.post(path(case), data=json.dumps(body), content_type="application/json", **extra)


def body_for(agencies, **sections):
    return {
        "sections": {**SHEET, **sections},
        "sources": [
            {"section": "household", "agency_id": agencies["houkatsu"].pk, "note": "本人から"}
        ],
    }


def page(client, case, query=""):
    return client.get(reverse("cases:assessment_detail", args=[case.pk]) + query)


def _recorded() -> int:
    return AuditEvent.objects.filter(action="assessment.record").count()


# ------------------------------------------------------------------------------ reading


def test_openapi_lists_the_assessment_paths(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths[f"{API}/cases/{{case_id}}/assessment"]) == {"get", "post"}
    assert set(paths[f"{API}/cases/{{case_id}}/assessment/versions"]) == {"get"}
    operation = paths[f"{API}/cases/{{case_id}}/assessment"]["post"]
    assert operation["summary"] == "アセスメントシートの記録（新しい版として）"
    assert {"201", "403", "404", "409", "422"} <= set(operation["responses"])


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads_per_persona(login, personas, agencies, assessing_case, name):
    _record(personas, assessing_case, sources=[("household", agencies["houkatsu"], "")])
    client = login(personas[name])
    sheet = client.get(path(assessing_case))
    versions = client.get(path(assessing_case, "/versions"))
    access = ACCESS[name]
    if access in (403, 404):
        expected = FORBIDDEN if access == 403 else NOT_FOUND
        assert (sheet.status_code, sheet.json()) == (access, expected), name
        assert (versions.status_code, versions.json()) == (access, expected), name
        assert not AuditEvent.objects.filter(action="assessment.view").exists()
    else:
        assert sheet.status_code == 200, name
        assert sheet.json()["version"] == 1
        assert sheet.json()["may_record"] is (access == "act")
        assert versions.status_code == 200
        assert [v["version"] for v in versions.json()] == [1]
    # the page answers the same
    assert page(client, assessing_case).status_code == {"act": 200, "see": 200}.get(access, access)


def test_team_agency_without_consent_gets_404_like_the_page(login, personas, consented_case):
    """The referring 地域包括 is on the team, but the consent does not name it."""
    case = services.case_transition(
        by=personas["coordinator"].user, case=consented_case, to=C.ASSESSMENT
    )
    _record(personas, case)
    client = login(personas["desk"])
    assert client.get(f"{API}/cases/{case.pk}").status_code == 200  # it knows the case
    assert client.get(path(case)).json() == NOT_FOUND
    assert client.get(path(case, "/versions")).json() == NOT_FOUND
    assert post(client, case, {"sections": SHEET}).json() == NOT_FOUND
    assert page(client, case).status_code == 404
    assert Assessment.objects.count() == 1


def test_missing_case_answers_404(login, personas):
    client = login(personas["officer"])
    missing = Case(pk=999999)
    assert client.get(path(missing)).json() == NOT_FOUND
    assert client.get(path(missing, "/versions")).json() == NOT_FOUND
    assert post(client, missing, {"sections": SHEET}).json() == NOT_FOUND


def test_sheet_body(login, personas, agencies, assessing_case):
    _record(
        personas,
        assessing_case,
        sources=[
            ("household", agencies["houkatsu"], "本人から聞き取り"),
            ("household", agencies["csw"], ""),
            ("wishes", agencies["council"], ""),
        ],
    )
    body = login(personas["coordinator"]).get(path(assessing_case)).json()
    recorded = assessing_case.assessments.get()
    assert body["case_id"] == assessing_case.pk
    assert (body["case_status"], body["case_status_label"]) == ("assessment", "アセスメント")
    assert (body["version"], body["latest_version"]) == (1, 1)
    assert body["recorded_at"].startswith(recorded.recorded_at.date().isoformat())
    user = personas["coordinator"].user
    assert body["recorded_by_name"] == (user.display_name or user.username)
    assert body["may_record"] is True
    assert [(s["code"], s["label"]) for s in body["sections"]] == SECTIONS
    by_code = {s["code"]: s for s in body["sections"]}
    assert by_code["wishes"]["text"] == SHEET["wishes"]
    assert by_code["work"] == {
        "code": "work",
        "label": "就労",
        "text": "",
        "sources": [],
        "withheld": False,
    }
    assert by_code["household"]["sources"] == [
        {
            "agency_id": agencies["houkatsu"].pk,
            "agency_name": "地域包括支援センター中央",
            "note": "本人から聞き取り",
        },
        {
            "agency_id": agencies["csw"].pk,
            "agency_name": "コミュニティソーシャルワーカー",
            "note": "",
        },
    ]


def test_no_version_yet_is_an_empty_sheet(login, personas, assessing_case):
    client = login(personas["coordinator"])
    response = client.get(path(assessing_case))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] is None and body["latest_version"] is None
    assert body["recorded_at"] is None and body["recorded_by_name"] is None
    assert [(s["code"], s["text"], s["sources"]) for s in body["sections"]] == [
        (code, "", []) for code, _ in SECTIONS
    ]
    assert body["may_record"] is True
    assert client.get(path(assessing_case, "/versions")).json() == []
    assert client.get(path(assessing_case) + "?version=1").json() == NOT_FOUND
    event = AuditEvent.objects.filter(action="assessment.view").order_by("seq").first()
    assert event.context == {"case": assessing_case.pk, "version": None}
    assert event.target_id == str(assessing_case.pk)


@pytest.mark.parametrize("status", [C.INTAKE, C.CLOSED])
def test_may_record_is_false_when_the_status_does_not_allow(
    login, personas, assessing_case, status
):
    Case.objects.filter(pk=assessing_case.pk).update(status=status)  # arrange the state
    body = login(personas["coordinator"]).get(path(assessing_case)).json()
    assert body["case_status"] == status
    assert body["may_record"] is False


def test_versions_can_be_picked(login, personas, assessing_case):
    _record(personas, assessing_case)
    _record(personas, assessing_case, who="officer", sections={**SHEET, "wishes": "再確認"})
    client = login(personas["desk"])
    latest = client.get(path(assessing_case)).json()
    assert (latest["version"], latest["latest_version"]) == (2, 2)
    assert {s["code"]: s["text"] for s in latest["sections"]}["wishes"] == "再確認"
    older = client.get(path(assessing_case), {"version": 1}).json()
    assert (older["version"], older["latest_version"]) == (1, 2)
    assert {s["code"]: s["text"] for s in older["sections"]}["wishes"] == SHEET["wishes"]
    assert client.get(path(assessing_case), {"version": 3}).json() == NOT_FOUND
    assert client.get(path(assessing_case), {"version": 0}).json() == NOT_FOUND
    assert client.get(path(assessing_case), {"version": "abc"}).status_code == 422
    versions = client.get(path(assessing_case, "/versions")).json()
    assert [v["version"] for v in versions] == [2, 1]  # newest first
    officer, coordinator = personas["officer"].user, personas["coordinator"].user
    assert [v["recorded_by_name"] for v in versions] == [
        officer.display_name or officer.username,
        coordinator.display_name or coordinator.username,
    ]
    reads = AuditEvent.objects.filter(action="assessment.view").order_by("seq")
    assert [e.context for e in reads] == [
        {"case": assessing_case.pk, "version": 2},
        {"case": assessing_case.pk, "version": 1},
        {"case": assessing_case.pk, "version": None, "page": "assessment_versions"},
    ]  # the versions that do not exist were not read


@pytest.mark.parametrize("query", ["", "?version=1"])
def test_a_read_is_audited_like_the_page(login, personas, assessing_case, query):
    _record(personas, assessing_case)
    _record(personas, assessing_case, sections={**SHEET, "work": "就労経験なし"})
    client = login(personas["desk"])
    assert page(client, assessing_case, query).status_code == 200
    assert client.get(path(assessing_case) + query).status_code == 200
    web, api = AuditEvent.objects.filter(action="assessment.view").order_by("seq")
    fields = ("actor_id", "acting_agency_id", "target_type", "target_id", "person_ids", "context")
    assert {f: getattr(api, f) for f in fields} == {f: getattr(web, f) for f in fields}
    assert (web.via, api.via) == ("web", "api")
    assert api.actor_id == personas["desk"].user.pk
    assert set(api.person_ids) == set(assessing_case.subject_persons())


# ---------------------------------------------------------------------------- recording


@pytest.mark.parametrize("who", ["coordinator", "officer"])
def test_record_makes_a_new_version(login, personas, agencies, assessing_case, who):
    _record(personas, assessing_case)
    client = login(personas[who])
    response = post(client, assessing_case, body_for(agencies, housing="持ち家。老朽化。"))
    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["latest_version"]) == (2, 2)
    assert body["may_record"] is True
    by_code = {s["code"]: s for s in body["sections"]}
    assert by_code["housing"]["text"] == "持ち家。老朽化。"
    assert by_code["household"]["sources"] == [
        {
            "agency_id": agencies["houkatsu"].pk,
            "agency_name": "地域包括支援センター中央",
            "note": "本人から",
        }
    ]
    first, second = assessing_case.assessments.order_by("version")
    assert first.housing == "" and second.housing == "持ち家。老朽化。"  # v1 unchanged
    assert second.recorded_by == personas[who].user
    assert [(s.section, s.agency.code, s.note) for s in second.sources.all()] == [
        ("household", "houkatsu", "本人から")
    ]
    event = AuditEvent.objects.filter(action="assessment.record").order_by("seq").last()
    assert event.actor_id == personas[who].user.pk
    assert event.via == "api"
    assert event.target_id == str(second.pk)
    assert event.changes["version"] == {"before": 1, "after": 2}
    assert event.changes["housing"] == {"before": "", "after": "持ち家。老朽化。"}
    assert event.changes["sources"]["after"] == [["household", agencies["houkatsu"].pk, "本人から"]]
    shown = AuditEvent.objects.filter(action="assessment.view").get()  # the answer shows it
    assert shown.context == {"case": assessing_case.pk, "version": 2}
    assert shown.target_id == str(second.pk)


def test_omitted_sections_and_sources_are_empty_in_the_new_version(
    login, personas, agencies, assessing_case
):
    _record(personas, assessing_case, sources=[("household", agencies["houkatsu"], "")])
    client = login(personas["coordinator"])
    response = post(client, assessing_case, {"sections": {"assessor_view": "見立てのみ"}})
    assert response.status_code == 201
    latest = assessing_case.assessments.get(version=2)
    assert (latest.household, latest.assessor_view) == ("", "見立てのみ")
    assert not latest.sources.exists()


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if ACCESS[n] != "act"])
def test_others_cannot_record(login, personas, agencies, assessing_case, name):
    response = post(login(personas[name]), assessing_case, body_for(agencies))
    expected = {"see": 403}.get(ACCESS[name], ACCESS[name])
    assert response.status_code == expected, name
    assert response.json() == (NOT_FOUND if expected == 404 else FORBIDDEN)
    assert not Assessment.objects.exists()
    assert _recorded() == 0


def test_team_desk_worker_is_refused_with_403(login, personas, agencies, assessing_case):
    client = login(personas["desk"])
    assert client.get(path(assessing_case)).status_code == 200  # may read
    response = post(client, assessing_case, body_for(agencies))
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert not Assessment.objects.exists()


def _invalid_cases(agencies):
    """(body, the field named, its message) for each kind of bad input."""
    houkatsu = agencies["houkatsu"].pk
    return [
        (
            {"sections": {**SHEET, "hobby": "釣り"}},
            "sections.hobby",
            "アセスメントシートにない項目です。",
        ),
        (
            {"sections": SHEET, "sources": [{"section": "hobby", "agency_id": houkatsu}]},
            "sources[0].section",
            "アセスメントシートにない項目です。",
        ),
        (
            {"sections": SHEET, "sources": [{"section": "health", "agency_id": houkatsu}]},
            "sources[0].section",
            "情報元を指定した「健康」に内容を入力してください。",
        ),
        (
            {"sections": SHEET, "sources": [{"section": "person", "agency_id": 999999}]},
            "sources[0].agency_id",
            "指定された機関が見つかりません。",
        ),
        (
            {"sections": SHEET, "sources": [{"section": "person", "agency_id": "inactive"}]},
            "sources[0].agency_id",
            "無効になっている機関は情報元にできません。",
        ),
        (
            {"sections": SHEET, "sources": [{"section": "person"}]},
            "sources[0].agency_id",
            "情報元の機関を指定してください。",
        ),
        (
            {
                "sections": SHEET,
                "sources": [
                    {"section": "person", "agency_id": houkatsu},
                    {"section": "person", "agency_id": houkatsu, "note": "あ" * 201},
                ],
            },
            "sources[1].note",
            "補足は200文字以内で入力してください。",
        ),
        (
            {"sections": {"person": "本人の状況だけ", "wishes": "  "}},
            "sections.wishes",
            "「本人の意向」または「見立て」のどちらかを入力してください。",
        ),
        (
            {"sections": {"person": "本人の状況だけ"}},
            "sections.assessor_view",
            "「本人の意向」または「見立て」のどちらかを入力してください。",
        ),
    ]


@pytest.mark.parametrize("index", range(9))
def test_invalid_input_is_refused_naming_the_field(
    login, personas, agencies, assessing_case, index
):
    inactive = agencies["csw"]
    Agency.objects.filter(pk=inactive.pk).update(is_active=False)  # arrange a retired agency
    body, field, message = _invalid_cases(agencies)[index]
    for source in body.get("sources", []):
        if source.get("agency_id") == "inactive":
            source["agency_id"] = inactive.pk
    response = post(login(personas["coordinator"]), assessing_case, body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == INVALID
    assert answer["errors"][field] == [message]
    assert not Assessment.objects.exists() and not AssessmentSource.objects.exists()
    assert _recorded() == 0


def test_every_bad_source_is_named_at_once(login, personas, agencies, assessing_case):
    body = {
        "sections": SHEET,
        "sources": [
            {"section": "household", "agency_id": agencies["houkatsu"].pk},  # fine
            {"section": "work", "agency_id": 999999, "note": "x" * 201},
        ],
    }
    response = post(login(personas["officer"]), assessing_case, body)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "sources[1].section",
        "sources[1].agency_id",
        "sources[1].note",
    }


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (C.INTAKE, "インテークの段階ではアセスメントを記録できません。"),
        (C.CLOSED, "終結した事例のアセスメントは記録できません。"),
    ],
)
def test_intake_and_closed_cases_are_refused_with_409(
    login, personas, agencies, assessing_case, status, message
):
    Case.objects.filter(pk=assessing_case.pk).update(status=status)  # arrange the state
    response = post(login(personas["coordinator"]), assessing_case, body_for(agencies))
    assert response.status_code == 409
    assert response.json()["detail"].startswith(message)
    assert not Assessment.objects.exists()
    assert _recorded() == 0


def test_a_retry_with_the_same_key_records_once(login, personas, agencies, assessing_case):
    client = login(personas["coordinator"])
    first = post(client, assessing_case, body_for(agencies), HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, assessing_case, body_for(agencies), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert assessing_case.assessments.count() == 1


# ------------------------------------------------------------------ screens and the API


def test_a_version_recorded_over_the_api_shows_on_the_page(
    login, personas, agencies, assessing_case
):
    _record(personas, assessing_case)
    client = login(personas["coordinator"])
    body = body_for(agencies, housing="持ち家。老朽化。")
    assert post(client, assessing_case, body).status_code == 201
    html = page(client, assessing_case).content.decode()
    assert "第2版" in html
    assert "持ち家。老朽化。" in html
    assert "情報元：地域包括支援センター中央" in html
    old = page(client, assessing_case, "?version=1").content.decode()
    assert "持ち家。老朽化。" not in old


def test_a_version_recorded_on_the_page_shows_over_the_api(
    login, personas, agencies, assessing_case
):
    client = login(personas["officer"])
    form = {**SHEET, "work": "長男は就労経験なし。", "work_source": agencies["csw"].pk}
    response = client.post(reverse("cases:assessment_edit", args=[assessing_case.pk]), form)
    assert response.status_code == 302
    body = client.get(path(assessing_case)).json()
    assert body["version"] == 1
    work = {s["code"]: s for s in body["sections"]}["work"]
    assert work["text"] == "長男は就労経験なし。"
    assert [s["agency_id"] for s in work["sources"]] == [agencies["csw"].pk]
