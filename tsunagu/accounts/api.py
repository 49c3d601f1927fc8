from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tsunagu.api.permissions import require_perm

from . import selectors, services
from .acting import acting
from .models import Agency, Notification

router = Router(tags=["利用者・支援関係機関"])


class ErrorOut(Schema):
    detail: str


class MembershipOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    role: str
    role_label: str


class MeOut(Schema):
    username: str
    display_name: str
    acting_membership: MembershipOut | None
    memberships: list[MembershipOut]


def _membership_out(m) -> MembershipOut:
    return MembershipOut(
        id=m.pk,
        agency_id=m.agency_id,
        agency_name=m.agency.name,
        role=m.role,
        role_label=m.get_role_display(),
    )


@router.get("/me", response=MeOut, summary="ログイン中の利用者と所属")
def me(request):
    current = acting(request.user)
    return MeOut(
        username=request.user.get_username(),
        display_name=request.user.display_name,
        acting_membership=_membership_out(current.membership) if current else None,
        memberships=[_membership_out(m) for m in request.memberships],
    )


class ProgramOut(Schema):
    program: str
    program_label: str
    is_mandatory: bool
    basis: str


class AgencyOut(Schema):
    id: int
    code: str
    name: str
    field: str
    field_label: str
    operation: str
    operation_label: str
    area_code: str
    area_name: str
    responsible_section: str
    site_count: int
    description: str
    phone: str
    email: str
    address: str
    programs: list[ProgramOut]

    @staticmethod
    def resolve_field_label(obj: Agency) -> str:
        return obj.get_field_display()

    @staticmethod
    def resolve_operation_label(obj: Agency) -> str:
        return obj.get_operation_display()

    @staticmethod
    def resolve_area_code(obj: Agency) -> str:
        return obj.area.code

    @staticmethod
    def resolve_area_name(obj: Agency) -> str:
        return obj.area.name

    @staticmethod
    def resolve_programs(obj: Agency) -> list[ProgramOut]:
        return [
            ProgramOut(
                program=p.program,
                program_label=p.get_program_display(),
                is_mandatory=p.is_mandatory,
                basis=p.basis,
            )
            for p in obj.programs.all()
        ]


class AgencyFilter(Schema):
    q: str = ""
    field: str = ""
    program: str = ""
    area: str = ""


@router.get("/agencies", response=list[AgencyOut], summary="支援関係機関の一覧")
@paginate(PageNumberPagination, page_size=50)
def agency_list(request, filters: Query[AgencyFilter]):
    require_perm(request, "accounts.view_directory")
    return selectors.agency_list(user=request.user, **filters.dict())


@router.get("/agencies/{agency_id}", response=AgencyOut, summary="支援関係機関の詳細")
def agency_detail(request, agency_id: int):
    require_perm(request, "accounts.view_directory")
    return get_object_or_404(selectors.agency_list(user=request.user), pk=agency_id)


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


@router.get("/areas", response=list[AreaOut], summary="圏域の一覧（階層）")
def area_list(request):
    require_perm(request, "accounts.view_directory")
    return list(selectors.area_list())


# --- お知らせ -------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    message: str
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class NotificationFilter(Schema):
    unread: bool = False


class ReadOut(Schema):
    marked: int


@router.get(
    "/notifications", response=list[NotificationOut], summary="自分宛てのお知らせ（新しい順）"
)
@paginate(PageNumberPagination, page_size=50)
def notification_list(request, filters: Query[NotificationFilter]):
    """``unread=true`` で未読だけを返します。取得しただけでは既読になりません。"""
    qs = selectors.notification_list(user=request.user)
    return qs.filter(read_at__isnull=True) if filters.unread else qs


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut},
    summary="お知らせを既読にする（自分宛てのものだけ）",
)
def notification_read(request, notification_id: int):
    try:
        notification = selectors.notification_get(user=request.user, pk=notification_id)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    services.notification_mark_read(by=request.user, notifications=[notification])
    notification.refresh_from_db()
    return notification


@router.post(
    "/notifications/read", response=ReadOut, summary="自分宛てのお知らせをすべて既読にする"
)
def notification_read_all(request):
    unread = selectors.notification_list(user=request.user).filter(read_at__isnull=True)
    return {"marked": services.notification_mark_read(by=request.user, notifications=unread)}
