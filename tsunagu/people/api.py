"""Persons (本人) and households (世帯) over the API: same rules and audit as the screens."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import access
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import check_lengths, date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.audit.services import audit_read
from tsunagu.common.wareki import format_wareki

from . import selectors, services
from .models import Household, Person, Relation, Sex

router = Router(tags=["本人・世帯"])


# --- persons ----------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    name_kana: str
    birth_date: datetime.date | None
    birth_date_wareki: str
    age: int | None
    sex: str
    sex_label: str

    @staticmethod
    def resolve_birth_date_wareki(obj: Person) -> str:
        return format_wareki(obj.birth_date) if obj.birth_date else ""

    @staticmethod
    def resolve_age(obj: Person) -> int | None:
        return obj.age_on(timezone.localdate())

    @staticmethod
    def resolve_sex_label(obj: Person) -> str:
        return obj.get_sex_display()


class HouseholdRefOut(Schema):
    id: int
    label: str


class PersonDetailOut(PersonOut):
    postal_code: str
    address: str
    phone: str
    mobile_phone: str
    contact_notes: str
    registered_by_agency_id: int | None
    registered_by_agency_name: str
    households: list[HouseholdRefOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_registered_by_agency_name(obj: Person) -> str:
        return obj.registered_by_agency.name if obj.registered_by_agency_id else ""

    @staticmethod
    def resolve_households(obj: Person, context) -> list[Household]:
        user = context["request"].user
        return list(selectors.households_of(user=user, person=obj).order_by("id"))


class PersonFilter(Schema):
    q: str = ""
    birth_date: str = ""


class PersonIn(Schema):
    name: str = ""
    name_kana: str = ""
    birth_date: str | None = None
    sex: str = Sex.UNKNOWN
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    mobile_phone: str = ""
    contact_notes: str = ""
    confirm_not_duplicate: bool = False
    duplicate_reason: str = ""


class KnownCheckIn(Schema):
    name: str = ""
    name_kana: str = ""
    birth_date: str | None = None
    sex: str = Field("", description="male / female / unknown（分かれば照合に使います）")
    address: str = Field("", description="住所（分かれば照合に使います）")
    phone: str = Field("", description="電話番号（分かれば照合に使います）")


class KnownMatchOut(Schema):
    person_id: int
    reasons: list[str]
    probability: float = Field(description="同じ方である確率の見積もり（0〜1）")
    band: str = Field(description="一致の可能性: 高（0.99以上）・中（0.5以上）・低")
    caution: str = Field(
        "",
        description="同じ方と決める前に確かめること（同一世帯の同名の親子など）。なければ空",
    )


class ContactOut(Schema):
    name: str
    phone: str


class KnownCheckOut(Schema):
    found: bool
    matches: list[KnownMatchOut]
    hidden_matches: int
    contacts: list[ContactOut]
    common_name: bool = Field(
        False, description="同じ氏名の方が多く、生年月日がないため候補を絞りきれていない"
    )


class DuplicateOut(Schema):
    detail: str
    matches: list[KnownMatchOut]
    hidden_matches: int
    contacts: list[ContactOut]


PERSON_LENGTHS = {
    name: name for name in ("name", "name_kana", "postal_code", "address", "phone", "mobile_phone")
}


def _known_answer(result) -> dict[str, Any]:
    """Visible matches by id; of the others only their number and whom to contact."""
    return {
        "matches": [
            {
                "person_id": m.person_id,
                "reasons": m.reasons,
                "probability": round(m.probability, 6),
                "band": m.band,
                "caution": m.caution,
            }
            for m in result.matches
            if m.visible
        ],
        "hidden_matches": result.hidden_count,
        "contacts": [{"name": a.name, "phone": a.phone} for a in result.contacts],
    }


def _audit_known_check(request, result, during: str = "") -> None:
    context = {"matches": len(result.matches), "hidden": result.hidden_count}
    if during:
        context["during"] = during
    audit_read(
        request,
        "person.known_check",
        persons=[m.person_id for m in result.matches],
        context=context,
    )


def _audit_person_search(request, items, *, page, filters, **params):
    audit_read(
        request,
        "person.search",
        persons=[p.pk for p in items],
        context=filter_context(filters, page),
    )


@router.get("/persons", response=list[PersonOut], summary="本人の検索（氏名・フリガナ・生年月日）")
@paginate(AuditedPagination, page_size=50, on_page=_audit_person_search)
def person_list(request, filters: Query[PersonFilter]):
    """見ることのできる方だけを返します。生年月日は和暦・西暦のどちらでも指定できます。"""
    require_perm(request, "people.use")
    birth_date = date_input(filters.birth_date, "birth_date")
    return selectors.person_search(user=request.user, q=filters.q, birth_date=birth_date)


@router.post(
    "/persons/known-check",
    response={200: KnownCheckOut, 422: InvalidOut},
    summary="既に知られている方かの確認（見られない方は問い合わせ先だけ）",
)
def person_known_check(request, payload: KnownCheckIn):
    require_perm(request, "people.use")
    birth_date = date_input(payload.birth_date, "birth_date")
    if not (payload.name.strip() or payload.name_kana.strip()):
        raise invalid({"name": "氏名またはフリガナを入力してください。"})
    result = selectors.known_person_check(
        user=request.user,
        name=payload.name,
        name_kana=payload.name_kana,
        birth_date=birth_date,
        sex=payload.sex,
        address=payload.address,
        phones=(payload.phone,),
    )
    _audit_known_check(request, result)
    return {"found": result.found, "common_name": result.common_name, **_known_answer(result)}


@router.get(
    "/persons/{person_id}",
    response={200: PersonDetailOut, 404: ErrorOut},
    summary="本人の詳細",
)
def person_detail(request, person_id: int):
    require_perm(request, "people.use")
    person = selectors.get_person_for_user(request.user, person_id)
    audit_read(request, "person.view", person, persons=[person.pk])
    return person


@router.post(
    "/persons",
    response={201: PersonDetailOut, 409: DuplicateOut, 422: InvalidOut},
    summary="本人の登録（既に知られている方かを確認してから）",
)
def person_create(request, payload: PersonIn):
    """同じ方と思われる登録があると 409 を返します。別の方として登録するときは
    ``confirm_not_duplicate`` を true にし、``duplicate_reason`` に理由を書きます。"""
    require_perm(request, "people.use")
    data = payload.dict()
    check_lengths(Person, data, PERSON_LENGTHS)
    birth_date = date_input(data.pop("birth_date"), "birth_date")
    try:
        person = services.person_register(by=request.user, birth_date=birth_date, **data)
    except services.DuplicateSuspected as duplicate:
        _audit_known_check(request, duplicate.result, during="person.create")
        return Status(409, {"detail": duplicate.messages[0], **_known_answer(duplicate.result)})
    return Status(201, selectors.get_person_for_user(request.user, person.pk))


# --- households -------------------------------------------------------------------------


class HouseholdMemberOut(Schema):
    visible: bool
    person_id: int | None
    name: str | None
    name_kana: str | None
    relation: str
    relation_label: str
    start_date: datetime.date | None


class HouseholdOut(Schema):
    id: int
    label: str
    address: str
    notes: str
    registered_by_agency_id: int | None
    members: list[HouseholdMemberOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


def household_answer(request, household: Household) -> dict[str, Any]:
    """The household with its current members; one the user may not see shows only the
    relation to the head of the household."""
    members = household.current_members
    visible = set(
        access.persons_visible_to(request.user)
        .filter(pk__in=[m.person_id for m in members])
        .values_list("pk", flat=True)
    )
    out = []
    for m in members:
        shown = m.person_id in visible
        out.append(
            {
                "visible": shown,
                "person_id": m.person_id if shown else None,
                "name": m.person.name if shown else None,
                "name_kana": m.person.name_kana if shown else None,
                "relation": m.relation,
                "relation_label": m.get_relation_display(),
                "start_date": m.start_date if shown else None,
            }
        )
    return {
        "id": household.pk,
        "label": household.label,
        "address": household.address,
        "notes": household.notes,
        "registered_by_agency_id": household.registered_by_agency_id,
        "members": out,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
    }


class HouseholdIn(Schema):
    label: str = ""
    address: str = ""
    notes: str = ""
    head_person_id: int | None = None


class MemberIn(Schema):
    person_id: int | None = None
    relation: str = ""
    start_date: datetime.date | None = None


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, 404: ErrorOut},
    summary="世帯と世帯員",
)
def household_detail(request, household_id: int):
    """見ることのできない世帯員は続柄だけを示します（``visible`` が false）。"""
    require_perm(request, "people.use")
    household = selectors.get_household_for_user(request.user, household_id)
    answer = household_answer(request, household)
    audit_read(
        request,
        "household.view",
        household,
        persons=[m["person_id"] for m in answer["members"] if m["visible"]],
    )
    return answer


@router.post(
    "/households",
    response={201: HouseholdOut, 404: ErrorOut, 422: InvalidOut},
    summary="世帯の登録（世帯主を指定できます）",
)
def household_create(request, payload: HouseholdIn):
    require_perm(request, "people.use")
    check_lengths(Household, payload.dict(), {"label": "label", "address": "address"})
    head = (
        selectors.get_person_for_user(request.user, payload.head_person_id)
        if payload.head_person_id
        else None
    )
    with transaction.atomic():
        household = services.household_create(
            by=request.user, label=payload.label, address=payload.address, notes=payload.notes
        )
        if head is not None:
            services.household_add_member(
                by=request.user, household=household, person=head, relation=Relation.HEAD
            )
    return Status(
        201, household_answer(request, selectors.get_household_for_user(request.user, household.pk))
    )


@router.post(
    "/households/{household_id}/members",
    response={201: HouseholdOut, 404: ErrorOut, 422: InvalidOut},
    summary="世帯員の追加",
)
@api_fields(non_field="person_id")
def household_member_add(request, household_id: int, payload: MemberIn):
    require_perm(request, "people.use")
    household = selectors.get_household_for_user(request.user, household_id)
    if payload.person_id is None:
        raise invalid({"person_id": "世帯員にする方を指定してください。"})
    person = selectors.get_person_for_user(request.user, payload.person_id)
    services.household_add_member(
        by=request.user,
        household=household,
        person=person,
        relation=payload.relation,
        start_date=payload.start_date,
    )
    return Status(
        201, household_answer(request, selectors.get_household_for_user(request.user, household.pk))
    )
