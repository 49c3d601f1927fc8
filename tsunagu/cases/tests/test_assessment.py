"""インテーク・アセスメントシート: the service's rules (status, permission, an empty sheet,
versions never overwritten, audit) and both screens for every persona."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tsunagu.accounts import selectors as agency_selectors
from tsunagu.accounts.models import Agency
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services
from tsunagu.cases.models import Assessment, AssessmentSource, Case, CaseStatus
from tsunagu.cases.selectors.assessment import SECTIONS
from tsunagu.cases.services.assessment import assessment_record
from tsunagu.cases.tests.conftest import give_consent

pytestmark = pytest.mark.django_db
C = CaseStatus

SHEET = {
    "person": "80代女性。膝が悪く外出が減っている。",
    "household": "50代の長男と二人暮らし。長男は長くひきこもり。",
    "wishes": "このまま家で暮らしたい。息子の先を案じている。",
    "assessor_view": "世帯全体の支援が必要。まず長男との関係づくりから。",
}

# persona → what the assessment of the case (coordinated by the 社協 of ``coordinator``,
# referred by the 地域包括 of ``desk``) answers: "act" reads and records, "see" reads only
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


def url(name, case):
    return reverse(f"cases:{name}", args=[case.pk])


def html(response) -> str:
    return response.content.decode()


# ----------------------------------------------------------------------------- service


def test_record_versions_are_never_overwritten(personas, agencies, assessing_case):
    first = _record(personas, assessing_case, sources=[("household", agencies["houkatsu"], "")])
    second = _record(
        personas,
        assessing_case,
        who="officer",
        sections={**SHEET, "work": "長男は就労経験なし。"},
        sources=[("work", agencies["csw"], "訪問時に聞き取り")],
    )
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.work == "" and first.household == SHEET["household"]
    assert [(s.section, s.agency.code) for s in first.sources.all()] == [("household", "houkatsu")]
    assert [(s.section, s.agency.code, s.note) for s in second.sources.all()] == [
        ("work", "csw", "訪問時に聞き取り")
    ]
    assert list(assessing_case.assessments.values_list("version", flat=True)) == [1, 2]


def test_record_is_audited_with_the_changes(personas, agencies, assessing_case, household_8050):
    _record(personas, assessing_case)
    second = _record(
        personas,
        assessing_case,
        sections={**SHEET, "health": "長男に睡眠の乱れ。"},
        sources=[("health", agencies["houkatsu"], "")],
    )
    events = list(AuditEvent.objects.filter(action="assessment.record").order_by("seq"))
    assert len(events) == 2
    event = events[-1]
    assert event.target_id == str(second.pk)
    assert event.context == {"case": assessing_case.pk}
    assert sorted(event.person_ids) == sorted(
        [household_8050["mother"].pk, household_8050["son"].pk]
    )
    assert event.changes["version"] == {"before": 1, "after": 2}
    assert event.changes["health"] == {"before": "", "after": "長男に睡眠の乱れ。"}
    assert "wishes" not in event.changes  # unchanged
    assert event.changes["sources"]["after"] == [["health", agencies["houkatsu"].pk, ""]]


@pytest.mark.parametrize("status", [C.INTAKE, C.CLOSED])
def test_record_refused_before_assessment_and_after_closure(personas, consented_case, status):
    Case.objects.filter(pk=consented_case.pk).update(status=status)  # arrange the state
    consented_case.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _record(personas, consented_case)
    assert "アセスメント" in " ".join(exc.value.messages)
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.record").exists()


@pytest.mark.parametrize("status", [s for s in C.values if s not in (C.INTAKE, C.CLOSED)])
def test_record_allowed_from_assessment_on(personas, consented_case, status):
    Case.objects.filter(pk=consented_case.pk).update(status=status)
    consented_case.refresh_from_db()
    assert _record(personas, consented_case).version == 1


@pytest.mark.parametrize("name", ["desk", "participation", "outreach", "unrelated", "guest"])
def test_only_managers_record(personas, assessing_case, name):
    with pytest.raises(PermissionDenied):
        _record(personas, assessing_case, who=name)
    assert not Assessment.objects.exists()


def test_an_empty_sheet_is_refused(personas, assessing_case):
    with pytest.raises(ValidationError) as exc:
        _record(personas, assessing_case, sections={"person": "本人の状況だけ", "wishes": "  "})
    assert set(exc.value.message_dict) == {"wishes", "assessor_view"}
    assert _record(personas, assessing_case, sections={"assessor_view": "見立てのみ"}).version == 1


def test_sources_are_checked(personas, agencies, assessing_case):
    with pytest.raises(ValidationError) as exc:
        _record(personas, assessing_case, sources=[("health", agencies["csw"], "")])
    assert "health_source" in exc.value.message_dict  # the section is empty
    agencies["csw"].is_active = False
    agencies["csw"].save()
    with pytest.raises(ValidationError) as exc:
        _record(personas, assessing_case, sources=[("person", agencies["csw"], "")])
    assert "person_source" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _record(personas, assessing_case, sections={**SHEET, "hobby": "釣り"})
    assert not AssessmentSource.objects.exists() and not Assessment.objects.exists()


# ------------------------------------------------------------------------------- views


@pytest.mark.parametrize("name", tuple(ACCESS))
def test_pages_answer_each_persona(login, personas, agencies, assessing_case, name):
    _record(personas, assessing_case, sources=[("household", agencies["houkatsu"], "")])
    client = login(personas[name])
    expected_read = {"act": 200, "see": 200}.get(ACCESS[name], ACCESS[name])
    expected_edit = {"act": 200, "see": 403}.get(ACCESS[name], ACCESS[name])
    response = client.get(url("assessment_detail", assessing_case))
    assert response.status_code == expected_read, name
    if response.status_code == 200:
        assert SHEET["assessor_view"] in html(response)
        assert "情報元：地域包括支援センター中央" in html(response)
        assert response.headers["Cache-Control"].startswith("max-age=0")
        assert ('data-testid="assessment-edit-link"' in html(response)) == (ACCESS[name] == "act")
    assert client.get(url("assessment_edit", assessing_case)).status_code == expected_edit, name
    response = client.post(url("assessment_edit", assessing_case), {**SHEET, "work": "x"})
    assert response.status_code == (302 if expected_edit == 200 else expected_edit), name
    assert Assessment.objects.count() == (2 if ACCESS[name] == "act" else 1)


def test_anonymous_is_sent_to_sign_in(client, assessing_case):
    response = client.get(url("assessment_detail", assessing_case))
    assert response.status_code == 302 and "login" in response["Location"]


def test_reading_is_audited_and_versions_can_be_picked(login, personas, assessing_case):
    first = _record(personas, assessing_case)
    _record(personas, assessing_case, sections={**SHEET, "wishes": "家で暮らし続けたい（再確認）"})
    client = login(personas["desk"])
    latest = client.get(url("assessment_detail", assessing_case))
    assert "家で暮らし続けたい（再確認）" in html(latest)
    assert "第2版" in html(latest)
    older = client.get(url("assessment_detail", assessing_case) + "?version=1")
    assert SHEET["wishes"] in html(older)
    assert 'data-testid="assessment-old-version"' in html(older)
    for bad in ("3", "abc"):
        response = client.get(url("assessment_detail", assessing_case) + f"?version={bad}")
        assert response.status_code == 404
    reads = list(AuditEvent.objects.filter(action="assessment.view").order_by("seq"))
    assert [e.context["version"] for e in reads] == [2, 1]
    assert reads[1].target_id == str(first.pk)
    assert reads[1].actor_id == personas["desk"].user.pk
    assert set(reads[0].person_ids) == set(assessing_case.subject_persons())


def test_page_without_an_assessment(login, personas, assessing_case):
    response = login(personas["coordinator"]).get(url("assessment_detail", assessing_case))
    assert response.status_code == 200
    assert 'data-testid="no-assessment"' in html(response)
    event = AuditEvent.objects.get(action="assessment.view")
    assert event.context == {"case": assessing_case.pk, "version": None}


def test_form_is_prefilled_and_post_makes_a_new_version(login, personas, agencies, assessing_case):
    _record(
        personas, assessing_case, sources=[("household", agencies["houkatsu"], "本人から聞き取り")]
    )
    client = login(personas["coordinator"])
    form = client.get(url("assessment_edit", assessing_case))
    assert SHEET["household"] in html(form)
    assert "本人から聞き取り" in html(form)
    assert 'value="地域包括支援センター中央"' in html(form)  # the picker shows the source
    data = {
        **SHEET,
        "housing": "持ち家。老朽化。",
        "housing_source": agencies["housing"].pk,
        "household_source": agencies["houkatsu"].pk,
        "household_source_note": "本人から聞き取り",
    }
    response = client.post(url("assessment_edit", assessing_case), data)
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", assessing_case)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "アセスメントシートを記録しました（第2版）。"
    ]
    latest = assessing_case.assessments.get(version=2)
    assert latest.housing == "持ち家。老朽化。"
    assert sorted((s.section, s.agency.code) for s in latest.sources.all()) == [
        ("household", "houkatsu"),
        ("housing", "housing"),
    ]
    assert assessing_case.assessments.get(version=1).housing == ""


def test_bad_input_changes_nothing_and_explains(login, personas, agencies, assessing_case):
    client = login(personas["officer"])
    response = client.post(
        url("assessment_edit", assessing_case),
        {"person": "本人の状況", "health_source": agencies["csw"].pk},
    )
    assert response.status_code == 200
    text = html(response)
    assert "「本人の意向」または「見立て」のどちらかを入力してください。" in text
    assert "情報元を指定した「健康」に内容を入力してください。" in text
    response = client.post(
        url("assessment_edit", assessing_case), {**SHEET, "work_source": "99999"}
    )
    assert "情報元の機関は一覧から選んでください。" in html(response)
    assert not Assessment.objects.exists()


def test_intake_case_cannot_be_assessed_on_screen(login, personas, consented_case):
    client = login(personas["coordinator"])
    page = client.get(url("assessment_detail", consented_case))
    assert 'data-testid="assessment-not-now"' in html(page)
    form = client.get(url("assessment_edit", consented_case))
    assert 'data-testid="assessment-not-now"' in html(form)
    response = client.post(url("assessment_edit", consented_case), SHEET)
    assert response.status_code == 200
    assert "インテークの段階ではアセスメントを記録できません。" in html(response)
    assert not Assessment.objects.exists()


# ------------------------------------------------------------------- the agency picker

#: readings of the conftest agencies; 民生委員・児童委員協議会 is left without one
READINGS = {
    "office": "ジュウソウテキシエンスイシンシツ",
    "council": "フクシマルゴトシエンイン",
    "houkatsu": "チイキホウカツシエンセンターチュウオウ",
    "csw": "コミュニティソーシャルワーカー",
    "community": "チイキフクシコーディネーター",
    "policy": "フクシセイサクカ",
    "housing": "ジュウタクアキヤタイサクカ",
}


@pytest.fixture
def read_agencies(agencies):
    for key, kana in READINGS.items():
        Agency.objects.filter(pk=agencies[key].pk).update(name_kana=kana)  # arrange readings
    return agencies


def _picker_options(text: str) -> list[tuple[str, str]]:
    """(name, reading) of the shared list of agencies, in page order."""
    block = re.search(r'<datalist id="assessment-agencies"[^>]*>(.*?)</datalist>', text, re.S)
    assert block, "the page has no shared agency list"
    return re.findall(r'<option value="([^"]*)" data-kana="([^"]*)">', block.group(1))


def test_form_sends_the_agency_list_once(login, personas, read_agencies, assessing_case):
    text = html(login(personas["coordinator"]).get(url("assessment_edit", assessing_case)))
    assert text.count("<option") == Agency.objects.filter(is_active=True).count()
    assert len(re.findall(r"<option[^>]*地域包括支援センター中央", text)) == 1
    assert "<select" not in text
    # each of the 12 sections has a picker tied to the one list
    assert text.count('list="assessment-agencies"') == len(SECTIONS)
    assert text.count("data-agency-picker") == len(SECTIONS)
    assert "tsunagu/agency-picker.js" in text


def test_picker_lists_agencies_in_reading_order(login, personas, read_agencies, assessing_case):
    text = html(login(personas["coordinator"]).get(url("assessment_edit", assessing_case)))
    assert _picker_options(text) == [
        ("コミュニティソーシャルワーカー", READINGS["csw"]),
        ("重層的支援推進室", READINGS["office"]),
        ("住宅・空家対策課", READINGS["housing"]),
        ("地域福祉コーディネーター", READINGS["community"]),
        ("地域包括支援センター中央", READINGS["houkatsu"]),
        ("福祉政策課", READINGS["policy"]),
        ("福祉まるごと支援員（社協）", READINGS["council"]),
        ("民生委員・児童委員協議会", ""),  # no reading yet: after those that have one
    ]


def test_agency_selector_orders_by_reading_then_name(read_agencies):
    Agency.objects.filter(pk=read_agencies["minsei"].pk).update(name_kana="ミンセイイイン")
    Agency.objects.filter(pk=read_agencies["policy"].pk).update(name_kana=READINGS["council"])
    names = list(agency_selectors.agency_list(user=None).values_list("name", flat=True))
    assert names[-3:] == ["福祉まるごと支援員（社協）", "福祉政策課", "民生委員・児童委員協議会"]


def test_source_picked_by_name_is_recorded(login, personas, read_agencies, assessing_case):
    client = login(personas["coordinator"])
    data = {
        **SHEET,
        "housing": "持ち家。老朽化。",
        "housing_source": " 住宅・空家対策課 ",
        "household_source": "地域包括支援センター中央",
        "household_source_note": "本人から聞き取り",
    }
    response = client.post(url("assessment_edit", assessing_case), data)
    assert response.status_code == 302
    recorded = assessing_case.assessments.get()
    assert sorted((s.section, s.agency.code, s.note) for s in recorded.sources.all()) == [
        ("household", "houkatsu", "本人から聞き取り"),
        ("housing", "housing", ""),
    ]
    event = AuditEvent.objects.get(action="assessment.record")
    assert sorted(event.changes["sources"]["after"]) == [
        ["household", read_agencies["houkatsu"].pk, "本人から聞き取り"],
        ["housing", read_agencies["housing"].pk, ""],
    ]


@pytest.mark.parametrize("typed", ["存在しない機関", "地域包括", "99999"])
def test_unknown_agency_is_explained_and_nothing_is_written(
    login, personas, read_agencies, assessing_case, typed
):
    client = login(personas["coordinator"])
    response = client.post(
        url("assessment_edit", assessing_case),
        {**SHEET, "household_source": typed, "household_source_note": "聞き取り"},
    )
    assert response.status_code == 200
    text = html(response)
    assert "情報元の機関は一覧から選んでください。" in text
    assert f'value="{typed}"' in text  # what was typed stays in the field to correct
    assert not Assessment.objects.exists() and not AssessmentSource.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.record").exists()


def test_inactive_agency_cannot_be_picked(login, personas, read_agencies, assessing_case):
    Agency.objects.filter(pk=read_agencies["csw"].pk).update(is_active=False)
    client = login(personas["coordinator"])
    page = html(client.get(url("assessment_edit", assessing_case)))
    assert "コミュニティソーシャルワーカー" not in page
    response = client.post(
        url("assessment_edit", assessing_case),
        {**SHEET, "household_source": "コミュニティソーシャルワーカー"},
    )
    assert "情報元の機関は一覧から選んでください。" in html(response)
    assert not Assessment.objects.exists()
