"""見守り over the API (``/api/v1/community/watches``): the list, a new watch, one watch with
its watchers, checks and escalations, and its steps — a safety check, an escalation, a
watcher, the end.

The same rules and audit as the screens: a watch the user may not see answers 404, a step
the user may not take 403, a step the rules refuse 409 (an ended watch), invalid input 422,
and every read of personal data is recorded.
"""

import datetime

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.accounts.models import Agency, Area
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.consultations.models import IssueCategory
from tsunagu.people import selectors as people_selectors

from ..models import Watch
from ..selectors import watches as selectors
from ..services import watches as services

router = Router()

PERM = "community.watch"
STEP_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut}
STATES = ("open", "ended", "all")


class WatcherOut(Schema):
    id: int
    kind: str
    kind_label: str
    agency_id: int | None
    name: str
    contact: str


class SafetyCheckOut(Schema):
    id: int
    checked_on: datetime.date
    outcome: str
    outcome_label: str
    watcher_id: int | None
    checked_by_name: str
    note: str


class EscalationOut(Schema):
    id: int
    at: datetime.datetime
    safety_check_id: int | None
    consultation_id: int | None
    outreach_record_id: int | None
    reason: str


class WatchOut(Schema):
    id: int
    label: str
    person_id: int | None
    person_name: str | None
    agency_id: int
    agency_name: str
    area_id: int | None
    address: str
    frequency: str
    starts_on: datetime.date
    until_on: datetime.date | None
    last_check_on: datetime.date | None
    next_check_on: datetime.date | None
    overdue: bool
    ended_on: datetime.date | None
    end_reason: str


class WatchDetailOut(WatchOut):
    reason: str
    watchers: list[WatcherOut]
    checks: list[SafetyCheckOut]
    escalations: list[EscalationOut]
    escalation_prompted: bool
    prompt_reason: str


class WatchListQuery(Schema):
    q: str = ""
    state: str = "open"
    mine: bool = False
    overdue: bool = False


class WatchIn(Schema):
    label: str = ""
    person_id: int | None = None
    reason: str = ""
    frequency: str = "weekly"
    starts_on: str | None = None
    until_on: str | None = None
    area_id: int | None = None
    address: str = ""
    agency_id: int | None = None


class CheckIn(Schema):
    checked_on: str | None = None
    outcome: str = ""
    watcher_id: int | None = None
    checked_by_name: str = ""
    note: str = ""


class EscalateIn(Schema):
    to: str = ""
    reason: str = ""
    agency_id: int | None = None
    category_ids: list[int] = []
    consent_to_share: bool = False
    outreach_record_id: int | None = None


class WatcherIn(Schema):
    kind: str = ""
    agency_id: int | None = None
    name: str = ""
    contact: str = ""


class EndIn(Schema):
    ended_on: str | None = None
    end_reason: str = ""


# ------------------------------------------------------------------------------- answers


def _row(watch: Watch, person_names: dict[int, str]) -> dict:
    return {
        "id": watch.pk,
        "label": watch.label,
        "person_id": watch.person_id,
        "person_name": person_names.get(watch.person_id),
        "agency_id": watch.agency_id,
        "agency_name": watch.agency.name,
        "area_id": watch.area_id,
        "address": watch.address,
        "frequency": watch.frequency,
        "starts_on": watch.starts_on,
        "until_on": watch.until_on,
        "last_check_on": watch.last_check_on,
        "next_check_on": watch.next_check_on,
        "overdue": getattr(watch, "overdue", False),
        "ended_on": watch.ended_on,
        "end_reason": watch.end_reason,
    }


def _names(user, watches) -> dict[int, str]:
    """The names of the persons the user may open (the others are given as ids only)."""
    visible = people_selectors.visible_person_ids(
        user, {w.person_id for w in watches if w.person_id}
    )
    return {w.person_id: w.person.name for w in watches if w.person_id in visible}


def _detail(request, watch_id: int) -> dict:
    watch = selectors.get_watch_for_user(request.user, watch_id)
    selectors.decorate([watch])
    shown = selectors.detail(request.user, watch)
    answer = _row(watch, _names(request.user, [watch]))
    answer.update(
        reason=watch.reason,
        watchers=[
            {
                "id": w.pk,
                "kind": w.kind,
                "kind_label": w.get_kind_display(),
                "agency_id": w.agency_id,
                "name": w.name,
                "contact": w.contact,
            }
            for w in shown["watchers"]
        ],
        checks=[
            {
                "id": c.pk,
                "checked_on": c.checked_on,
                "outcome": c.outcome,
                "outcome_label": c.get_outcome_display(),
                "watcher_id": c.watcher_id,
                "checked_by_name": c.checked_by_name,
                "note": c.note,
            }
            for c in shown["checks"]
        ],
        escalations=[
            {
                "id": e.pk,
                "at": e.at,
                "safety_check_id": e.safety_check_id,
                "consultation_id": e.consultation_id,
                "outreach_record_id": e.outreach_record_id,
                "reason": e.reason,
            }
            for e in shown["escalations"]
        ],
        escalation_prompted=shown["prompt"] is not None,
        prompt_reason=shown["prompt_reason"],
    )
    selectors.audit_watch(request, watch, {"checks": len(shown["checks"]), "via": "api"})
    return answer


def _watch(request, watch_id: int, *, keeper: bool = False) -> Watch:
    require_perm(request, PERM)
    watch = selectors.get_watch_for_user(request.user, watch_id)
    if keeper and not services.keeps(request.user, watch):
        raise PermissionDenied(services.NOT_KEEPER)
    return watch


def _agency(pk: int | None, field: str) -> Agency | None:
    if pk is None:
        return None
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        raise invalid({field: "指定された機関が見つかりません。"})
    return agency


def _area(pk: int | None) -> Area | None:
    if pk is None:
        return None
    area = Area.objects.filter(pk=pk).first()
    if area is None:
        raise invalid({"area_id": "指定された圏域が見つかりません。"})
    return area


# ------------------------------------------------------------------------------ endpoints


def _list_page(request, items, *, page, filters, **params):
    selectors.decorate(items)
    names = _names(request.user, items)
    selectors.audit_list(request, items, {**filter_context(filters, page), "via": "api"})
    items[:] = [_row(w, names) for w in items]


@router.get(
    "/community/watches",
    response={200: list[WatchOut], 403: ErrorOut, 422: InvalidOut},
    summary="見守りの一覧",
)
@paginate(AuditedPagination, page_size=50, on_page=_list_page)
def watch_list(request, filters: Query[WatchListQuery]):
    """見える見守り（担う機関、見守る人に入っている機関、事務局）を、自分の機関が担う
    ものから、確認日を過ぎたもの、次の確認日の近い順に返します。絞り込み：``q``（呼び名・
    氏名・圏域・住所の語）、``state``（``open`` 見守り中＝既定、``ended`` 終了、``all``）、
    ``mine``（自分の機関が担うものだけ）、``overdue``（確認日を過ぎたものだけ）。"""
    require_perm(request, PERM)
    if filters.state not in STATES:
        raise invalid({"state": "open（見守り中）、ended（終了）、all（すべて）のいずれかです。"})
    return selectors.watch_list(
        user=request.user,
        filters=selectors.WatchFilter(
            q=filters.q, state=filters.state, mine=filters.mine, overdue=filters.overdue
        ),
    ).select_related("agency", "person")


@router.post(
    "/community/watches",
    response={201: WatchDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="見守りの登録",
)
@api_fields({"person": "person_id", "area": "area_id", "agency": "agency_id"})
def watch_create(request, payload: WatchIn):
    """本人（``person_id``、閲覧できる本人）か仮の呼び名（``label``）で登録します。
    ``frequency`` は ``weekly``（週1回）・``biweekly``（2週に1回）・``monthly``（月1回）・
    ``any``（随時）。日付は和暦・西暦のどちらでも指定できます。``agency_id`` は事務局が
    担う機関を選ぶときだけです。"""
    require_perm(request, PERM)
    person = (
        people_selectors.get_person_for_user(request.user, payload.person_id)
        if payload.person_id is not None
        else None
    )
    watch = services.watch_create(
        by=request.user,
        label=payload.label,
        person=person,
        reason=payload.reason,
        frequency=payload.frequency,
        starts_on=date_input(payload.starts_on, "starts_on"),
        until_on=date_input(payload.until_on, "until_on"),
        area=_area(payload.area_id),
        address=payload.address,
        agency=_agency(payload.agency_id, "agency_id"),
    )
    return Status(201, _detail(request, watch.pk))


@router.get(
    "/community/watches/{watch_id}",
    response={200: WatchDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="見守りの詳細（見守る人、安否確認、つなぎ）",
)
def watch_detail(request, watch_id: int):
    """見守る人・機関、安否確認の記録（新しい順に100件）、つなぎと、いまつなぐことを
    促しているか（``escalation_prompted``：要対応、または連絡つかずが2回続いた）を返します。
    閲覧は監査ログに記録されます。"""
    require_perm(request, PERM)
    return _detail(request, watch_id)


@router.post(
    "/community/watches/{watch_id}/checks",
    response={201: WatchDetailOut, **STEP_ERRORS},
    summary="安否確認の記録",
)
@api_fields({"watcher": "watcher_id"})
def check_create(request, watch_id: int, payload: CheckIn):
    """``outcome`` は ``ok``（異常なし）・``absent``（不在）・``needs_action``（要対応）・
    ``unreachable``（連絡つかず）。確認した人は ``watcher_id``（この見守りの見守る人）か
    ``checked_by_name``。未来の日付、開始日より前、終了した見守りへの記録はできません。"""
    watch = _watch(request, watch_id)
    watcher = None
    if payload.watcher_id is not None:
        watcher = watch.watchers.filter(pk=payload.watcher_id).first()
        if watcher is None:
            raise invalid({"watcher_id": "この見守りの見守る人から選んでください。"})
    services.check_record(
        by=request.user,
        watch=watch,
        checked_on=date_input(payload.checked_on, "checked_on"),
        outcome=payload.outcome,
        watcher=watcher,
        checked_by_name=payload.checked_by_name,
        note=payload.note,
    )
    return Status(201, _detail(request, watch.pk))


@router.post(
    "/community/watches/{watch_id}/escalate",
    response={201: EscalationOut, **STEP_ERRORS},
    summary="相談窓口・アウトリーチへのつなぎ",
)
@api_fields({"agency": "agency_id", "categories": "category_ids"})
def escalate(request, watch_id: int, payload: EscalateIn):
    """``to=consultation``：自分の機関で相談として受け付け、``agency_id`` が他の機関なら
    そこへつなぎます（``category_ids`` 相談内容が必要。本人が特定されていない見守りは不可）。
    ``to=outreach``：アウトリーチ対象を登録します（アウトリーチ支援員）。既にある対象は
    ``outreach_record_id`` で示せます。"""
    from tsunagu.outreach.models import OutreachRecord

    watch = _watch(request, watch_id)
    categories = list(IssueCategory.objects.filter(pk__in=payload.category_ids, is_active=True))
    if len(categories) != len(set(payload.category_ids)):
        raise invalid({"category_ids": "相談内容を選択肢から選んでください。"})
    record = None
    if payload.outreach_record_id is not None:
        record = OutreachRecord.objects.filter(pk=payload.outreach_record_id).first()
        if record is None:
            raise invalid({"outreach_record_id": "指定されたアウトリーチ対象が見つかりません。"})
    escalation = services.escalate(
        by=request.user,
        watch=watch,
        to=payload.to,
        reason=payload.reason,
        agency=_agency(payload.agency_id, "agency_id"),
        categories=categories,
        consent_to_share=payload.consent_to_share,
        outreach_record=record,
    )
    return Status(201, escalation)


@router.post(
    "/community/watches/{watch_id}/watchers",
    response={201: WatchDetailOut, **STEP_ERRORS},
    summary="見守る人・機関の追加",
)
@api_fields({"agency": "agency_id"})
def watcher_add(request, watch_id: int, payload: WatcherIn):
    """``kind`` は ``minsei``（民生委員・児童委員）・``houkatsu``（地域包括支援センター）・
    ``neighbour``（近隣住民）・``business``（協力事業者）・``chiku_shakyo``（地区社協）・
    ``other``。支援関係機関（``agency_id``）を加えると、その機関も見守りを見られます。"""
    watch = _watch(request, watch_id, keeper=True)
    services.watcher_add(
        by=request.user,
        watch=watch,
        kind=payload.kind,
        agency=_agency(payload.agency_id, "agency_id"),
        name=payload.name,
        contact=payload.contact,
    )
    return Status(201, _detail(request, watch.pk))


@router.post(
    "/community/watches/{watch_id}/end",
    response={200: WatchDetailOut, **STEP_ERRORS},
    summary="見守りの終了",
)
def watch_end(request, watch_id: int, payload: EndIn):
    """終了日と終了の理由（必須）を指定します。記録はそのまま残ります。"""
    watch = _watch(request, watch_id, keeper=True)
    services.watch_end(
        by=request.user,
        watch=watch,
        ended_on=date_input(payload.ended_on, "ended_on"),
        reason=payload.end_reason,
    )
    return _detail(request, watch.pk)
