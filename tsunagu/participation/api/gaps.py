"""参加支援 over the API: no resource fits the person — the record waits on a 不足する社会資源
of the register (one chosen, or a new one raised from matching), and the link removed when
it no longer applies."""

from django.http import Http404
from ninja import Router, Schema, Status

from tsunagu.accounts.models import Area
from tsunagu.api.errors import api_fields, invalid
from tsunagu.resources.models import ResourceGap, ResourceKind

from .. import services
from ..models import GapNeed
from .answer import STEP_ERRORS, record_answer, working
from .schemas import ParticipationRecordDetailOut

router = Router()


class ParticipationGapNeedIn(Schema):
    gap_id: int | None = None
    description: str = ""
    kind_id: int | None = None
    area_id: int | None = None
    targets: list[str] = []
    target_attributes: str = ""
    note: str = ""


class ParticipationGapNeedRemoveIn(Schema):
    reason: str = ""


def _find(model, value, field: str, message: str):
    if value is None:
        return None
    found = model.objects.filter(pk=value).first()
    if found is None:
        raise invalid({field: message})
    return found


@router.post(
    "/participation/records/{record_id}/gap-needs",
    response={201: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="合う社会資源がない（不足する社会資源を待つ）",
)
@api_fields({"gap": "gap_id", "kind": "kind_id", "area": "area_id"})
def gap_need_add(request, record_id: int, payload: ParticipationGapNeedIn):
    """本人に合う社会資源がないことを記録します。登録済みの不足する社会資源を ``gap_id`` で
    選ぶか、新しく ``description``（不足している社会資源・仕組み）と、必要なら ``kind_id``
    （求められる資源の種類）、``area_id``（圏域）、``targets``（対象の世代：``children``・
    ``youth``・``working_age``・``elderly``）、``target_attributes``（対象の属性）を送ります
    （新しいものは把握の経路「参加支援のマッチング」として登録されます）。``note`` は合う
    資源がなかった事情です。終結した記録、同じ不足する社会資源の二度目、開発済みの不足する
    社会資源は 409 です。答えは記録の全体（``gap_needs`` に待っている不足する社会資源）。"""
    record = working(request, record_id)
    gap = _find(
        ResourceGap, payload.gap_id, "gap_id", "指定された不足する社会資源が見つかりません。"
    )
    kind = _find(ResourceKind, payload.kind_id, "kind_id", "指定された種類が見つかりません。")
    area = _find(Area, payload.area_id, "area_id", "指定された圏域が見つかりません。")
    services.gap_need_add(
        by=request.user,
        record=record,
        gap=gap,
        description=payload.description,
        kind=kind,
        area=area,
        targets=payload.targets,
        target_attributes=payload.target_attributes,
        note=payload.note,
    )
    return Status(201, record_answer(request, record))


@router.post(
    "/participation/records/{record_id}/gap-needs/{need_id}/remove",
    response={200: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="不足する社会資源の記録から外す",
)
def gap_need_remove(request, record_id: int, need_id: int, payload: ParticipationGapNeedRemoveIn):
    """記録が待っている不足する社会資源（``need_id``：記録の答えの ``gap_needs`` の ``id``）
    を、``reason``（合う社会資源が見つかった、本人の希望が変わった など）とともに外します。
    不足する社会資源そのものは一覧に残ります。"""
    record = working(request, record_id)
    need = GapNeed.objects.filter(pk=need_id, record=record).select_related("gap").first()
    if need is None:
        raise Http404
    need.record = record
    services.gap_need_remove(by=request.user, need=need, reason=payload.reason)
    return record_answer(request, record)
