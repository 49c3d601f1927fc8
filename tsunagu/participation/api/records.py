"""参加支援 records over the API: the worker's list, a new record, one record whole, its goals
and steps, closure with the person's view, and keeping in touch afterwards.

The same rules and audit as the screens: a record the user may not see answers 404, a step
by anyone but the record's participation worker or the program office 403, a step the rules
refuse 409, invalid input 422, and every read of personal data is recorded.
"""

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut
from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors as case_selectors
from tsunagu.people import selectors as people_selectors

from .. import selectors, services
from .answer import STEP_ERRORS, audit_record_read, record_answer, record_for, working
from .schemas import ParticipationRecordDetailOut, ParticipationRecordOut

router = Router()

STATES = ("open", "closed", "all")


class ParticipationListQuery(Schema):
    state: str = "open"
    q: str = ""


class ParticipationRecordIn(Schema):
    person_id: int | None = None
    case_id: int | None = None
    is_early: bool = False
    outside_plan_reason: str = ""
    started_on: str | None = None
    goals: str = ""
    steps: str = ""


class ParticipationRecordPatch(Schema):
    goals: str | None = None
    steps: str | None = None


class ParticipationCloseIn(Schema):
    closed_on: str | None = None
    person_view: str = ""
    note: str = ""


class ParticipationKeepInTouchIn(Schema):
    occurred_on: str | None = None
    note: str = ""


class ParticipationKeepInTouchEndIn(Schema):
    ended_on: str | None = None
    reason: str = ""


def _list_page(request, items, *, page, filters, **params):
    audit_read(
        request,
        "participation.list",
        persons=[r.person_id for r in items],
        context=filter_context(filters, page),
    )


@router.get(
    "/participation/records",
    response={200: list[ParticipationRecordOut], 403: ErrorOut, 422: InvalidOut},
    summary="参加支援の一覧（担当一覧）",
)
@paginate(AuditedPagination, page_size=50, on_page=_list_page)
def record_list(request, filters: Query[ParticipationListQuery]):
    """自分の機関の参加支援の記録（事務局はすべての機関の記録）を、開始日の新しい順に
    返します。参加支援事業者の支援員と事務局が使えます。

    絞り込み：``state``（``open`` 継続中＝既定、``closed`` 終結、``all`` すべて）、
    ``q``（本人の氏名・フリガナの語）。閲覧した本人は監査ログに記録されます。"""
    require_perm(request, "participation.use")
    if filters.state not in STATES:
        raise invalid({"state": "open（継続中）、closed（終結）、all（すべて）のいずれかです。"})
    return selectors.record_list(user=request.user, state=filters.state, q=filters.q)


@router.post(
    "/participation/records",
    response={201: ParticipationRecordDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="参加支援の開始（自分の機関の記録として）",
)
@api_fields({"person": "person_id", "case": "case_id"})
def record_create(request, payload: ParticipationRecordIn):
    """本人（``person_id``）の参加支援を始めます。多機関協働の事例の本人・世帯員のときは
    ``case_id`` を、重層的支援会議で必要とされる前から関わるときは ``is_early``（支援決定前の
    関わり）を、多機関協働のプラン外で行うときは ``outside_plan_reason`` にその理由を
    入れます（いずれか一つは必要）。``started_on``（開始日）は和暦・西暦のどちらでも
    指定できます（未来の日付は不可）。``goals`` は本人の目標を本人の言葉で、``steps`` は
    取り組むこと・役割分担です。閲覧できない本人・事例は 404 です。"""
    require_perm(request, "participation.use")
    data = payload.dict()
    started_on = date_input(data.pop("started_on"), "started_on")
    person_id, case_id = data.pop("person_id"), data.pop("case_id")
    if person_id is None:
        raise invalid({"person_id": "本人を選んでください。"})
    person = people_selectors.get_person_for_user(request.user, person_id)
    case = (
        case_selectors.get_case_for_user(request.user, case_id, content=True)
        if case_id is not None
        else None
    )
    record = services.record_open(
        by=request.user, person=person, case=case, started_on=started_on, **data
    )
    return Status(201, record_answer(request, record))


@router.get(
    "/participation/records/{record_id}",
    response={200: ParticipationRecordDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="参加支援の詳細（マッチング、経過、フォローアップ、次の予定）",
)
def record_detail(request, record_id: int):
    """記録のすべてを返します：マッチング（新しい順）とその経過、本人・受け入れ先それぞれの
    フォローアップと次の予定日（``next_due``）、参加開始に必要な支援決定があるか
    （``decision_in_place``。プラン外の記録では常に ``true``）、終結後のつながりの維持。
    参加支援事業者の機関と事務局、事例の内容を見られる機関が閲覧でき、閲覧は監査ログに
    記録されます。"""
    record = record_answer(request, record_for(request, record_id))
    audit_record_read(request, record)
    return record


@router.patch(
    "/participation/records/{record_id}",
    response={200: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="本人の目標・取り組むことの更新",
)
def record_update(request, record_id: int, payload: ParticipationRecordPatch):
    """送った項目だけを変えます（``goals`` 本人の目標、``steps`` 取り組むこと・役割分担）。
    終結した記録は変えられません（409）。"""
    record = working(request, record_id)
    changes = payload.dict(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None]
    if nulls:
        raise invalid({k: "値を指定してください。" for k in nulls})
    services.record_update(
        by=request.user,
        record=record,
        goals=changes.get("goals", record.goals),
        steps=changes.get("steps", record.steps),
    )
    return record_answer(request, record)


@router.post(
    "/participation/records/{record_id}/close",
    response={200: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="参加支援の終結（本人の受け止めとともに）",
)
@api_fields({"closure_note": "note"})
def record_close(request, record_id: int, payload: ParticipationCloseIn):
    """つながりが安定したときに終結します。``person_view`` に終結についての本人の受け止めを
    記録します（必須）。提案・見学・調整・参加開始のままのマッチングがあるうちは終結
    できません（409：定着・終了・中止を先に記録）。終結すると、つながりの維持の次の予定日
    が入ります。"""
    record = working(request, record_id)
    services.record_close(
        by=request.user,
        record=record,
        closed_on=date_input(payload.closed_on, "closed_on"),
        person_view=payload.person_view,
        note=payload.note,
    )
    return record_answer(request, record)


@router.post(
    "/participation/records/{record_id}/keep-in-touch",
    response={200: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="つながりの維持の記録（終結後）",
)
def keep_in_touch_record(request, record_id: int, payload: ParticipationKeepInTouchIn):
    """終結後に本人とつながりを確かめた日（``occurred_on``）と様子（``note``）を記録します。
    次の予定日は、その日から記録の間隔（既定3か月）の後になります。終結前・維持を終えた後は
    409 です。"""
    record = working(request, record_id)
    services.keep_in_touch_record(
        by=request.user,
        record=record,
        occurred_on=date_input(payload.occurred_on, "occurred_on"),
        note=payload.note,
    )
    return record_answer(request, record)


@router.post(
    "/participation/records/{record_id}/keep-in-touch/end",
    response={200: ParticipationRecordDetailOut, **STEP_ERRORS},
    summary="つながりの維持の終了",
)
def keep_in_touch_end(request, record_id: int, payload: ParticipationKeepInTouchEndIn):
    """つながりが本人の力で保たれるようになったとき、維持を終えます（``ended_on`` 終了日、
    ``reason`` 理由）。"""
    record = working(request, record_id)
    services.keep_in_touch_end(
        by=request.user,
        record=record,
        ended_on=date_input(payload.ended_on, "ended_on"),
        reason=payload.reason,
    )
    return record_answer(request, record)
