"""参加支援 matches over the API: proposing a community resource, moving a match along the
workflow (見学・調整, 参加開始, 定着, 終了, 中止), follow-ups with the person and with the
host, and what falls due for the worker's agency."""

from ninja import Query, Router, Schema, Status

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.audit.services import audit_read
from tsunagu.common.wareki import format_wareki
from tsunagu.resources.models import Resource

from .. import selectors, services
from .answer import STEP_ERRORS, match_for, record_answer, working
from .schemas import ParticipationDueOut, ParticipationRecordDetailOut

router = Router()


class ParticipationMatchIn(Schema):
    resource_id: int | None = None
    proposed_on: str | None = None
    note: str = ""


class ParticipationMoveIn(Schema):
    to: str = ""
    occurred_on: str | None = None
    note: str = ""
    full_override_reason: str = ""


class ParticipationFollowUpIn(Schema):
    track: str = ""
    occurred_on: str | None = None
    note: str = ""
    concern: bool = False


class ParticipationDuesQuery(Schema):
    within_days: int = 7


@router.post(
    "/participation/records/{record_id}/matches",
    response={201: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="社会資源の提案（マッチング）",
)
@api_fields({"resource": "resource_id"})
def match_propose(request, record_id: int, payload: ParticipationMatchIn):
    """本人に社会資源（``resource_id``）を提案します（``proposed_on`` 提案日は和暦・西暦の
    どちらでも。開始日より前・未来は不可）。いま受入可の資源だけを提案でき、一時休止・
    終了した資源は 409 です。答えは記録の全体です。"""
    record = working(request, record_id)
    resource = None
    if payload.resource_id is not None:
        resource = Resource.objects.filter(pk=payload.resource_id).first()
        if resource is None:
            raise invalid({"resource_id": "指定された社会資源が見つかりません。"})
    services.match_propose(
        by=request.user,
        record=record,
        resource=resource,
        proposed_on=date_input(payload.proposed_on, "proposed_on"),
        note=payload.note,
    )
    return Status(201, record_answer(request, record))


@router.post(
    "/participation/matches/{match_id}/move",
    response={200: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="マッチングの状況の変更（見学・調整、参加開始、定着、終了、中止）",
)
@api_fields({"status": "to"})
def match_move(request, match_id: int, payload: ParticipationMoveIn):
    """``to`` は ``arranging``（見学・調整）、``proposed``（提案に戻す）、``started``
    （参加開始）、``settled``（定着）、``ended``（終了）、``cancelled``（中止）。移れる先は
    記録の答えの ``allowed_moves`` にあります。``occurred_on`` はその日付、終了・中止には
    ``note`` に理由が必要です。

    参加開始には、多機関協働のプランに参加支援を位置付けた自治体の支援決定（プラン外の記録
    ではその理由）と、受け入れ先のアセスメントが必要です。満員の資源で受け入れるときは、
    受け入れ先と合意した理由を ``full_override_reason`` に入れます。欠けていれば 409 です。"""
    match = match_for(request, match_id)
    services.match_move(
        by=request.user,
        match=match,
        to=payload.to,
        occurred_on=date_input(payload.occurred_on, "occurred_on"),
        note=payload.note,
        full_override_reason=payload.full_override_reason,
    )
    return record_answer(request, match.record)


@router.post(
    "/participation/matches/{match_id}/follow-ups",
    response={201: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="フォローアップの記録（本人・受け入れ先）",
)
def follow_up_record(request, match_id: int, payload: ParticipationFollowUpIn):
    """参加開始から終了までのマッチングに、本人（``track=person``）または受け入れ先
    （``track=host``、受け入れ先支援）とのフォローアップを記録します。支援チームに伝えたい
    心配ごとがあれば ``concern`` を ``true`` にします。はじめの数週間は毎週、その後は毎月が
    次の予定日です（記録の答えの ``next_due``）。"""
    match = match_for(request, match_id)
    services.follow_up_record(
        by=request.user,
        match=match,
        track=payload.track,
        occurred_on=date_input(payload.occurred_on, "occurred_on"),
        note=payload.note,
        concern=payload.concern,
    )
    return Status(201, record_answer(request, match.record))


@router.get(
    "/participation/dues",
    response={200: list[ParticipationDueOut], 403: ErrorOut, 422: InvalidOut},
    summary="予定の近いフォローアップ・つながりの維持",
)
def dues(request, filters: Query[ParticipationDuesQuery]):
    """自分の機関（事務局はすべての機関）の、``within_days`` 日以内（既定7日、0〜90）に
    予定日が来る、または過ぎたフォローアップ（マッチング×相手ごと）とつながりの維持を、
    予定日の早い順に返します。閲覧した本人は監査ログに記録されます。"""
    require_perm(request, "participation.use")
    if not 0 <= filters.within_days <= 90:
        raise invalid({"within_days": "0から90までの日数を指定してください。"})
    found = selectors.dues(request.user, within_days=filters.within_days)
    if found:
        audit_read(
            request,
            "participation.list",
            persons=[d.record.person_id for d in found],
            context={"dues": True, "within_days": filters.within_days},
        )
    return [
        {
            "record_id": d.record.pk,
            "person_id": d.record.person_id,
            "person_name": d.record.person.name,
            "match_id": d.match.pk if d.match else None,
            "resource_name": d.match.resource.name if d.match else None,
            "track": d.track,
            "label": d.label,
            "due_on": d.due_on,
            "due_on_wareki": format_wareki(d.due_on),
            "overdue": d.overdue,
        }
        for d in found
    ]
