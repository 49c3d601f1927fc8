"""The yearly targets over the API: the board of a 年度 and area (each indicator's target and
its actual computed from the records, month by month), setting the year's targets, the year's
evaluation, and the indicators.

Every member of staff reads (meeting guests and system administrators 403); only the program
office writes (403). Invalid input answers 422 by the body's field names; a target's value is
named ``targets.<indicator code>``.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router, Schema, Status

from tsunagu.accounts.selectors import area_list
from tsunagu.api.errors import invalid
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.common.fiscal import fiscal_year_label

from ..models import ActivityKind, Indicator, ParticipantAttribute
from ..permissions import NOT_OFFICE_TARGETS
from ..selectors import targets as selectors
from ..services import targets as services

router = Router()


class TargetQuery(Schema):
    fiscal_year: int | None = None
    area_id: int | None = None


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    measure: str
    measure_label: str
    activity_kind: str | None
    attribute: str | None
    generation: str
    unit: str
    is_active: bool

    @staticmethod
    def resolve_measure_label(indicator) -> str:
        return indicator.get_measure_display()

    @staticmethod
    def resolve_activity_kind(indicator) -> str | None:
        return indicator.activity_kind.code if indicator.activity_kind_id else None

    @staticmethod
    def resolve_attribute(indicator) -> str | None:
        return indicator.attribute.code if indicator.attribute_id else None


class TargetRowOut(Schema):
    indicator: IndicatorOut
    target: int | None
    actual: int
    achieved_percent: float | None
    expected_by_now: float | None
    on_track: bool | None
    by_month: list[int | None]  # null: the month has not begun


class EvaluationOut(Schema):
    text: str
    written_at: datetime.datetime


class TargetBoardOut(Schema):
    fiscal_year: int
    fiscal_year_label: str
    area_id: int | None
    area_name: str | None
    months: list[int]
    year_share: float
    rows: list[TargetRowOut]
    evaluation: EvaluationOut | None


class TargetsIn(Schema):
    fiscal_year: int
    area_id: int | None = None
    #: indicator code → target value (``null`` removes the target)
    targets: dict[str, int | None]


class EvaluationIn(Schema):
    fiscal_year: int
    area_id: int | None = None
    text: str = ""


class IndicatorIn(Schema):
    code: str = ""
    name: str = ""
    measure: str = ""
    activity_kind: str | None = None
    attribute: str | None = None
    generation: str = ""
    unit: str = "件"
    sort_order: int = 100
    is_active: bool = True


def _reading(request) -> None:
    require_perm(request, "community.view")


def _office(request) -> None:
    _reading(request)
    if not request.user.has_perm("community.set_targets"):
        raise PermissionDenied(NOT_OFFICE_TARGETS)


def _area(area_id: int | None):
    if area_id is None:
        return None
    found = area_list().filter(pk=area_id).first()
    if found is None:
        raise invalid({"area_id": "指定された圏域が見つかりません。"})
    return found


def _board(year: int, area) -> dict:
    rows = selectors.board(year, area)
    found = selectors.evaluation(year, area)
    return {
        "fiscal_year": year,
        "fiscal_year_label": fiscal_year_label(year),
        "area_id": area.pk if area else None,
        "area_name": area.name if area else None,
        "months": list(selectors.MONTHS),
        "year_share": round(selectors.year_share(year), 4),
        "rows": [
            {
                "indicator": row.indicator,
                "target": row.value,
                "actual": row.actual,
                "achieved_percent": row.achieved,
                "expected_by_now": row.expected,
                "on_track": row.on_track,
                "by_month": row.by_month,
            }
            for row in rows
        ],
        "evaluation": {"text": found.text, "written_at": found.written_at} if found else None,
    }


@router.get(
    "/community/targets",
    response={200: TargetBoardOut, 403: ErrorOut, 422: InvalidOut},
    summary="成果目標と実績（年度・圏域）",
)
def target_board(request, filters: Query[TargetQuery]):
    """``fiscal_year``（西暦の開始年。既定は今年度）と ``area_id``（空は市全体。その下の
    圏域の記録を含む）の、指標ごとの目標・実績（記録から数えた値）・月別の実績・今の時点の
    目安（目標×年度の経過）を返します。"""
    _reading(request)
    year = filters.fiscal_year or selectors.current_year()
    return _board(year, _area(filters.area_id))


@router.put(
    "/community/targets",
    response={200: TargetBoardOut, 403: ErrorOut, 422: InvalidOut},
    summary="成果目標の設定（事務局）",
)
def targets_set(request, payload: TargetsIn):
    """``targets`` は指標のコードと目標値の対応です（``null`` は目標を外す）。書かなかった
    指標はそのままです。誤りがあれば何も保存しません。"""
    _office(request)
    area = _area(payload.area_id)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(payload.targets))}
    unknown = [code for code in payload.targets if code not in indicators]
    if unknown:
        raise invalid({f"targets.{code}": "この指標は見つかりません。" for code in unknown})
    services.targets_set(
        by=request.user,
        fiscal_year=payload.fiscal_year,
        area=area,
        values={indicators[code]: value for code, value in payload.targets.items()},
    )
    return _board(payload.fiscal_year, area)


@router.put(
    "/community/targets/evaluation",
    response={200: TargetBoardOut, 403: ErrorOut, 422: InvalidOut},
    summary="年度の評価の記入（事務局）",
)
def evaluation_write(request, payload: EvaluationIn):
    _office(request)
    area = _area(payload.area_id)
    services.evaluation_write(
        by=request.user, fiscal_year=payload.fiscal_year, area=area, text=payload.text
    )
    return _board(payload.fiscal_year, area)


@router.get(
    "/community/indicators",
    response={200: list[IndicatorOut], 403: ErrorOut},
    summary="成果目標の指標の一覧",
)
def indicator_list(request):
    _reading(request)
    return list(Indicator.objects.select_related("activity_kind", "attribute"))


def _indicator_values(payload: IndicatorIn) -> dict:
    values = payload.dict()
    errors = {}
    kind = values.pop("activity_kind")
    attribute = values.pop("attribute")
    values["activity_kind"] = values["attribute"] = None
    if kind:
        values["activity_kind"] = ActivityKind.objects.filter(code=kind).first()
        if values["activity_kind"] is None:
            errors["activity_kind"] = "指定された活動の種類が見つかりません。"
    if attribute:
        values["attribute"] = ParticipantAttribute.objects.filter(code=attribute).first()
        if values["attribute"] is None:
            errors["attribute"] = "指定された参加者の属性が見つかりません。"
    if errors:
        raise invalid(errors)
    return values


@router.post(
    "/community/indicators",
    response={201: IndicatorOut, 403: ErrorOut, 422: InvalidOut},
    summary="成果目標の指標の追加（事務局）",
)
def indicator_create(request, payload: IndicatorIn):
    """``measure`` は数えるもの（``activities``・``participants``・``attribute_participants``・
    ``new_connections``・``consultations_raised``・``places_created``・``gaps_developed``・
    ``watches_started``・``safety_checks``）、``activity_kind`` と ``attribute`` はコードです。"""
    _office(request)
    indicator = services.indicator_save(by=request.user, **_indicator_values(payload))
    return Status(201, indicator)


@router.put(
    "/community/indicators/{indicator_id}",
    response={200: IndicatorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="成果目標の指標の変更（事務局）",
)
def indicator_update(request, indicator_id: int, payload: IndicatorIn):
    _reading(request)
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404
    _office(request)
    return services.indicator_save(
        by=request.user, indicator=indicator, **_indicator_values(payload)
    )
