"""The 不足する社会資源 register over the API: the list (searched, paged), one gap with its
history and where it was found, raising a gap, changing what it says, and moving it to another
stage (開発済み names the resource that met it).

Every member of staff reads the register and may raise a gap (meeting guests and system
administrators 403); changing and moving gaps is for those who keep the directory (403). An
unknown gap answers 404, invalid input 422 by the body's field names. The register holds no
personal data: the people waiting on a gap are a count.
"""

import datetime

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as InvalidInput
from ninja.pagination import paginate

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.schemas import ErrorOut, InvalidOut

from .. import gaps, hooks
from ..models import GapOrigin, GapStatus, Resource, ResourceGap, Target
from ..permissions import NOT_EDITOR
from .answer import WRITE_ERRORS, area_of, kind_of, reading

router = Router()

GAP_FIELDS = {"area": "area_id", "met_by": "met_by_id"}


class ResourceGapOut(Schema):
    id: int
    description: str
    kind: str | None
    targets: list[str]
    target_attributes: str
    area_id: int | None
    area_name: str | None
    origin: str
    origin_label: str
    status: str
    status_label: str
    people: int
    met_by_id: int | None
    met_by_name: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind(gap) -> str | None:
        return gap.kind.code if gap.kind_id else None

    @staticmethod
    def resolve_targets(gap) -> list[str]:
        return gap.target_list

    @staticmethod
    def resolve_area_name(gap) -> str | None:
        return gap.area.name if gap.area_id else None

    @staticmethod
    def resolve_origin_label(gap) -> str:
        return gap.get_origin_display()

    @staticmethod
    def resolve_status_label(gap) -> str:
        return gap.get_status_display()

    @staticmethod
    def resolve_people(gap) -> int:
        return getattr(gap, "people", 0)

    @staticmethod
    def resolve_met_by_name(gap) -> str | None:
        return gap.met_by.name if gap.met_by_id else None


class ResourceGapEventOut(Schema):
    status: str
    status_label: str
    note: str
    resource_id: int | None
    at: datetime.datetime

    @staticmethod
    def resolve_status_label(event) -> str:
        return event.get_status_display()


class ResourceGapLinkOut(Schema):
    label: str
    url: str


class ResourceGapDetailOut(ResourceGapOut):
    events: list[ResourceGapEventOut]
    found_at: list[ResourceGapLinkOut]

    @staticmethod
    def resolve_events(gap) -> list:
        return list(gap.events.all())

    @staticmethod
    def resolve_found_at(gap) -> list[dict]:
        return [{"label": label, "url": url} for label, url in gap.found_at]


class ResourceGapQuery(Schema):
    q: str = ""
    status: str = "active"
    area_id: int | None = None
    kind: str = ""
    origin: str = ""


class ResourceGapIn(Schema):
    description: str = ""
    kind: str | int | None = None
    targets: list[str] = []
    target_attributes: str = ""
    area_id: int | None = None


class ResourceGapPatch(Schema):
    description: str | None = None
    kind: str | int | None = None
    targets: list[str] | None = None
    target_attributes: str | None = None
    area_id: int | None = None


class ResourceGapMoveIn(Schema):
    status: str = ""
    note: str = ""
    met_by_id: int | None = None


def _detail(request, gap: ResourceGap) -> ResourceGap:
    gap = gaps.gap_get(request.user, gap.pk)
    (gap,) = gaps.with_people([gap])
    gap.found_at = hooks.gap_links(request.user, gap)
    return gap


def _keeping(request) -> None:
    reading(request)
    if not request.user.has_perm("resources.edit"):
        raise PermissionDenied(NOT_EDITOR)


def _with_people(request, items, **params) -> None:
    gaps.with_people(items)


@router.get(
    "/resources/gaps",
    response={200: list[ResourceGapOut], 403: ErrorOut, 422: InvalidOut},
    summary="不足する社会資源（地域課題）の一覧",
)
@paginate(AuditedPagination, page_size=50, on_page=_with_people)
def gap_list(request, filters: Query[ResourceGapQuery]):
    """新しい順に返します。``status`` は ``active``（開発済み以外＝既定）、``open``（未対応）、
    ``considering``（検討中）、``developing``（開発中）、``developed``（開発済み）、``all``。
    ``q``（語）、``area_id``（その下の圏域を含む）、``kind``（種類のコードまたは id）、
    ``origin``（``meeting``・``matching``・``community``・``other``）で絞り込めます。
    ``people`` は、この不足を待つ参加支援の人数です。"""
    reading(request)
    errors = {}
    if filters.status not in ("active", "all", *GapStatus.values):
        errors["status"] = [
            "状況は active、open、considering、developing、developed、all のいずれかです。"
        ]
    if filters.origin and filters.origin not in GapOrigin.values:
        errors["origin"] = ["把握の経路は meeting、matching、community、other のいずれかです。"]
    kind = None
    try:
        kind = kind_of(filters.kind)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        area_of(filters.area_id)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise invalid(errors)
    return gaps.gap_search(
        gaps.GapSearch(
            q=filters.q,
            status="" if filters.status == "all" else filters.status,
            area=filters.area_id,
            kind=kind.pk if kind else None,
            origin=filters.origin,
        )
    )


@router.get(
    "/resources/gaps/{gap_id}",
    response={200: ResourceGapDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="不足する社会資源（経過と、把握した会議・記録）",
)
def gap_detail(request, gap_id: int):
    """``found_at`` には、この不足を把握した会議や、待っている参加支援の記録のうち、
    あなたが見られるものだけが入ります。"""
    reading(request)
    return _detail(request, gaps.gap_get(request.user, gap_id))


def _targets(values) -> list[str]:
    bad = [t for t in values if t not in Target.values]
    if bad:
        raise invalid(
            {"targets": "対象の世代は children、youth、working_age、elderly から選びます。"}
        )
    return list(values)


@router.post(
    "/resources/gaps",
    response={201: ResourceGapDetailOut, 403: ErrorOut, 422: InvalidOut},
    summary="不足する社会資源の登録",
)
@api_fields(GAP_FIELDS)
def gap_create(request, payload: ResourceGapIn):
    """未対応として登録します。支援関係機関の職員ならだれでも登録できます。個人が特定
    できることは書かないでください。"""
    reading(request)
    gap = gaps.gap_create(
        by=request.user,
        description=payload.description,
        kind=kind_of(payload.kind),
        targets=_targets(payload.targets),
        target_attributes=payload.target_attributes,
        area=area_of(payload.area_id),
    )
    return Status(201, _detail(request, gap))


@router.patch(
    "/resources/gaps/{gap_id}",
    response={200: ResourceGapDetailOut, **WRITE_ERRORS},
    summary="不足する社会資源の内容の変更",
)
@api_fields(GAP_FIELDS)
def gap_update(request, gap_id: int, payload: ResourceGapPatch):
    """書いた項目だけを変えます（``description``、``kind``、``targets``、
    ``target_attributes``、``area_id``）。状況は ``POST /resources/gaps/{id}/move`` で変えます。"""
    reading(request)
    gap = gaps.gap_get(request.user, gap_id)
    _keeping(request)
    sent = payload.dict(exclude_unset=True)
    changes = {}
    if "description" in sent:
        changes["description"] = sent["description"] or ""
    if "kind" in sent:
        changes["kind"] = kind_of(sent["kind"])
    if "targets" in sent:
        changes["targets"] = _targets(sent["targets"] or [])
    if "target_attributes" in sent:
        changes["target_attributes"] = sent["target_attributes"] or ""
    if "area_id" in sent:
        changes["area"] = area_of(sent["area_id"])
    gap = gaps.gap_update(by=request.user, gap=gap, **changes)
    return _detail(request, gap)


@router.post(
    "/resources/gaps/{gap_id}/move",
    response={200: ResourceGapDetailOut, **WRITE_ERRORS},
    summary="不足する社会資源の状況の変更（開発済みは対応した社会資源とともに）",
)
@api_fields(GAP_FIELDS)
def gap_move(request, gap_id: int, payload: ResourceGapMoveIn):
    """未対応 → 検討中 → 開発中 → 開発済み。前の段階に戻すときは ``note`` に理由を、
    開発済みにするときは ``met_by_id`` に対応した社会資源を指定します。"""
    reading(request)
    gap = gaps.gap_get(request.user, gap_id)
    _keeping(request)
    met_by = None
    if payload.met_by_id is not None:
        met_by = Resource.objects.filter(pk=payload.met_by_id).first()
        if met_by is None:
            raise invalid({"met_by_id": "指定された社会資源が見つかりません。"})
    gap = gaps.gap_move(
        by=request.user, gap=gap, status=payload.status, note=payload.note, met_by=met_by
    )
    return _detail(request, gap)
