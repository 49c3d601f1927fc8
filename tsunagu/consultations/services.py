"""Writes of 包括的相談支援: recording consultations and moving referrals around their loop.

Every function validates first, changes nothing on bad input, and records its audit event in
the same transaction. A referral's status changes only here, through ``_transition``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Program
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.business_days import add_office_days
from tsunagu.common.errors import NotVisible as BaseNotVisible
from tsunagu.common.errors import RuleBroken
from tsunagu.common.validation import choice_error, max_length_errors

from . import hooks
from .models import (
    Channel,
    Consultation,
    ConsultationCategory,
    ConsulterType,
    IssueCategory,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralOutcome,
    ReferralStatus,
)

S = ReferralStatus

# (from, to) → who may make the move ("receiver" or "sender")
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SENT, S.ACCEPTED): "receiver",
    (S.SENT, S.RETURNED): "receiver",
    (S.ACCEPTED, S.IN_PROGRESS): "receiver",
    (S.ACCEPTED, S.COMPLETED): "receiver",
    (S.IN_PROGRESS, S.COMPLETED): "receiver",
}


# audit action verb for arriving in each status
ACTION_FOR = {
    S.ACCEPTED: "referral.accept",
    S.RETURNED: "referral.return",
    S.IN_PROGRESS: "referral.start",
    S.COMPLETED: "referral.complete",
}


class TransitionError(RuleBroken):
    """A referral move that the closed loop does not allow."""


def response_days() -> int:
    """Office days (開庁日) a receiving agency has to accept or return a referral."""
    return int(settings.TSUNAGU.get("REFERRAL_RESPONSE_DAYS", 3))


def respond_by_for(sent_at: datetime.datetime) -> datetime.datetime:
    """The end of the N-th office day after sending (weekends, holidays, 年末年始 skipped)."""
    due = add_office_days(timezone.localtime(sent_at).date(), response_days())
    return timezone.make_aware(datetime.datetime.combine(due, datetime.time(23, 59, 59)))


def _acting(by):
    membership = acting(by).membership
    if membership is None or not access.may_handle_cases(by):
        raise PermissionDenied("現在の所属・役割では相談を扱えません。")
    return membership


class NotVisible(BaseNotVisible):
    """The person/household named is not one the user may see (views answer 404)."""


def _check_visible(by, *objects) -> None:
    for obj in objects:
        if obj is not None and not access.can_view(by, obj):
            raise NotVisible("指定された本人・世帯は見つかりません。")


def _check_categories(categories: Sequence[IssueCategory], primary: IssueCategory | None):
    errors = {}
    if not categories:
        errors["categories"] = "相談内容を1つ以上選んでください。"
    if primary is not None and primary not in categories:
        errors["primary_category"] = (
            "「最も困っていること（◎）」は選んだ相談内容の中から選んでください。"
        )
    if errors:
        raise ValidationError(errors)


def _set_categories(consultation, categories, primary) -> None:
    consultation.category_links.all().delete()
    ConsultationCategory.objects.bulk_create(
        [
            ConsultationCategory(
                consultation=consultation,
                category=c,
                is_primary=(primary is not None and c == primary),
            )
            for c in categories
        ]
    )


def consultation_record(
    *,
    by,
    received_on: datetime.date,
    channel: str,
    consulter_type: str,
    summary: str,
    outcome: str,
    categories: Sequence[IssueCategory],
    primary_category: IssueCategory | None = None,
    person=None,
    household=None,
    consulter_name: str = "",
    consulter_relation: str = "",
    consent_to_share: bool = False,
) -> Consultation:
    """Record a consultation received at the user's acting agency (断らない相談)."""
    membership = _acting(by)
    errors = {}
    if person is None and household is None:
        errors["person"] = "本人または世帯を指定してください。"
    if received_on > timezone.localdate():
        errors["received_on"] = "受付日に未来の日付は指定できません。"
    if not summary.strip():
        errors["summary"] = "相談内容（概要）を入力してください。"
    if outcome not in Outcome.values:
        errors["outcome"] = "対応結果を選んでください。"
    errors.update(choice_error(Channel, channel, "channel"))
    errors.update(choice_error(ConsulterType, consulter_type, "consulter_type"))
    errors.update(
        max_length_errors(
            Consultation, consulter_name=consulter_name, consulter_relation=consulter_relation
        )
    )
    if errors:
        raise ValidationError(errors)
    _check_categories(categories, primary_category)
    _check_visible(by, person, household)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            agency=membership.agency,
            recorded_by=by,
            received_on=received_on,
            channel=channel,
            consulter_type=consulter_type,
            consulter_name=consulter_name,
            consulter_relation=consulter_relation,
            person=person,
            household=household,
            summary=summary.strip(),
            consent_to_share=consent_to_share,
            outcome=outcome,
        )
        _set_categories(consultation, categories, primary_category)
        audit_record(
            actor=by,
            action="consultation.create",
            target=consultation,
            persons=consultation.subject_persons(),
            context={"consultation": consultation.pk},
            changes={
                **diff({}, snapshot(consultation)),
                "categories": {"before": None, "after": [c.code for c in categories]},
            },
        )
    return consultation


EDITABLE_FIELDS = (
    "received_on",
    "channel",
    "consulter_type",
    "consulter_name",
    "consulter_relation",
    "summary",
    "consent_to_share",
    "outcome",
)


def consultation_update(
    *,
    by,
    consultation: Consultation,
    categories: Sequence[IssueCategory],
    primary_category: IssueCategory | None = None,
    **changes,
) -> Consultation:
    """Correct a consultation; only the agency that recorded it may."""
    membership = _acting(by)
    if consultation.agency_id != membership.agency_id:
        raise PermissionDenied("相談を修正できるのは受け付けた機関だけです。")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "summary" in changes and not str(changes["summary"]).strip():
        raise ValidationError({"summary": "相談内容（概要）を入力してください。"})
    if changes.get("received_on") and changes["received_on"] > timezone.localdate():
        raise ValidationError({"received_on": "受付日に未来の日付は指定できません。"})
    errors = {}
    if "channel" in changes:
        errors.update(choice_error(Channel, changes["channel"], "channel"))
    if "consulter_type" in changes:
        errors.update(choice_error(ConsulterType, changes["consulter_type"], "consulter_type"))
    if "outcome" in changes:
        errors.update(choice_error(Outcome, changes["outcome"], "outcome"))
    errors.update(
        max_length_errors(
            Consultation,
            **{k: v for k, v in changes.items() if k in ("consulter_name", "consulter_relation")},
        )
    )
    if errors:
        raise ValidationError(errors)
    _check_categories(categories, primary_category)
    before = snapshot(consultation, EDITABLE_FIELDS)
    before_categories = sorted(consultation.category_links.values_list("category__code", flat=True))
    with transaction.atomic():
        for name, value in changes.items():
            setattr(consultation, name, value)
        consultation.save()
        _set_categories(consultation, categories, primary_category)
        after_categories = sorted(c.code for c in categories)
        change_set = diff(before, snapshot(consultation, EDITABLE_FIELDS))
        if before_categories != after_categories:
            change_set["categories"] = {"before": before_categories, "after": after_categories}
        audit_record(
            actor=by,
            action="consultation.update",
            target=consultation,
            persons=consultation.subject_persons(),
            context={"consultation": consultation.pk},
            changes=change_set,
        )
    return consultation


def referral_send(
    *,
    by,
    consultation: Consultation,
    to_agency: Agency,
    reason: str,
    person=None,
    household=None,
    kind: str = ReferralKind.STANDARD,
    criterion_household: bool = False,
    criterion_gap: bool = False,
    criterion_new_resource: bool = False,
    tried_with_agencies: str = "",
    is_urgent: bool = False,
    previous: Referral | None = None,
) -> Referral:
    """Refer the person/household of ``consultation`` to another agency (つなぎ)."""
    membership = _acting(by)
    errors = {}
    if not access.can_view(by, consultation):
        raise PermissionDenied("この相談からはつなげません。")
    if to_agency.pk == membership.agency_id:
        errors["to_agency"] = "自分の機関にはつなげません。"
    elif not to_agency.is_active:
        errors["to_agency"] = "このつなぎ先は現在受け付けていません（無効な機関）。"
    if not reason.strip():
        errors["reason"] = "つなぐ理由・依頼内容を入力してください。"
    if kind not in ReferralKind.values:
        errors["kind"] = "種別が正しくありません。"
    if kind == ReferralKind.MULTI_AGENCY:
        if not to_agency.runs(Program.MULTI_AGENCY):
            errors["to_agency"] = (
                "多機関協働へのつなぎ先は多機関協働事業を実施する機関にしてください。"
            )
        if not (criterion_household or criterion_gap or criterion_new_resource):
            errors["criteria"] = "基準①②③のうち当てはまるものを1つ以上選んでください。"
        if not tried_with_agencies.strip():
            errors["tried_with_agencies"] = (
                "これまでに他機関と連携して試みたことを入力してください"
                "（多機関協働は、各窓口での連携で解決が難しい場合に利用します）。"
            )
    if person is None and household is None:  # the consultation's own subject
        person, household = consultation.person, consultation.household
    _check_visible(by, person, household)
    if person is None and household is None:
        errors["person"] = "つなぐ本人または世帯を指定してください。"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        referral = Referral.objects.create(
            kind=kind,
            consultation=consultation,
            person=person,
            household=household,
            from_agency=membership.agency,
            to_agency=to_agency,
            sent_by=by,
            reason=reason.strip(),
            sent_at=now,
            respond_by=respond_by_for(now),
            previous=previous,
            criterion_household=criterion_household,
            criterion_gap=criterion_gap,
            criterion_new_resource=criterion_new_resource,
            tried_with_agencies=tried_with_agencies.strip(),
            is_urgent=is_urgent,
        )
        ReferralEvent.objects.create(
            referral=referral, to_status=S.SENT, at=now, by=by, agency=membership.agency
        )
        audit_record(
            actor=by,
            action="referral.send",
            target=referral,
            persons=referral.subject_persons(),
            context={"consultation": consultation.pk, "referral": referral.pk},
            changes=diff({}, snapshot(referral)),
        )
    return referral


def _transition(
    *, by, referral: Referral, to: str, note: str = "", by_rule: bool = False, **fields
) -> Referral:
    """Move a referral along its loop. ``by_rule``: the move follows from another recorded
    step (the closure of the case opened from it), not from the agency's own button."""
    membership = _acting(by)
    side = TRANSITIONS.get((referral.status, to))
    if side is None:
        raise TransitionError(
            f"「{S(referral.status).label}」のつなぎを「{S(to).label}」にはできません。"
        )
    agency_id = referral.to_agency_id if side == "receiver" else referral.from_agency_id
    if membership.agency_id != agency_id and not by_rule:
        who = "つなぎ先" if side == "receiver" else "つなぎ元"
        raise PermissionDenied(f"この操作は{who}の機関だけが行えます。")
    now = timezone.now()
    with transaction.atomic():
        # Conditional update: a concurrent move of the same referral cannot both succeed.
        updated = Referral.objects.filter(pk=referral.pk, status=referral.status).update(
            status=to, updated_at=now, **fields
        )
        if updated != 1:
            raise TransitionError(
                "このつなぎは他の利用者によって更新されました。画面を開き直してください。"
            )
        ReferralEvent.objects.create(
            referral=referral,
            from_status=referral.status,
            to_status=to,
            at=now,
            by=by,
            agency=membership.agency,
            note=note,
        )
        audit_record(
            actor=by,
            action=ACTION_FOR[to],
            target=referral,
            persons=referral.subject_persons(),
            context={"consultation": referral.consultation_id, "referral": referral.pk},
            changes={
                **({"note": {"before": None, "after": note}} if note else {}),
                "status": {"before": referral.status, "after": to},
                **{k: {"before": getattr(referral, k), "after": v} for k, v in fields.items()},
            },
        )
    referral.refresh_from_db()
    return referral


def referral_accept(*, by, referral: Referral, note: str = "") -> Referral:
    """Accept a referral; accepting a 多機関協働 referral opens its case (インテーク)."""
    if referral.kind == ReferralKind.MULTI_AGENCY:
        hooks.accept_multi_agency(by=by, referral=referral, note=note)
        referral.refresh_from_db()
        return referral
    return accept_transition(by=by, referral=referral, note=note)


def accept_transition(*, by, referral: Referral, note: str = "") -> Referral:
    """The 送付 → 受理 move itself (case opening builds on it)."""
    return _transition(
        by=by, referral=referral, to=S.ACCEPTED, note=note, responded_at=timezone.now()
    )


def referral_return(*, by, referral: Referral, reason: str) -> Referral:
    if not reason.strip():
        raise ValidationError({"reason": "差し戻す理由を入力してください。"})
    return _transition(
        by=by,
        referral=referral,
        to=S.RETURNED,
        note=reason.strip(),
        responded_at=timezone.now(),
        return_reason=reason.strip(),
    )


def referral_start(*, by, referral: Referral, note: str = "") -> Referral:
    return _transition(by=by, referral=referral, to=S.IN_PROGRESS, note=note)


def referral_complete(
    *,
    by,
    referral: Referral,
    outcome: str,
    note: str = "",
    rerefer_to: Agency | None = None,
    rerefer_reason: str = "",
) -> Referral:
    """Close the loop with an outcome; 他機関へ再紹介 sends a new referral onward at once."""
    if outcome not in ReferralOutcome.values:
        raise ValidationError({"outcome": "結果を選んでください。"})
    if outcome == ReferralOutcome.REREFERRED and rerefer_to is None:
        raise ValidationError({"rerefer_to": "再紹介先の機関を選んでください。"})
    with transaction.atomic():
        done = _transition(
            by=by,
            referral=referral,
            to=S.COMPLETED,
            note=note,
            completed_at=timezone.now(),
            outcome=outcome,
            outcome_note=note,
        )
        if outcome == ReferralOutcome.REREFERRED:
            _send_onward(by=by, referral=done, to_agency=rerefer_to, reason=rerefer_reason or note)
    return done


def referral_complete_with_case(*, by, case) -> Referral | None:
    """A 多機関協働 referral's loop closes when the case opened from it closes.

    Called in the transaction that records the conference's closure decision (domain.md
    §5.2, §5.6): the referral reads 完了 (支援開始) from then on. A referral already completed
    (a reopened case closed again) stays as it is and ``None`` is returned.
    """
    if case.closed_on is None:
        raise TransitionError("事例が終結していないため、元のつなぎを完了にはできません。")
    referral = Referral.objects.get(pk=case.referral_id)
    if referral.kind != ReferralKind.MULTI_AGENCY:
        raise TransitionError("事例の終結で完了になるのは多機関協働へのつなぎだけです。")
    if referral.status == S.COMPLETED:
        return None
    note = f"事例 #{case.pk} の終結（会議の決定）により完了"
    return _transition(
        by=by,
        referral=referral,
        to=S.COMPLETED,
        note=note,
        by_rule=True,
        completed_at=timezone.now(),
        outcome=ReferralOutcome.SUPPORT_STARTED,
        outcome_note=note,
    )


def _send_onward(*, by, referral: Referral, to_agency: Agency, reason: str) -> Referral:
    """A receiving agency passes the person on; the new referral carries the chain."""
    membership = _acting(by)
    errors = {}
    if to_agency.pk == membership.agency_id:
        errors["rerefer_to"] = "自分の機関には再紹介できません。"
    elif not to_agency.is_active:
        errors["rerefer_to"] = "この再紹介先は現在受け付けていません（無効な機関）。"
    if not reason.strip():
        errors["rerefer_reason"] = "再紹介の理由を入力してください。"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    onward = Referral.objects.create(
        kind=ReferralKind.STANDARD,
        consultation=referral.consultation,
        person=referral.person,
        household=referral.household,
        from_agency=membership.agency,
        to_agency=to_agency,
        sent_by=by,
        reason=reason.strip(),
        sent_at=now,
        respond_by=respond_by_for(now),
        previous=referral,
    )
    ReferralEvent.objects.create(
        referral=onward, to_status=S.SENT, at=now, by=by, agency=membership.agency
    )
    audit_record(
        actor=by,
        action="referral.send",
        target=onward,
        persons=onward.subject_persons(),
        context={
            "consultation": referral.consultation_id,
            "referral": onward.pk,
            "previous": referral.pk,
        },
        changes=diff({}, snapshot(onward)),
    )
    return onward


def referral_acknowledge_return(*, by, referral: Referral, note: str = "") -> Referral:
    """The sender confirms it has seen a 差戻し (and, if needed, referred elsewhere)."""
    membership = _acting(by)
    if referral.status != S.RETURNED:
        raise TransitionError("差し戻されたつなぎではありません。")
    if referral.from_agency_id != membership.agency_id:
        raise PermissionDenied("この操作はつなぎ元の機関だけが行えます。")
    if referral.return_acknowledged_at:
        return referral
    with transaction.atomic():
        now = timezone.now()
        Referral.objects.filter(pk=referral.pk).update(return_acknowledged_at=now, updated_at=now)
        audit_record(
            actor=by,
            action="referral.acknowledge_return",
            target=referral,
            persons=referral.subject_persons(),
            context={"referral": referral.pk},
            changes={"note": {"before": None, "after": note}} if note else {},
        )
    referral.refresh_from_db()
    return referral


def referral_resend(
    *, by, referral: Referral, to_agency: Agency, reason: str, **multi_agency_fields
) -> Referral:
    """After a 差戻し, send again (to the same or another agency), linked to the returned one."""
    if referral.status != S.RETURNED:
        raise TransitionError("再送できるのは差し戻されたつなぎだけです。")
    if referral.from_agency_id != _acting(by).agency_id:
        raise PermissionDenied("この操作はつなぎ元の機関だけが行えます。")
    if referral.kind == ReferralKind.MULTI_AGENCY:
        # the eligibility check travels with the case unless the sender restates it
        for name in (
            "criterion_household",
            "criterion_gap",
            "criterion_new_resource",
            "tried_with_agencies",
            "is_urgent",
        ):
            multi_agency_fields.setdefault(name, getattr(referral, name))
    with transaction.atomic():
        new = referral_send(
            by=by,
            consultation=referral.consultation,
            to_agency=to_agency,
            reason=reason,
            person=referral.person,
            household=referral.household,
            kind=referral.kind,
            previous=referral,
            **multi_agency_fields,
        )
        referral_acknowledge_return(by=by, referral=referral, note="再送")
    return new
