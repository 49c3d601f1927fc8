"""アウトリーチ支援計画 over the API: a record's plan versions, a new version, and putting a
version on a meeting's agenda (before consent only a 支援会議, after consent a
重層的支援会議). The meeting's decision is recorded on the meeting (``/meetings/...``)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.schemas import ErrorOut
from tsunagu.audit.services import audit_read
from tsunagu.meetings import selectors as meeting_selectors

from .. import selectors, services
from ..models import OutreachPlan
from ..permissions import NOT_WORKER
from .answer import STEP_ERRORS, record_for, sees_whole, working
from .schemas import OutreachPlanOut

router = Router()


class OutreachPlanIn(Schema):
    approach: str = ""
    network: str = ""
    risks: str = ""
    emergency_route: str = ""
    goals: str = ""


class OutreachPlanMeetingIn(Schema):
    meeting_id: int | None = None


def _plans_shown(request, record):
    if sees_whole(request, record):
        return selectors.plans(record)
    return selectors.plans_on_agenda_for(request.user, record)


def _plan_for_step(request, plan_id: int) -> OutreachPlan:
    """The plan: 404 unless the user sees it (its record whole, or the plan on the agenda of
    a meeting whose materials they see), 403 unless they work its record."""
    plan = OutreachPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    record = record_for(request, plan.record_id)
    if not _plans_shown(request, record).filter(pk=plan.pk).exists():
        raise Http404
    if not request.user.has_perm("outreach.work_record", record):
        raise PermissionDenied(NOT_WORKER)
    plan.record = record
    return plan


def _plan_answer(plan: OutreachPlan) -> OutreachPlan:
    return selectors.plans(plan.record).get(pk=plan.pk)


@router.get(
    "/outreach/records/{record_id}/plans",
    response={200: list[OutreachPlanOut], 404: ErrorOut},
    summary="アウトリーチ支援計画のすべての版（新しい版から）",
)
def plan_list(request, record_id: int):
    """会議の構成員として閲覧する人には、その会議の議題にある版だけを返します。閲覧は
    監査ログに記録されます。"""
    record = record_for(request, record_id)
    plans = list(_plans_shown(request, record))
    audit_read(
        request,
        "outreach.plan_list",
        record,
        persons=record.subject_persons(),
        context={"outreach": record.pk, "plans": [p.pk for p in plans]},
    )
    return plans


@router.post(
    "/outreach/records/{record_id}/plans",
    response={201: OutreachPlanOut, **STEP_ERRORS},
    summary="アウトリーチ支援計画の新しい版（前の版はそのまま残ります）",
)
def plan_create(request, record_id: int, payload: OutreachPlanIn):
    """``approach``（関わりの切口。例：家族への支援、趣味、キーパーソン）が必要です。
    本人を取り巻くネットワーク（``network``）、リスク（``risks``）、緊急時の対応
    （``emergency_route``、警察・医療との連携）、当面の目標（``goals``）を添えられます。
    会議で協議中の版があるときや、終了した対象は 409 です。"""
    record = working(request, record_id)
    plan = services.plan_create(by=request.user, record=record, **payload.dict())
    return Status(201, _plan_answer(plan))


@router.post(
    "/outreach/plans/{plan_id}/meeting",
    response={201: OutreachPlanOut, **STEP_ERRORS},
    summary="計画を会議の議題に出す（同意前は支援会議、同意後は重層的支援会議）",
)
@api_fields({"meeting": "meeting_id"})
def plan_to_meeting(request, plan_id: int, payload: OutreachPlanMeetingIn):
    """同意（利用申込）の前の計画は支援会議（社会福祉法第106条の6。構成員に守秘義務）で
    のみ、同意の後は重層的支援会議で協議します。ほかの種類の会議、中止した会議、作成中・
    修正して再協議以外の版は 409 です。閲覧できない会議は 404 です。議題になった計画は、
    その会議の構成員（支援会議では誓約の後）に会議資料として示されます。"""
    plan = _plan_for_step(request, plan_id)
    if payload.meeting_id is None:
        raise invalid({"meeting_id": "協議する会議を選んでください。"})
    meeting = meeting_selectors.get_meeting_for_user(request.user, payload.meeting_id)
    services.plan_to_meeting(by=request.user, plan=plan, meeting=meeting)
    return Status(201, _plan_answer(plan))
