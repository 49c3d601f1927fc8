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
from django.utils import timezone

from tsunagu import access
from tsunagu.audit.services import audit_record, snapshot
from tsunagu.cases.models import Activity, ActivityKind, Case
from tsunagu.cases.permissions import activity_refusal, is_coordinator_of
from tsunagu.cases.selectors.activity import only_unseen

SUMMARY_MAX = 4000


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
    refusal = activity_refusal(by, case)
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
        refusal = activity_refusal(by, locked)
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
            only_unseen(Activity.objects.filter(case_id=case.pk))
            .select_for_update()
            .values_list("pk", flat=True)
        )
        if ids:
            Activity.objects.filter(pk__in=ids).update(seen_by_coordinator_at=timezone.now())
    return ids


# ------------------------------------------------------------------------------- selectors


# ---------------------------------------------------------------------------------- panels
