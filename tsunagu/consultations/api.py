"""Consultations (相談受付), referrals (つなぎ) and help-desk routing over the API.

The same rules and audit as the screens: what the user may not see answers 404, a refused
move of a referral 409, and every read of personal data is recorded.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency
from tsunagu.accounts.selectors import agency_get
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import Day, check_lengths
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.people import selectors as people_selectors

from . import selectors, services
from .models import (
    Channel,
    Consultation,
    ConsulterType,
    IssueCategory,
    Outcome,
    Referral,
    ReferralKind,
    ReferralStatus,
)

router = Router(tags=["相談受付・つなぎ"])


def _agency(request, pk: int | None, field: str) -> Agency | None:
    if pk is None:
        return None
    try:
        return agency_get(user=request.user, pk=pk)
    except Agency.DoesNotExist as exc:
        raise invalid({field: "指定された機関が見つかりません。"}) from exc


def _categories(codes: list[str], field: str = "categories") -> dict[str, IssueCategory]:
    """Active categories by code, in the order given; an unknown code is refused."""
    found = {c.code: c for c in selectors.active_categories().filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise invalid({field: f"相談内容の分類が見つかりません：{'、'.join(unknown)}"})
    return {code: found[code] for code in dict.fromkeys(codes)}


def _require(data: Mapping[str, Any], messages: Mapping[str, str]) -> None:
    missing = {field: message for field, message in messages.items() if data.get(field) is None}
    if missing:
        raise invalid(missing)


def _choice(value: str, choices, field: str, label: str) -> None:
    if value not in choices.values:
        raise invalid({field: f"{label}の値が正しくありません。"})


def _mark_subjects(request, objects: list) -> list:
    """Whether the user may open each object's person and household. Their names are
    shown either way, as on the screens; the records themselves answer 404."""
    return people_selectors.mark_subjects(request.user, objects)


def _consultation_answer(request, consultation: Consultation) -> Consultation:
    """The consultation after a step, read again with its subjects marked."""
    fresh = selectors.get_consultation_for_user(request.user, consultation.pk)
    return _mark_subjects(request, [fresh])[0]


def _mark_chain(request, referrals: list[Referral], *, following: bool = False) -> list:
    """The referrals before and after each one, as far as the user may see them."""
    linked = {r.previous_id for r in referrals if r.previous_id}
    if following:
        linked |= {n.pk for r in referrals for n in r.next_referrals.all()}
    visible = set(
        access.referrals_visible_to(request.user).filter(pk__in=linked).values_list("pk", flat=True)
    )
    for r in referrals:
        r.visible_previous_id = r.previous_id if r.previous_id in visible else None
        if following:
            r.visible_next_ids = [n.pk for n in r.next_referrals.all() if n.pk in visible]
    return _mark_subjects(request, referrals)


# --- categories and help desk -----------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name: str


class SuggestionOut(Schema):
    agency_id: int
    agency_name: str
    phone: str
    themes: list[str]


@router.get("/categories", response=list[CategoryOut], summary="相談内容の分類（有効なもの）")
def category_list(request):
    require_perm(request, "consultations.use")
    return list(selectors.active_categories())


@router.get(
    "/helpdesk/suggestions",
    response=list[SuggestionOut],
    summary="ヘルプデスク：相談内容からつなぎ先の候補",
)
def helpdesk_suggestions(
    request,
    categories: Query[list[str]] = None,
    person: int | None = None,
    household: int | None = None,
):
    """``?categories=hikikomori&categories=problem_8050`` のように分類コードを並べます。
    自分の機関は候補に含めません。``person``・``household`` を指定すると、その方・世帯の
    圏域の機関を先に、他の圏域の同種の機関（他圏域の地域包括支援センターなど）を後にします。"""
    require_perm(request, "consultations.use")
    codes = categories or []
    ids = list(selectors.active_categories().filter(code__in=codes).values_list("pk", flat=True))
    subject = (
        people_selectors.get_person_for_user(request.user, person) if person is not None else None
    )
    subject_household = (
        people_selectors.get_household_for_user(request.user, household)
        if household is not None
        else None
    )
    suggestions = selectors.help_desk_suggestions(
        category_ids=ids,
        exclude_agency_id=acting(request.user).agency_id,
        person=subject,
        household=subject_household,
    )
    return [
        {"agency_id": a.pk, "agency_name": a.name, "phone": a.phone, "themes": themes}
        for a, themes in suggestions
    ]


# --- consultations ----------------------------------------------------------------------


class ConsultationCategoryOut(Schema):
    code: str
    name: str
    is_primary: bool


class ConsultationOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    recorded_by_name: str
    received_on: datetime.date
    channel: str
    channel_label: str
    consulter_type: str
    consulter_type_label: str
    consulter_name: str
    consulter_relation: str
    person_id: int | None
    person_name: str | None
    person_visible: bool
    household_id: int | None
    household_label: str | None
    household_visible: bool
    categories: list[ConsultationCategoryOut]
    primary_category: str | None
    summary: str
    consent_to_share: bool
    outcome: str
    outcome_label: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_agency_name(obj: Consultation) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_recorded_by_name(obj: Consultation) -> str:
        return obj.recorded_by.display_name or obj.recorded_by.get_username()

    @staticmethod
    def resolve_channel_label(obj: Consultation) -> str:
        return obj.get_channel_display()

    @staticmethod
    def resolve_consulter_type_label(obj: Consultation) -> str:
        return obj.get_consulter_type_display()

    @staticmethod
    def resolve_person_name(obj: Consultation) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_household_label(obj: Consultation) -> str | None:
        return obj.household.label if obj.household_id else None

    @staticmethod
    def resolve_categories(obj: Consultation) -> list[dict[str, Any]]:
        return [
            {"code": link.category.code, "name": link.category.name, "is_primary": link.is_primary}
            for link in obj.category_links.all()
        ]

    @staticmethod
    def resolve_primary_category(obj: Consultation) -> str | None:
        primary = [link.category.code for link in obj.category_links.all() if link.is_primary]
        return primary[0] if primary else None

    @staticmethod
    def resolve_outcome_label(obj: Consultation) -> str:
        return obj.get_outcome_display()


class ConsultationFilter(Schema):
    q: str = ""
    agency_id: int | None = None
    category: str = ""
    outcome: str = ""
    date_from: Day | None = None
    date_to: Day | None = None
    person_id: int | None = None
    household_id: int | None = None


class ConsultationIn(Schema):
    received_on: datetime.date | None = None
    channel: str = ""
    consulter_type: str = ""
    consulter_name: str = ""
    consulter_relation: str = ""
    person_id: int | None = None
    household_id: int | None = None
    categories: list[str] = []
    primary_category: str | None = None
    summary: str = ""
    consent_to_share: bool = False
    outcome: str = ""


class ConsultationPatch(Schema):
    received_on: datetime.date | None = None
    channel: str | None = None
    consulter_type: str | None = None
    consulter_name: str | None = None
    consulter_relation: str | None = None
    categories: list[str] | None = None
    primary_category: str | None = None
    summary: str | None = None
    consent_to_share: bool | None = None
    outcome: str | None = None


CONSULTATION_FIELDS = {"person": "person_id", "household": "household_id"}
CONSULTATION_LENGTHS = {
    "consulter_name": "consulter_name",
    "consulter_relation": "consulter_relation",
}


def _check_consultation_choices(data: Mapping[str, Any], *, outcome: bool = False) -> None:
    """Values the services store as given; ``outcome`` for corrections (recording checks it)."""
    if data.get("channel") is not None:
        _choice(data["channel"], Channel, "channel", "相談経路")
    if data.get("consulter_type") is not None:
        _choice(data["consulter_type"], ConsulterType, "consulter_type", "相談者")
    if outcome and data.get("outcome") is not None and data["outcome"] not in Outcome.values:
        raise invalid({"outcome": "対応結果を選んでください。"})


def _primary(code: str | None) -> IssueCategory | None:
    """The ◎ category (the service checks that it is one of those chosen)."""
    return _categories([code], "primary_category")[code] if code else None


def _consultation_page(request, items, *, page, filters, **params):
    _mark_subjects(request, items)
    persons = selectors.subject_person_ids(items)
    audit_read(request, "consultation.list", persons=persons, context=filter_context(filters, page))


@router.get("/consultations", response=list[ConsultationOut], summary="相談受付の一覧")
@paginate(AuditedPagination, page_size=50, on_page=_consultation_page)
def consultation_list(request, filters: Query[ConsultationFilter]):
    """自由語（概要・相談者・本人・世帯）、受付機関、分類コード、対応結果、受付日の範囲、
    本人・世帯で絞り込めます。"""
    require_perm(request, "consultations.use")
    params = filters.dict()
    code = params.pop("category")
    category = selectors.category_by_code(code) if code else None
    if code and category is None:
        raise invalid({"category": f"相談内容の分類が見つかりません：{code}"})
    params["category_id"] = category.pk if category else None
    return selectors.consultation_list(user=request.user, **params)


@router.get(
    "/consultations/{consultation_id}",
    response={200: ConsultationOut, 404: ErrorOut},
    summary="相談受付の詳細",
)
def consultation_detail(request, consultation_id: int):
    require_perm(request, "consultations.use")
    consultation = selectors.get_consultation_for_user(request.user, consultation_id)
    _mark_subjects(request, [consultation])
    audit_read(
        request,
        "consultation.view",
        consultation,
        persons=consultation.subject_persons(),
        context={"consultation": consultation.pk},
    )
    return consultation


@router.post(
    "/consultations",
    response={201: ConsultationOut, 404: ErrorOut, 422: InvalidOut},
    summary="相談の受付（どの窓口でも）",
)
@api_fields(CONSULTATION_FIELDS)
def consultation_create(request, payload: ConsultationIn):
    """相談内容は分類コードの一覧で、最も困っていること（◎）は ``primary_category`` で
    指定します。"""
    require_perm(request, "consultations.use")
    data = payload.dict()
    if data["received_on"] is None:
        raise invalid({"received_on": "受付日を入力してください。"})
    check_lengths(Consultation, data, CONSULTATION_LENGTHS)
    _check_consultation_choices(data)
    person_id, household_id = data.pop("person_id"), data.pop("household_id")
    person = (
        people_selectors.get_person_for_user(request.user, person_id)
        if person_id is not None
        else None
    )
    household = (
        people_selectors.get_household_for_user(request.user, household_id)
        if household_id is not None
        else None
    )
    chosen = _categories(data.pop("categories"))
    primary = _primary(data.pop("primary_category"))
    consultation = services.consultation_record(
        by=request.user,
        person=person,
        household=household,
        categories=list(chosen.values()),
        primary_category=primary,
        **data,
    )
    return Status(201, _consultation_answer(request, consultation))


@router.patch(
    "/consultations/{consultation_id}",
    response={200: ConsultationOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="相談受付の修正（受け付けた機関のみ）",
)
def consultation_patch(request, consultation_id: int, payload: ConsultationPatch):
    """送った項目だけを変えます。``categories`` を省くと分類はそのまま、
    ``primary_category`` を省くと ◎ はそのまま（外した分類なら ◎ なし）です。"""
    require_perm(request, "consultations.use")
    consultation = selectors.get_consultation_for_user(request.user, consultation_id)
    changes = payload.dict(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k != "primary_category"]
    if nulls:
        raise invalid({k: "値を指定してください。" for k in nulls})
    check_lengths(Consultation, changes, CONSULTATION_LENGTHS)
    _check_consultation_choices(changes, outcome=True)
    links = list(consultation.category_links.all())
    current_primary = next((link.category.code for link in links if link.is_primary), None)
    if "categories" in changes:
        chosen = _categories(changes.pop("categories"))
    else:
        chosen = {link.category.code: link.category for link in links}
    if "primary_category" in changes:
        primary = _primary(changes.pop("primary_category"))
    else:
        primary = chosen.get(current_primary) if current_primary else None
    services.consultation_update(
        by=request.user,
        consultation=consultation,
        categories=list(chosen.values()),
        primary_category=primary,
        **changes,
    )
    return _consultation_answer(request, consultation)


# --- referrals --------------------------------------------------------------------------


class ReferralEventOut(Schema):
    from_status: str
    to_status: str
    to_status_label: str
    at: datetime.datetime
    by_name: str
    agency_id: int
    agency_name: str
    note: str

    @staticmethod
    def resolve_to_status_label(obj) -> str:
        return obj.get_to_status_display()

    @staticmethod
    def resolve_by_name(obj) -> str:
        return obj.by.display_name or obj.by.get_username()

    @staticmethod
    def resolve_agency_name(obj) -> str:
        return obj.agency.name


class ReferralOut(Schema):
    id: int
    kind: str
    kind_label: str
    consultation_id: int
    person_id: int | None
    person_name: str | None
    person_visible: bool
    household_id: int | None
    household_label: str | None
    household_visible: bool
    from_agency_id: int
    from_agency_name: str
    to_agency_id: int
    to_agency_name: str
    sent_by_name: str
    reason: str
    status: str
    status_label: str
    overdue: bool
    sent_at: datetime.datetime
    respond_by: datetime.datetime
    responded_at: datetime.datetime | None
    return_reason: str
    return_acknowledged_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    outcome: str
    outcome_label: str
    outcome_note: str
    previous_id: int | None
    criterion_household: bool
    criterion_gap: bool
    criterion_new_resource: bool
    tried_with_agencies: str
    is_urgent: bool

    @staticmethod
    def resolve_kind_label(obj: Referral) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_person_name(obj: Referral) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_household_label(obj: Referral) -> str | None:
        return obj.household.label if obj.household_id else None

    @staticmethod
    def resolve_from_agency_name(obj: Referral) -> str:
        return obj.from_agency.name

    @staticmethod
    def resolve_to_agency_name(obj: Referral) -> str:
        return obj.to_agency.name

    @staticmethod
    def resolve_sent_by_name(obj: Referral) -> str:
        return obj.sent_by.display_name or obj.sent_by.get_username()

    @staticmethod
    def resolve_status_label(obj: Referral) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return selectors.is_overdue(obj)

    @staticmethod
    def resolve_outcome_label(obj: Referral) -> str:
        return obj.get_outcome_display() if obj.outcome else ""

    @staticmethod
    def resolve_previous_id(obj: Referral) -> int | None:
        return obj.visible_previous_id


class ReferralDetailOut(ReferralOut):
    events: list[ReferralEventOut]
    next_referral_ids: list[int]

    @staticmethod
    def resolve_events(obj: Referral) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_next_referral_ids(obj: Referral) -> list[int]:
        return obj.visible_next_ids


class ReferralFilter(Schema):
    box: str = ""
    status: str = ""
    overdue: bool = False
    person_id: int | None = None
    household_id: int | None = None
    consultation_id: int | None = None


class ReferralIn(Schema):
    consultation_id: int | None = None
    to_agency_id: int | None = None
    reason: str = ""
    kind: str = ReferralKind.STANDARD
    person_id: int | None = None
    household_id: int | None = None
    criterion_household: bool = False
    criterion_gap: bool = False
    criterion_new_resource: bool = False
    tried_with_agencies: str = ""
    is_urgent: bool = False


class NoteIn(Schema):
    note: str = ""


class ReturnIn(Schema):
    reason: str = ""


class CompleteIn(Schema):
    outcome: str = ""
    note: str = ""
    rerefer_to_agency_id: int | None = None
    rerefer_reason: str = ""


class ResendIn(Schema):
    to_agency_id: int | None = None
    reason: str = ""
    criterion_household: bool = False
    criterion_gap: bool = False
    criterion_new_resource: bool = False
    tried_with_agencies: str = ""
    is_urgent: bool = False


TO_AGENCY = "つなぎ先の機関を選んでください。"
REFERRAL_FIELDS = {"to_agency": "to_agency_id", "person": "person_id"}
COMPLETE_FIELDS = {"rerefer_to": "rerefer_to_agency_id"}


def _referral_page(request, items, *, page, filters, **params):
    _mark_chain(request, items)
    persons = selectors.subject_person_ids(items)
    audit_read(request, "referral.list", persons=persons, context=filter_context(filters, page))


@router.get("/referrals", response=list[ReferralOut], summary="つなぎの一覧（受信箱・送信箱）")
@paginate(AuditedPagination, page_size=50, on_page=_referral_page)
def referral_list(request, filters: Query[ReferralFilter]):
    """``box=inbox`` は自分の機関に届いたもの、``box=outbox`` は送ったもの、省略で両方。
    ``overdue=true`` で回答期限を過ぎた未回答のものだけ。"""
    require_perm(request, "consultations.use")
    if filters.box not in ("", "inbox", "outbox"):
        raise invalid({"box": "inbox（受信箱）または outbox（送信箱）を指定してください。"})
    if filters.status:
        _choice(filters.status, ReferralStatus, "status", "状態")
    params = filters.dict()
    params["overdue_only"] = params.pop("overdue")
    return selectors.referral_list(user=request.user, **params)


def _with_chain(request, referral: Referral) -> Referral:
    """The referral (from ``get_referral_for_user``) with the visible ones before and after
    it and its subjects marked, as its detail answers it."""
    return _mark_chain(request, [referral], following=True)[0]


def _referral_answer(request, referral: Referral) -> Referral:
    """The referral after a step, read again."""
    return _with_chain(request, selectors.get_referral_for_user(request.user, referral.pk))


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralDetailOut, 404: ErrorOut},
    summary="つなぎの詳細と経過",
)
def referral_detail(request, referral_id: int):
    require_perm(request, "consultations.use")
    referral = _with_chain(request, selectors.get_referral_for_user(request.user, referral_id))
    audit_read(
        request,
        "referral.view",
        referral,
        persons=referral.subject_persons(),
        context={"referral": referral.pk, "consultation": referral.consultation_id},
    )
    return referral


@router.post(
    "/referrals",
    response={201: ReferralDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="他機関・多機関協働へのつなぎ",
)
@api_fields(REFERRAL_FIELDS)
def referral_create(request, payload: ReferralIn):
    """多機関協働へは ``kind=multi_agency`` とし、基準①②③（``criterion_*``）、
    これまでに他機関と連携して試みたこと、緊急性を添えます。"""
    require_perm(request, "consultations.use")
    data = payload.dict()
    _require(data, {"consultation_id": "元の相談を指定してください。", "to_agency_id": TO_AGENCY})
    consultation = selectors.get_consultation_for_user(request.user, data.pop("consultation_id"))
    to_agency = _agency(request, data.pop("to_agency_id"), "to_agency_id")
    person_id, household_id = data.pop("person_id"), data.pop("household_id")
    person = (
        people_selectors.get_person_for_user(request.user, person_id)
        if person_id is not None
        else None
    )
    household = (
        people_selectors.get_household_for_user(request.user, household_id)
        if household_id is not None
        else None
    )
    referral = services.referral_send(
        by=request.user,
        consultation=consultation,
        to_agency=to_agency,
        person=person,
        household=household,
        **data,
    )
    return Status(201, _referral_answer(request, referral))


@router.post(
    "/referrals/{referral_id}/accept",
    response={200: ReferralDetailOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut},
    summary="受理（つなぎ先のみ）",
)
def referral_accept(request, referral_id: int, payload: NoteIn = None):
    require_perm(request, "consultations.use")
    referral = selectors.get_referral_for_user(request.user, referral_id)
    services.referral_accept(
        by=request.user, referral=referral, note=payload.note if payload else ""
    )
    return _referral_answer(request, referral)


@router.post(
    "/referrals/{referral_id}/return",
    response={
        200: ReferralDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RuleBrokenOut,
        422: InvalidOut,
    },
    summary="差戻し（つなぎ先のみ、理由が必要）",
)
def referral_return(request, referral_id: int, payload: ReturnIn):
    require_perm(request, "consultations.use")
    referral = selectors.get_referral_for_user(request.user, referral_id)
    services.referral_return(by=request.user, referral=referral, reason=payload.reason)
    return _referral_answer(request, referral)


@router.post(
    "/referrals/{referral_id}/start",
    response={200: ReferralDetailOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut},
    summary="対応開始（つなぎ先のみ）",
)
def referral_start(request, referral_id: int, payload: NoteIn = None):
    require_perm(request, "consultations.use")
    referral = selectors.get_referral_for_user(request.user, referral_id)
    services.referral_start(
        by=request.user, referral=referral, note=payload.note if payload else ""
    )
    return _referral_answer(request, referral)


@router.post(
    "/referrals/{referral_id}/complete",
    response={
        200: ReferralDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RuleBrokenOut,
        422: InvalidOut,
    },
    summary="完了（結果を添えて。他機関へ再紹介もできます）",
)
@api_fields(COMPLETE_FIELDS)
def referral_complete(request, referral_id: int, payload: CompleteIn):
    require_perm(request, "consultations.use")
    referral = selectors.get_referral_for_user(request.user, referral_id)
    rerefer_to = _agency(request, payload.rerefer_to_agency_id, "rerefer_to_agency_id")
    services.referral_complete(
        by=request.user,
        referral=referral,
        outcome=payload.outcome,
        note=payload.note,
        rerefer_to=rerefer_to,
        rerefer_reason=payload.rerefer_reason,
    )
    return _referral_answer(request, referral)


@router.post(
    "/referrals/{referral_id}/acknowledge",
    response={200: ReferralDetailOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut},
    summary="差戻しの確認（つなぎ元のみ）",
)
def referral_acknowledge(request, referral_id: int, payload: NoteIn = None):
    require_perm(request, "consultations.use")
    referral = selectors.get_referral_for_user(request.user, referral_id)
    services.referral_acknowledge_return(
        by=request.user, referral=referral, note=payload.note if payload else ""
    )
    return _referral_answer(request, referral)


@router.post(
    "/referrals/{referral_id}/resend",
    response={
        201: ReferralDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RuleBrokenOut,
        422: InvalidOut,
    },
    summary="差し戻されたつなぎの再送（同じ機関または別の機関へ）",
)
@api_fields(REFERRAL_FIELDS)
def referral_resend(request, referral_id: int, payload: ResendIn):
    require_perm(request, "consultations.use")
    referral = selectors.get_referral_for_user(request.user, referral_id)
    data = payload.dict()
    _require(data, {"to_agency_id": TO_AGENCY})
    to_agency = _agency(request, data.pop("to_agency_id"), "to_agency_id")
    new = services.referral_resend(by=request.user, referral=referral, to_agency=to_agency, **data)
    return Status(201, _referral_answer(request, new))
