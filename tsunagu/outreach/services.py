"""Writes of アウトリーチ: records, stages, consent, contacts, urgency, plans and the meetings
that discuss them, the hand-over to 多機関協働, closure and reopening.

Every function checks who may take the step, validates its input with Japanese messages
(nothing is written on an error), changes the record in one transaction and writes its audit
event there. The stage, consent, urgency and closure change only here, each with an
:class:`~tsunagu.outreach.models.OutreachEvent` (who, when, why).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Area, NotificationKind
from tsunagu.accounts.services import notification_notify
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.errors import NotVisible
from tsunagu.common.validation import max_length_errors
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import Consultation, Referral, ReferralStatus
from tsunagu.meetings.models import AgendaItem, AgendaPurpose, DecisionOutcome, Meeting

from .models import (
    MEETING_METHODS,
    STAGE_ORDER,
    AgeBand,
    ClosureReason,
    ConsentMethod,
    ContactMethod,
    EventKind,
    OutreachContact,
    OutreachEvent,
    OutreachPlan,
    OutreachPlanStatus,
    OutreachRecord,
    Source,
    Stage,
)
from .permissions import NOT_WORKER, outreach_role, works_record
from .selectors import closing_referrals, current_handover, office_officers, outreach_workers
from .workflow import OutreachRuleError, meeting_kind_for, require_open, wrong_meeting_message

SUMMARY_MAX = 4000
PLAN_TEXT_MAX = 4000

RECORD_FIELDS = (
    "label",
    "person_id",
    "age_band",
    "area_id",
    "address",
    "household_hint",
    "known_facts",
    "source",
    "informant_name",
    "informant_contact",
    "began_on",
    "stage",
    "consented_on",
    "consent_method",
    "is_urgent",
    "urgent_note",
    "closed_on",
    "closure_reason",
    "connected_agency_id",
    "connected_referral_id",
    "handover_referral_id",
    "assigned_to_id",
)


# ------------------------------------------------------------------------------ helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _date_errors(
    name: str, value, label: str, *, not_before=None, before_label=""
) -> dict[str, str]:
    if value is None:
        return {name: f"{label}を入力してください。"}
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return {name: f"{label}は日付で指定してください。"}
    if value > _today():
        return {name: f"{label}に未来の日付は指定できません。"}
    if not_before is not None and value < not_before:
        return {name: f"{label}は{before_label}より前にはできません。"}
    return {}


def _require_worker(by, record: OutreachRecord) -> None:
    if not access.outreach_records_visible_to(by).filter(pk=record.pk).exists():
        raise NotVisible("このアウトリーチ対象は閲覧できません。")
    if not works_record(by, record):
        raise PermissionDenied(NOT_WORKER)


def _locked(record: OutreachRecord) -> OutreachRecord:
    return OutreachRecord.objects.select_for_update().get(pk=record.pk)


def _event(by, record, kind, *, occurred_on=None, note="", from_stage="", to_stage=""):
    return OutreachEvent.objects.create(
        record=record,
        kind=kind,
        occurred_on=occurred_on or _today(),
        note=note[:300],
        from_stage=from_stage,
        to_stage=to_stage,
        by=by,
    )


def _audit(by, action, record, *, before=None, context=None, purpose="", target=None):
    after = snapshot(record, RECORD_FIELDS)
    audit_record(
        actor=by,
        action=action,
        target=target or record,
        persons=record.subject_persons(),
        context={"outreach": record.pk, **(context or {})},
        purpose=purpose[:200],
        changes=diff(before, after),
    )


def _check_person(by, person) -> None:
    if person is not None and not access.persons_visible_to(by).filter(pk=person.pk).exists():
        raise NotVisible("この本人は閲覧できません。")


# ------------------------------------------------------------------------------- records


#: ``record_create``'s 担当 when none is named: the worker who begins the record
BY_DEFAULT = object()


def _assignee_errors(agency_id: int, user) -> dict[str, str]:
    """担当 must be an outreach worker of the record's agency."""
    if user is None or user.pk in {u.pk for u in outreach_workers(agency_id)}:
        return {}
    return {"assigned_to": "担当職員は、この機関のアウトリーチ支援員から選んでください。"}


def record_create(
    *,
    by,
    label: str,
    source: str,
    began_on: datetime.date | None,
    age_band: str = AgeBand.UNKNOWN,
    area: Area | None = None,
    address: str = "",
    household_hint: str = "",
    known_facts: str = "",
    informant_name: str = "",
    informant_contact: str = "",
    person=None,
    from_consultation: Consultation | None = None,
    from_referral: Referral | None = None,
    from_agenda_item: AgendaItem | None = None,
    is_urgent: bool = False,
    urgent_note: str = "",
    assigned_to=BY_DEFAULT,
) -> OutreachRecord:
    """Begin an outreach record for the user's acting agency (often before anyone knows the
    person's name), carried by ``assigned_to`` (by default the worker who begins it). It may
    start from a consultation, a referral or a meeting's agenda item the user may see."""
    me = acting(by)
    if not outreach_role(by) or me.is_office:
        raise PermissionDenied(
            "アウトリーチ対象は、アウトリーチ実施機関の支援員が自分の機関の対象として登録します。"
        )
    label = (label or "").strip()
    values = {
        "label": label,
        "address": (address or "").strip(),
        "household_hint": (household_hint or "").strip(),
        "informant_name": (informant_name or "").strip(),
        "informant_contact": (informant_contact or "").strip(),
        "urgent_note": (urgent_note or "").strip(),
    }
    errors = max_length_errors(OutreachRecord, **values)
    if not label:
        errors["label"] = "呼び名を入力してください（例：北部 60代男性 A）。"
    if source not in Source.values:
        errors["source"] = "情報の入口を選択肢から選んでください。"
    if age_band not in AgeBand.values:
        errors["age_band"] = "年代を選択肢から選んでください。"
    errors.update(_date_errors("began_on", began_on, "開始日"))
    if len(known_facts or "") > SUMMARY_MAX:
        errors["known_facts"] = f"分かっていることは{SUMMARY_MAX}文字以内で入力してください。"
    if is_urgent and not values["urgent_note"]:
        errors["urgent_note"] = (
            "緊急にするときは、連絡した先（警察・救急・保健所など）と日時を記録してください。"
        )
    if assigned_to is BY_DEFAULT:
        assigned_to = by
    errors.update(_assignee_errors(me.agency_id, assigned_to))
    if errors:
        raise ValidationError(errors)
    _check_person(by, person)
    if from_consultation is not None and not access.can_view(by, from_consultation):
        raise NotVisible("この相談は閲覧できません。")
    if from_referral is not None and not access.can_view(by, from_referral):
        raise NotVisible("このつなぎは閲覧できません。")
    if (
        from_agenda_item is not None
        and not access.meetings_visible_to(by).filter(pk=from_agenda_item.meeting_id).exists()
    ):
        raise NotVisible("この議題は閲覧できません。")
    with transaction.atomic():
        record = OutreachRecord.objects.create(
            agency_id=me.agency_id,
            source=source,
            began_on=began_on,
            age_band=age_band,
            area=area,
            known_facts=(known_facts or "").strip(),
            person=person,
            from_consultation=from_consultation,
            from_referral=from_referral,
            from_agenda_item=from_agenda_item,
            is_urgent=bool(is_urgent),
            urgent_since=timezone.now() if is_urgent else None,
            assigned_to=assigned_to,
            created_by=by,
            **values,
        )
        _event(by, record, EventKind.BEGAN, occurred_on=began_on, to_stage=Stage.GATHERING)
        if is_urgent:
            _event(by, record, EventKind.URGENT, note=values["urgent_note"])
        _audit(by, "outreach.create", record)
    return record


EDITABLE = (
    "label",
    "age_band",
    "area",
    "address",
    "household_hint",
    "known_facts",
    "informant_name",
    "informant_contact",
    "assigned_to",
)


def record_update(*, by, record: OutreachRecord, **changes) -> OutreachRecord:
    """Correct what is known about the person (not the stage, consent or closure: those
    have their own steps)."""
    _require_worker(by, record)
    require_open(record)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "この項目はここでは変更できません。" for name in unknown})
    text = {
        k: (v or "").strip()
        for k, v in changes.items()
        if k not in ("area", "age_band", "assigned_to")
    }
    errors = max_length_errors(
        OutreachRecord, **{k: v for k, v in text.items() if k != "known_facts"}
    )
    if "label" in text and not text["label"]:
        errors["label"] = "呼び名を入力してください。"
    if "age_band" in changes and changes["age_band"] not in AgeBand.values:
        errors["age_band"] = "年代を選択肢から選んでください。"
    if len(text.get("known_facts", "")) > SUMMARY_MAX:
        errors["known_facts"] = f"分かっていることは{SUMMARY_MAX}文字以内で入力してください。"
    if "assigned_to" in changes:
        errors.update(_assignee_errors(record.agency_id, changes["assigned_to"]))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        before = snapshot(locked, RECORD_FIELDS)
        for name, value in {**changes, **text}.items():
            setattr(locked, name, value)
        locked.save()
        _audit(by, "outreach.update", locked, before=before)
    return locked


def record_link_person(*, by, record: OutreachRecord, person) -> OutreachRecord:
    """The person is identified: link the record to the registered person (found through the
    "is this person known?" check or registered there), keeping all of its history."""
    _require_worker(by, record)
    require_open(record)
    if person is None:
        raise ValidationError({"person": "本人を選んでください。"})
    _check_person(by, person)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        if locked.person_id is not None and locked.person_id != person.pk:
            raise OutreachRuleError(
                {"person": "この対象は既に別の本人と結び付いています。事務局に相談してください。"}
            )
        before = snapshot(locked, RECORD_FIELDS)
        locked.person = person
        locked.save(update_fields=["person", "updated_at"])
        _event(by, locked, EventKind.PERSON, note=f"本人を特定（本人ID {person.pk}）")
        _audit(by, "outreach.link_person", locked, before=before)
    return locked


def identify_request(*, by, record: OutreachRecord, note: str) -> OutreachRecord:
    """Ask the program office to identify the person: the worker has learned who they are,
    but the "is this person known?" check answers that another agency already knows them,
    so the worker neither sees nor registers them again. The office (which sees every
    person) links the record; the worker's note stays in the record's history."""
    _require_worker(by, record)
    require_open(record)
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": "分かったこと（氏名・生年月日・住所など、特定の手がかり）を入力してください。"}
        )
    if len(note) > 300:
        raise ValidationError({"note": "300文字以内で入力してください。"})
    if record.person_id is not None:
        raise OutreachRuleError({"person": "この対象は既に本人と結び付いています。"})
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        event = _event(by, locked, EventKind.IDENTIFY_REQUEST, note=note)
        _audit(by, "outreach.identify_request", locked, context={"event": event.pk})
        me = acting(by)
        for officer in office_officers(exclude=by):
            notification_notify(
                recipient=officer,
                kind=NotificationKind.OUTREACH_IDENTIFY,
                message=(
                    f"{me.agency.name}の{by}さんが、アウトリーチ対象 #{locked.pk} の本人の特定を"
                    "依頼しました。記録の画面で本人と結び付けてください。"
                ),
                url=reverse("outreach:record_detail", args=[locked.pk]),
                key=f"outreach_identify:{event.pk}",
            )
    return locked


def stage_change(
    *, by, record: OutreachRecord, to: str, occurred_on: datetime.date | None, reason: str = ""
) -> OutreachRecord:
    """Move the record to another stage (forward or back), with the date and the reason."""
    _require_worker(by, record)
    require_open(record)
    errors = {}
    if to not in Stage.values:
        errors["stage"] = "段階を選択肢から選んでください。"
    errors.update(
        _date_errors(
            "occurred_on", occurred_on, "日付", not_before=record.began_on, before_label="開始日"
        )
    )
    last_change = record.events.filter(kind=EventKind.STAGE).order_by("-occurred_on").first()
    if "occurred_on" not in errors and last_change and occurred_on < last_change.occurred_on:
        errors["occurred_on"] = (
            f"日付は前回の段階の変更（{format_wareki(last_change.occurred_on)}）より前には"
            "できません。"
        )
    reason = (reason or "").strip()
    if len(reason) > 300:
        errors["reason"] = "理由は300文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        if locked.stage == to:
            raise OutreachRuleError({"stage": f"既に「{Stage(to).label}」の段階です。"})
        if STAGE_ORDER[to] < STAGE_ORDER[locked.stage] and not reason:
            raise ValidationError({"reason": "段階を戻すときは、理由を入力してください。"})
        before = snapshot(locked, RECORD_FIELDS)
        _event(
            by,
            locked,
            EventKind.STAGE,
            occurred_on=occurred_on,
            note=reason,
            from_stage=locked.stage,
            to_stage=to,
        )
        locked.stage = to
        locked.save(update_fields=["stage", "updated_at"])
        _audit(by, "outreach.stage", locked, before=before, purpose=reason)
    return locked


def consent_record(
    *,
    by,
    record: OutreachRecord,
    consented_on: datetime.date | None,
    method: str,
    note: str = "",
) -> OutreachRecord:
    """The person applied for support (利用申込) and consented: 同意前 → 同意後."""
    _require_worker(by, record)
    require_open(record)
    errors = _date_errors(
        "consented_on", consented_on, "同意の日", not_before=record.began_on, before_label="開始日"
    )
    if method not in ConsentMethod.values:
        errors["consent_method"] = "同意の取り方を選択肢から選んでください。"
    note = (note or "").strip()
    errors.update(max_length_errors(OutreachRecord, consent_note=note))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        if locked.person_id is None:
            raise OutreachRuleError(
                {
                    "consented_on": "同意は本人ごとに記録します。先に本人を特定（登録済みの本人と"
                    "結び付け）してください。"
                }
            )
        if locked.has_consent:
            raise OutreachRuleError({"consented_on": "同意は既に記録されています。"})
        before = snapshot(locked, RECORD_FIELDS)
        locked.consented_on = consented_on
        locked.consent_method = method
        locked.consent_note = note
        locked.save(update_fields=["consented_on", "consent_method", "consent_note", "updated_at"])
        _event(
            by,
            locked,
            EventKind.CONSENT,
            occurred_on=consented_on,
            note=f"{ConsentMethod(method).label} {note}".strip(),
        )
        _audit(by, "outreach.consent", locked, before=before)
    return locked


def contact_record(
    *,
    by,
    record: OutreachRecord,
    occurred_on: datetime.date | None,
    method: str,
    staff: str,
    summary: str,
    reached_person: bool = False,
    next_action: str = "",
    next_action_on: datetime.date | None = None,
) -> OutreachContact:
    """Record one contact (or attempt). The first face-to-face meeting with the person is
    kept as the record's 初回面会日; the next planned action becomes the record's."""
    _require_worker(by, record)
    require_open(record)
    staff, summary, next_action = (
        (staff or "").strip(),
        (summary or "").strip(),
        (next_action or "").strip(),
    )
    errors = _date_errors(
        "occurred_on", occurred_on, "実施日", not_before=record.began_on, before_label="開始日"
    )
    if method not in ContactMethod.values:
        errors["method"] = "方法を選択肢から選んでください。"
    if not staff:
        errors["staff"] = "実施した職員を入力してください。"
    if not summary:
        errors["summary"] = "内容・様子を入力してください。"
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"内容・様子は{SUMMARY_MAX}文字以内で入力してください。"
    errors.update(max_length_errors(OutreachContact, staff=staff, next_action=next_action))
    if method in MEETING_METHODS:
        reached_person = True
    elif method in (ContactMethod.VISIT_NOT_MET, ContactMethod.VISIT_FAMILY) and reached_person:
        errors["reached_person"] = "本人に会えなかった訪問では「本人に届いた」は選べません。"
    if next_action_on is not None:
        if not isinstance(next_action_on, datetime.date):
            errors["next_action_on"] = "次の予定日は日付で指定してください。"
        elif occurred_on is not None and next_action_on < occurred_on:
            errors["next_action_on"] = "次の予定日は実施日より後にしてください。"
        if not next_action:
            errors["next_action"] = "次の予定日を入れるときは、予定の内容も入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        before = snapshot(locked, RECORD_FIELDS)
        contact = OutreachContact.objects.create(
            record=locked,
            occurred_on=occurred_on,
            method=method,
            staff=staff,
            summary=summary,
            reached_person=bool(reached_person),
            next_action=next_action,
            next_action_on=next_action_on,
            agency_id=access.acting_agency_id(by),
            recorded_by=by,
        )
        fields = ["updated_at"]
        if locked.last_contact_on is None or occurred_on >= locked.last_contact_on:
            locked.last_contact_on = occurred_on
            locked.next_action = next_action
            locked.next_action_on = next_action_on
            fields += ["last_contact_on", "next_action", "next_action_on"]
        if method in MEETING_METHODS and (
            locked.first_met_on is None or occurred_on < locked.first_met_on
        ):
            locked.first_met_on = occurred_on
            fields.append("first_met_on")
        locked.save(update_fields=fields)
        _audit(
            by,
            "outreach.contact",
            locked,
            before=before,
            target=contact,
            context={"method": method, "contact": contact.pk},
        )
    return contact


def urgent_set(*, by, record: OutreachRecord, note: str) -> OutreachRecord:
    """Mark the record urgent, with who was called (警察, 救急, 保健所 …) and when."""
    _require_worker(by, record)
    require_open(record)
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"urgent_note": "連絡した先（警察・救急・保健所など）と日時を記録してください。"}
        )
    errors = max_length_errors(OutreachRecord, urgent_note=note)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        before = snapshot(locked, RECORD_FIELDS)
        locked.is_urgent = True
        locked.urgent_note = note
        locked.urgent_since = timezone.now()
        locked.save(update_fields=["is_urgent", "urgent_note", "urgent_since", "updated_at"])
        _event(by, locked, EventKind.URGENT, note=note)
        _audit(by, "outreach.urgent", locked, before=before)
    return locked


def urgent_clear(*, by, record: OutreachRecord, note: str = "") -> OutreachRecord:
    _require_worker(by, record)
    with transaction.atomic():
        locked = _locked(record)
        if not locked.is_urgent:
            raise OutreachRuleError("この対象は緊急になっていません。")
        before = snapshot(locked, RECORD_FIELDS)
        locked.is_urgent = False
        locked.urgent_note = ""
        locked.urgent_since = None
        locked.save(update_fields=["is_urgent", "urgent_note", "urgent_since", "updated_at"])
        _event(by, locked, EventKind.URGENT_CLEARED, note=(note or "").strip())
        _audit(by, "outreach.urgent_clear", locked, before=before)
    return locked


# --------------------------------------------------------------------------------- plans

PLAN_FIELDS = ("approach", "network", "risks", "emergency_route", "goals")


def plan_create(*, by, record: OutreachRecord, approach: str, **texts) -> OutreachPlan:
    """A new version of the outreach plan (earlier versions stay as they were)."""
    _require_worker(by, record)
    require_open(record)
    values = {"approach": (approach or "").strip()}
    unknown = set(texts) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: "この項目は計画にありません。" for name in unknown})
    values.update({k: (v or "").strip() for k, v in texts.items()})
    errors = {}
    if not values["approach"]:
        errors["approach"] = (
            "関わりの切口を入力してください（例：家族への支援、趣味、キーパーソン）。"
        )
    for name, value in values.items():
        if len(value) > PLAN_TEXT_MAX:
            label = OutreachPlan._meta.get_field(name).verbose_name
            errors[name] = f"{label}は{PLAN_TEXT_MAX}文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        if locked.plans.filter(status=OutreachPlanStatus.IN_MEETING).exists():
            raise OutreachRuleError(
                "会議で協議中の計画があります。決定が記録されるか、議題が取り下げられてから"
                "新しい版を作ってください。"
            )
        last = locked.plans.order_by("-version").values_list("version", flat=True).first()
        plan = OutreachPlan.objects.create(
            record=locked,
            version=(last or 0) + 1,
            with_consent=locked.has_consent,
            created_by=by,
            **values,
        )
        audit_record(
            actor=by,
            action="outreach.plan_create",
            target=plan,
            persons=locked.subject_persons(),
            context={"outreach": locked.pk, "version": plan.version},
        )
    return plan


def plan_to_meeting(*, by, plan: OutreachPlan, meeting: Meeting) -> AgendaItem:
    """Put the plan on a meeting's agenda. Before consent only a 支援会議 may discuss it,
    after consent a 重層的支援会議; any other meeting is refused with the rule."""
    record = plan.record
    _require_worker(by, record)
    require_open(record)
    if not access.meetings_visible_to(by).filter(pk=meeting.pk).exists():
        raise NotVisible("この会議は閲覧できません。")
    if meeting.is_cancelled:
        raise OutreachRuleError({"meeting": "中止した会議には議題を追加できません。"})
    if meeting.kind != meeting_kind_for(record):
        raise OutreachRuleError({"meeting": wrong_meeting_message(record)})
    with transaction.atomic():
        locked_record = _locked(record)
        require_open(locked_record)
        locked = OutreachPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status not in (OutreachPlanStatus.DRAFT, OutreachPlanStatus.REVISE):
            raise OutreachRuleError(
                {"plan": f"「{OutreachPlanStatus(locked.status).label}」の計画は会議に出せません。"}
            )
        if (
            locked_record.plans.filter(status=OutreachPlanStatus.IN_MEETING)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise OutreachRuleError(
                {"plan": "別の版の計画が会議で協議中です。決定か取り下げの後に出してください。"}
            )
        if meeting.kind != meeting_kind_for(locked_record):
            raise OutreachRuleError({"meeting": wrong_meeting_message(locked_record)})
        last = meeting.agenda.order_by("-order").values_list("order", flat=True).first()
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=(last or 0) + 1,
            purpose=AgendaPurpose.OUTREACH_PLAN,
            title=f"アウトリーチ支援計画：{locked_record.label}（第{locked.version}版）"[:200],
        )
        locked.status = OutreachPlanStatus.IN_MEETING
        locked.agenda_item = item
        locked.with_consent = locked_record.has_consent
        locked.save(update_fields=["status", "agenda_item", "with_consent"])
        audit_record(
            actor=by,
            action="outreach.plan_to_meeting",
            target=locked,
            persons=locked_record.subject_persons(),
            context={"outreach": record.pk, "meeting": meeting.pk, "agenda_item": item.pk},
        )
    return item


_PLAN_BY_OUTCOME = {
    DecisionOutcome.AGREED: OutreachPlanStatus.AGREED,
    DecisionOutcome.REVISE: OutreachPlanStatus.REVISE,
    DecisionOutcome.NOT_AGREED: OutreachPlanStatus.NOT_AGREED,
}


def _plan_decided(*, by, item: AgendaItem, outcome: str, text: str, day) -> None:
    """The meeting decided on the plan (``tsunagu.meetings`` calls this in its transaction)."""
    plan = OutreachPlan.objects.select_for_update().filter(agenda_item=item).first()
    if plan is None:
        return
    record = plan.record
    meeting = item.meeting
    if meeting.kind != meeting_kind_for(record) and not (
        plan.with_consent is False and meeting.is_confidential
    ):
        raise OutreachRuleError(wrong_meeting_message(record))
    plan.status = _PLAN_BY_OUTCOME.get(outcome, OutreachPlanStatus.REVISE)
    plan.decision_text = text
    plan.decided_on = day
    plan.save(update_fields=["status", "decision_text", "decided_on"])


def _plan_withdrawn(*, by, item: AgendaItem, reason: str) -> None:
    OutreachPlan.objects.filter(agenda_item=item, status=OutreachPlanStatus.IN_MEETING).update(
        status=OutreachPlanStatus.DRAFT
    )


def _item_persons(item: AgendaItem) -> list[int]:
    plan = OutreachPlan.objects.filter(agenda_item=item).select_related("record").first()
    return plan.record.subject_persons() if plan else []


# ------------------------------------------------------------------- hand-over, closure


def _may_hand_over(record: OutreachRecord) -> None:
    require_open(record)
    if not record.has_consent:
        raise OutreachRuleError(
            "多機関協働へのつなぎは、本人の同意（利用申込）を記録してから行います。"
            "同意の前は支援会議で協議してください。"
        )
    current = current_handover(record)
    if current is not None and current.status != ReferralStatus.RETURNED:
        raise OutreachRuleError(
            f"この対象は既に多機関協働へつないでいます（つなぎ #{current.pk}・"
            f"{current.get_status_display()}）。"
        )


def handover_to_multi_agency(
    *,
    by,
    record: OutreachRecord,
    to_agency: Agency,
    reason: str,
    tried_with_agencies: str,
    criterion_household: bool = False,
    criterion_gap: bool = False,
    criterion_new_resource: bool = False,
    categories=(),
) -> Referral:
    """After consent, refer the person to 多機関協働 through the referral flow (a consultation
    recorded by the outreach agency, then the つなぎ). The record stays open beside the case
    that the coordinating agency opens on accepting it."""
    from tsunagu.consultations.models import Channel, ConsulterType, Outcome, ReferralKind
    from tsunagu.consultations.services import consultation_record, referral_send

    _require_worker(by, record)
    with transaction.atomic():
        locked = _locked(record)
        _may_hand_over(locked)  # as it is now: a second submission finds the first one
        before = snapshot(locked, RECORD_FIELDS)
        consultation = consultation_record(
            by=by,
            received_on=_today(),
            channel=Channel.HOME_VISIT,
            consulter_type=ConsulterType.SELF,
            summary=f"アウトリーチ（{locked.label}）から多機関協働へ。{(reason or '').strip()}"[
                :4000
            ],
            outcome=Outcome.MULTI_AGENCY,
            categories=list(categories),
            person=locked.person,
            consent_to_share=True,
        )
        referral = referral_send(
            by=by,
            consultation=consultation,
            to_agency=to_agency,
            reason=reason,
            person=locked.person,
            kind=ReferralKind.MULTI_AGENCY,
            criterion_household=criterion_household,
            criterion_gap=criterion_gap,
            criterion_new_resource=criterion_new_resource,
            tried_with_agencies=tried_with_agencies,
            is_urgent=locked.is_urgent,
        )
        locked.handover_referral = referral
        locked.save(update_fields=["handover_referral", "updated_at"])
        _event(by, locked, EventKind.HANDOVER, note=f"{to_agency.name}へ（つなぎ #{referral.pk}）")
        _audit(by, "outreach.handover", locked, before=before, context={"referral": referral.pk})
    return referral


def record_close(
    *,
    by,
    record: OutreachRecord,
    closed_on: datetime.date | None,
    reason: str,
    note: str = "",
    connected_agency: Agency | None = None,
    connected_referral: Referral | None = None,
) -> OutreachRecord:
    """End the outreach: the person is connected to a suitable agency (which one, and the
    referral by which the record's agency connected them, when there is one), or for another
    recorded reason."""
    _require_worker(by, record)
    require_open(record)
    if connected_referral is not None and connected_agency is None:
        connected_agency = connected_referral.to_agency
    errors = _date_errors(
        "closed_on", closed_on, "終了日", not_before=record.began_on, before_label="開始日"
    )
    note = (note or "").strip()
    if reason not in ClosureReason.values:
        errors["closure_reason"] = "終了の理由を選択肢から選んでください。"
    elif reason == ClosureReason.CONNECTED and connected_agency is None:
        errors["connected_agency"] = "つながった機関を選んでください。"
    elif connected_referral is not None and (
        reason != ClosureReason.CONNECTED
        or connected_referral.pk not in {r.pk for r in closing_referrals(record)}
    ):
        errors["connected_referral"] = (
            "つなぎは、この機関が本人について送ったものから選んでください"
            "（理由が「適切な機関につながった」のとき）。"
        )
    elif connected_referral is not None and connected_referral.to_agency_id != connected_agency.pk:
        errors["connected_referral"] = "つなぎの送り先と、つながった機関が違います。"
    elif reason in (ClosureReason.REFUSED, ClosureReason.OTHER) and not note:
        errors["closure_note"] = "終了の事情を記録してください。"
    if (
        "closed_on" not in errors
        and record.last_contact_on is not None
        and closed_on < record.last_contact_on
    ):
        errors["closed_on"] = "終了日は最後の接触日より前にはできません。"
    errors.update(max_length_errors(OutreachRecord, closure_note=note))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(record)
        require_open(locked)
        before = snapshot(locked, RECORD_FIELDS)
        locked.closed_on = closed_on
        locked.closure_reason = reason
        locked.closure_note = note
        locked.connected_agency = connected_agency if reason == ClosureReason.CONNECTED else None
        locked.connected_referral = connected_referral
        locked.save()
        label = ClosureReason(reason).label
        if locked.connected_agency is not None:
            via = f"・つなぎ #{connected_referral.pk}" if connected_referral else ""
            label += f"（{connected_agency.name}{via}）"
        _event(by, locked, EventKind.CLOSED, occurred_on=closed_on, note=f"{label} {note}".strip())
        _audit(by, "outreach.close", locked, before=before, purpose=note)
    return locked


def record_reopen(*, by, record: OutreachRecord, reason: str) -> OutreachRecord:
    """Reopen a closed record; its history is kept."""
    _require_worker(by, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "再開の理由を入力してください。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "再開の理由は300文字以内で入力してください。"})
    with transaction.atomic():
        locked = _locked(record)
        if not locked.is_closed:
            raise OutreachRuleError("この対象は終了していません。")
        before = snapshot(locked, RECORD_FIELDS)
        locked.closed_on = None
        locked.closure_reason = ""
        locked.closure_note = ""
        locked.connected_agency = None
        locked.connected_referral = None
        locked.save()
        _event(by, locked, EventKind.REOPENED, note=reason)
        _audit(by, "outreach.reopen", locked, before=before, purpose=reason)
    return locked
