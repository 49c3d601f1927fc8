"""名寄せ over the API: the review queue, one pair with both records, confirm / reject, the
merges and their undo.

The same rules and audit as the screens: only the municipal program office and coordinators
(``linkage.review``, 403 otherwise); a pair or merge about a person the user may not see
answers 404; a pair already decided or a merge already undone 409; bad input 422.
"""

import datetime

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.common.wareki import format_wareki
from tsunagu.people.models import Person

from ..models import MatchCandidate, PersonMerge
from ..selectors import review as selectors
from ..services import merge as merge_services
from ..services import review as review_services
from ..services.shared import NOTE_MAX

# Every route keeps the operation id it had before the API became a package, so clients
# generated from the OpenAPI schema keep their method names.
router = Router()


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.display_name or user.get_username()


def _check_note(value: str, field: str, label: str) -> None:
    if len(value or "") > NOTE_MAX:
        raise invalid({field: f"{label}は{NOTE_MAX}文字以内で入力してください。"})


# --- schemas ----------------------------------------------------------------------------


class PersonBriefOut(Schema):
    id: int
    name: str
    name_kana: str
    birth_date: datetime.date | None
    birth_date_wareki: str
    sex: str
    sex_label: str
    registered_by_agency_name: str
    is_archived: bool

    @staticmethod
    def resolve_birth_date_wareki(obj: Person) -> str:
        return format_wareki(obj.birth_date) if obj.birth_date else ""

    @staticmethod
    def resolve_sex_label(obj: Person) -> str:
        return obj.get_sex_display()

    @staticmethod
    def resolve_registered_by_agency_name(obj: Person) -> str:
        return obj.registered_by_agency.name if obj.registered_by_agency_id else ""


class HouseholdLinkOut(Schema):
    label: str
    relation: str


class PersonSideOut(PersonBriefOut):
    """One record of a pair, as the reviewer compares it (with ``_profile`` attached)."""

    age: int | None
    postal_code: str
    address: str
    phone: str
    mobile_phone: str
    created_at: datetime.datetime
    households: list[HouseholdLinkOut]
    agencies: list[str]
    consultations: int
    referrals: int
    cases: int

    @staticmethod
    def resolve_age(obj: Person) -> int | None:
        return obj.age_on(timezone.localdate())

    @staticmethod
    def resolve_households(obj: Person) -> list[dict]:
        return [{"label": label, "relation": rel} for label, rel in obj._profile.households]

    @staticmethod
    def resolve_agencies(obj: Person) -> list[str]:
        return obj._profile.agencies

    @staticmethod
    def resolve_consultations(obj: Person) -> int:
        return obj._profile.consultations

    @staticmethod
    def resolve_referrals(obj: Person) -> int:
        return obj._profile.referrals

    @staticmethod
    def resolve_cases(obj: Person) -> int:
        return obj._profile.cases


class CandidateOut(Schema):
    id: int
    person_a: PersonBriefOut
    person_b: PersonBriefOut
    match_probability: float
    percent: float
    reasons: list[str]
    reason_labels: list[str]
    #: What a reviewer must weigh before merging (the same name in one household across
    #: generations, dates of birth years apart), in Japanese.
    cautions: list[str]
    origin: str
    origin_label: str
    status: str
    status_label: str
    created_at: datetime.datetime
    reviewed_by_name: str
    reviewed_at: datetime.datetime | None
    review_note: str

    @staticmethod
    def resolve_reason_labels(obj: MatchCandidate) -> list[str]:
        return selectors.reason_labels(obj.reasons)

    @staticmethod
    def resolve_cautions(obj: MatchCandidate) -> list[str]:
        return selectors.cautions(obj)

    @staticmethod
    def resolve_origin_label(obj: MatchCandidate) -> str:
        return obj.get_origin_display()

    @staticmethod
    def resolve_status_label(obj: MatchCandidate) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_reviewed_by_name(obj: MatchCandidate) -> str:
        return _user_name(obj.reviewed_by)


class MergeOut(Schema):
    id: int
    survivor: PersonBriefOut
    merged: PersonBriefOut
    candidate_id: int | None
    reason: str
    is_automatic: bool
    moved: list[dict]
    ended_memberships: list[dict]
    merged_by_name: str
    merged_at: datetime.datetime
    is_active: bool
    unmerged_by_name: str
    unmerged_at: datetime.datetime | None
    unmerge_reason: str

    @staticmethod
    def resolve_merged_by_name(obj: PersonMerge) -> str:
        return _user_name(obj.merged_by) if obj.merged_by_id else "自動統合"

    @staticmethod
    def resolve_unmerged_by_name(obj: PersonMerge) -> str:
        return _user_name(obj.unmerged_by)


class CandidateFilter(Schema):
    band: str = ""
    min_probability: float | None = None
    max_probability: float | None = None


class ConfirmIn(Schema):
    survivor_id: int | None = None
    note: str = ""


class RejectIn(Schema):
    note: str = ""


class UnmergeIn(Schema):
    reason: str = ""


class CandidateDetailOut(CandidateOut):
    side_a: PersonSideOut
    side_b: PersonSideOut

    @staticmethod
    def resolve_side_a(obj: MatchCandidate) -> Person:
        return obj.person_a

    @staticmethod
    def resolve_side_b(obj: MatchCandidate) -> Person:
        return obj.person_b


def _detail(request, candidate: MatchCandidate) -> MatchCandidate:
    for person in (candidate.person_a, candidate.person_b):
        person._profile = selectors.person_profile(user=request.user, person=person)
    return candidate


# --- routes -----------------------------------------------------------------------------


def _candidate_page(request, items, *, page, filters, **params):
    context = {k: str(v) for k, v in filters.dict().items() if v not in (None, "")}
    context["page"] = str(page)
    audit_read(
        request,
        "linkage.candidate_list",
        persons=sorted({pid for c in items for pid in (c.person_a_id, c.person_b_id)}),
        context=context,
    )


@router.get(
    "/linkage/candidates",
    response=list[CandidateOut],
    summary="名寄せの確認待ち候補",
    operation_id="tsunagu_linkage_api_candidate_list",
)
@paginate(AuditedPagination, page_size=25, on_page=_candidate_page)
def candidate_list(request, filters: Query[CandidateFilter]):
    """両方の本人を見られる確認待ちの組だけを、一致確率の高い順に返します。
    ``band``（``high`` 90%以上・``middle`` 70〜90%・``low`` 70%未満）または
    ``min_probability`` / ``max_probability``（0〜1）で絞り込めます。"""
    require_perm(request, "linkage.review")
    if filters.band and filters.band not in selectors.BANDS:
        raise invalid({"band": "一致確率の区分が正しくありません（high・middle・low）。"})
    for name in ("min_probability", "max_probability"):
        value = getattr(filters, name)
        if value is not None and not 0 <= value <= 1:
            raise invalid({name: "一致確率は0から1の間で指定してください。"})
    return selectors.candidate_list(
        user=request.user,
        band=filters.band,
        min_probability=filters.min_probability,
        max_probability=filters.max_probability,
    )


@router.get(
    "/linkage/candidates/{candidate_id}",
    response={200: CandidateDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="名寄せ候補（2件の記録を並べて）",
    operation_id="tsunagu_linkage_api_candidate_detail",
)
def candidate_detail(request, candidate_id: int):
    require_perm(request, "linkage.review")
    candidate = selectors.get_candidate_for_user(request.user, candidate_id)
    audit_read(
        request,
        "linkage.candidate_view",
        candidate,
        persons=[candidate.person_a_id, candidate.person_b_id],
        context={"status": candidate.status},
    )
    return _detail(request, candidate)


@router.post(
    "/linkage/candidates/{candidate_id}/confirm",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut},
    summary="同一人物と確認して統合（残す記録を指定）",
    operation_id="tsunagu_linkage_api_candidate_confirm",
)
@api_fields({"survivor": "survivor_id"})
def candidate_confirm(request, candidate_id: int, payload: ConfirmIn):
    """``survivor_id`` は候補の2件のどちらか。もう一方の記録はアーカイブされ、その相談・
    つなぎ・事例・世帯員の記録は残す記録に付け替えられます（``/merges/{id}/unmerge`` で
    元に戻せます）。"""
    require_perm(request, "linkage.review")
    candidate = selectors.get_candidate_for_user(request.user, candidate_id)
    if payload.survivor_id is None:
        raise invalid({"survivor_id": "残す記録を選んでください。"})
    _check_note(payload.note, "note", "確認メモ")
    merge = review_services.candidate_confirm(
        by=request.user,
        candidate=candidate,
        survivor=Person(pk=payload.survivor_id),
        note=payload.note,
    )
    return selectors.get_merge_for_user(request.user, merge.pk)


@router.post(
    "/linkage/candidates/{candidate_id}/reject",
    response={200: CandidateOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut},
    summary="別人と判断（理由が必要）",
    operation_id="tsunagu_linkage_api_candidate_reject",
)
def candidate_reject(request, candidate_id: int, payload: RejectIn):
    require_perm(request, "linkage.review")
    candidate = selectors.get_candidate_for_user(request.user, candidate_id)
    _check_note(payload.note, "note", "別人と判断した理由")
    review_services.candidate_reject(by=request.user, candidate=candidate, note=payload.note)
    return selectors.get_candidate_for_user(request.user, candidate.pk)


def _merge_page(request, items, *, page, **params):
    audit_read(
        request,
        "linkage.merge_list",
        persons=sorted({pid for m in items for pid in (m.survivor_id, m.merged_id)}),
        context={"page": str(page)},
    )


@router.get(
    "/linkage/merges",
    response=list[MergeOut],
    summary="名寄せ（統合）の履歴",
    operation_id="tsunagu_linkage_api_merge_list",
)
@paginate(AuditedPagination, page_size=25, on_page=_merge_page)
def merge_list(request):
    require_perm(request, "linkage.review")
    return selectors.merge_list(user=request.user)


@router.get(
    "/linkage/merges/{merge_id}",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut},
    summary="名寄せ（統合）の記録",
    operation_id="tsunagu_linkage_api_merge_detail",
)
def merge_detail(request, merge_id: int):
    require_perm(request, "linkage.review")
    merge = selectors.get_merge_for_user(request.user, merge_id)
    audit_read(request, "linkage.merge_view", merge, persons=[merge.survivor_id, merge.merged_id])
    return merge


@router.post(
    "/linkage/merges/{merge_id}/unmerge",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut},
    summary="統合を元に戻す（理由が必要。既に戻したものは 409）",
    operation_id="tsunagu_linkage_api_merge_unmerge",
)
def merge_unmerge(request, merge_id: int, payload: UnmergeIn):
    """統合された記録のアーカイブを解除し、この統合で付け替えた記録だけを元の本人に
    戻します。統合後に付け替えた記録が変更されている場合や、残した記録がさらに統合されて
    いる場合は 409 です。"""
    require_perm(request, "linkage.review")
    merge = selectors.get_merge_for_user(request.user, merge_id)
    _check_note(payload.reason, "reason", "元に戻す理由")
    merge_services.person_unmerge(by=request.user, merge=merge, reason=payload.reason)
    return selectors.get_merge_for_user(request.user, merge.pk)
