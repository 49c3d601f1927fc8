"""The 社会資源 directory over the API: the search (with the reasons each result matched), the
kinds, the entries due for re-checking, one resource, and its writes (a new resource, changes,
情報確認, exception dates, the host profile).

Every member of staff reads the directory (meeting guests and system administrators 403); the
program office, participation workers and community coordinators keep it (403 for others on
every write). An unknown resource answers 404, invalid input 422 by the request body's field
names (a bad schedule row under ``schedules.<n>``). The services audit the writes; the
directory holds no personal data, so reads are not recorded.
"""

from django.db import transaction
from ninja import Body, Query, Router, Schema, Status
from ninja.errors import ValidationError as InvalidInput
from ninja.pagination import paginate

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.schemas import ErrorOut, InvalidOut

from .. import selectors, services
from ..models import ResourceKind, ResourceStatus, Target
from .answer import (
    RESOURCE_FIELDS,
    WRITE_ERRORS,
    area_of,
    editing,
    keeping,
    kind_of,
    organization_of,
    reading,
    resource_answer,
    resource_for,
    schedule_ins,
    time_input,
)
from .schemas import (
    ResourceDetailOut,
    ResourceExceptionOut,
    ResourceHostOut,
    ResourceKindOut,
    ResourceOut,
    ResourceRowOut,
)

router = Router()


class ResourceSearchQuery(Schema):
    q: str = ""
    kind: str = ""
    area_id: int | None = None
    weekday: int | None = None
    at: str = ""
    target: str = ""
    free_only: bool = False
    status: str = ResourceStatus.OPEN
    stale_only: bool = False


class ResourceScheduleIn(Schema):
    freq: str = ""
    weekday: int | None = None
    weeks: list[int] = []
    opens_at: str | None = None
    closes_at: str | None = None
    note: str = ""


class ResourceIn(Schema):
    organization_id: int | None = None
    organization_name: str = ""
    name: str = ""
    kind: str | int | None = None
    description: str = ""
    targets: list[str] = []
    target_attributes: str = ""
    conditions: str = ""
    area_id: int | None = None
    postal_code: str = ""
    address: str = ""
    capacity: int | None = None
    places_free: int | None = None
    cost: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    accessibility: str = ""
    status: str = ResourceStatus.OPEN
    confirmed_on: str | None = None
    schedules: list[ResourceScheduleIn] = []


class ResourcePatch(Schema):
    organization_id: int | None = None
    organization_name: str | None = None
    name: str | None = None
    kind: str | int | None = None
    description: str | None = None
    targets: list[str] | None = None
    target_attributes: str | None = None
    conditions: str | None = None
    area_id: int | None = None
    postal_code: str | None = None
    address: str | None = None
    capacity: int | None = None
    places_free: int | None = None
    cost: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    accessibility: str | None = None
    status: str | None = None
    confirmed_on: str | None = None
    schedules: list[ResourceScheduleIn] | None = None


class ResourceConfirmIn(Schema):
    confirmed_on: str | None = None


class ResourceExceptionIn(Schema):
    date: str | None = None
    is_closed: bool = True
    opens_at: str | None = None
    closes_at: str | None = None
    note: str = ""


class ResourceHostIn(Schema):
    contact_person: str = ""
    tasks: str = ""
    conditions: str = ""
    concerns: str = ""
    assessment: str = ""
    assessed_on: str | None = None


#: fields a change may set to ``null`` (the others need a value)
NULLABLE = {"area_id", "capacity", "places_free"}


def _criteria(filters: ResourceSearchQuery) -> selectors.ResourceSearch:
    """The search's criteria, or 422 naming every filter that is wrong."""
    errors, kind, at = {}, None, None
    try:
        kind = kind_of(filters.kind)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if filters.area_id is not None:
        try:
            area_of(filters.area_id)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if filters.weekday is not None and not 0 <= filters.weekday <= 6:
        errors["weekday"] = ["曜日は 0（月）〜6（日）で指定してください。"]
    try:
        at = time_input(filters.at, "at")
    except InvalidInput as exc:
        errors.update(exc.errors)
    if filters.target and filters.target not in Target.values:
        errors["target"] = ["対象の世代は children、youth、working_age、elderly のいずれかです。"]
    status = "" if filters.status in ("", "all") else filters.status
    if status and status not in ResourceStatus.values:
        errors["status"] = ["状態は open、paused、ended、all のいずれかです。"]
    if errors:
        raise invalid(errors)
    return selectors.ResourceSearch(
        q=filters.q,
        kind=kind.pk if kind else None,
        area=filters.area_id,
        weekday=filters.weekday,
        at=at,
        target=filters.target,
        free_only=filters.free_only,
        status=status,
        stale_only=filters.stale_only,
    )


def _explained(request, items, **params):
    for row in selectors.explain(items, request.resource_search):
        row.resource.reasons = row.reasons


@router.get(
    "/resources/kinds",
    response={200: list[ResourceKindOut], 403: ErrorOut},
    summary="社会資源の種類の一覧",
)
def kind_list(request):
    """使われている種類（居場所、サロン、子ども食堂 …）を表示順に返します。検索の ``kind``
    と登録の ``kind`` には、この ``code`` または ``id`` を指定します。"""
    reading(request)
    return ResourceKind.objects.filter(is_active=True)


@router.get(
    "/resources/recheck",
    response={200: list[ResourceOut], 403: ErrorOut},
    summary="情報の確認が必要な社会資源（情報確認日が古いもの）",
)
@paginate(AuditedPagination, page_size=50)
def recheck_list(request):
    """終了したものを除き、情報確認日が設定の月数（既定12か月）より前の社会資源を、
    確認日の古い順に返します。提供団体に確かめたら ``POST /resources/{id}/confirm`` で
    情報確認日を更新します。"""
    reading(request)
    return selectors.with_related(selectors.due_for_recheck()).order_by(
        "confirmed_on", "name", "id"
    )


@router.get(
    "/resources",
    response={200: list[ResourceRowOut], 403: ErrorOut, 422: InvalidOut},
    summary="社会資源の検索（合った理由つき）",
)
@paginate(AuditedPagination, page_size=50, on_page=_explained)
def resource_list(request, filters: Query[ResourceSearchQuery]):
    """指定したすべての条件に合う社会資源を名称順に返します。

    条件：``q``（名称・団体・内容・条件・所在地などの語。空白で区切るとすべての語を含む
    もの）、``kind``（種類のコードまたは id）、``area_id``（圏域。その下の圏域を含む）、
    ``weekday``（0＝月〜6＝日）と ``at``（``HH:MM``。その時刻に開いているもの。曜日だけ・
    時刻だけでも可。第2・第4土曜などの毎月の予定も、その曜日として合います）、``target``
    （対象の世代：``children``・``youth``・``working_age``・``elderly``）、``free_only``
    （空きのあるもの。空きを登録していないものを含む）、``status``（``open`` 受入可＝既定、
    ``paused``、``ended``、``all``）、``stale_only``（情報確認日が古いものだけ）。

    各結果には、開いている日時（``schedule_labels``）、情報の確認が必要か（``stale``）、
    条件に合った理由（``reasons``。例：「開いている：毎週水曜 10:00〜12:00」）が付きます。"""
    reading(request)
    criteria = _criteria(filters)
    request.resource_search = criteria
    return selectors.with_related(selectors.search(criteria))


@router.post(
    "/resources",
    response={201: ResourceDetailOut, 403: ErrorOut, 422: InvalidOut},
    summary="社会資源の登録（開いている日時とともに）",
)
@api_fields(RESOURCE_FIELDS)
def resource_create(request, payload: ResourceIn):
    """提供団体は ``organization_id``（登録済みの団体）か ``organization_name``（同じ名前の
    団体がなければ新しく登録）で指定します。``kind`` は種類のコードまたは id、
    ``confirmed_on``（情報確認日）は和暦・西暦のどちらでも指定できます（未来の日付は不可）。
    ``schedules`` の各行は ``freq``（``weekly`` 毎週、``monthly`` 毎月の第n週）、
    ``weekday``（0＝月〜6＝日）、``weeks``（毎月のとき第何週か。例：``[2, 4]``）、
    ``opens_at``・``closes_at``（``HH:MM``）、``note``。誤りのある行は ``schedules.<n>``
    （1から数える）で示し、そのときは何も登録しません。"""
    keeping(request)
    data = payload.dict()
    organization_id = data.pop("organization_id")
    organization_name = data.pop("organization_name")
    kind = kind_of(data.pop("kind"))
    area = area_of(data.pop("area_id"))
    confirmed_on = date_input(data.pop("confirmed_on"), "confirmed_on")
    schedules = schedule_ins(payload.schedules)
    data.pop("schedules")
    with transaction.atomic():
        if organization_id is not None:
            organization = organization_of(organization_id)
        elif organization_name.strip():
            organization = services.organization_get_or_create(
                by=request.user, name=organization_name
            )
        else:
            organization = None
        resource = services.resource_create(
            by=request.user,
            organization=organization,
            kind=kind,
            area=area,
            confirmed_on=confirmed_on,
            schedules=schedules,
            **data,
        )
    return Status(201, resource_answer(request, resource))


@router.get(
    "/resources/{resource_id}",
    response={200: ResourceDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="社会資源の詳細（開いている日時、予定の例外、受け入れ先）",
)
def resource_detail(request, resource_id: int):
    """提供団体、開いている日時、予定の例外（休みの日・時間の違う日）、受け入れ先の
    情報（切り出せる業務、心配ごと、アセスメント。受け入れ先でないものは ``null``）を
    返します。``may_edit`` は、この利用者が登録・更新できるかです。"""
    return resource_answer(request, resource_for(request, resource_id))


@router.patch(
    "/resources/{resource_id}",
    response={200: ResourceDetailOut, **WRITE_ERRORS},
    summary="社会資源の変更（送った項目だけ）",
)
@api_fields(RESOURCE_FIELDS)
def resource_update(request, resource_id: int, payload: ResourcePatch):
    """送った項目だけを変えます。``area_id``・``capacity``・``places_free`` は ``null`` で
    外せます。``schedules`` を送ったときだけ、開いている日時をその内容に置き換えます
    （すべて外すときは ``[]``）。情報確認日だけを今日にするときは ``/confirm`` を使います。"""
    resource = editing(request, resource_id)
    changes = payload.dict(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k not in NULLABLE]
    if nulls:
        raise invalid(
            {
                k: (
                    "開いている日時をすべて外すときは [] を指定してください。"
                    if k == "schedules"
                    else "値を指定してください。"
                )
                for k in nulls
            }
        )
    schedules = schedule_ins(payload.schedules) if "schedules" in changes else None
    changes.pop("schedules", None)
    if "kind" in changes:
        changes["kind"] = kind_of(changes["kind"])
    if "area_id" in changes:
        changes["area"] = area_of(changes.pop("area_id"))
    if "confirmed_on" in changes:
        changes["confirmed_on"] = date_input(changes["confirmed_on"], "confirmed_on")
    organization_id = changes.pop("organization_id", None)
    organization_name = changes.pop("organization_name", None)
    with transaction.atomic():
        if organization_id is not None:
            changes["organization"] = organization_of(organization_id)
        elif organization_name is not None:
            changes["organization"] = services.organization_get_or_create(
                by=request.user, name=organization_name
            )
        services.resource_update(by=request.user, resource=resource, schedules=schedules, **changes)
    return resource_answer(request, resource)


@router.post(
    "/resources/{resource_id}/confirm",
    response={200: ResourceDetailOut, **WRITE_ERRORS},
    summary="情報確認（提供団体に確かめた日を記録する）",
)
def resource_confirm(request, resource_id: int, payload: Body[ResourceConfirmIn | None] = None):
    """提供団体に内容を確かめたことを記録し、情報確認日を ``confirmed_on``（省略すると
    今日。和暦・西暦のどちらでも。未来の日付は不可）にします。"""
    resource = editing(request, resource_id)
    on = date_input(payload.confirmed_on, "confirmed_on") if payload else None
    services.resource_confirm(by=request.user, resource=resource, on=on)
    return resource_answer(request, resource)


@router.post(
    "/resources/{resource_id}/exceptions",
    response={201: ResourceExceptionOut, **WRITE_ERRORS},
    summary="予定の例外の登録（休みの日、時間の違う日）",
)
def exception_add(request, resource_id: int, payload: ResourceExceptionIn):
    """いつもの予定どおりでない日を登録します。休みの日は ``is_closed=true``（既定）、
    時間を変えて開く日は ``is_closed=false`` と ``opens_at``・``closes_at``（``HH:MM``）。
    ``date`` は和暦・西暦のどちらでも指定できます。同じ日付の例外は1つだけです。"""
    resource = editing(request, resource_id)
    exception = services.exception_add(
        by=request.user,
        resource=resource,
        date=date_input(payload.date, "date"),
        is_closed=payload.is_closed,
        opens_at=time_input(payload.opens_at, "opens_at"),
        closes_at=time_input(payload.closes_at, "closes_at"),
        note=payload.note,
    )
    return Status(201, exception)


@router.put(
    "/resources/{resource_id}/host",
    response={200: ResourceHostOut, **WRITE_ERRORS},
    summary="受け入れ先の情報とアセスメント（登録・更新）",
)
def host_save(request, resource_id: int, payload: ResourceHostIn):
    """受け入れ先（商店、農家、職場など）の担当者、切り出せる業務・役割、受け入れの条件、
    受け入れ先の心配ごと、マッチングの前に行う受け入れ先のアセスメントを記録します。
    ``assessment`` を書くときは ``assessed_on``（アセスメントの日。和暦・西暦）も必要です。
    送った内容で置き換えます。"""
    resource = editing(request, resource_id)
    host = services.host_save(
        by=request.user,
        resource=resource,
        contact_person=payload.contact_person,
        tasks=payload.tasks,
        conditions=payload.conditions,
        concerns=payload.concerns,
        assessment=payload.assessment,
        assessed_on=date_input(payload.assessed_on, "assessed_on"),
    )
    return host
