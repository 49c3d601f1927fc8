"""接触記録 over the API: a record's contacts (and attempts), and recording one. Only the
record's outreach agency and the program office read them; a meeting's member sees the
record as materials, without its contacts."""

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.schemas import ErrorOut
from tsunagu.audit.services import audit_read

from .. import selectors, services
from ..models import OutreachRecord
from .answer import STEP_ERRORS, record_for, sees_whole, working
from .schemas import OutreachContactOut

router = Router()

NOT_MATERIALS = (
    "接触記録は、この対象を担当するアウトリーチ実施機関と事務局だけが閲覧できます"
    "（会議の資料には含まれません）。"
)


class OutreachContactIn(Schema):
    occurred_on: str | None = None
    method: str = ""
    staff: str = ""
    summary: str = ""
    reached_person: bool = False
    next_action: str = ""
    next_action_on: str | None = None


def _contact_page(request, items, *, page, record_id, **params):
    record = OutreachRecord.objects.get(pk=record_id)
    audit_read(
        request,
        "outreach.contact_list",
        record,
        persons=record.subject_persons(),
        context={"outreach": record.pk, "contacts": [c.pk for c in items], "page": str(page)},
    )


@router.get(
    "/outreach/records/{record_id}/contacts",
    response={200: list[OutreachContactOut], 403: ErrorOut, 404: ErrorOut},
    summary="接触記録の一覧（実施日の新しい順）",
)
@paginate(AuditedPagination, page_size=50, on_page=_contact_page)
def contact_list(request, record_id: int):
    """この対象を担当するアウトリーチ実施機関と事務局だけが読めます（会議の構成員は
    403）。閲覧は監査ログに記録されます。"""
    record = record_for(request, record_id)
    if not sees_whole(request, record):
        raise PermissionDenied(NOT_MATERIALS)
    return selectors.contacts(record)


@router.post(
    "/outreach/records/{record_id}/contacts",
    response={201: OutreachContactOut, **STEP_ERRORS},
    summary="接触記録（実施した接触・試み）の記録",
)
def contact_create(request, record_id: int, payload: OutreachContactIn):
    """``method`` は ``letter``（手紙）、``flyer``（チラシ等の情報提供）、``message``
    （メール・チャット）、``phone``（電話）、``visit_met``（訪問・本人に会えた）、
    ``visit_not_met``（訪問・会えなかった）、``visit_family``（訪問・家族のみ）、
    ``accompany``（同行支援）、``coordination``（関係機関・家族との調整）。
    ``occurred_on`` と ``next_action_on`` は和暦・西暦のどちらでも指定できます（実施日は
    開始日より前・未来は不可）。本人に初めて会えた接触が初回面会日になり、最も新しい
    接触の次の予定が対象の次の予定になります。"""
    record = working(request, record_id)
    contact = services.contact_record(
        by=request.user,
        record=record,
        occurred_on=date_input(payload.occurred_on, "occurred_on"),
        method=payload.method,
        staff=payload.staff,
        summary=payload.summary,
        reached_person=payload.reached_person,
        next_action=payload.next_action,
        next_action_on=date_input(payload.next_action_on, "next_action_on"),
    )
    return Status(201, selectors.contacts(record).get(pk=contact.pk))
