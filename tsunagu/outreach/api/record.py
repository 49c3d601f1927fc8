"""Outreach records over the API: the caseload, a new record, one record, corrections of
what is known, and linking the identified person.

The same rules and audit as the screens: a record the user may not see answers 404, a step
by anyone but the record's outreach agency worker or the program office 403, a step the
rules refuse 409, invalid input 422, and every read of personal data is recorded.
"""

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.accounts.models import User
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.consultations import selectors as consultation_selectors
from tsunagu.meetings.models import AgendaItem
from tsunagu.people import selectors as people_selectors

from .. import selectors, services
from ..models import AgeBand, Stage
from .answer import (
    STEP_ERRORS,
    area_of,
    audit_record_read,
    mark_persons,
    record_answer,
    record_for,
    working,
)
from .schemas import OutreachRecordDetailOut, OutreachRecordOut

router = Router()

STATES = ("open", "closed", "all")
CONSENTS = ("", "before", "after")
FLAGS = ("", "urgent", "overdue", "silent", "due_week")


class OutreachCaseloadQuery(Schema):
    q: str = ""
    stage: str = ""
    consent: str = ""
    state: str = "open"
    flag: str = ""
    agency_id: int | None = None
    area_id: int | None = None
    identified: str = ""
    assigned: str = ""


IDENTIFIED = ("", "yes", "no")


class OutreachRecordIn(Schema):
    label: str = ""
    source: str = ""
    began_on: str | None = None
    age_band: str = AgeBand.UNKNOWN
    area_id: int | None = None
    address: str = ""
    household_hint: str = ""
    known_facts: str = ""
    informant_name: str = ""
    informant_contact: str = ""
    person_id: int | None = None
    from_consultation_id: int | None = None
    from_referral_id: int | None = None
    from_agenda_item_id: int | None = None
    is_urgent: bool = False
    urgent_note: str = ""
    assigned_to_id: int | None = Field(
        None, description="担当職員（この機関のアウトリーチ支援員）。省略すると登録した人"
    )


class OutreachRecordPatch(Schema):
    label: str | None = None
    age_band: str | None = None
    area_id: int | None = None
    address: str | None = None
    household_hint: str | None = None
    known_facts: str | None = None
    informant_name: str | None = None
    informant_contact: str | None = None
    assigned_to_id: int | None = None


class OutreachPersonIn(Schema):
    person_id: int | None = None


RECORD_FIELDS = {"area": "area_id", "person": "person_id", "assigned_to": "assigned_to_id"}


def _assignee(pk: int | None):
    """The user named as 担当 (the service decides whether they may carry the record)."""
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise invalid(
            {"assigned_to_id": "担当職員は、この機関のアウトリーチ支援員から選んでください。"}
        )
    return user


def _caseload_page(request, items, *, page, filters, **params):
    mark_persons(request, items)
    selectors.with_rows(items)
    selectors.audit_caseload(request, items, filter_context(filters, page))


@router.get(
    "/outreach/records",
    response={200: list[OutreachRecordOut], 403: ErrorOut, 422: InvalidOut},
    summary="アウトリーチ対象の一覧（担当一覧）",
)
@paginate(AuditedPagination, page_size=50, on_page=_caseload_page)
def record_list(request, filters: Query[OutreachCaseloadQuery]):
    """自分の機関のアウトリーチ対象（事務局はすべての機関の対象）を、緊急のものから、
    次の予定日の近い順（予定のないものは後）に返します。

    絞り込み：``q``（呼び名・本人の氏名・フリガナ・住所の語）、``stage``（``gathering``
    ①情報収集、``preparation`` ②事前調整、``relationship`` ③関係性構築、``home_visit``
    ④家庭訪問、``accompanying`` ⑤同行支援）、``consent``（``before`` 同意前、``after``
    同意後）、``state``（``open`` 継続中＝既定、``closed`` 終了、``all`` すべて）、
    ``flag``（``urgent`` 緊急、``overdue`` 予定日超過、``silent`` 長く接触のないもの、
    ``due_week`` 次の予定日が1週間以内のもの（過ぎたものと緊急のものを含む））、
    ``agency_id``（事務局が機関を絞るとき）、``area_id``（圏域。その下の地区を含む）、
    ``identified``（``no`` 本人未特定、``yes`` 特定済み）、``assigned``（``mine`` 自分の
    担当、``none`` 担当なし、職員のID）。"""
    require_perm(request, "outreach.use")
    errors = {}
    if filters.stage and filters.stage not in Stage.values:
        errors["stage"] = "段階の値が正しくありません。"
    if filters.consent not in CONSENTS:
        errors["consent"] = "before（同意前）または after（同意後）を指定してください。"
    if filters.state not in STATES:
        errors["state"] = "open（継続中）、closed（終了）、all（すべて）のいずれかです。"
    if filters.flag not in FLAGS:
        errors["flag"] = "urgent、overdue、silent、due_week のいずれかを指定してください。"
    if filters.identified not in IDENTIFIED:
        errors["identified"] = "no（未特定）または yes（特定済み）を指定してください。"
    if filters.assigned not in ("", "mine", "none") and not filters.assigned.isdigit():
        errors["assigned"] = "mine（自分の担当）、none（担当なし）、職員のIDのいずれかです。"
    if filters.area_id is not None:
        area_of(filters.area_id)
    if errors:
        raise invalid(errors)
    found = selectors.caseload(
        user=request.user,
        filters=selectors.CaseloadFilter(
            q=filters.q,
            stage=filters.stage,
            consent=filters.consent,
            state=filters.state,
            flag=filters.flag,
            agency=filters.agency_id,
            area=filters.area_id,
            identified=filters.identified,
            assigned=filters.assigned,
            me=request.user.pk,
        ),
    )
    return found.select_related("agency", "person", "area", "assigned_to")


@router.post(
    "/outreach/records",
    response={201: OutreachRecordDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="アウトリーチ対象の登録（自分の機関の対象として）",
)
@api_fields(RECORD_FIELDS)
def record_create(request, payload: OutreachRecordIn):
    """本人が分からないうちは、仮の呼び名（例：北部 60代男性 A）と分かっていることで
    登録します。``began_on``（開始日）は和暦・西暦のどちらでも指定できます（未来の日付は
    不可）。``source``（情報の入口）は ``meeting``・``agency``・``minsei``・``resident``・
    ``family``・``self``・``business``・``other``。情報提供者の氏名・連絡先は、この対象の
    記録を担当する機関と事務局だけに示されます。元になった相談・つなぎ・議題を
    ``from_*_id`` で示せます（閲覧できないものは 404）。緊急（``is_urgent``）にするときは
    ``urgent_note`` に連絡した先と日時を記録します。担当職員（``assigned_to_id``）は
    この機関のアウトリーチ支援員で、省略すると登録した人です（``null`` で未定）。"""
    require_perm(request, "outreach.use")
    data = payload.dict()
    named = data.pop("assigned_to_id")
    if "assigned_to_id" in payload.model_fields_set:
        data["assigned_to"] = _assignee(named)
    began_on = date_input(data.pop("began_on"), "began_on")
    area = area_of(data.pop("area_id"))
    person_id = data.pop("person_id")
    person = (
        people_selectors.get_person_for_user(request.user, person_id)
        if person_id is not None
        else None
    )
    consultation_id = data.pop("from_consultation_id")
    referral_id = data.pop("from_referral_id")
    item_id = data.pop("from_agenda_item_id")
    from_consultation = (
        consultation_selectors.get_consultation_for_user(request.user, consultation_id)
        if consultation_id is not None
        else None
    )
    from_referral = (
        consultation_selectors.get_referral_for_user(request.user, referral_id)
        if referral_id is not None
        else None
    )
    from_agenda_item = None
    if item_id is not None:
        from_agenda_item = AgendaItem.objects.filter(pk=item_id).first()
        if from_agenda_item is None:
            raise Http404  # as one of a meeting the user may not see (the service)
    record = services.record_create(
        by=request.user,
        began_on=began_on,
        area=area,
        person=person,
        from_consultation=from_consultation,
        from_referral=from_referral,
        from_agenda_item=from_agenda_item,
        **data,
    )
    return Status(201, record_answer(request, record))


@router.get(
    "/outreach/records/{record_id}",
    response={200: OutreachRecordDetailOut, 404: ErrorOut},
    summary="アウトリーチ対象の詳細（経過・最近の接触記録・支援計画）",
)
def record_detail(request, record_id: int):
    """アウトリーチ実施機関と事務局には記録のすべて（情報提供者、経過、最近の接触記録、
    計画のすべての版）を返します。会議の構成員として閲覧する人（その会議の議題に計画が
    ある。支援会議では守秘義務の誓約の後）には会議資料としての内容だけを返し
    （``materials_only=true``）、情報提供者・経過・接触記録は含めず、計画はその会議の議題に
    あるものだけです。閲覧は監査ログに記録されます。"""
    record = record_answer(request, record_for(request, record_id))
    audit_record_read(request, record)
    return record


@router.patch(
    "/outreach/records/{record_id}",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="分かっていることの修正（段階・同意・終了はそれぞれの操作で）",
)
@api_fields(RECORD_FIELDS)
def record_update(request, record_id: int, payload: OutreachRecordPatch):
    """送った項目だけを変えます。``area_id`` に ``null`` を送ると圏域を外し、
    ``assigned_to_id`` に ``null`` を送ると担当を未定にします。呼び名・年代・住所・世帯に
    ついて・分かっていること・情報提供者・担当職員を直せます。"""
    record = working(request, record_id)
    changes = payload.dict(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k not in ("area_id", "assigned_to_id")]
    if nulls:
        raise invalid({k: "値を指定してください。" for k in nulls})
    if "area_id" in changes:
        changes["area"] = area_of(changes.pop("area_id"))
    if "assigned_to_id" in changes:
        changes["assigned_to"] = _assignee(changes.pop("assigned_to_id"))
    services.record_update(by=request.user, record=record, **changes)
    return record_answer(request, record)


@router.post(
    "/outreach/records/{record_id}/person",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="本人の特定（登録済みの本人と結び付ける）",
)
@api_fields({"person": "person_id"})
def record_link_person(request, record_id: int, payload: OutreachPersonIn):
    """「この方は登録済みか」の照会で見つけた（またはそこで登録した）本人の ``person_id``
    を指定します。これまでの経過はそのまま残ります。閲覧できない本人は 404、別の本人と
    既に結び付いている対象は 409 です。"""
    record = working(request, record_id)
    if payload.person_id is None:
        raise invalid({"person_id": "本人を選んでください。"})
    person = people_selectors.get_person_for_user(request.user, payload.person_id)
    services.record_link_person(by=request.user, record=record, person=person)
    return record_answer(request, record)


class OutreachIdentifyRequestIn(Schema):
    note: str = ""


@router.post(
    "/outreach/records/{record_id}/identify-request",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="事務局へ本人の特定を依頼（ほかの機関が既に関わっている本人のとき）",
)
def identify_request(request, record_id: int, payload: OutreachIdentifyRequestIn):
    """「この方は登録済みか」の照会で、ほかの機関が既に関わっている（事務局に問い合わせ）と
    答えられたときに使います。``note`` に特定の手がかり（氏名・生年月日・住所など）を
    書きます。経過に残り、事務局の職員にお知らせが届きます。事務局は
    ``POST /outreach/records/{record_id}/person`` で結び付けます。既に本人と結び付いている
    対象は 409 です。"""
    record = working(request, record_id)
    services.identify_request(by=request.user, record=record, note=payload.note)
    return record_answer(request, record)
