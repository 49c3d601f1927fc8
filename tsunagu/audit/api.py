from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tsunagu.api.inputs import Day
from tsunagu.api.permissions import require_perm

from . import selectors
from .labels import action_label, role_label, target_labels
from .services import audit_read

router = Router(tags=["監査ログ"])


class EventOut(Schema):
    seq: int
    occurred_at: datetime
    actor_username: str
    acting_agency_id: int | None
    acting_role: str
    action: str
    target_type: str
    target_id: str
    person_ids: list[int]
    context: dict
    purpose: str
    changes: dict
    via: str
    hash: str
    action_label: str = Field(description="操作の日本語名")
    acting_role_label: str = Field(description="操作時の役割の日本語名")
    target_label: str = Field(
        description="対象の日本語名（見ることのできる本人・世帯だけ氏名・呼称を示します）"
    )

    @staticmethod
    def resolve_action_label(obj) -> str:
        return action_label(obj.action)

    @staticmethod
    def resolve_acting_role_label(obj) -> str:
        return role_label(obj.acting_role)

    @staticmethod
    def resolve_target_label(obj, context) -> str:
        if not obj.target_type:
            return ""
        labels = target_labels(user=context["request"].user, events=[obj])
        return labels.get((obj.target_type, obj.target_id), "")


class EventFilter(Schema):
    action: str = ""
    actor: str = ""
    agency_id: int | None = None
    person_id: int | None = None
    date_from: Day | None = None
    date_to: Day | None = None


@router.get("/events", response=list[EventOut], summary="監査イベントの一覧（事務局のみ）")
@paginate(PageNumberPagination, page_size=100)
def event_list(request, filters: Query[EventFilter]):
    require_perm(request, "audit.view_log")
    params = filters.dict()
    audit_read(
        request,
        "audit.list",
        persons=[params["person_id"]] if params.get("person_id") else (),
        context={k: str(v) for k, v in params.items() if v},
    )
    return selectors.event_list(user=request.user, **params)
