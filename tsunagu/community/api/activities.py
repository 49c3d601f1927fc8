"""地域づくり活動 over the API: the list (searched, paged), one activity, recording and changing
one, and raising a 不足する社会資源 noticed there.

Every member of staff reads (meeting guests and system administrators 403); community
coordinators and the office write (403 with the rule). An unknown activity answers 404, invalid
input 422 by the body's field names. The consultations raised at an activity are listed only
among those the user may see.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as InvalidInput
from ninja.pagination import paginate

from tsunagu.accounts.models import Agency, User
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import Day
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.resources.api.answer import area_of
from tsunagu.resources.api.answer import kind_of as resource_kind_of
from tsunagu.resources.models import Resource, Target

from ..models import Activity, ActivityKind, ParticipantAttribute, Platform
from ..permissions import NOT_EDITOR
from ..selectors import activities as selectors
from ..services import activities as services

router = Router()

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
ACTIVITY_FIELDS = {
    "area": "area_id",
    "place": "place_id",
    "platform": "platform_id",
    "coordinator": "coordinator_id",
    "consultations": "consultation_ids",
}


class OrganiserOut(Schema):
    name: str
    agency_id: int | None
    contact: str


class AttributeCountOut(Schema):
    code: str
    name: str
    count: int


class CommunityActivityOut(Schema):
    id: int
    kind: str
    kind_name: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    place_id: int | None
    place_name: str | None
    place_text: str
    area_id: int
    area_name: str
    platform_id: int | None
    platform_name: str | None
    coordinator_id: int | None
    children: int
    youth: int
    working_age: int
    elderly: int
    participants: int
    new_connections: int
    discussed: str
    outcome: str
    organisers: list[OrganiserOut]
    attributes: list[AttributeCountOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind(activity) -> str:
        return activity.kind.code

    @staticmethod
    def resolve_kind_name(activity) -> str:
        return activity.kind.name

    @staticmethod
    def resolve_place_name(activity) -> str | None:
        return activity.place.name if activity.place_id else None

    @staticmethod
    def resolve_area_name(activity) -> str:
        return activity.area.name

    @staticmethod
    def resolve_platform_name(activity) -> str | None:
        return activity.platform.name if activity.platform_id else None

    @staticmethod
    def resolve_organisers(activity) -> list:
        return list(activity.organisers.all())

    @staticmethod
    def resolve_attributes(activity) -> list[dict]:
        return [
            {"code": c.attribute.code, "name": c.attribute.name, "count": c.count}
            for c in activity.attribute_counts.all()
        ]


class ActivityDetailOut(CommunityActivityOut):
    consultation_ids: list[int]
    gap_ids: list[int]

    @staticmethod
    def resolve_consultation_ids(activity) -> list[int]:
        return activity.shown_consultations

    @staticmethod
    def resolve_gap_ids(activity) -> list[int]:
        return [link.gap_id for link in activity.gap_links.all()]


class ActivityQuery(Schema):
    q: str = ""
    kind: str = ""
    area_id: int | None = None
    platform_id: int | None = None
    fiscal_year: int | None = None
    date_from: Day | None = None
    date_to: Day | None = None


class OrganiserBody(Schema):
    name: str = ""
    agency_id: int | None = None
    contact: str = ""


class ActivityIn(Schema):
    kind: str | int | None = None
    title: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place_id: int | None = None
    place_text: str = ""
    area_id: int | None = None
    platform_id: int | None = None
    coordinator_id: int | None = None
    children: int = 0
    youth: int = 0
    working_age: int = 0
    elderly: int = 0
    participants: int | None = None
    new_connections: int = 0
    discussed: str = ""
    outcome: str = ""
    organisers: list[OrganiserBody] = []
    attributes: dict[str, int] = {}
    consultation_ids: list[int] = []


class ActivityPatch(Schema):
    kind: str | int | None = None
    title: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place_id: int | None = None
    place_text: str | None = None
    area_id: int | None = None
    platform_id: int | None = None
    coordinator_id: int | None = None
    children: int | None = None
    youth: int | None = None
    working_age: int | None = None
    elderly: int | None = None
    participants: int | None = None
    new_connections: int | None = None
    discussed: str | None = None
    outcome: str | None = None
    organisers: list[OrganiserBody] | None = None
    attributes: dict[str, int] | None = None
    consultation_ids: list[int] | None = None


class ActivityGapIn(Schema):
    description: str = ""
    kind: str | int | None = None
    targets: list[str] = []
    target_attributes: str = ""
    area_id: int | None = None


class GapCreatedOut(Schema):
    gap_id: int
    activity_id: int


# ---------------------------------------------------------------------------- lookups


def reading(request) -> None:
    require_perm(request, "community.view")


def writing(request) -> None:
    reading(request)
    if not request.user.has_perm("community.edit"):
        raise PermissionDenied(NOT_EDITOR)


def activity_kind_of(value, field: str = "kind") -> ActivityKind | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    found = ActivityKind.objects.filter(
        **({"pk": int(text)} if text.isdigit() else {"code": text})
    ).first()
    if found is None:
        raise invalid({field: "指定された活動の種類が見つかりません。"})
    return found


def _row(model, pk, field: str, message: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise invalid({field: message})
    return found


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _attributes(values: dict[str, int]) -> dict:
    found = {a.code: a for a in ParticipantAttribute.objects.filter(code__in=list(values))}
    unknown = [code for code in values if code not in found]
    if unknown:
        raise invalid({"attributes": f"参加者の属性「{'、'.join(unknown)}」が見つかりません。"})
    return {found[code]: count for code, count in values.items()}


def _organisers(rows: list[OrganiserBody]) -> list:
    out = []
    for n, row in enumerate(rows, start=1):
        agency = _row(
            Agency, row.agency_id, f"organisers.{n}", f"主催・運営の{n}行目：機関が見つかりません。"
        )
        out.append(services.OrganiserIn(name=row.name, agency=agency, contact=row.contact))
    return out


def _arguments(sent: dict) -> dict:
    """The service's arguments for the fields the body sent (422 for unknown ids)."""
    args: dict = {}
    errors: dict = {}
    lookups = {
        "kind": lambda v: activity_kind_of(v),
        "area_id": lambda v: ("area", area_of(v)),
        "place_id": lambda v: (
            "place",
            _row(Resource, v, "place_id", "指定された社会資源が見つかりません。"),
        ),
        "platform_id": lambda v: (
            "platform",
            _row(Platform, v, "platform_id", "指定されたプラットフォームが見つかりません。"),
        ),
        "coordinator_id": lambda v: (
            "coordinator",
            _row(User, v, "coordinator_id", "指定された利用者が見つかりません。"),
        ),
        "organisers": lambda v: ("organisers", _organisers([OrganiserBody(**r) for r in v])),
        "attributes": lambda v: ("attributes", _attributes(v)),
    }
    for name, value in sent.items():
        try:
            if name == "kind":
                args["kind"] = lookups["kind"](value)
            elif name in lookups:
                key, found = lookups[name](value)
                args[key] = found
            elif name in ("starts_at", "ends_at"):
                args[name] = _aware(value)
            elif name == "consultation_ids":
                args["consultations"] = list(value or [])
            elif name in ("title", "place_text", "discussed", "outcome"):
                args[name] = value or ""
            else:
                args[name] = value
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise invalid(errors)
    return args


def _answer(request, activity: Activity) -> Activity:
    fresh = selectors.activity_get(request.user, activity.pk)
    fresh.shown_consultations = [c.pk for c in selectors.consultations_shown(request.user, fresh)]
    return fresh


def _prefetch(request, items, **params) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(items, "organisers", "attribute_counts__attribute")


# ---------------------------------------------------------------------------- operations


@router.get(
    "/community/activities",
    response={200: list[CommunityActivityOut], 403: ErrorOut, 422: InvalidOut},
    summary="地域づくり活動の一覧",
)
@paginate(AuditedPagination, page_size=50, on_page=_prefetch)
def activity_list(request, filters: Query[ActivityQuery]):
    """新しい順に返します。``q``（名称・内容・生まれたこと・場所・主催の語）、``kind``（種類
    のコードまたは id）、``area_id``（その下の圏域・地区を含む）、``platform_id``、
    ``fiscal_year``（年度。2026 は令和8年度）、``date_from``・``date_to`` で絞り込めます。"""
    reading(request)
    errors = {}
    kind = None
    try:
        kind = activity_kind_of(filters.kind)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        area_of(filters.area_id)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors["date_to"] = ["date_to は date_from より後の日付にしてください。"]
    if errors:
        raise invalid(errors)
    return selectors.activity_search(
        selectors.ActivitySearch(
            q=filters.q,
            kind=kind.pk if kind else None,
            area=filters.area_id,
            platform=filters.platform_id,
            fiscal_year=filters.fiscal_year,
            date_from=filters.date_from,
            date_to=filters.date_to,
        )
    )


@router.get(
    "/community/activities/{activity_id}",
    response={200: ActivityDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="地域づくり活動",
)
def activity_detail(request, activity_id: int):
    """``consultation_ids`` には、この活動から生まれた相談のうち、あなたが見られるものだけが
    入ります。"""
    reading(request)
    return _answer(request, selectors.activity_get(request.user, activity_id))


@router.post(
    "/community/activities",
    response={201: ActivityDetailOut, 403: ErrorOut, 422: InvalidOut},
    summary="地域づくり活動の記録",
)
@api_fields(ACTIVITY_FIELDS)
def activity_create(request, payload: ActivityIn):
    """参加者数（``participants``）は省略すると世代別の人数の合計です。指定したときは合計と
    一致しなければなりません。``attributes`` は属性のコードごとの人数（参加者数以下）です。"""
    writing(request)
    activity = services.activity_create(by=request.user, **_arguments(payload.dict()))
    return Status(201, _answer(request, activity))


@router.patch(
    "/community/activities/{activity_id}",
    response={200: ActivityDetailOut, **WRITE_ERRORS},
    summary="地域づくり活動の記録の変更",
)
@api_fields(ACTIVITY_FIELDS)
def activity_update(request, activity_id: int, payload: ActivityPatch):
    """送った項目だけを変えます。``organisers``・``attributes`` は送ると置き換わり、
    ``consultation_ids`` はあなたが見られる相談の結びつきだけを置き換えます。"""
    reading(request)
    activity = selectors.activity_get(request.user, activity_id)
    writing(request)
    activity = services.activity_update(
        by=request.user, activity=activity, **_arguments(payload.dict(exclude_unset=True))
    )
    return _answer(request, activity)


@router.post(
    "/community/activities/{activity_id}/gaps",
    response={201: GapCreatedOut, **WRITE_ERRORS},
    summary="地域づくり活動で気づいた不足する社会資源の登録",
)
@api_fields({"area": "area_id"})
def activity_gap(request, activity_id: int, payload: ActivityGapIn):
    """不足する社会資源の台帳に「地域づくり」から把握したものとして登録し、この活動に
    結びつけます。``area_id`` を省くと活動の圏域です。"""
    reading(request)
    activity = selectors.activity_get(request.user, activity_id)
    writing(request)
    if any(t not in Target.values for t in payload.targets):
        raise invalid(
            {"targets": "対象の世代は children、youth、working_age、elderly から選びます。"}
        )
    gap = services.activity_gap_add(
        by=request.user,
        activity=activity,
        description=payload.description,
        kind=resource_kind_of(payload.kind),
        targets=payload.targets,
        target_attributes=payload.target_attributes,
        area=area_of(payload.area_id),
    )
    return Status(201, {"gap_id": gap.pk, "activity_id": activity.pk})
