"""支援経過記録 over the API: a case's log and recording an entry.

The same rules and audit as the screens: a case the user may not see answers 404, an entry
by an agency that may not record on the case 403, invalid input 422, and every read of the
log is recorded. Reading the log here does not mark entries as seen by the coordinator:
that happens when the coordinator opens the log on screen.
"""

import datetime

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.api.errors import invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.audit.services import audit_read
from tsunagu.cases import permissions, selectors
from tsunagu.cases.models import Activity, ActivityKind, Case
from tsunagu.cases.selectors import activity as activity_selectors
from tsunagu.cases.services import activity as activity_services
from tsunagu.common.wareki import format_wareki

# Every route keeps the operation id it had in ``tsunagu.cases.activity_api`` before the API became
# a package, so clients generated from the OpenAPI schema keep their method names.
router = Router(tags=["多機関協働"])


class ActivityOut(Schema):
    id: int
    case_id: int
    occurred_on: datetime.date
    occurred_on_wareki: str
    kind: str
    kind_label: str
    agency_id: int
    agency_name: str
    summary: str
    is_contact_attempt: bool
    reached_person: bool
    recorded_by_name: str
    recorded_at: datetime.datetime
    seen_by_coordinator_at: datetime.datetime | None

    @staticmethod
    def resolve_occurred_on_wareki(obj: Activity) -> str:
        return format_wareki(obj.occurred_on)

    @staticmethod
    def resolve_kind_label(obj: Activity) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_agency_name(obj: Activity) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_recorded_by_name(obj: Activity) -> str:
        user = obj.recorded_by
        return user.display_name or user.get_username()


class ActivityFilter(Schema):
    kind: str = ""
    agency_id: int | None = None


class ActivityIn(Schema):
    occurred_on: str | None = None
    kind: str = ""
    summary: str = ""
    is_contact_attempt: bool = False
    reached_person: bool = False


def _activity_page(request, items, *, page, case_id, filters, **params):
    case = Case.objects.get(pk=case_id)
    context = {"case": case.pk, **filter_context(filters, page)}
    context["activities"] = [a.pk for a in items]
    audit_read(request, "activity.list", case, persons=case.subject_persons(), context=context)


@router.get(
    "/cases/{case_id}/activities",
    response={200: list[ActivityOut], 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="事例の支援経過記録の一覧（実施日の新しい順）",
    operation_id="tsunagu_cases_activity_api_activity_list",
)
@paginate(AuditedPagination, page_size=25, on_page=_activity_page)
def activity_list(request, case_id: int, filters: Query[ActivityFilter]):
    """種別（``kind``）と記録した機関（``agency_id``）で絞り込めます。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    if filters.kind and filters.kind not in ActivityKind.values:
        raise invalid({"kind": "種別の値が正しくありません。"})
    own_only = activity_selectors.own_agency_only(request.user, case)
    if own_only and filters.agency_id not in (None, own_only):
        return activity_selectors.activity_list(case=case).none()
    return activity_selectors.activity_list(
        case=case, kind=filters.kind, agency_id=own_only or filters.agency_id
    )


@router.post(
    "/cases/{case_id}/activities",
    response={201: ActivityOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="支援経過の記録（記録した機関は利用者の所属機関）",
    operation_id="tsunagu_cases_activity_api_activity_create",
)
def activity_create(request, case_id: int, payload: ActivityIn):
    """``occurred_on`` は和暦・西暦のどちらでも指定できます（未来の日付は不可）。
    ``kind`` は ``visit``（訪問）、``call``（電話）、``letter``（手紙）、``message``
    （メール・チャット）、``accompany``（同行支援）、``meeting``（面談・会議）、
    ``information``（情報提供を受けた）、``other``（その他）。
    ``reached_person`` は ``is_contact_attempt`` が真のときだけ指定できます。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    refusal = permissions.refusal_message(request.user, case)
    if refusal:
        raise PermissionDenied(refusal)
    occurred_on = date_input(payload.occurred_on, "occurred_on")
    recorded = activity_services.activity_record(
        by=request.user,
        case=case,
        occurred_on=occurred_on,
        kind=payload.kind,
        summary=payload.summary,
        is_contact_attempt=payload.is_contact_attempt,
        reached_person=payload.reached_person,
    )
    return Status(201, recorded)
