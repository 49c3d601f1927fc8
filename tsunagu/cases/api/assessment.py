"""The インテーク・アセスメントシート over the API: a version (the latest or a given one), the
list of versions, and recording a new version with each section's information sources.

The same rules and audit as the screens: a case whose content the user may not see answers
404 (a team agency the consent does not name too), recording by anyone but the case's
coordinator or the municipal office 403, a case in インテーク or 終結 409, invalid input 422;
every read of the sheet is recorded as ``assessment.view`` like the page, and every version
recorded by the service as ``assessment.record``. A section withheld from the caller (tax
information, ``withheld_sections``) answers ``text: null`` and no sources, is listed in
``withheld_sections``, and is carried over unchanged when the caller records a new version.
"""

import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from tsunagu.accounts.selectors import agency_list
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors
from tsunagu.cases.models import Assessment, AssessmentSection, AssessmentSource, Case
from tsunagu.cases.selectors import assessment as assessment_selectors
from tsunagu.cases.services import assessment as assessment_services
from tsunagu.common.validation import max_length_errors

# Operation ids in the scheme the other cases modules keep from before the API became a
# package (``tsunagu_cases_assessment_api_`` and the function's name), not derived from
# this module's path.
router = Router(tags=["多機関協働"])

SECTION_CODES = assessment_selectors.SECTION_CODES
NOT_A_SECTION = "アセスメントシートにない項目です。"
SECTION_LIST = "、".join(f"``{code}``（{label}）" for code, label in assessment_selectors.SECTIONS)

# The service's field names → the request body's (a source's own errors are found per entry
# before the service is called; ``sources`` only if an agency changed in between).
SERVICE_FIELDS = {
    **{code: f"sections.{code}" for code in SECTION_CODES},
    **{f"{code}_source": "sources" for code in SECTION_CODES},
    **{f"{code}_source_note": "sources" for code in SECTION_CODES},
}


# --- schemas ----------------------------------------------------------------------------


class AssessmentSourceOut(Schema):
    agency_id: int
    agency_name: str
    note: str

    @staticmethod
    def resolve_agency_name(obj: AssessmentSource) -> str:
        return obj.agency.name


class AssessmentSectionOut(Schema):
    code: str
    label: str
    text: str | None = Field(
        description="項目の内容。税務部門が情報元で、呼び出した利用者に共有しない項目は null"
    )
    sources: list[AssessmentSourceOut] = Field(description="情報元の機関（共有しない項目では空）")
    withheld: bool = Field(
        description="税務部門からの情報のため、呼び出した利用者に共有しない項目か"
    )

    @staticmethod
    def resolve_text(obj) -> str | None:
        return None if obj.withheld else obj.text


class AssessmentOut(Schema):
    case_id: int
    case_status: str
    case_status_label: str
    version: int | None
    latest_version: int | None
    recorded_at: datetime.datetime | None
    recorded_by_name: str | None
    sections: list[AssessmentSectionOut]
    withheld_sections: list[str] = Field(
        description=(
            "税務部門からの情報のため、呼び出した利用者に共有しない項目のコード（シートの順）。"
            "税務情報は、情報元の税務部門として操作する利用者のほかには共有しません"
        )
    )
    may_record: bool


class AssessmentVersionOut(Schema):
    version: int
    recorded_at: datetime.datetime
    recorded_by_name: str

    @staticmethod
    def resolve_recorded_by_name(obj: Assessment) -> str:
        return _user_name(obj.recorded_by)


class AssessmentSourceIn(Schema):
    section: str = ""
    agency_id: int | None = None
    note: str = ""


class AssessmentIn(Schema):
    sections: dict[str, str] = {}
    sources: list[AssessmentSourceIn] = []


# --- helpers ----------------------------------------------------------------------------


def _user_name(user) -> str:
    return user.display_name or user.get_username()


def _audit(request, case: Case, shown: Assessment | None, page: str = "") -> None:
    """As the page records it: the version shown (or the case when there is none yet)."""
    context = {"case": case.pk, "version": shown.version if shown else None}
    if page:
        context["page"] = page
    audit_read(
        request,
        "assessment.view",
        shown if shown is not None else case,
        persons=case.subject_persons(),
        context=context,
    )


def _sheet(request, case: Case, shown: Assessment | None) -> dict:
    versions = assessment_selectors.assessment_versions(case=case)
    if shown is not None:
        sections = assessment_selectors.section_cards(shown, user=request.user)
    else:  # the sheet's sections, empty: what a first version is recorded on
        sections = [
            assessment_selectors.SectionCard(code, label, "")
            for code, label in assessment_selectors.SECTIONS
        ]
    return {
        "case_id": case.pk,
        "case_status": case.status,
        "case_status_label": case.get_status_display(),
        "version": shown.version if shown else None,
        "latest_version": versions[-1].version if versions else None,
        "recorded_at": shown.recorded_at if shown else None,
        "recorded_by_name": _user_name(shown.recorded_by) if shown else None,
        "sections": sections,
        "withheld_sections": [card.code for card in sections if card.withheld],
        "may_record": request.user.has_perm("cases.manage_case", case)
        and assessment_selectors.is_assessable(case),
    }


def _sections(payload: AssessmentIn) -> dict[str, str]:
    unknown = [code for code in payload.sections if code not in SECTION_CODES]
    if unknown:
        raise invalid(
            {f"sections.{code}": "アセスメントシートにない項目です。" for code in unknown}
        )
    return dict(payload.sections)


def _sources(payload: AssessmentIn, sections: dict[str, str]) -> list[tuple]:
    """Each entry's section and agency found, or 422 naming the entry (``sources[0].agency_id``)."""
    ids = {s.agency_id for s in payload.sources if s.agency_id is not None}
    agencies = {a.pk: a for a in agency_list(user=None, include_inactive=True).filter(pk__in=ids)}
    errors: dict[str, str] = {}
    for i, source in enumerate(payload.sources):
        at = f"sources[{i}]"
        if source.section not in SECTION_CODES:
            errors[f"{at}.section"] = NOT_A_SECTION
        elif not (sections.get(source.section) or "").strip():
            label = AssessmentSection(source.section).label
            errors[f"{at}.section"] = f"情報元を指定した「{label}」に内容を入力してください。"
        agency = agencies.get(source.agency_id)
        if source.agency_id is None:
            errors[f"{at}.agency_id"] = "情報元の機関を指定してください。"
        elif agency is None:
            errors[f"{at}.agency_id"] = "指定された機関が見つかりません。"
        elif not agency.is_active:
            errors[f"{at}.agency_id"] = "無効になっている機関は情報元にできません。"
        too_long = max_length_errors(AssessmentSource, note=source.note.strip())
        if too_long:
            errors[f"{at}.note"] = too_long["note"]
    if errors:
        raise invalid(errors)
    return [(s.section, agencies[s.agency_id], s.note) for s in payload.sources]


# --- routes -----------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/assessment",
    response={200: AssessmentOut, 403: ErrorOut, 404: ErrorOut},
    summary="事例のインテーク・アセスメントシート（最新の版、または指定した版）",
    operation_id="tsunagu_cases_assessment_api_assessment_detail",
)
def assessment_detail(request, case_id: int, version: int | None = None):
    """``version`` を省くと最新の版です。存在しない版を指定すると 404 です。

    まだ一度も記録されていない事例では、200 で ``version`` が ``null`` の空のシート
    （全項目が空）を返します（404 は「事例が見つからない・内容を閲覧できない」ときだけです）。
    税務部門が情報元の項目は、その税務部門として操作する利用者のほかには共有しません
    （``text`` が ``null``、情報元は空、``withheld_sections`` にその項目のコード）。
    ``may_record`` は、呼び出した利用者がいま新しい版を記録できるか（事例の多機関協働事業者
    または事務局で、事例がインテーク・終結でないこと）を示します。閲覧は監査ログに記録されます。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    shown = assessment_selectors.assessment_get(case=case, version=version)
    if version is not None and shown is None:
        raise Http404("指定された版はありません。")
    _audit(request, case, shown)
    return _sheet(request, case, shown)


@router.get(
    "/cases/{case_id}/assessment/versions",
    response={200: list[AssessmentVersionOut], 403: ErrorOut, 404: ErrorOut},
    summary="アセスメントシートの版の一覧",
    operation_id="tsunagu_cases_assessment_api_assessment_version_list",
)
def assessment_version_list(request, case_id: int):
    """記録されたすべての版（新しい順）と、それぞれの記録日時・記録者です。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    versions = assessment_selectors.assessment_versions(case=case)
    _audit(request, case, None, "assessment_versions")
    return list(reversed(versions))


@router.post(
    "/cases/{case_id}/assessment",
    response={
        201: AssessmentOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RuleBrokenOut,
        422: InvalidOut,
    },
    summary="アセスメントシートの記録（新しい版として）",
    description=(
        "送った内容でシート全体の新しい版を記録します（前の版は変わりません）。``sections`` に"
        "含めなかった項目・``sources`` に含めなかった情報元は、新しい版では空になります"
        "（前の版から引き継ぐときは、読み出した内容を送り直してください）。ただし、税務部門が"
        "情報元のため呼び出した利用者に共有しない項目（読み出しの ``withheld_sections``）は、"
        "送った内容・情報元にかかわらず、前の版の内容と情報元をそのまま引き継ぎます。\n\n"
        f"項目のコード: {SECTION_LIST}。「本人の意向」または「見立て」のどちらかが必要です。"
        "``sources`` の各要素は、内容のある項目（``section``）の情報元の機関（``agency_id``、"
        "有効な支援関係機関）と補足（``note``、200文字以内）です。\n\n"
        "入力の誤りは 422 で、``errors`` のキーは ``sections.wishes``・"
        "``sources[0].agency_id`` のように送った箇所を示します。記録できるのは事例の"
        "多機関協働事業者と事務局だけで、それ以外は 403、インテーク・終結の事例は 409 です。"
    ),
    operation_id="tsunagu_cases_assessment_api_assessment_record",
)
@api_fields(SERVICE_FIELDS)
def assessment_record(request, case_id: int, payload: AssessmentIn):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    sections = _sections(payload)
    sources = _sources(payload, sections)
    recorded = assessment_services.assessment_record(
        by=request.user, case=case, sections=sections, sources=sources
    )
    shown = assessment_selectors.assessment_get(case=case, version=recorded.version)
    _audit(request, case, shown)
    return Status(201, _sheet(request, case, shown))
