"""プラットフォーム over the API: the list (searched, paged), one platform with its members and
its meetings (the activities that name it), creating and changing one, and member
organisations joining and leaving.

Every member of staff reads (meeting guests and system administrators 403); community
coordinators and the office write (403 with the rule). An unknown platform or member answers
404, invalid input 422 by the body's field names.
"""

import datetime

from django.http import Http404
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as InvalidInput
from ninja.pagination import paginate

from tsunagu.accounts.models import Agency, User
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.resources.api.answer import area_of

from ..models import Platform
from ..selectors import activities as selectors
from ..services import platforms as services
from .activities import WRITE_ERRORS, _row, reading, writing

router = Router()

PLATFORM_FIELDS = {"area": "area_id", "coordinator": "coordinator_id"}


class PlatformMemberOut(Schema):
    id: int
    name: str
    agency_id: int | None
    role: str
    joined_on: datetime.date
    left_on: datetime.date | None


class PlatformMeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    participants: int
    discussed: str
    outcome: str


class PlatformOut(Schema):
    id: int
    name: str
    area_id: int | None
    area_name: str | None
    description: str
    coordinator_id: int | None
    started_on: datetime.date
    ended_on: datetime.date | None

    @staticmethod
    def resolve_area_name(platform) -> str | None:
        return platform.area.name if platform.area_id else None


class PlatformDetailOut(PlatformOut):
    members: list[PlatformMemberOut]
    meetings: list[PlatformMeetingOut]

    @staticmethod
    def resolve_members(platform) -> list:
        return selectors.platform_members(platform)

    @staticmethod
    def resolve_meetings(platform) -> list:
        return selectors.platform_meetings(platform)


class PlatformQuery(Schema):
    q: str = ""
    area_id: int | None = None
    ended: bool = False


class PlatformIn(Schema):
    name: str = ""
    area_id: int | None = None
    description: str = ""
    coordinator_id: int | None = None
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None


class PlatformPatch(Schema):
    name: str | None = None
    area_id: int | None = None
    description: str | None = None
    coordinator_id: int | None = None
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None


class MemberIn(Schema):
    name: str = ""
    agency_id: int | None = None
    role: str = ""
    joined_on: datetime.date | None = None


class LeaveIn(Schema):
    left_on: datetime.date | None = None


def _arguments(sent: dict) -> dict:
    args, errors = {}, {}
    for name, value in sent.items():
        try:
            if name == "area_id":
                args["area"] = area_of(value)
            elif name == "coordinator_id":
                args["coordinator"] = _row(
                    User, value, "coordinator_id", "指定された利用者が見つかりません。"
                )
            elif name in ("name", "description"):
                args[name] = value or ""
            else:
                args[name] = value
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise invalid(errors)
    return args


def _answer(request, platform: Platform) -> Platform:
    return selectors.platform_get(request.user, platform.pk)


@router.get(
    "/community/platforms",
    response={200: list[PlatformOut], 403: ErrorOut, 422: InvalidOut},
    summary="プラットフォームの一覧",
)
@paginate(AuditedPagination, page_size=50)
def platform_list(request, filters: Query[PlatformQuery]):
    """名称順に返します。``q``（名称・目的・構成団体の語）、``area_id``（その下の圏域・地区を
    含む）で絞り込めます。終了したものは ``ended=true`` のときだけ含めます。"""
    reading(request)
    area_of(filters.area_id)
    return selectors.platform_search(
        selectors.PlatformSearch(q=filters.q, area=filters.area_id, ended=filters.ended)
    )


@router.get(
    "/community/platforms/{platform_id}",
    response={200: PlatformDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="プラットフォーム（構成団体と、これまでの集まり）",
)
def platform_detail(request, platform_id: int):
    reading(request)
    return selectors.platform_get(request.user, platform_id)


@router.post(
    "/community/platforms",
    response={201: PlatformDetailOut, 403: ErrorOut, 422: InvalidOut},
    summary="プラットフォームの登録",
)
@api_fields(PLATFORM_FIELDS)
def platform_create(request, payload: PlatformIn):
    writing(request)
    platform = services.platform_create(by=request.user, **_arguments(payload.dict()))
    return Status(201, _answer(request, platform))


@router.patch(
    "/community/platforms/{platform_id}",
    response={200: PlatformDetailOut, **WRITE_ERRORS},
    summary="プラットフォームの変更（終了日の記入を含む）",
)
@api_fields(PLATFORM_FIELDS)
def platform_update(request, platform_id: int, payload: PlatformPatch):
    reading(request)
    platform = selectors.platform_get(request.user, platform_id)
    writing(request)
    platform = services.platform_update(
        by=request.user, platform=platform, **_arguments(payload.dict(exclude_unset=True))
    )
    return _answer(request, platform)


@router.post(
    "/community/platforms/{platform_id}/members",
    response={201: PlatformDetailOut, **WRITE_ERRORS},
    summary="プラットフォームの構成団体の追加",
)
@api_fields({"agency": "agency_id"})
def member_add(request, platform_id: int, payload: MemberIn):
    """システムの支援関係機関は ``agency_id``（``name`` を省くと機関名）、そのほかの団体は
    ``name`` で指定します。"""
    reading(request)
    platform = selectors.platform_get(request.user, platform_id)
    writing(request)
    agency = _row(Agency, payload.agency_id, "agency_id", "指定された機関が見つかりません。")
    services.member_add(
        by=request.user,
        platform=platform,
        agency=agency,
        name=payload.name,
        role=payload.role,
        joined_on=payload.joined_on,
    )
    return Status(201, _answer(request, platform))


@router.post(
    "/community/platforms/{platform_id}/members/{member_id}/leave",
    response={200: PlatformDetailOut, **WRITE_ERRORS},
    summary="プラットフォームの構成団体の退会",
)
def member_leave(request, platform_id: int, member_id: int, payload: LeaveIn):
    reading(request)
    platform = selectors.platform_get(request.user, platform_id)
    member = platform.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    writing(request)
    services.member_leave(by=request.user, member=member, left_on=payload.left_on)
    return _answer(request, platform)
