from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut

from . import selectors, services
from .acting import acting
from .models import Agency, ApiToken, Notification, RoleGrantRequest

router = Router(tags=["利用者・支援関係機関"])


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


# --- APIトークン (the user's own) and 役割付与の承認 (四つの目) -------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    membership_id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    membership_id: int
    name: str
    expires_at: datetime | None = None


class TokenIssuedOut(TokenOut):
    token: str


@router.get("/me/tokens", response=list[TokenOut], summary="自分のAPIトークンの一覧")
def token_list(request):
    require_perm(request, "accounts.manage_own_tokens")
    return list(ApiToken.objects.filter(user=request.user))


@router.post(
    "/me/tokens",
    response={201: TokenIssuedOut, 422: ErrorOut},
    summary="自分の所属でAPIトークンを発行する（本文のトークンはこの一度だけ返します）",
)
def token_issue(request, payload: TokenIn):
    require_perm(request, "accounts.manage_own_tokens")
    membership = next((m for m in request.memberships if m.pk == payload.membership_id), None)
    if membership is None:
        raise ValidationError({"membership_id": "自分の有効な所属を指定してください。"})
    token, raw = services.api_token_issue(
        membership=membership, name=payload.name, by=request.user, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.post(
    "/me/tokens/{token_id}/revoke",
    response={200: TokenOut, 404: ErrorOut},
    summary="自分のAPIトークンを失効させる",
)
def token_revoke(request, token_id: int):
    require_perm(request, "accounts.manage_own_tokens")
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    if token.revoked_at is None:
        services.api_token_revoke(token=token, by=request.user)
    return token


class RoleGrantOut(Schema):
    id: int
    user_id: int
    username: str
    agency_id: int
    agency_name: str
    role: str
    role_label: str
    title: str
    reason: str
    status: str
    status_label: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_agency_name(obj) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        return obj.proposed_by.get_username()

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by_id else None


class RoleGrantFilter(Schema):
    status: str = ""


class RoleGrantDecisionIn(Schema):
    approve: bool
    note: str = ""


@router.get(
    "/role-grants",
    response=list[RoleGrantOut],
    summary="役割付与の申請の一覧（自治体職員：承認・却下する側）",
)
@paginate(PageNumberPagination, page_size=50)
def role_grant_list(request, filters: Query[RoleGrantFilter]):
    require_perm(request, "accounts.decide_role_grant")
    qs = RoleGrantRequest.objects.select_related("user", "agency", "proposed_by", "decided_by")
    return qs.filter(status=filters.status) if filters.status else qs


@router.post(
    "/role-grants/{grant_id}/decision",
    response={200: RoleGrantOut, 404: ErrorOut, 422: ErrorOut},
    summary="役割付与の申請を承認・却下する（申請者でも役割を受ける本人でもない自治体職員）",
)
def role_grant_decide(request, grant_id: int, payload: RoleGrantDecisionIn):
    require_perm(request, "accounts.decide_role_grant")
    grant = RoleGrantRequest.objects.filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    return services.role_grant_decide(
        grant=grant, by=request.user, approve=payload.approve, note=payload.note
    )
