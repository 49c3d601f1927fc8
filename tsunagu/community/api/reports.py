"""気づき・通報 over the API (``/api/v1/community/reports``): the list (untriaged first), a new
report, one report, and the office's triage.

The same rules and audit as the screens: a report the user may not see answers 404, the
triage by anyone but the office 403, a second triage 409, invalid input 422, and every read
of personal data is recorded.
"""

import datetime

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.accounts.models import Agency, Area
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.consultations.models import IssueCategory
from tsunagu.people import selectors as people_selectors

from ..models import CommunityReport, ReportOrigin, Triage, Watch
from ..selectors import reports as selectors
from ..services import reports as services

router = Router()

PERM = "community.watch"
STATES = ("", "untriaged", "triaged")


class ReportOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    received_at: datetime.datetime
    origin: str
    origin_label: str
    reporter_name: str
    reporter_contact: str
    noticed_on: datetime.date | None
    place: str
    area_id: int | None
    what: str
    person_id: int | None
    triage: str
    triage_label: str
    triaged_at: datetime.datetime | None
    triage_due: datetime.date | None
    triage_overdue: bool
    no_action_reason: str
    consultation_id: int | None
    outreach_record_id: int | None
    watch_id: int | None


class ReportListQuery(Schema):
    q: str = ""
    state: str = ""
    origin: str = ""
    triage: str = ""


class ReportIn(Schema):
    received_at: datetime.datetime | None = None
    origin: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    noticed_on: str | None = None
    place: str = ""
    area_id: int | None = None
    what: str = ""
    person_id: int | None = None


class TriageIn(Schema):
    triage: str = ""
    no_action_reason: str = ""
    reason: str = ""
    agency_id: int | None = None
    person_id: int | None = None
    category_ids: list[int] = []
    consent_to_share: bool = False
    outreach_record_id: int | None = None
    watch_id: int | None = None
    watch_label: str = ""
    watch_frequency: str = "weekly"


def _row(r: CommunityReport) -> dict:
    return {
        "id": r.pk,
        "agency_id": r.agency_id,
        "agency_name": r.agency.name,
        "received_at": r.received_at,
        "origin": r.origin,
        "origin_label": r.get_origin_display(),
        "reporter_name": r.reporter_name,
        "reporter_contact": r.reporter_contact,
        "noticed_on": r.noticed_on,
        "place": r.place,
        "area_id": r.area_id,
        "what": r.what,
        "person_id": r.person_id,
        "triage": r.triage,
        "triage_label": r.get_triage_display() if r.triage else "未振り分け",
        "triaged_at": r.triaged_at,
        "triage_due": getattr(r, "due", None),
        "triage_overdue": getattr(r, "overdue", False),
        "no_action_reason": r.no_action_reason,
        "consultation_id": r.consultation_id,
        "outreach_record_id": r.outreach_record_id,
        "watch_id": r.watch_id,
    }


def _detail(request, report_id: int) -> dict:
    report = selectors.get_report_for_user(request.user, report_id)
    selectors.audit_report(request, report, {"via": "api"})
    return _row(report)


def _list_page(request, items, *, page, filters, **params):
    selectors.decorate(items)
    selectors.audit_list(request, items, {**filter_context(filters, page), "via": "api"})
    items[:] = [_row(r) for r in items]


@router.get(
    "/community/reports",
    response={200: list[ReportOut], 403: ErrorOut, 422: InvalidOut},
    summary="気づき・通報の一覧",
)
@paginate(AuditedPagination, page_size=50, on_page=_list_page)
def report_list(request, filters: Query[ReportListQuery]):
    """見える気づき・通報（受け付けた機関、事務局、見守りになったものはその見守りを見る人）を、
    未振り分けのものから受付の古い順に返します。受付から3開庁日を過ぎても振り分けて
    いないものは ``triage_overdue=true`` です。絞り込み：``q``（内容・場所・通報者・圏域の
    語）、``state``（``untriaged``・``triaged``）、``origin``、``triage``。"""
    require_perm(request, PERM)
    errors = {}
    if filters.state not in STATES:
        errors["state"] = (
            "untriaged（未振り分け）または triaged（振り分け済み）を指定してください。"
        )
    if filters.origin and filters.origin not in ReportOrigin.values:
        errors["origin"] = "通報者の種類の値が正しくありません。"
    if filters.triage and filters.triage not in Triage.values:
        errors["triage"] = "振り分けの値が正しくありません。"
    if errors:
        raise invalid(errors)
    return selectors.report_list(
        user=request.user,
        filters=selectors.ReportFilter(
            q=filters.q, state=filters.state, origin=filters.origin, triage=filters.triage
        ),
    ).select_related("agency")


@router.post(
    "/community/reports",
    response={201: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="気づき・通報の記録",
)
@api_fields({"person": "person_id", "area": "area_id"})
def report_create(request, payload: ReportIn):
    """住民・事業者・民生委員などから聞いたことを、自分の機関が受け付けたものとして記録
    します。``origin`` は ``resident``・``business``・``minsei``・``activity``・``other``。
    ``received_at`` を省くと今の日時です。"""
    require_perm(request, PERM)
    area = None
    if payload.area_id is not None:
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise invalid({"area_id": "指定された圏域が見つかりません。"})
    person = (
        people_selectors.get_person_for_user(request.user, payload.person_id)
        if payload.person_id is not None
        else None
    )
    report = services.report_record(
        by=request.user,
        received_at=payload.received_at or timezone.now(),
        origin=payload.origin,
        what=payload.what,
        reporter_name=payload.reporter_name,
        reporter_contact=payload.reporter_contact,
        noticed_on=date_input(payload.noticed_on, "noticed_on"),
        place=payload.place,
        area=area,
        person=person,
    )
    return Status(201, _detail(request, report.pk))


@router.get(
    "/community/reports/{report_id}",
    response={200: ReportOut, 403: ErrorOut, 404: ErrorOut},
    summary="気づき・通報の詳細",
)
def report_detail(request, report_id: int):
    """閲覧は監査ログに記録されます。"""
    require_perm(request, PERM)
    return _detail(request, report_id)


@router.post(
    "/community/reports/{report_id}/triage",
    response={200: ReportOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut},
    summary="気づき・通報の振り分け（事務局）",
)
@api_fields(
    {
        "agency": "agency_id",
        "person": "person_id",
        "categories": "category_ids",
        "outreach_record": "outreach_record_id",
        "watch": "watch_id",
    }
)
def report_triage(request, report_id: int, payload: TriageIn):
    """``triage`` は次のいずれか1つで、振り分けは1回だけです（2回目は 409）。
    ``consultation``：本人（``person_id`` または通報の本人）の相談を事務局で受け付け、
    ``agency_id`` の窓口へつなぎます（``category_ids`` が必要）。``outreach``：アウトリーチ
    実施機関が登録した対象（``outreach_record_id``）と結び付けます。``watch``：既にある
    見守り（``watch_id``）か、``agency_id`` が担う新しい見守り（``watch_label``・
    ``watch_frequency``）。``no_action``：``no_action_reason`` が必要です。"""
    from tsunagu.outreach.models import OutreachRecord

    require_perm(request, PERM)
    report = selectors.get_report_for_user(request.user, report_id)
    require_perm(request, "community.triage")
    agency = None
    if payload.agency_id is not None:
        agency = Agency.objects.filter(pk=payload.agency_id).first()
        if agency is None:
            raise invalid({"agency_id": "指定された機関が見つかりません。"})
    person = (
        people_selectors.get_person_for_user(request.user, payload.person_id)
        if payload.person_id is not None
        else None
    )
    categories = list(IssueCategory.objects.filter(pk__in=payload.category_ids, is_active=True))
    if len(categories) != len(set(payload.category_ids)):
        raise invalid({"category_ids": "相談内容を選択肢から選んでください。"})
    record = None
    if payload.outreach_record_id is not None:
        record = OutreachRecord.objects.filter(pk=payload.outreach_record_id).first()
        if record is None:
            raise invalid({"outreach_record_id": "指定されたアウトリーチ対象が見つかりません。"})
    watch = None
    if payload.watch_id is not None:
        watch = Watch.objects.filter(pk=payload.watch_id).first()
        if watch is None:
            raise invalid({"watch_id": "指定された見守りが見つかりません。"})
    services.report_triage(
        by=request.user,
        report=report,
        triage=payload.triage,
        no_action_reason=payload.no_action_reason,
        reason=payload.reason,
        agency=agency,
        person=person,
        categories=categories,
        consent_to_share=payload.consent_to_share,
        outreach_record=record,
        watch=watch,
        watch_label=payload.watch_label,
        watch_frequency=payload.watch_frequency,
    )
    return _detail(request, report.pk)
