"""Writes of 参加支援: records, matches and their moves, follow-ups on both tracks, closure and
keeping in touch afterwards. Each checks who may act, validates with Japanese messages
(nothing is written on an error) and records its audit event in the same transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Role
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.cases.models import PlanItem, StatutoryService
from tsunagu.common.errors import NotVisible
from tsunagu.common.fiscal import add_months
from tsunagu.resources.gaps import gap_create
from tsunagu.resources.models import (
    GapOrigin,
    GapStatus,
    HostProfile,
    Resource,
    ResourceGap,
    ResourceStatus,
)

from .models import (
    FollowUp,
    GapNeed,
    KeepInTouch,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipationRecord,
    Track,
)
from .permissions import NOT_WORKER, works_record
from .workflow import (
    FOLLOWED,
    MATCH_TRANSITIONS,
    UNSETTLED,
    ParticipationRuleError,
    keep_in_touch_months,
)

TEXT_MAX = 4000
RECORD_FIELDS = (
    "person_id",
    "case_id",
    "started_on",
    "is_early",
    "outside_plan_reason",
    "goals",
    "steps",
    "closed_on",
    "person_view",
    "next_keep_in_touch_on",
    "keep_in_touch_ended_on",
)
MATCH_FIELDS = ("resource_id", "status", "started_on", "settled_on", "ended_on", "end_reason")


def _today() -> datetime.date:
    return timezone.localdate()


def _date_error(name: str, value, label: str, *, not_before=None, before_label="") -> dict:
    if value is None:
        return {name: f"{label}を入力してください。"}
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return {name: f"{label}は日付で指定してください。"}
    if value > _today():
        return {name: f"{label}に未来の日付は指定できません。"}
    if not_before is not None and value < not_before:
        return {name: f"{label}は{before_label}より前にはできません。"}
    return {}


def _text_errors(**values) -> dict:
    return {
        name: f"{label}は{TEXT_MAX}文字以内で入力してください。"
        for name, (label, value) in values.items()
        if len(value or "") > TEXT_MAX
    }


def _require_worker(by, record: ParticipationRecord) -> None:
    if not access.participation_records_visible_to(by).filter(pk=record.pk).exists():
        raise NotVisible("この参加支援の記録は閲覧できません。")
    if not works_record(by, record):
        raise PermissionDenied(NOT_WORKER)


def _require_open(record: ParticipationRecord) -> None:
    if record.is_closed:
        raise ParticipationRuleError("終結した参加支援です。")


def _audit(by, action, record, *, before=None, target=None, context=None, changes=None):
    audit_record(
        actor=by,
        action=action,
        target=target or record,
        persons=record.subject_persons(),
        context={"participation": record.pk, **(context or {})},
        changes=changes if changes is not None else diff(before, snapshot(record, RECORD_FIELDS)),
    )


# --------------------------------------------------------------------------------- records


def record_open(
    *,
    by,
    person,
    started_on: datetime.date | None,
    goals: str,
    steps: str = "",
    case=None,
    is_early: bool = False,
    outside_plan_reason: str = "",
) -> ParticipationRecord:
    """Begin participation support for a person, beside their 多機関協働 case (or outside
    one, with the reason), for the user's acting agency."""
    me = acting(by)
    if not me.has_role(Role.PARTICIPATION_WORKER):
        raise PermissionDenied(
            "参加支援は、参加支援事業者の支援員が自分の機関の記録として始めます。"
        )
    goals, steps = (goals or "").strip(), (steps or "").strip()
    outside_plan_reason = (outside_plan_reason or "").strip()
    errors = _date_error("started_on", started_on, "開始日")
    if not goals:
        errors["goals"] = "本人の目標を、本人の言葉で入力してください。"
    errors.update(_text_errors(goals=("本人の目標", goals), steps=("取り組むこと", steps)))
    if len(outside_plan_reason) > 300:
        errors["outside_plan_reason"] = "理由は300文字以内で入力してください。"
    if case is None and not outside_plan_reason and not is_early:
        errors["case"] = (
            "多機関協働の事例を選ぶか、支援決定前の関わりとするか、"
            "多機関協働のプラン外で行う理由を入力してください。"
        )
    if errors:
        raise ValidationError(errors)
    if person is None or not access.persons_visible_to(by).filter(pk=person.pk).exists():
        raise NotVisible("この本人は閲覧できません。")
    if case is not None:
        if not access.case_content_visible_to(by).filter(pk=case.pk).exists():
            raise NotVisible("この事例は閲覧できません。")
        if person.pk not in case.subject_persons():
            raise ValidationError({"case": "この事例の本人・世帯員ではありません。"})
    with transaction.atomic():
        record = ParticipationRecord.objects.create(
            agency_id=me.agency_id,
            worker=by,
            person=person,
            case=case,
            started_on=started_on,
            is_early=bool(is_early),
            outside_plan_reason=outside_plan_reason,
            goals=goals,
            steps=steps,
            keep_in_touch_months=keep_in_touch_months(),
            created_by=by,
        )
        _audit(by, "participation.open", record, before={})
    return record


def record_update(*, by, record: ParticipationRecord, goals: str, steps: str = ""):
    _require_worker(by, record)
    _require_open(record)
    goals, steps = (goals or "").strip(), (steps or "").strip()
    errors = {} if goals else {"goals": "本人の目標を入力してください。"}
    errors.update(_text_errors(goals=("本人の目標", goals), steps=("取り組むこと", steps)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ParticipationRecord.objects.select_for_update().get(pk=record.pk)
        before = snapshot(locked, RECORD_FIELDS)
        locked.goals, locked.steps = goals, steps
        locked.save(update_fields=["goals", "steps", "updated_at"])
        _audit(by, "participation.update", locked, before=before)
    return locked


def decision_in_place(record: ParticipationRecord) -> bool:
    """Whether 参加支援 may start: the 支援決定 on a plan of the record's case that names
    参加支援, or the record is outside a 多機関協働 plan (with its reason)."""
    if record.outside_plan_reason:
        return True
    if record.case_id is None:
        return False
    return PlanItem.objects.filter(
        plan__case_id=record.case_id,
        statutory_service=StatutoryService.PARTICIPATION,
        plan__support_decision__isnull=False,
    ).exists()


# --------------------------------------------------------------------------------- matches


def match_propose(
    *, by, record: ParticipationRecord, resource, proposed_on: datetime.date | None, note=""
) -> Match:
    """Propose a resource to the person (it must take people in now)."""
    _require_worker(by, record)
    _require_open(record)
    note = (note or "").strip()
    errors = _date_error(
        "proposed_on", proposed_on, "提案日", not_before=record.started_on, before_label="開始日"
    )
    errors.update(_text_errors(note=("メモ", note)))
    if resource is None:
        errors["resource"] = "社会資源を選んでください。"
    if errors:
        raise ValidationError(errors)
    resource = Resource.objects.get(pk=resource.pk)  # as it is now, not as the caller read it
    if resource.status != ResourceStatus.OPEN:
        raise ParticipationRuleError(
            {
                "resource": f"「{resource.name}」は{resource.get_status_display()}のため、"
                "提案できません。"
            }
        )
    with transaction.atomic():
        match = Match.objects.create(
            record=record, resource=resource, proposed_on=proposed_on, note=note
        )
        MatchEvent.objects.create(
            match=match, to_status=MatchStatus.PROPOSED, occurred_on=proposed_on, by=by
        )
        _audit(
            by,
            "participation.match_propose",
            record,
            target=match,
            context={"match": match.pk, "resource": resource.pk},
            changes=diff({}, snapshot(match, MATCH_FIELDS)),
        )
    return match


def match_move(
    *,
    by,
    match: Match,
    to: str,
    occurred_on: datetime.date | None,
    note: str = "",
    full_override_reason: str = "",
) -> Match:
    """Move a match (見学・調整, 参加開始, 定着, 終了, 中止) by the rules of the workflow."""
    record = match.record
    _require_worker(by, record)
    _require_open(record)
    note, override = (note or "").strip(), (full_override_reason or "").strip()
    if to not in MatchStatus.values:
        raise ValidationError({"status": "状況を選択肢から選んでください。"})
    errors = _date_error(
        "occurred_on", occurred_on, "日付", not_before=match.proposed_on, before_label="提案日"
    )
    if len(note) > 300 or len(override) > 300:
        errors["note"] = "記録・理由は300文字以内で入力してください。"
    if to in (MatchStatus.ENDED, MatchStatus.CANCELLED) and not note:
        errors["note"] = "終了・中止の理由を入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Match.objects.select_for_update().select_related("resource").get(pk=match.pk)
        current = MatchStatus(locked.status)
        if to not in MATCH_TRANSITIONS[current]:
            raise ParticipationRuleError(
                {"status": f"「{current.label}」から「{MatchStatus(to).label}」には進めません。"}
            )
        if to == MatchStatus.STARTED:
            _check_start(record, locked, override)
            locked.started_on = occurred_on
            locked.full_override_reason = override if locked.resource.is_full else ""
        elif to == MatchStatus.SETTLED:
            if occurred_on < locked.started_on:
                raise ValidationError(
                    {"occurred_on": "定着の確認日は参加開始日より後にしてください。"}
                )
            locked.settled_on = occurred_on
        elif to in (MatchStatus.ENDED, MatchStatus.CANCELLED):
            locked.ended_on = occurred_on
            locked.end_reason = note
        before = snapshot(Match.objects.get(pk=locked.pk), MATCH_FIELDS)
        locked.status = to
        locked.save()
        MatchEvent.objects.create(
            match=locked,
            from_status=current,
            to_status=to,
            occurred_on=occurred_on,
            note=note or override,
            by=by,
        )
        _audit(
            by,
            "participation.match_move",
            record,
            target=locked,
            context={"match": locked.pk, "to": to},
            changes=diff(before, snapshot(locked, MATCH_FIELDS)),
        )
    return locked


def _check_start(record: ParticipationRecord, match: Match, override: str) -> None:
    if not decision_in_place(record):
        raise ParticipationRuleError(
            "参加開始には、多機関協働のプランに参加支援を位置付けた自治体の支援決定が必要です"
            "（多機関協働のプラン外で行う場合は、その理由を記録に入れてください）。"
        )
    host = HostProfile.objects.filter(resource_id=match.resource_id).first()
    if host is None or not host.is_assessed:
        raise ParticipationRuleError(
            "参加開始の前に、受け入れ先のアセスメントを社会資源の画面で記録してください。"
        )
    if match.resource.is_full and not override:
        raise ParticipationRuleError(
            {
                "full_override_reason": f"「{match.resource.name}」は満員です。受け入れる場合は、"
                "受け入れ先と合意した理由を記録してください。"
            }
        )


# ------------------------------------------------------------------------------- follow-ups


def follow_up_record(
    *,
    by,
    match: Match,
    track: str,
    occurred_on: datetime.date | None,
    note: str,
    concern: bool = False,
) -> FollowUp:
    """A follow-up with the person or with the host, from 参加開始 on."""
    record = match.record
    _require_worker(by, record)
    _require_open(record)
    note = (note or "").strip()
    if track not in Track.values:
        raise ValidationError({"track": "相手（本人・受け入れ先）を選んでください。"})
    if match.status not in FOLLOWED:
        raise ParticipationRuleError(
            "フォローアップは、参加開始から終了までのマッチングに記録します。"
        )
    errors = _date_error(
        "occurred_on",
        occurred_on,
        "実施日",
        not_before=match.started_on,
        before_label="参加開始日",
    )
    if not note:
        errors["note"] = "様子・話したことを入力してください。"
    errors.update(_text_errors(note=("様子・話したこと", note)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            match=match,
            track=track,
            occurred_on=occurred_on,
            note=note,
            concern=bool(concern),
            by=by,
        )
        _audit(
            by,
            "participation.follow_up",
            record,
            target=follow_up,
            context={"match": match.pk, "track": track, "concern": bool(concern)},
            changes={},
        )
    return follow_up


# ---------------------------------------------------------------- closure, keeping in touch


def record_close(
    *, by, record: ParticipationRecord, closed_on: datetime.date | None, person_view: str, note=""
) -> ParticipationRecord:
    """The connection is stable: close, with the person's own view; keeping in touch begins."""
    _require_worker(by, record)
    _require_open(record)
    person_view, note = (person_view or "").strip(), (note or "").strip()
    errors = _date_error(
        "closed_on", closed_on, "終結日", not_before=record.started_on, before_label="開始日"
    )
    if not person_view:
        errors["person_view"] = "終結についての本人の受け止めを記録してください。"
    errors.update(_text_errors(person_view=("本人の受け止め", person_view)))
    if len(note) > 300:
        errors["closure_note"] = "記録は300文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ParticipationRecord.objects.select_for_update().get(pk=record.pk)
        _require_open(locked)
        pending = locked.matches.filter(status__in=UNSETTLED)
        if pending.exists():
            names = "、".join(m.resource.name for m in pending.select_related("resource"))
            raise ParticipationRuleError(
                f"進行中のマッチング（{names}）があります。定着・終了・中止を記録してから"
                "終結してください。"
            )
        before = snapshot(locked, RECORD_FIELDS)
        locked.closed_on = closed_on
        locked.person_view = person_view
        locked.closure_note = note
        locked.next_keep_in_touch_on = add_months(closed_on, locked.keep_in_touch_months)
        locked.save()
        _audit(by, "participation.close", locked, before=before)
    return locked


def keep_in_touch_record(
    *, by, record: ParticipationRecord, occurred_on: datetime.date | None, note: str
) -> KeepInTouch:
    """A contact after closure to keep the connection; the next one falls due later."""
    _require_worker(by, record)
    note = (note or "").strip()
    if not record.is_closed or record.keep_in_touch_ended_on is not None:
        raise ParticipationRuleError(
            "つながりの維持は、終結した後（維持を終えるまで）に記録します。"
        )
    errors = _date_error(
        "occurred_on", occurred_on, "実施日", not_before=record.closed_on, before_label="終結日"
    )
    if not note:
        errors["note"] = "様子を入力してください。"
    errors.update(_text_errors(note=("様子", note)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ParticipationRecord.objects.select_for_update().get(pk=record.pk)
        before = snapshot(locked, RECORD_FIELDS)
        contact = KeepInTouch.objects.create(
            record=locked, occurred_on=occurred_on, note=note, by=by
        )
        locked.next_keep_in_touch_on = add_months(occurred_on, locked.keep_in_touch_months)
        locked.save(update_fields=["next_keep_in_touch_on", "updated_at"])
        _audit(by, "participation.keep_in_touch", locked, before=before, target=contact)
    return contact


def keep_in_touch_end(
    *, by, record: ParticipationRecord, ended_on: datetime.date | None, reason: str
):
    """The worker ends keeping in touch (the connection holds on its own)."""
    _require_worker(by, record)
    reason = (reason or "").strip()
    if not record.is_closed or record.keep_in_touch_ended_on is not None:
        raise ParticipationRuleError("つながりの維持を終えられるのは、終結後の記録です。")
    errors = _date_error(
        "ended_on", ended_on, "終了日", not_before=record.closed_on, before_label="終結日"
    )
    if not reason:
        errors["reason"] = "終える理由を入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ParticipationRecord.objects.select_for_update().get(pk=record.pk)
        before = snapshot(locked, RECORD_FIELDS)
        locked.keep_in_touch_ended_on = ended_on
        locked.next_keep_in_touch_on = None
        locked.closure_note = (f"{locked.closure_note} つながりの維持を終了：{reason}").strip()[
            :300
        ]
        locked.save()
        _audit(by, "participation.keep_in_touch_end", locked, before=before)
    return locked


# ------------------------------------------------------------- gaps found in matching


GAP_NOTE_MAX = 300
GAP_ALREADY = (
    "この不足する社会資源は、既にこの参加支援で「合う社会資源がない」として記録されています。"
)


def gap_need_add(
    *,
    by,
    record: ParticipationRecord,
    gap: ResourceGap | None = None,
    description: str = "",
    kind=None,
    area=None,
    targets=(),
    target_attributes: str = "",
    note: str = "",
) -> GapNeed:
    """No resource fits the person: the record waits on a 不足する社会資源 — one already in the
    register (``gap``), or a new one raised here (``description`` …, origin 参加支援の
    マッチング). The gap (when new) and the link are written together or not at all."""
    _require_worker(by, record)
    _require_open(record)
    note, description = (note or "").strip(), (description or "").strip()
    errors = {}
    if len(note) > GAP_NOTE_MAX:
        errors["note"] = f"合う資源がなかった事情は{GAP_NOTE_MAX}文字以内で入力してください。"
    if gap is None and not description:
        errors["gap"] = (
            "登録済みの不足する社会資源を選ぶか、新しく不足している社会資源・仕組みを"
            "入力してください。"
        )
    elif gap is not None and description:
        errors["gap"] = (
            "登録済みの不足する社会資源を選ぶか、新しく入力するかのどちらかにしてください。"
        )
    if errors:
        raise ValidationError(errors)
    if gap is not None:
        gap = ResourceGap.objects.get(pk=gap.pk)  # as it is now
        if gap.status == GapStatus.DEVELOPED:
            raise ParticipationRuleError(
                {
                    "gap": "この不足する社会資源は開発済みです。対応した社会資源を本人に"
                    "提案してください。"
                }
            )
        if GapNeed.objects.filter(record=record, gap=gap).exists():
            raise ParticipationRuleError({"gap": GAP_ALREADY})
    with transaction.atomic():
        created = gap is None
        if created:
            gap = gap_create(
                by=by,
                description=description,
                area=area,
                kind=kind,
                targets=targets,
                target_attributes=target_attributes,
                origin=GapOrigin.MATCHING,
            )
        try:
            with transaction.atomic():
                need = GapNeed.objects.create(record=record, gap=gap, note=note, created_by=by)
        except IntegrityError:  # the same link written at the same moment
            raise ParticipationRuleError({"gap": GAP_ALREADY}) from None
        _audit(
            by,
            "participation.gap_need",
            record,
            target=need,
            context={"gap": gap.pk, "new_gap": created},
            changes=diff({}, {"gap_id": gap.pk, "note": note}),
        )
    return need


def gap_need_remove(*, by, need: GapNeed, reason: str) -> None:
    """The record no longer waits on the gap (a resource was found, the person's wish
    changed): the link is removed, the reason kept in the audit log. The gap itself stays in
    the register."""
    record = need.record
    _require_worker(by, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "記録から外す理由を入力してください。"})
    if len(reason) > GAP_NOTE_MAX:
        raise ValidationError(
            {"reason": f"記録から外す理由は{GAP_NOTE_MAX}文字以内で入力してください。"}
        )
    with transaction.atomic():
        deleted, _ = GapNeed.objects.filter(pk=need.pk).delete()
        if not deleted:
            raise ParticipationRuleError("この不足する社会資源は、既に記録から外されています。")
        _audit(
            by,
            "participation.gap_need_remove",
            record,
            target=need.gap,
            context={"gap": need.gap_id, "need": need.pk, "reason": reason},
            changes=diff({"gap_id": need.gap_id, "note": need.note}, {}),
        )
