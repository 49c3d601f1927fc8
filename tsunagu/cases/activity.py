"""支援経過記録 (the activity log of a 多機関協働 case): recording an entry, the coordinator
seeing what other agencies recorded, and the reads the case page and the dashboard show.

Any agency on the case's current team, the coordinating agency and the municipal office
record entries; after closure only the lead agency named at closure (終結後の主担当) and the
coordinating agency do, to keep accompanying the person. An entry from another agency is
"unseen" until the case's coordinator opens the log: this is how information from the
agencies reaches the coordinator at once (domain.md §3 "Activity", §8 item 3).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Role
from tsunagu.audit.services import audit_read, audit_record, snapshot

from .models import Activity, ActivityKind, Case, CaseStatus, CaseTeamMember
from .permissions import coordinating_role

SUMMARY_MAX = 4000
PANEL_ROWS = 5

NOT_VISIBLE = "この事例は閲覧できません。"
NOT_ON_TEAM = (
    "支援経過は、支援チームの機関、多機関協働事業者または事務局が記録します。"
    "記録するには、多機関協働事業者に支援チームへの追加を依頼してください。"
)
CLOSED_CASE = "終結した事例の支援経過は、終結後の主担当機関と多機関協働事業者が記録します。"

AUDITED_FIELDS = (
    "case_id",
    "occurred_on",
    "kind",
    "agency_id",
    "summary",
    "is_contact_attempt",
    "reached_person",
)


# ------------------------------------------------------------------------- who may record


def _refusal(user, case: Case) -> str | None:
    """Why ``user`` may not record an entry on ``case`` (``None`` when they may)."""
    if not access.may_handle_cases(user):
        return NOT_VISIBLE
    if not access.cases_visible_to(user).filter(pk=case.pk).exists():
        return NOT_VISIBLE
    agency_id = access.acting_agency_id(user)
    if case.status == CaseStatus.CLOSED:
        if agency_id in (case.lead_agency_after_closure_id, case.coordinating_agency_id):
            return None
        return CLOSED_CASE
    if access.sees_everything(user) or agency_id == case.coordinating_agency_id:
        return None
    on_team = CaseTeamMember.objects.filter(
        case_id=case.pk, agency_id=agency_id, left_on__isnull=True
    ).exists()
    return None if on_team else NOT_ON_TEAM


def may_record(user, case: Case) -> bool:
    """Whether ``user`` (acting for their agency) may record an entry on ``case`` now."""
    return _refusal(user, case) is None


def refusal_message(user, case: Case) -> str:
    """The Japanese explanation for a refused recording ('' when allowed)."""
    return _refusal(user, case) or ""


def is_coordinator_of(user, case: Case) -> bool:
    """The case's coordinator: someone who manages the case acting for its coordinating
    agency. Their opening of the log is what marks entries as seen."""
    return (
        user.has_perm("cases.manage_case", case)
        and access.acting_agency_id(user) == case.coordinating_agency_id
    )


# -------------------------------------------------------------------------------- services


def _validate(
    *, occurred_on, kind: str, summary: str, is_contact_attempt: bool, reached_person: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if occurred_on is None:
        errors["occurred_on"] = "実施日を入力してください。"
    elif not isinstance(occurred_on, datetime.date) or isinstance(occurred_on, datetime.datetime):
        errors["occurred_on"] = "実施日は日付で指定してください。"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "実施日に未来の日付は指定できません。"
    if kind not in ActivityKind.values:
        errors["kind"] = "種別を選択肢から選んでください。"
    if not summary:
        errors["summary"] = "内容を入力してください。"
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"内容は{SUMMARY_MAX}文字以内で入力してください。"
    if reached_person and not is_contact_attempt:
        errors["reached_person"] = (
            "「本人と連絡が取れた」は、本人への連絡の試みとして記録する場合に選んでください。"
        )
    return errors


def activity_record(
    *,
    by,
    case: Case,
    occurred_on: datetime.date,
    kind: str,
    summary: str,
    is_contact_attempt: bool = False,
    reached_person: bool = False,
) -> Activity:
    """Record one dated entry of the activity log for the user's acting agency."""
    refusal = _refusal(by, case)
    if refusal:
        raise PermissionDenied(refusal)
    summary = (summary or "").strip()
    is_contact_attempt = bool(is_contact_attempt)
    reached_person = bool(reached_person)
    errors = _validate(
        occurred_on=occurred_on,
        kind=kind,
        summary=summary,
        is_contact_attempt=is_contact_attempt,
        reached_person=reached_person,
    )
    if errors:
        raise ValidationError(errors)
    agency_id = access.acting_agency_id(by)
    with transaction.atomic():
        # The status (closed or not) decides who may record: check it on the locked row.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        refusal = _refusal(by, locked)
        if refusal:
            raise PermissionDenied(refusal)
        now = timezone.now()
        activity = Activity.objects.create(
            case=locked,
            occurred_on=occurred_on,
            kind=kind,
            agency_id=agency_id,
            summary=summary,
            is_contact_attempt=is_contact_attempt,
            reached_person=reached_person,
            recorded_by=by,
            # the coordinating agency's own entries need no one to take notice of them
            seen_by_coordinator_at=now if agency_id == locked.coordinating_agency_id else None,
        )
        audit_record(
            actor=by,
            action="activity.record",
            target=activity,
            persons=locked.subject_persons(),
            context={"case": locked.pk, "kind": kind},
            changes={
                key: {"before": None, "after": value}
                for key, value in snapshot(activity, AUDITED_FIELDS).items()
            },
        )
    return activity


def activity_mark_seen(*, by, case: Case) -> list[int]:
    """The coordinator opened the log: every entry from another agency not yet seen is seen
    now. Returns the ids of the entries newly marked (none when ``by`` is not the case's
    coordinator, e.g. the program office looking over the coordinator's shoulder)."""
    if not is_coordinator_of(by, case):
        return []
    with transaction.atomic():
        ids = list(
            _unseen(Activity.objects.filter(case_id=case.pk))
            .select_for_update()
            .values_list("pk", flat=True)
        )
        if ids:
            Activity.objects.filter(pk__in=ids).update(seen_by_coordinator_at=timezone.now())
    return ids


# ------------------------------------------------------------------------------- selectors


def _unseen(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.filter(seen_by_coordinator_at__isnull=True).exclude(
        agency_id=F("case__coordinating_agency_id")
    )


def activity_list(*, case: Case, kind: str = "", agency_id: int | None = None) -> QuerySet:
    """The case's entries, newest first. Callers have checked that the user sees ``case``."""
    qs = Activity.objects.filter(case_id=case.pk).select_related("agency", "recorded_by")
    if kind:
        qs = qs.filter(kind=kind)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return qs.order_by("-occurred_on", "-recorded_at", "-id")


def own_agency_only(user, case: Case) -> int | None:
    """The user's agency when they may see only its own entries on ``case`` (the current
    consent does not name it: domain.md §6); ``None`` when they see every entry."""
    if getattr(case, "content_visible", None) is None:
        case.content_visible = access.sees_case_content(user, case)
    return None if case.content_visible else access.acting_agency_id(user)


def recording_agencies(case: Case) -> list:
    """The agencies that have recorded entries on the case (for the filter)."""
    from tsunagu.accounts.models import Agency

    ids = Activity.objects.filter(case_id=case.pk).values("agency_id")
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def unseen_count(case: Case) -> int:
    return _unseen(Activity.objects.filter(case_id=case.pk)).count()


def contact_attempts(case: Case) -> QuerySet[Activity]:
    """The case's recorded attempts to reach the person, in the order they were made (a
    meeting deciding suspension records them: domain.md §5.2 ※)."""
    return (
        Activity.objects.filter(case_id=case.pk, is_contact_attempt=True)
        .select_related("agency", "recorded_by")
        .order_by("occurred_on", "recorded_at", "id")
    )


def unseen_for(user) -> QuerySet[Activity]:
    """Entries from other agencies not yet seen by the coordinator, on the cases ``user``
    manages (all of them for the program office), newest first."""
    if not coordinating_role(user):
        return Activity.objects.none()
    cases = access.cases_visible_to(user)
    if not access.sees_everything(user):
        cases = cases.filter(coordinating_agency_id=access.acting_agency_id(user))
    return (
        _unseen(Activity.objects.filter(case__in=cases.values("pk")))
        .select_related("case", "case__person", "case__household", "agency", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


# ---------------------------------------------------------------------------------- panels


def case_panel(request, case) -> dict:
    """Context for the case page's activity section: the latest entries, how many the
    coordinator has not seen (for those who manage the case) and the links.
    The case page's own audited read covers the persons shown here."""
    user = request.user
    qs = activity_list(case=case, agency_id=own_agency_only(user, case))
    rows = list(qs[:PANEL_ROWS])
    manages = user.has_perm("cases.manage_case", case)
    return {
        "activity_panel": {
            "rows": rows,
            "count": qs.count() if len(rows) == PANEL_ROWS else len(rows),
            "unseen": unseen_count(case) if manages else None,
            "may_record": may_record(user, case),
        }
    }


def dashboard_panel(request) -> dict:
    """Context for the dashboard's activity panel: for a coordinator or the program office,
    entries from other agencies on the cases they manage that the coordinator has not seen
    yet. The persons named are an audited read. Nothing for other roles."""
    from tsunagu.cases.selectors import subject_person_ids

    user = request.user
    membership = getattr(user, "acting_membership", None)
    if membership is None or membership.role not in (Role.COORDINATOR, Role.MUNICIPAL_OFFICER):
        return {}
    qs = unseen_for(user)
    rows = list(qs[:PANEL_ROWS])
    count = qs.count() if len(rows) == PANEL_ROWS else len(rows)
    persons = subject_person_ids([row.case for row in rows])
    if rows:
        audit_read(
            request,
            "dashboard.view",
            persons=persons,
            purpose="ダッシュボードの確認",
            context={"panel": "activity", "activities": [row.pk for row in rows]},
        )
    return {"activity_dashboard": {"rows": rows, "count": count}}
