"""Writes of meetings: members, pledges, attendance, agenda, decisions and what follows.

The rules of domain.md §5.2 live here:

- a case without consent to sharing at meetings goes only on a 支援会議 agenda (社会福祉法
  第106条の6 is the only basis for discussing it without consent);
- a decision on a conference or 支援会議 agenda needs at least one coordinator and one
  municipal officer present, and at a 支援会議 every attending member's pledge;
- a decision applies its effect in the same transaction (a plan agreed, a case closed
  naming the lead agency, a case suspended recording the contact attempts made);
- plan adoption, re-plan, closure and suspension happen only this way.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Membership, Role
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.cases.models import Case, CaseStatus, PlanStatus, SupportPlan
from tsunagu.cases.permissions import coordinating_role
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.services.case import move_case
from tsunagu.cases.services.team import ensure_team_member
from tsunagu.cases.workflow import CLOSABLE, SUSPENDABLE, CaseTransitionError
from tsunagu.common.errors import RuleBroken
from tsunagu.common.validation import max_length_errors
from tsunagu.consultations.services import referral_complete_with_case
from tsunagu.resources.gaps import gap_create
from tsunagu.resources.models import GapOrigin

from .hooks import agenda_handlers
from .models import (
    DECISION_KINDS,
    DECISION_PURPOSES,
    PROGRAM_PURPOSES,
    ActionItem,
    AgendaItem,
    AgendaPurpose,
    DecisionOutcome,
    Format,
    Meeting,
    MeetingGap,
    MeetingKind,
    MeetingMember,
    Schedule,
)
from .permissions import manages_meeting

C = CaseStatus
P = AgendaPurpose


class MeetingRuleError(RuleBroken):
    """A step the rules of the program do not allow (the message names the rule)."""


def _managing(by, meeting: Meeting | None = None):
    if not coordinating_role(by):
        raise PermissionDenied("会議の準備と記録は、多機関協働事業者または事務局が行います。")
    if meeting is not None and not manages_meeting(by, meeting):
        raise PermissionDenied("この会議を招集した機関の多機関協働事業者と事務局だけが行えます。")
    return by.acting_membership


def _agenda_persons(meeting: Meeting) -> list[int]:
    persons: set[int] = set()
    for item in meeting.agenda.select_related("case"):
        if item.case_id:
            persons.update(item.case.subject_persons())
    return sorted(persons)


# ------------------------------------------------------------------------------ meetings


def meeting_create(
    *,
    by,
    kind: str,
    title: str,
    schedule: str,
    format: str,
    starts_at: datetime.datetime,
    place: str = "",
    series: str = "",
) -> Meeting:
    """Create a meeting convened by the acting agency; its creator is its first member."""
    membership = _managing(by)
    errors = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "会議の種類を選んでください。"
    if not title.strip():
        errors["title"] = "会議名を入力してください。"
    if schedule not in Schedule.values:
        errors["schedule"] = "定例か随時かを選んでください。"
    if format not in Format.values:
        errors["format"] = "開催方法を選んでください。"
    if starts_at is None:
        errors["starts_at"] = "開始日時を入力してください。"
    errors.update(max_length_errors(Meeting, title=title, place=place, series=series))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=title.strip(),
            schedule=schedule,
            format=format,
            starts_at=starts_at,
            place=place.strip(),
            series=series.strip(),
            convening_agency=membership.agency,
            created_by=by,
        )
        MeetingMember.objects.create(
            meeting=meeting,
            user=by,
            agency=membership.agency,
            name=by.display_name or by.get_username(),
            role=membership.role,
        )
        audit_record(
            actor=by,
            action="meeting.create",
            target=meeting,
            context={"meeting": meeting.pk},
            changes=diff({}, snapshot(meeting)),
        )
    return meeting


def next_in_series(starts_at: datetime.datetime) -> datetime.datetime:
    """The same weekday of the same week of next month (第3木曜 → next month's 第3木曜);
    a 5th weekday that next month lacks becomes its last such weekday."""
    local = timezone.localtime(starts_at)
    week = (local.day - 1) // 7
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    first = datetime.date(year, month, 1)
    day = first + datetime.timedelta(days=(local.weekday() - first.weekday()) % 7 + 7 * week)
    if day.month != month:
        day -= datetime.timedelta(days=7)
    return timezone.make_aware(datetime.datetime.combine(day, local.time()))


def meeting_schedule_next(*, by, meeting: Meeting) -> Meeting:
    """定例: register the next meeting of a regular series, with the same standing members."""
    _managing(by, meeting)
    if meeting.schedule != Schedule.REGULAR:
        raise MeetingRuleError("次回の登録は定例の会議で行えます（随時の会議は個別に登録します）。")
    starts_at = next_in_series(meeting.starts_at)
    if Meeting.objects.filter(
        kind=meeting.kind,
        convening_agency=meeting.convening_agency,
        series=meeting.series,
        starts_at=starts_at,
    ).exists():
        raise MeetingRuleError("次回の定例会議は既に登録されています。")
    with transaction.atomic():
        following = Meeting.objects.create(
            kind=meeting.kind,
            title=meeting.title,
            schedule=meeting.schedule,
            format=meeting.format,
            starts_at=starts_at,
            place=meeting.place,
            series=meeting.series,
            convening_agency=meeting.convening_agency,
            created_by=by,
        )
        # Standing members carry over; guests are invited to one meeting only, and a
        # 支援会議's pledges are recorded again for each meeting.
        MeetingMember.objects.bulk_create(
            [
                MeetingMember(
                    meeting=following, user=m.user, agency=m.agency, name=m.name, role=m.role
                )
                for m in meeting.members.filter(is_guest=False)
            ]
        )
        audit_record(
            actor=by,
            action="meeting.create",
            target=following,
            context={"meeting": following.pk, "previous": meeting.pk},
            changes=diff({}, snapshot(following)),
        )
    return following


def meeting_update_minutes(*, by, meeting: Meeting, minutes: str) -> Meeting:
    """議事録: the text may name persons, so the write is audited against the agenda's persons."""
    _managing(by, meeting)
    with transaction.atomic():
        before = snapshot(meeting, ["minutes"])
        Meeting.objects.filter(pk=meeting.pk).update(
            minutes=minutes.strip(), updated_at=timezone.now()
        )
        meeting.refresh_from_db()
        audit_record(
            actor=by,
            action="meeting.minutes",
            target=meeting,
            persons=_agenda_persons(meeting),
            context={"meeting": meeting.pk},
            changes=diff(before, snapshot(meeting, ["minutes"])),
        )
    return meeting


def _membership_role(user, agency: Agency | None) -> str:
    memberships = Membership.objects.filter(user=user, is_active=True)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    membership = memberships.order_by("id").first()
    return membership.role if membership else ""


def member_add(
    *,
    by,
    meeting: Meeting,
    user=None,
    agency: Agency | None = None,
    name: str = "",
    is_guest: bool = False,
    invited_until: datetime.datetime | None = None,
) -> MeetingMember:
    """Add a member: a user of the system, or someone outside it (a name and an agency)."""
    _managing(by, meeting)
    errors = {}
    role = ""
    if user is not None:
        if meeting.members.filter(user=user).exists():
            errors["user"] = "この方は既に構成員です。"
        role = _membership_role(user, agency)
        if agency is None:
            first = Membership.objects.filter(user=user, is_active=True).order_by("id").first()
            agency = first.agency if first else None
        name = name.strip() or user.display_name or user.get_username()
        if not role:
            errors["user"] = "この利用者には有効な所属がありません。"
        elif role == Role.MEETING_GUEST:
            is_guest = True
    elif not name.strip():
        errors["name"] = "構成員の氏名を入力してください。"
    if is_guest:
        if invited_until is None:
            # A guest is invited to this one meeting: by default until the end of its day.
            day = timezone.localtime(meeting.starts_at).date()
            invited_until = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(23, 59, 59))
            )
        elif invited_until <= timezone.now():
            errors["invited_until"] = "招待の期限には、現在より後の日時を指定してください。"
    errors.update(max_length_errors(MeetingMember, name=name))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = MeetingMember.objects.create(
            meeting=meeting,
            user=user,
            agency=agency,
            name=name.strip(),
            role=role,
            is_guest=is_guest,
            invited_until=invited_until if is_guest else None,
        )
        audit_record(
            actor=by,
            action="meeting.member_add",
            target=meeting,
            context={"meeting": meeting.pk, "member": member.pk, "user": getattr(user, "pk", None)},
            changes=diff({}, snapshot(member)),
        )
    return member


def invitation_revoke(*, by, member: MeetingMember) -> MeetingMember:
    """End a guest's invitation at once: the guest no longer sees the meeting."""
    _managing(by, member.meeting)
    if not member.is_guest:
        raise ValidationError("招待を取り消せるのはゲストだけです。")
    if member.invitation_revoked_at is not None:
        raise ValidationError("この招待は既に取り消されています。")
    with transaction.atomic():
        member.invitation_revoked_at = timezone.now()
        member.save(update_fields=["invitation_revoked_at"])
        audit_record(
            actor=by,
            action="meeting.invitation_revoke",
            target=member.meeting,
            context={"meeting": member.meeting_id, "member": member.pk},
        )
    return member


def pledge_record(*, by, member: MeetingMember) -> MeetingMember:
    """守秘義務の誓約 (社会福祉法第106条の6): by the member themself, or recorded from paper."""
    if member.user_id != by.pk:
        _managing(by, member.meeting)
    if member.pledged_at is not None:
        raise ValidationError("守秘義務の誓約は既に記録されています。")
    with transaction.atomic():
        member.pledged_at = timezone.now()
        member.pledge_recorded_by = by
        member.save(update_fields=["pledged_at", "pledge_recorded_by"])
        audit_record(
            actor=by,
            action="meeting.pledge",
            target=member.meeting,
            context={"meeting": member.meeting_id, "member": member.pk},
        )
    return member


def attendance_record(*, by, meeting: Meeting, attended: Iterable[int]) -> Meeting:
    """Record who attended (member ids); at a 支援会議 an attending member must have pledged."""
    _managing(by, meeting)
    if meeting.starts_at > timezone.now():
        raise MeetingRuleError("出席は、会議の開始後に記録してください。")
    attended = set(attended)
    members = list(meeting.members.all())
    unknown = attended - {m.pk for m in members}
    if unknown:
        raise ValidationError({"attended": "この会議の構成員ではない方が含まれています。"})
    if meeting.is_confidential:
        unpledged = [m.name for m in members if m.pk in attended and m.pledged_at is None]
        if unpledged:
            raise MeetingRuleError(
                {
                    "attended": "支援会議に出席するには守秘義務の誓約が必要です（未誓約："
                    + "、".join(unpledged)
                    + "）。"
                }
            )
    with transaction.atomic():
        for member in members:
            value = member.pk in attended
            if member.attended != value:
                member.attended = value
                member.save(update_fields=["attended"])
        audit_record(
            actor=by,
            action="meeting.attendance",
            target=meeting,
            context={"meeting": meeting.pk, "attended": sorted(attended)},
        )
    return meeting


def quorum_problems(meeting: Meeting) -> list[str]:
    """What is missing before a decision can be recorded (domain.md §5.2, 000 §2-4)."""
    present = [m for m in meeting.members.all() if m.attended]
    problems = []
    if not any(m.role == Role.COORDINATOR for m in present):
        problems.append("多機関協働事業者（コーディネーター）の出席が記録されていません。")
    if not any(m.role == Role.MUNICIPAL_OFFICER for m in present):
        problems.append("自治体職員（事務局）の出席が記録されていません。")
    return problems


# ---------------------------------------------------------------------------------- agenda


def conference_consent_ok(case: Case) -> bool:
    """Whether the case's current consent allows sharing it at a 重層的支援会議."""
    consent = case.current_consent()
    return consent is not None and consent.share_in_conference


def _draft_plan(case: Case, plan: SupportPlan | None) -> SupportPlan:
    if plan is None:
        plan = case.plans.filter(status=PlanStatus.DRAFT).order_by("-version").first()
    else:  # the plan as it is now, not as the caller last read it
        plan = SupportPlan.objects.filter(pk=plan.pk).first()
    if plan is None or plan.case_id != case.pk or plan.status != PlanStatus.DRAFT:
        raise MeetingRuleError({"plan": "協議する作成中のプランがありません。"})
    if not plan.items.exists():
        raise MeetingRuleError({"plan": "プランに支援内容の項目を1つ以上入れてください。"})
    return plan


def agenda_add(
    *,
    by,
    meeting: Meeting,
    purpose: str,
    case: Case | None = None,
    plan: SupportPlan | None = None,
    title: str = "",
) -> AgendaItem:
    """Put a case (and, for plan adoption, its draft plan) on a meeting's agenda."""
    from tsunagu import access

    _managing(by, meeting)
    if purpose not in P.values:
        raise ValidationError({"purpose": "議題の目的を選んでください。"})
    if purpose in PROGRAM_PURPOSES:
        raise MeetingRuleError(
            {
                "purpose": "アウトリーチ支援計画は、アウトリーチ対象の画面（計画）から会議に"
                "出してください。"
            }
        )
    if meeting.is_cancelled:
        raise MeetingRuleError("中止した会議には議題を追加できません。")
    if purpose != P.RESOURCE and case is None:
        raise ValidationError({"case": "事例を選んでください。"})
    too_long = max_length_errors(AgendaItem, title=title)
    if too_long:
        raise ValidationError(too_long)
    if purpose in DECISION_PURPOSES and meeting.kind not in DECISION_KINDS:
        raise MeetingRuleError(
            {
                "purpose": "プランの決定・再プラン・終結・中断は、重層的支援会議または支援会議で"
                "決定します。"
            }
        )
    if case is not None:
        if not access.cases_visible_to(by).filter(pk=case.pk).exists():
            raise PermissionDenied("この事例は閲覧できません。")
        if not meeting.is_confidential and not conference_consent_ok(case):
            raise MeetingRuleError(
                {
                    "case": "本人の同意（会議での共有）がない事例は、支援会議"
                    "（社会福祉法第106条の6）の議題にしてください。"
                }
            )
    with transaction.atomic():
        if case is not None:
            case = Case.objects.select_for_update().get(pk=case.pk)
            pending = AgendaItem.objects.filter(
                case=case, purpose=purpose, outcome="", is_withdrawn=False
            )
            if purpose in DECISION_PURPOSES and pending.exists():
                raise MeetingRuleError(
                    {"case": "この事例は同じ目的で別の会議の議題になっています（決定待ち）。"}
                )
        if purpose in (P.PLAN_ADOPTION, P.REPLAN):
            expected = C.PLANNING if purpose == P.PLAN_ADOPTION else C.REPLANNING
            if case.status != expected:
                raise MeetingRuleError(
                    {
                        "purpose": f"「{P(purpose).label}」の議題にできるのは、"
                        f"「{C(expected).label}」の事例です（現在：{C(case.status).label}）。"
                    }
                )
            plan = _draft_plan(case, plan)
        elif purpose == P.CLOSURE and case.status not in CLOSABLE:
            raise MeetingRuleError(
                {"purpose": f"「{C(case.status).label}」の事例は終結の議題にできません。"}
            )
        elif purpose == P.SUSPENSION and case.status not in SUSPENDABLE:
            raise MeetingRuleError(
                {"purpose": f"「{C(case.status).label}」の事例は中断の議題にできません。"}
            )
        elif purpose not in (P.PLAN_ADOPTION, P.REPLAN):
            plan = None
        last = meeting.agenda.order_by("-order").values_list("order", flat=True).first()
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=(last or 0) + 1,
            case=case,
            plan=plan,
            purpose=purpose,
            title=title.strip(),
        )
        if plan is not None:
            plan_services.plan_to_conference(
                by=by,
                plan=plan,
                case=case,
                note=f"{meeting.title}の議題（{P(purpose).label}）",
                context={"meeting": meeting.pk, "agenda_item": item.pk},
            )
        audit_record(
            actor=by,
            action="meeting.agenda_add",
            target=item,
            persons=case.subject_persons() if case else (),
            context={"meeting": meeting.pk, "case": getattr(case, "pk", None)},
        )
    return item


def _return_plan_to_drafting(*, by, item: AgendaItem, note: str, action: str) -> None:
    # An adoption item was put on the agenda from プラン作成 (a reopened case's new plan
    # too), a re-plan item from 再プラン: the case goes back there.
    plan_services.plan_back_to_drafting(
        by=by,
        plan=item.plan,
        case=Case.objects.get(pk=item.case_id),
        replan=item.purpose == P.REPLAN,
        note=note,
        action=action,
        context={"meeting": item.meeting_id, "agenda_item": item.pk},
    )


def _item_persons(item: AgendaItem) -> list:
    """The persons an item is about: its case's, or those its owning program app names."""
    if item.case_id:
        return Case.objects.get(pk=item.case_id).subject_persons()
    owner = agenda_handlers(item.purpose)
    return owner.persons(item) if owner is not None else []


def agenda_withdraw(*, by, item: AgendaItem, reason: str, _system: bool = False) -> AgendaItem:
    """Take an undecided item off the agenda; a plan goes back to drafting."""
    if not _system:
        _managing(by, item.meeting)
    if not reason.strip():
        raise ValidationError({"reason": "取り下げの理由を入力してください。"})
    too_long = max_length_errors(AgendaItem, withdrawn_reason=reason.strip())
    if too_long:
        raise ValidationError({"reason": too_long["withdrawn_reason"]})
    with transaction.atomic():
        updated = AgendaItem.objects.filter(pk=item.pk, outcome="", is_withdrawn=False).update(
            is_withdrawn=True, withdrawn_reason=reason.strip()
        )
        if updated != 1:
            raise MeetingRuleError("決定済み、または取り下げ済みの議題です。")
        item.refresh_from_db()
        if item.plan_id:
            _return_plan_to_drafting(
                by=by, item=item, note=f"議題の取り下げ：{reason.strip()}", action="case.off_agenda"
            )
        owner = agenda_handlers(item.purpose)
        if owner is not None:
            owner.withdrawn(by=by, item=item, reason=reason.strip())
        audit_record(
            actor=by,
            action="meeting.agenda_withdraw",
            target=item,
            persons=_item_persons(item),
            context={"meeting": item.meeting_id, "case": item.case_id},
            purpose=reason.strip()[:200],
        )
    return item


def withdraw_conference_items(*, by, case: Case) -> int:
    """Consent no longer covers sharing at meetings: pending items outside a 支援会議 end."""
    items = AgendaItem.objects.filter(case=case, outcome="", is_withdrawn=False).exclude(
        meeting__kind=MeetingKind.CONFIDENTIAL
    )
    count = 0
    for item in items:
        agenda_withdraw(
            by=by,
            item=item,
            reason="本人同意（会議での共有）がなくなったため",
            _system=True,
        )
        count += 1
    return count


# -------------------------------------------------------------------------------- decisions


# Which outcomes each purpose of an agenda item can have.
_PLAN_OUTCOMES = frozenset({DecisionOutcome.AGREED, DecisionOutcome.REVISE})
_YES_NO_OUTCOMES = frozenset({DecisionOutcome.AGREED, DecisionOutcome.NOT_AGREED})
OUTCOMES_BY_PURPOSE = {
    P.OUTREACH_PLAN: frozenset(
        {DecisionOutcome.AGREED, DecisionOutcome.REVISE, DecisionOutcome.NOT_AGREED}
    ),
    P.PLAN_ADOPTION: _PLAN_OUTCOMES,
    P.REPLAN: _PLAN_OUTCOMES,
    P.CLOSURE: _YES_NO_OUTCOMES,
    P.SUSPENSION: _YES_NO_OUTCOMES,
}
_NOTED_ONLY = frozenset({DecisionOutcome.NOTED})


@dataclass(frozen=True)
class _Decision:
    """A decision being recorded, as its effect on the case needs it."""

    by: object
    item: AgendaItem
    case: Case | None
    outcome: str
    text: str
    lead_agency: Agency | None
    contact_attempts: str
    day: datetime.date
    label: str  # the meeting, as the case's history names it
    context: dict

    @property
    def agreed(self) -> bool:
        return self.outcome == DecisionOutcome.AGREED


def _decision_errors(
    purpose: str, outcome: str, decision_text: str, lead_agency, contact_attempts: str
) -> dict:
    """The input a decision of this purpose needs (§5.2, §5.6): a lead agency for a closure,
    the contact attempts for a suspension, what to revise for a revision."""
    errors = {}
    if outcome not in OUTCOMES_BY_PURPOSE.get(purpose, _NOTED_ONLY):
        errors["outcome"] = "決定の内容を選んでください。"
    agreed = outcome == DecisionOutcome.AGREED
    if purpose == P.CLOSURE and agreed:
        if lead_agency is None:
            errors["lead_agency"] = (
                "終結後も本人に寄り添う主担当機関を指名してください（終結の要件）。"
            )
        elif not lead_agency.is_active:
            errors["lead_agency"] = "無効になっている機関は主担当にできません。"
    if purpose == P.SUSPENSION and agreed and not contact_attempts.strip():
        errors["contact_attempts"] = (
            "中断は本人と全く連絡が取れない場合に限られます。行った連絡の試みを記録してください。"
        )
    if outcome == DecisionOutcome.REVISE and not decision_text.strip():
        errors["decision_text"] = "修正が必要な点を入力してください。"
    return errors


def _meeting_may_decide(meeting: Meeting, purpose: str) -> None:
    """A decision needs a meeting that took place, and for a decision purpose its quorum."""
    if meeting.is_cancelled:
        raise MeetingRuleError("中止した会議には決定を記録できません。")
    if meeting.starts_at > timezone.now():
        raise MeetingRuleError("開催前の会議には決定を記録できません。")
    if purpose in DECISION_PURPOSES or purpose in PROGRAM_PURPOSES:
        problems = quorum_problems(meeting)
        if problems:
            raise MeetingRuleError(
                "会議の決定には、多機関協働事業者と自治体職員の出席が必要です。" + "".join(problems)
            )


def _apply_plan(d: _Decision) -> None:
    """Plan adoption or re-plan: agreed, the plan waits for the 支援決定; else it is revised."""
    if d.agreed:
        plan_services.plan_agree(
            by=d.by,
            plan=d.item.plan,
            case=d.case,
            item=d.item,
            on=d.day,
            note=f"{d.label}でプランに合意",
            context=d.context,
        )
    else:
        _return_plan_to_drafting(
            by=d.by,
            item=d.item,
            note=f"{d.label}：プランの修正 — {d.text}",
            action="case.plan_revise",
        )


def _apply_closure(d: _Decision) -> None:
    """Closure agreed: the case closes with the lead agency that keeps accompanying the person,
    who joins the team; the 多機関協働 referral the case was opened from is completed."""
    if not d.agreed:
        return
    move_case(
        by=d.by,
        case=d.case,
        to=C.CLOSED,
        note=f"{d.label}で終結を決定（主担当：{d.lead_agency.name}）",
        action="case.close",
        context=d.context,
        closed_on=d.day,
        lead_agency_after_closure=d.lead_agency,
    )
    ensure_team_member(case=d.case, agency=d.lead_agency, role="終結後の主担当")
    referral_complete_with_case(by=d.by, case=d.case)


def _apply_suspension(d: _Decision) -> None:
    """Suspension agreed (the person cannot be reached at all): the case is suspended."""
    if d.agreed:
        move_case(
            by=d.by,
            case=d.case,
            to=C.SUSPENDED,
            note=f"{d.label}で中断を決定。連絡の試み：{d.contact_attempts}",
            action="case.suspend",
            context=d.context,
        )


# The effect of a decision on the case, by the purpose of the agenda item (information items
# have none).
APPLIERS = {
    P.PLAN_ADOPTION: _apply_plan,
    P.REPLAN: _apply_plan,
    P.CLOSURE: _apply_closure,
    P.SUSPENSION: _apply_suspension,
}


def decision_record(
    *,
    by,
    item: AgendaItem,
    outcome: str,
    decision_text: str = "",
    lead_agency: Agency | None = None,
    contact_attempts: str = "",
) -> AgendaItem:
    """Record the decision on one agenda item and apply its effect in the same transaction."""
    meeting = item.meeting
    _managing(by, meeting)
    purpose = item.purpose
    errors = _decision_errors(purpose, outcome, decision_text, lead_agency, contact_attempts)
    if errors:
        raise ValidationError(errors)
    _meeting_may_decide(meeting, purpose)
    agreed = outcome == DecisionOutcome.AGREED
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if locked.outcome or locked.is_withdrawn:
            raise MeetingRuleError("この議題の決定は既に記録されているか、取り下げられています。")
        case = Case.objects.select_for_update().get(pk=item.case_id) if item.case_id else None
        if case is not None and not meeting.is_confidential and not conference_consent_ok(case):
            raise MeetingRuleError(
                "本人の同意（会議での共有）がない事例は、支援会議以外の会議では扱えません。"
            )
        AgendaItem.objects.filter(pk=item.pk).update(
            outcome=outcome,
            decision_text=decision_text.strip(),
            lead_agency=lead_agency if purpose == P.CLOSURE and agreed else None,
            contact_attempts=contact_attempts.strip() if purpose == P.SUSPENSION else "",
            decided_at=timezone.now(),
            decided_by=by,
        )
        item.refresh_from_db()
        context = {"meeting": meeting.pk, "agenda_item": item.pk}
        apply = APPLIERS.get(purpose)
        owner = agenda_handlers(purpose)
        if owner is not None:
            owner.decided(
                by=by,
                item=item,
                outcome=outcome,
                text=decision_text.strip(),
                day=timezone.localtime(meeting.starts_at).date(),
            )
        if apply is not None:
            apply(
                _Decision(
                    by=by,
                    item=item,
                    case=case,
                    outcome=outcome,
                    text=decision_text.strip(),
                    lead_agency=lead_agency,
                    contact_attempts=contact_attempts.strip(),
                    day=timezone.localtime(meeting.starts_at).date(),
                    label=f"{meeting.title}（{meeting.get_kind_display()}）",
                    context=context,
                )
            )
        audit_record(
            actor=by,
            action="meeting.decision",
            target=item,
            persons=case.subject_persons() if case else _item_persons(item),
            context={**context, "case": getattr(case, "pk", None)},
            changes={"outcome": {"before": None, "after": outcome}},
        )
    return item


# ------------------------------------------------------------------ action items, resource gaps


def action_item_add(
    *,
    by,
    meeting: Meeting,
    description: str,
    owner_agency: Agency,
    due_on: datetime.date,
    owner_name: str = "",
    agenda_item: AgendaItem | None = None,
) -> ActionItem:
    _managing(by, meeting)
    errors = {}
    if not description.strip():
        errors["description"] = "宿題の内容を入力してください。"
    if owner_agency is None:
        errors["owner_agency"] = "担当機関を選んでください。"
    if due_on is None:
        errors["due_on"] = "期限を入力してください。"
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = "この会議の議題を選んでください。"
    errors.update(max_length_errors(ActionItem, description=description, owner_name=owner_name))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = ActionItem.objects.create(
            meeting=meeting,
            agenda_item=agenda_item,
            description=description.strip(),
            owner_agency=owner_agency,
            owner_name=owner_name.strip(),
            due_on=due_on,
            created_by=by,
        )
        audit_record(
            actor=by,
            action="meeting.action_item_add",
            target=action,
            persons=agenda_item.case.subject_persons()
            if agenda_item and agenda_item.case_id
            else (),
            context={"meeting": meeting.pk},
        )
    return action


def action_item_done(*, by, action: ActionItem, done_on: datetime.date | None = None) -> ActionItem:
    """The convenor, or the owning agency, marks an action item done."""
    me = acting(by)
    if not me or (
        me.agency_id != action.owner_agency_id and not manages_meeting(by, action.meeting)
    ):
        raise PermissionDenied("宿題の完了は、担当機関または会議を招集した機関が記録します。")
    if action.done_on is not None:
        raise ValidationError("この宿題は既に完了しています。")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完了日に未来の日付は指定できません。"})
    with transaction.atomic():
        action.done_on = done_on
        action.save(update_fields=["done_on"])
        audit_record(
            actor=by,
            action="meeting.action_item_done",
            target=action,
            context={"meeting": action.meeting_id},
        )
    return action


def resource_gap_add(*, by, meeting: Meeting, description: str, area=None, **fields):
    """不足する社会資源 found at the meeting: raised in the register (``resources``) as a
    regional issue (地域課題) and linked to the meeting, together or not at all."""
    _managing(by, meeting)
    with transaction.atomic():
        gap = gap_create(
            by=by, description=description, area=area, origin=GapOrigin.MEETING, **fields
        )
        MeetingGap.objects.create(meeting=meeting, gap=gap)
        audit_record(
            actor=by, action="meeting.resource_gap_add", target=gap, context={"meeting": meeting.pk}
        )
    return gap


__all__ = [
    "CaseTransitionError",
    "MeetingRuleError",
    "action_item_add",
    "action_item_done",
    "agenda_add",
    "agenda_withdraw",
    "attendance_record",
    "conference_consent_ok",
    "decision_record",
    "invitation_revoke",
    "meeting_create",
    "meeting_schedule_next",
    "meeting_update_minutes",
    "member_add",
    "next_in_series",
    "pledge_record",
    "quorum_problems",
    "resource_gap_add",
    "withdraw_conference_items",
]
