"""事例概要シート over the API: the sheet of one agenda item as JSON, or as the printable PDF.

The same rules and audit as the screens: a meeting the user may not see (or an item not on
it) answers 404, a meeting seen without the right to its materials 403, and every read is
recorded. Tax information is never on the sheet; without the person's consent to sharing in
the conference only a notice is (a 支援会議 shares under its statutory confidentiality duty).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Router, Schema

from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut
from tsunagu.audit.services import audit_read

from . import selectors, summary
from .models import AgendaItem
from .summary_views import pdf_response

router = Router(tags=["会議"])


class SheetMeetingOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    starts_at: datetime.datetime
    date_wareki: str
    place: str
    convening_agency: str
    is_confidential: bool
    legal_basis: str
    confidentiality_notice: str
    header: str


class SheetItemOut(Schema):
    id: int
    order: int
    purpose: str
    purpose_label: str
    title: str
    is_withdrawn: bool


class SheetPersonOut(Schema):
    name: str
    name_kana: str
    age: int | None
    sex: str
    sex_label: str


class SheetHouseholdMemberOut(Schema):
    relation: str
    relation_label: str
    age: int | None
    is_person: bool


class SheetHouseholdOut(Schema):
    label: str
    members: list[SheetHouseholdMemberOut]


class SheetSectionOut(Schema):
    code: str
    label: str
    text: str
    sources: list[str]
    withheld: bool


class SheetAssessmentOut(Schema):
    version: int
    recorded_on: datetime.date
    recorded_on_wareki: str
    sections: list[SheetSectionOut]


class SheetPlanItemOut(Schema):
    issue: str
    action: str
    agency: str
    worker: str
    frequency: str
    period: str
    statutory_service: str
    statutory_label: str


class SheetPlanOut(Schema):
    id: int
    version: int
    kind_label: str
    status: str
    status_label: str
    under_discussion: bool
    goals: str
    policy: str
    next_monitoring_on: datetime.date | None
    next_monitoring_on_wareki: str
    evaluation_on: datetime.date | None
    evaluation_on_wareki: str
    items: list[SheetPlanItemOut]


class SheetActivityOut(Schema):
    days: int
    since: datetime.date
    since_wareki: str
    count: int
    total: int


class SheetTeamOut(Schema):
    agency: str
    role: str


class SheetCaseOut(Schema):
    id: int
    status: str
    status_label: str
    is_urgent: bool
    opened_on: datetime.date
    opened_on_wareki: str
    coordinator: str
    coordinating_agency: str
    person: SheetPersonOut | None
    household: SheetHouseholdOut | None
    issue_categories: list[str]
    assessment: SheetAssessmentOut | None
    plan: SheetPlanOut | None
    recent_activity: SheetActivityOut
    team: list[SheetTeamOut]


class SummarySheetOut(Schema):
    title: str
    meeting: SheetMeetingOut
    item: SheetItemOut
    case_number: int | None
    personal_content: bool
    notice: str
    consent_notes: str
    case: SheetCaseOut | None


def _readable_item(request, meeting_id: int, item_id: int) -> AgendaItem:
    require_perm(request, "meetings.use")
    item = selectors.get_sheet_item_for_user(request.user, meeting_id, item_id)
    if not request.user.has_perm("meetings.view_materials", item.meeting):
        raise PermissionDenied(summary.materials_denied_message(item.meeting))
    return item


def _sheet(request, item: AgendaItem, fmt: str) -> dict:
    sheet = summary.summary_sheet(item)
    audit_read(
        request,
        "meeting.summary_sheet",
        item,
        persons=summary.audit_persons(item),
        context=summary.audit_context(item, sheet, fmt),
    )
    return sheet


@router.get(
    "/meetings/{meeting_id}/items/{item_id}/sheet",
    response={200: SummarySheetOut, 403: ErrorOut, 404: ErrorOut},
    summary="議題の事例概要シート（共通様式）",
)
def summary_sheet(request, meeting_id: int, item_id: int):
    """会議の根拠と本人同意が許す範囲だけを載せます。税務部門からの情報は載せません。
    重層的支援会議では、本人が会議での共有に同意していない事例は個人に関する内容を載せず、
    ``notice`` にその旨を返します。"""
    item = _readable_item(request, meeting_id, item_id)
    return _sheet(request, item, "json")


@router.get(
    "/meetings/{meeting_id}/items/{item_id}/sheet.pdf",
    response={403: ErrorOut, 404: ErrorOut},
    summary="議題の事例概要シート（A4のPDF）",
    openapi_extra={
        "responses": {
            200: {
                "description": "A4のPDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def summary_sheet_pdf(request, meeting_id: int, item_id: int) -> HttpResponse:
    item = _readable_item(request, meeting_id, item_id)
    return pdf_response(item, _sheet(request, item, "pdf"), request)
