"""Writes of 多機関協働 cases: opening from a referral, consent versions, status moves.

A case's status changes only here. Moves that domain.md §5.2 reserves for a conference
decision (plan adoption, re-plan, closure, suspension) are refused by ``case_transition``:
they happen only through a recorded meeting decision.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.cases.models import (
    Case,
    CaseStatusEvent,
    CaseTeamMember,
)
from tsunagu.cases.permissions import coordinating_role, manages_case
from tsunagu.cases.services.due_dates import refresh_due_dates
from tsunagu.cases.workflow import (
    DECISION_TRANSITIONS,
    DIRECT_TRANSITIONS,
    C,
    CaseTransitionError,
)
from tsunagu.consultations import services as intake
from tsunagu.consultations.models import ReferralKind


def require_coordinating(by, case: Case | None = None):
    if not coordinating_role(by):
        raise PermissionDenied(
            "この操作は多機関協働事業者（コーディネーター）または事務局が行います。"
        )
    if case is not None and not manages_case(by, case):
        raise PermissionDenied("この事例を担当する多機関協働事業者だけが行えます。")
    return by.acting_membership


def case_open_from_referral(*, by, referral, note: str = "") -> Case:
    """Accept a 多機関協働 referral: the referral becomes 受理 and a case opens in インテーク."""
    membership = require_coordinating(by)
    if referral.kind != ReferralKind.MULTI_AGENCY:
        raise CaseTransitionError("事例として受け付けられるのは多機関協働へのつなぎだけです。")
    if membership.agency_id != referral.to_agency_id:
        raise PermissionDenied("この操作はつなぎ先の機関だけが行えます。")
    today = timezone.localdate()
    with transaction.atomic():
        accepted = intake.accept_transition(by=by, referral=referral, note=note)
        case = Case.objects.create(
            person=accepted.person,
            household=accepted.household,
            referral=accepted,
            referring_agency=accepted.from_agency,
            coordinating_agency=membership.agency,
            coordinator=by,
            status=C.INTAKE,
            is_urgent=accepted.is_urgent,
            opened_on=today,
        )
        CaseTeamMember.objects.bulk_create(
            [
                CaseTeamMember(
                    case=case, agency=membership.agency, role="多機関協働事業者", joined_on=today
                ),
                CaseTeamMember(
                    case=case, agency=accepted.from_agency, role="つなぎ元", joined_on=today
                ),
            ]
        )
        CaseStatusEvent.objects.create(
            case=case, to_status=C.INTAKE, at=timezone.now(), by=by, note=note
        )
        audit_record(
            actor=by,
            action="case.open",
            target=case,
            persons=case.subject_persons(),
            context={"case": case.pk, "referral": accepted.pk},
            changes=diff({}, snapshot(case)),
        )
    return case


def case_transition(
    *, by, case: Case, to: str, note: str = "", without_consent: bool = False
) -> Case:
    """A coordinator's own move of a case (see DIRECT_TRANSITIONS); others need a decision."""
    require_coordinating(by, case)
    if to not in C.values:
        raise CaseTransitionError("移行先の状態が正しくありません。")
    move = (case.status, to)
    if move in DECISION_TRANSITIONS:
        raise CaseTransitionError(
            f"「{C(case.status).label}」から「{C(to).label}」へは、会議の決定・支援決定・"
            "モニタリングなどの記録によって進みます（重層的支援会議・支援会議の議題にしてください）。"
        )
    if move not in DIRECT_TRANSITIONS:
        raise CaseTransitionError(
            f"「{C(case.status).label}」の事例を「{C(to).label}」にはできません。"
        )
    if move == (C.INTAKE, C.ASSESSMENT) and case.current_consent() is None:
        if not without_consent:
            raise CaseTransitionError(
                "本人同意（利用申込）が記録されていません。同意のないまま進める場合は、"
                "支援会議（社会福祉法第106条の6）で扱うことを確認してください。"
            )
        if not note.strip():
            raise ValidationError({"note": "同意のないまま進める理由を入力してください。"})
    if case.status in (C.CLOSED, C.SUSPENDED) and not note.strip():
        raise ValidationError({"note": "再開の理由を入力してください。"})
    now = timezone.now()
    with transaction.atomic():
        fields = {"status": to, "updated_at": now}
        if to == C.ASSESSMENT and case.status in (C.CLOSED, C.SUSPENDED):
            fields["closed_on"] = None
        updated = Case.objects.filter(pk=case.pk, status=case.status).update(**fields)
        if updated != 1:
            raise CaseTransitionError(
                "この事例は他の利用者によって更新されました。画面を開き直してください。"
            )
        refresh_due_dates([case.pk])
        event_note = note.strip()
        if move == (C.INTAKE, C.ASSESSMENT) and without_consent and case.current_consent() is None:
            event_note = f"同意なし（支援会議で扱う）: {event_note}"
        CaseStatusEvent.objects.create(
            case=case, from_status=case.status, to_status=to, at=now, by=by, note=event_note
        )
        audit_record(
            actor=by,
            action="case.reopen" if case.status in (C.CLOSED, C.SUSPENDED) else "case.transition",
            target=case,
            persons=case.subject_persons(),
            context={"case": case.pk},
            changes={"status": {"before": case.status, "after": to}},
            purpose=event_note[:200],
        )
    case.refresh_from_db()
    return case


def move_case(
    *, by, case: Case, to: str, note: str = "", action: str, context: dict | None = None, **fields
) -> Case:
    """Move a case as part of another recorded step (a decision, 支援決定, monitoring …).

    The caller has checked the rule and holds the transaction; this only refuses a move
    that is not in the table, or a case someone else moved meanwhile, and keeps history.
    """
    move = (case.status, to)
    if move not in DECISION_TRANSITIONS and move not in DIRECT_TRANSITIONS:
        raise CaseTransitionError(
            f"「{C(case.status).label}」の事例を「{C(to).label}」にはできません。"
        )
    now = timezone.now()
    updated = Case.objects.filter(pk=case.pk, status=case.status).update(
        status=to, updated_at=now, **fields
    )
    if updated != 1:
        raise CaseTransitionError(
            "この事例は他の利用者によって更新されました。画面を開き直してください。"
        )
    refresh_due_dates([case.pk])
    CaseStatusEvent.objects.create(
        case=case, from_status=case.status, to_status=to, at=now, by=by, note=note.strip()
    )
    audit_record(
        actor=by,
        action=action,
        target=case,
        persons=case.subject_persons(),
        context={"case": case.pk, **(context or {})},
        changes={"status": {"before": case.status, "after": to}},
        purpose=note.strip()[:200],
    )
    case.refresh_from_db()
    return case
