"""Writes of 多機関協働 cases: opening from a referral, consent versions, status moves.

A case's status changes only here. Moves that domain.md §5.2 reserves for a conference
decision (plan adoption, re-plan, closure, suspension) are refused by ``case_transition``:
they happen only through a recorded meeting decision.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import max_length_errors
from tsunagu.consultations import services as intake
from tsunagu.consultations.models import ReferralKind

from . import hooks
from .models import Case, CaseStatus, CaseStatusEvent, CaseTeamMember, Consent, ConsentMethod
from .permissions import coordinating_role, manages_case

C = CaseStatus


# A conference may close a case that is being supported (§5.6) and suspend one that is
# anywhere on its way once the person cannot be reached at all (§5.2 ※).
CLOSABLE = (C.ACTIVE, C.MONITORING, C.REPLANNING)
SUSPENDABLE = (C.ASSESSMENT, C.PLANNING, C.ACTIVE, C.MONITORING, C.REPLANNING)

# Moves a coordinator makes directly; everything else needs a meeting decision (§5.2).
DIRECT_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (C.INTAKE, C.ASSESSMENT),
        (C.ASSESSMENT, C.PLANNING),
        (C.CLOSED, C.ASSESSMENT),  # reopening keeps the whole history
        (C.SUSPENDED, C.ASSESSMENT),
    }
)
# Moves made by a recorded step other than the coordinator's button: putting a plan on a
# conference agenda, a meeting decision, the municipality's 支援決定 or the report to it,
# and a monitoring record. ``case_transition`` refuses them all.
DECISION_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (C.PLANNING, C.IN_CONFERENCE),  # plan put on an agenda
        (C.REPLANNING, C.IN_CONFERENCE),
        (C.IN_CONFERENCE, C.PLANNING),  # agenda item withdrawn, or the meeting asks a revision
        (C.IN_CONFERENCE, C.REPLANNING),
        (C.IN_CONFERENCE, C.AWAITING_DECISION),  # the meeting agreed the plan
        (C.AWAITING_DECISION, C.ACTIVE),  # 支援決定, or the report to the municipality
        (C.ACTIVE, C.MONITORING),  # a monitoring or evaluation falls due
        (C.MONITORING, C.ACTIVE),  # monitoring: continue
        (C.ACTIVE, C.REPLANNING),  # monitoring: a re-plan is needed
        (C.MONITORING, C.REPLANNING),
        *((s, C.CLOSED) for s in CLOSABLE),
        *((s, C.SUSPENDED) for s in SUSPENDABLE),
    }
)


class CaseTransitionError(ValidationError):
    """A case move the rules of the program do not allow (the message names the rule)."""


def _coordinating(by, case: Case | None = None):
    if not coordinating_role(by):
        raise PermissionDenied(
            "この操作は多機関協働事業者（コーディネーター）または事務局が行います。"
        )
    if case is not None and not manages_case(by, case):
        raise PermissionDenied("この事例を担当する多機関協働事業者だけが行えます。")
    return by.acting_membership


def case_open_from_referral(*, by, referral, note: str = "") -> Case:
    """Accept a 多機関協働 referral: the referral becomes 受理 and a case opens in インテーク."""
    membership = _coordinating(by)
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


ADULT_AGE = 18


def consent_subjects(case: Case) -> list:
    """Who may consent on a case: its person and the household's current members."""
    from tsunagu.people.models import Person

    ids = case.subject_persons()
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    first = [case.person_id] if case.person_id in people else []
    return [people[pk] for pk in first + sorted(set(people) - set(first))]


def _consenting_person(case: Case, person, errors: dict):
    """The person whose consent this is (the case's person unless another is named)."""
    if person is None:
        person = case.person
    if person is None:
        errors["person"] = "同意する方（世帯の誰の同意か）を選んでください。"
        return None
    if person.pk not in case.subject_persons():
        errors["person"] = "この事例の本人・世帯の方ではありません。"
        return None
    return person


def is_minor(person, day: datetime.date) -> bool | None:
    """Whether ``person`` is under age on ``day`` (``None`` when the birth date is unknown)."""
    age = person.age_on(day) if person is not None else None
    return None if age is None else age < ADULT_AGE


def _guardian_errors(person, given_on: datetime.date, by_guardian: bool) -> dict:
    """Each adult consents for themselves; a minor's consent is the guardian's (§6)."""
    minor = is_minor(person, given_on)
    if minor is None:
        return {}
    if minor and not by_guardian:
        return {
            "by_guardian": f"{person.name}さんは未成年です。保護者（法定代理人）による同意として"
            "記録し、「同意した方」に保護者の氏名を入力してください。"
        }
    if not minor and by_guardian:
        return {
            "by_guardian": f"{person.name}さんは成人です。成人の方は本人が同意します"
            "（家族の同意では共有できません）。"
        }
    return {}


def consent_record(
    *,
    by,
    case: Case,
    given_by: str,
    given_on: datetime.date,
    method: str,
    scope_agencies: Sequence[Agency],
    share_in_conference: bool,
    witness: str = "",
    notes: str = "",
    person=None,
    by_guardian: bool = False,
) -> Consent:
    """Record (a new version of) one person's application and consent; nothing is
    overwritten. Each adult consents for themselves; a minor through a guardian."""
    _coordinating(by, case)
    errors = {}
    person = _consenting_person(case, person, errors)
    errors.update(_guardian_errors(person, given_on, by_guardian))
    if not given_by.strip():
        errors["given_by"] = "同意した方の氏名を入力してください。"
    if given_on > timezone.localdate():
        errors["given_on"] = "同意日に未来の日付は指定できません。"
    if method not in ConsentMethod.values:
        errors["method"] = "同意の方法を選んでください。"
    elif method == ConsentMethod.ORAL and not witness.strip():
        errors["witness"] = "口頭で同意を得た場合は立会人を入力してください。"
    if any(not a.is_active for a in scope_agencies):
        errors["scope_agencies"] = "無効になっている機関は共有先にできません。"
    elif not scope_agencies and not share_in_conference:
        errors["scope_agencies"] = (
            "情報を共有してよい機関、または会議での共有を1つ以上選んでください。"
        )
    errors.update(max_length_errors(Consent, given_by=given_by, witness=witness))
    if errors:
        raise ValidationError(errors)
    return _new_version(
        by=by,
        case=case,
        person=person,
        action="consent.record",
        is_withdrawal=False,
        by_guardian=by_guardian,
        given_by=given_by.strip(),
        given_on=given_on,
        method=method,
        witness=witness.strip(),
        share_in_conference=share_in_conference,
        notes=notes.strip(),
        scope_agencies=scope_agencies,
    )


def consent_withdraw(
    *, by, case: Case, given_by: str, given_on: datetime.date, notes: str = "", person=None
) -> Consent:
    """Withdrawal is a new version; access that rested on the consent ends at once."""
    _coordinating(by, case)
    errors: dict = {}
    person = _consenting_person(case, person, errors)
    if errors:
        raise ValidationError(errors)
    if not given_by.strip():
        raise ValidationError({"given_by": "撤回を申し出た方の氏名を入力してください。"})
    too_long = max_length_errors(Consent, given_by=given_by)
    if too_long:
        raise ValidationError(too_long)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "撤回日に未来の日付は指定できません。"})
    return _new_version(
        by=by,
        case=case,
        person=person,
        action="consent.withdraw",
        is_withdrawal=True,
        given_by=given_by.strip(),
        given_on=given_on,
        notes=notes.strip(),
        scope_agencies=(),
        require_current=True,
    )


def person_consent(case: Case, person) -> Consent | None:
    """The person's current consent on the case (``None`` if none or withdrawn)."""
    latest = case.consents.filter(is_current=True, person=person).first()
    return latest if latest and not latest.is_withdrawal else None


def _new_version(
    *,
    by,
    case: Case,
    person,
    action: str,
    scope_agencies,
    require_current: bool = False,
    **fields,
) -> Consent:
    with transaction.atomic():
        # Lock the case row: versions are numbered, and checked, one writer at a time.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if require_current and person_consent(locked, person) is None:
            raise ValidationError(f"{person.name}さんの撤回できる同意がありません。")
        last = locked.consents.order_by("-version").values_list("version", flat=True).first()
        locked.consents.filter(person=person, is_current=True).update(is_current=False)
        consent = Consent.objects.create(
            case=locked,
            person=person,
            version=(last or 0) + 1,
            recorded_by=by,
            is_current=True,
            **fields,
        )
        consent.scope_agencies.set(scope_agencies)
        principal = locked.current_consent()
        governs_case = locked.person_id is None or locked.person_id == person.pk
        if governs_case and (principal is None or not principal.share_in_conference):
            # Sharing at a 重層的支援会議 is no longer covered: pending items there end now.
            hooks.meeting_consent_lost(by=by, case=locked)
        audit_record(
            actor=by,
            action=action,
            target=consent,
            persons=case.subject_persons(),
            context={"case": case.pk, "person": person.pk},
            changes={
                **diff({}, snapshot(consent)),
                "scope_agencies": {"before": None, "after": sorted(a.pk for a in scope_agencies)},
            },
        )
    return consent


def case_transition(
    *, by, case: Case, to: str, note: str = "", without_consent: bool = False
) -> Case:
    """A coordinator's own move of a case (see DIRECT_TRANSITIONS); others need a decision."""
    _coordinating(by, case)
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


def team_add(*, by, case: Case, agency: Agency, role: str = "") -> CaseTeamMember:
    _coordinating(by, case)
    if not agency.is_active:
        raise ValidationError({"agency": "無効になっている機関は追加できません。"})
    if case.team.filter(agency=agency, left_on__isnull=True).exists():
        raise ValidationError({"agency": "この機関は既に支援チームにいます。"})
    too_long = max_length_errors(CaseTeamMember, role=role.strip())
    if too_long:
        raise ValidationError(too_long)
    with transaction.atomic():
        member = CaseTeamMember.objects.create(
            case=case, agency=agency, role=role.strip(), joined_on=timezone.localdate()
        )
        audit_record(
            actor=by,
            action="case.team_add",
            target=case,
            persons=case.subject_persons(),
            context={"case": case.pk, "agency": agency.pk},
        )
    return member


def team_leave(*, by, case: Case, agency: Agency, reason: str, left_on=None) -> CaseTeamMember:
    """Record that an agency left the team; its access through the team ends at once."""
    _coordinating(by, case)
    errors = {}
    if agency.pk == case.coordinating_agency_id:
        errors["agency"] = "多機関協働事業者（事例を担当する機関）はチームから外せません。"
    if not reason.strip():
        errors["reason"] = "チームを離れる理由を入力してください。"
    today = timezone.localdate()
    left_on = left_on or today
    if left_on > today:
        errors["left_on"] = "離脱日に未来の日付は指定できません。"
    errors.update(max_length_errors(CaseTeamMember, left_reason=reason.strip()))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = (
            CaseTeamMember.objects.select_for_update()
            .filter(case=case, agency=agency, left_on__isnull=True)
            .first()
        )
        if member is None:
            raise ValidationError({"agency": "この機関は現在の支援チームにいません。"})
        if left_on < member.joined_on:
            raise ValidationError({"left_on": "離脱日は参加日より前にできません。"})
        member.left_on = left_on
        member.left_reason = reason.strip()
        member.save(update_fields=["left_on", "left_reason"])
        audit_record(
            actor=by,
            action="case.team_leave",
            target=case,
            persons=case.subject_persons(),
            context={"case": case.pk, "agency": agency.pk},
            changes={"left_on": {"before": None, "after": left_on.isoformat()}},
            purpose=reason.strip()[:200],
        )
    return member


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


def ensure_team_member(*, case: Case, agency: Agency, role: str) -> CaseTeamMember | None:
    """Add an agency to the team if it is not on it (a confirmed plan names it)."""
    if case.team.filter(agency=agency, left_on__isnull=True).exists():
        return None
    return CaseTeamMember.objects.create(
        case=case, agency=agency, role=role[:100], joined_on=timezone.localdate()
    )
