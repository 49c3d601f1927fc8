"""Who may see a person and why, over the API: for the program office only, with the same
rows and the same audit as the page (``/persons/<id>/access/``); anyone else gets 404, as for
a person they may not see."""

import datetime

from ninja import Field, Router, Schema

from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut
from tsunagu.audit.services import audit_read

from .selectors import PersonAccess, get_person_access_for_user

router = Router(tags=["閲覧の根拠"])


class GrantAgencyOut(Schema):
    id: int
    name: str


class AccessRowOut(Schema):
    grant_id: int
    agency_id: int
    agency_name: str
    subject_type: str = Field(description="person（本人）・household（世帯）・case（事例）")
    subject_id: int
    subject: str = Field(description="本人・世帯「呼称」・事例 #番号")
    basis: str
    basis_label: str
    valid_from: datetime.datetime
    valid_until: datetime.datetime | None = Field(description="null は現在も続いている根拠")
    is_current: bool


class PersonAccessOut(Schema):
    person_id: int
    agencies_now: list[GrantAgencyOut] = Field(
        description="いまこの方の記録を見られる機関（対象が本人の現在の根拠をもつ機関）"
    )
    grants: list[AccessRowOut] = Field(
        description="現在の根拠（機関ごと）、終わった根拠（終了の新しい順）の順"
    )

    @staticmethod
    def resolve_person_id(obj: PersonAccess) -> int:
        return obj.person.pk

    @staticmethod
    def resolve_agencies_now(obj: PersonAccess) -> list[dict]:
        return [{"id": pk, "name": name} for pk, name in obj.agencies_now]

    @staticmethod
    def resolve_grants(obj: PersonAccess) -> list:
        return obj.rows


@router.get(
    "/persons/{person_id}/access",
    response={200: PersonAccessOut, 404: ErrorOut},
    summary="誰がこの方の情報を見られるか、その根拠（事務局のみ）",
    operation_id="tsunagu_grants_api_person_access",
)
def person_access(request, person_id: int):
    """この方本人、この方が世帯員である（あった）世帯、この方が本人である多機関協働の事例を
    閲覧できる根拠を、機関・根拠・期間とともに返します。終わった根拠も含みます。
    自治体の事務局だけが使えます（ほかの方には 404）。"""
    require_perm(request, "people.use")
    access = get_person_access_for_user(request.user, person_id)
    audit_read(
        request,
        "person.access_view",
        access.person,
        persons=[access.person.pk],
        context={**access.audit_context(), "format": "json"},
    )
    return access
