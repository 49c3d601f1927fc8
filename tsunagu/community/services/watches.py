"""Writes of 見守り: a watch, its watchers, the safety checks logged against it, the
escalation of worrying checks into a consultation or an outreach record, and its end.

Every function checks who may take the step (a watch the user may not see is "not found"),
validates its input with Japanese messages (nothing is written on an error), writes in one
transaction and records its audit event there. ``Watch.next_check_on`` and ``last_check_on``
are kept here only, by the rules of :mod:`tsunagu.community.workflow`.

Who: staff of a role that works with persons (``community.watch``) keep watches for their own
agency (the office may name the keeping agency). Those who see a watch — the keeping agency,
the agencies among its watchers, the office — log checks and escalate; adding watchers and
ending a watch belong to the keeping agency and the office.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Area
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.errors import NotVisible
from tsunagu.common.validation import max_length_errors

from ..models import (
    CheckOutcome,
    Escalation,
    Frequency,
    SafetyCheck,
    Watch,
    Watcher,
    WatcherKind,
)
from ..permissions import NOT_WATCH_KEEPER, keeps_watches
from ..workflow import WatchRuleError, next_check_on, prompting_check, since_last

REASON_MAX = 2000
NOTE_MAX = 2000

WATCH_FIELDS = (
    "agency_id",
    "person_id",
    "label",
    "area_id",
    "address",
    "reason",
    "frequency",
    "starts_on",
    "until_on",
    "next_check_on",
    "last_check_on",
    "ended_on",
    "end_reason",
)

ESCALATE_TO = ("consultation", "outreach")

NOT_KEEPER = "見守る人の追加と見守りの終了は、見守りを担う機関と事務局が行います。"
ENDED = "この見守りは終了しています。"


# ------------------------------------------------------------------------------ helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _require_keeper_role(by) -> None:
    if not keeps_watches(by):
        raise PermissionDenied(NOT_WATCH_KEEPER)


def _require_visible(by, watch: Watch) -> None:
    _require_keeper_role(by)
    if not access.watches_visible_to(by).filter(pk=watch.pk).exists():
        raise NotVisible("この見守りは閲覧できません。")


def keeps(by, watch: Watch) -> bool:
    """Acting for the keeping agency, or the program office."""
    me = acting(by)
    return bool(me) and (me.is_office or me.agency_id == watch.agency_id)


def _require_keeper(by, watch: Watch) -> None:
    _require_visible(by, watch)
    if not keeps(by, watch):
        raise PermissionDenied(NOT_KEEPER)


def _locked(watch: Watch) -> Watch:
    return Watch.objects.select_for_update().get(pk=watch.pk)


def _require_open(watch: Watch) -> None:
    if watch.ended_on is not None:
        raise WatchRuleError(ENDED)


def watch_persons(watch: Watch) -> list[int]:
    return [watch.person_id] if watch.person_id else []


def _audit(by, action, watch, *, before=None, context=None, purpose="", target=None):
    audit_record(
        actor=by,
        action=action,
        target=target or watch,
        persons=watch_persons(watch),
        context={"watch": watch.pk, **(context or {})},
        purpose=purpose[:200],
        changes=diff(before, snapshot(watch, WATCH_FIELDS)),
    )


def _check_person(by, person) -> None:
    if person is not None and not access.persons_visible_to(by).filter(pk=person.pk).exists():
        raise NotVisible("この本人は閲覧できません。")


def _sees_person(by, watch: Watch) -> bool:
    return (
        watch.person_id is not None
        and access.persons_visible_to(by).filter(pk=watch.person_id).exists()
    )


def _recompute(watch: Watch) -> None:
    watch.next_check_on = next_check_on(
        frequency=watch.frequency,
        starts_on=watch.starts_on,
        last_check_on=watch.last_check_on,
        until_on=watch.until_on,
        ended_on=watch.ended_on,
    )


def checks_in_order(watch: Watch) -> list[SafetyCheck]:
    """The watch's checks, oldest first (by date, then as logged)."""
    return list(watch.checks.order_by("checked_on", "id"))


def prompt_for(watch: Watch) -> SafetyCheck | None:
    """The check that prompts an escalation now (``None``: nothing does)."""
    if watch.ended_on is not None:
        return None
    escalated = watch.escalations.values_list("safety_check_id", flat=True)
    return prompting_check(since_last(checks_in_order(watch), escalated))


# -------------------------------------------------------------------------------- watch


def watch_create(
    *,
    by,
    reason: str,
    starts_on: datetime.date | None,
    label: str = "",
    person=None,
    frequency: str = Frequency.WEEKLY,
    until_on: datetime.date | None = None,
    area: Area | None = None,
    address: str = "",
    agency: Agency | None = None,
) -> Watch:
    """Begin a watch kept by the user's acting agency (the office may name another agency):
    an identified person the user may see, or a working label."""
    _require_keeper_role(by)
    me = acting(by)
    if agency is None:
        agency = me.agency
    elif agency.pk != me.agency_id and not me.is_office:
        raise PermissionDenied("見守りは自分の機関で担います（担う機関を選べるのは事務局です）。")
    label = (label or "").strip()
    if not label and person is not None:
        label = person.name[:60]
    values = {"label": label, "address": (address or "").strip()}
    reason = (reason or "").strip()
    errors = max_length_errors(Watch, **values)
    if not label:
        errors["label"] = "本人を選ぶか、仮の呼び名を入力してください（例：3丁目 80代女性）。"
    if not reason:
        errors["reason"] = "見守りの理由を入力してください。"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"見守りの理由は{REASON_MAX}文字以内で入力してください。"
    if frequency not in Frequency.values:
        errors["frequency"] = "確認の頻度を選択肢から選んでください。"
    if not _is_date(starts_on):
        errors["starts_on"] = "開始日を入力してください。"
    if until_on is not None:
        if not _is_date(until_on):
            errors["until_on"] = "終了予定日は日付で指定してください。"
        elif _is_date(starts_on) and until_on < starts_on:
            errors["until_on"] = "終了予定日は開始日より後にしてください。"
    if not agency.is_active:
        errors["agency"] = "この機関は現在無効です。"
    if errors:
        raise ValidationError(errors)
    _check_person(by, person)
    with transaction.atomic():
        watch = Watch(
            agency=agency,
            person=person,
            area=area,
            reason=reason,
            frequency=frequency,
            starts_on=starts_on,
            until_on=until_on,
            created_by=by,
            **values,
        )
        _recompute(watch)
        watch.save()
        _audit(by, "community.watch_create", watch)
    return watch


def watch_link_person(*, by, watch: Watch, person) -> Watch:
    """The person of a watch kept under a label is identified: link the registered person."""
    _require_keeper(by, watch)
    _require_open(watch)
    if person is None:
        raise ValidationError({"person": "本人を選んでください。"})
    _check_person(by, person)
    with transaction.atomic():
        locked = _locked(watch)
        _require_open(locked)
        if locked.person_id is not None and locked.person_id != person.pk:
            raise WatchRuleError({"person": "この見守りは既に別の本人と結び付いています。"})
        before = snapshot(locked, WATCH_FIELDS)
        locked.person = person
        locked.save(update_fields=["person", "updated_at"])
        _audit(by, "community.watch_link_person", locked, before=before)
    return locked


def watcher_add(
    *,
    by,
    watch: Watch,
    kind: str,
    agency: Agency | None = None,
    name: str = "",
    contact: str = "",
) -> Watcher:
    """Name who watches: an agency of the system (it then sees the watch) or someone outside
    the system by name (民生委員, a neighbour, the newspaper shop)."""
    _require_keeper(by, watch)
    _require_open(watch)
    name = (name or "").strip()
    if not name and agency is not None:
        name = agency.name[:100]
    values = {"name": name, "contact": (contact or "").strip()}
    errors = max_length_errors(Watcher, **values)
    if kind not in WatcherKind.values:
        errors["kind"] = "見守る人・機関の種類を選択肢から選んでください。"
    if not name:
        errors["name"] = "氏名・名称を入力するか、機関を選んでください。"
    if agency is not None and not agency.is_active:
        errors["agency"] = "この機関は現在無効です。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(watch)
        _require_open(locked)
        if agency is not None and locked.watchers.filter(agency=agency).exists():
            raise WatchRuleError({"agency": "この機関は既に見守る人・機関に入っています。"})
        watcher = Watcher.objects.create(watch=locked, kind=kind, agency=agency, **values)
        audit_record(
            actor=by,
            action="community.watcher_add",
            target=watcher,
            persons=watch_persons(locked),
            context={"watch": locked.pk, "watcher": watcher.pk},
            changes=diff({}, snapshot(watcher)),
        )
    return watcher


def check_record(
    *,
    by,
    watch: Watch,
    checked_on: datetime.date | None,
    outcome: str,
    watcher: Watcher | None = None,
    checked_by_name: str = "",
    note: str = "",
) -> SafetyCheck:
    """Log a safety check (安否確認) and move the next check's date on from it."""
    _require_visible(by, watch)
    _require_open(watch)
    checked_by_name = (checked_by_name or "").strip()
    note = (note or "").strip()
    errors = max_length_errors(SafetyCheck, checked_by_name=checked_by_name)
    if outcome not in CheckOutcome.values:
        errors["outcome"] = "結果を選択肢から選んでください。"
    if not _is_date(checked_on):
        errors["checked_on"] = "確認日を入力してください。"
    elif checked_on > _today():
        errors["checked_on"] = "確認日に未来の日付は指定できません。"
    elif checked_on < watch.starts_on:
        errors["checked_on"] = "確認日は見守りの開始日より前にはできません。"
    if watcher is not None and watcher.watch_id != watch.pk:
        errors["watcher"] = "確認した人・機関は、この見守りの見守る人から選んでください。"
    if watcher is None and not checked_by_name:
        errors["checked_by_name"] = "確認した人を選ぶか、氏名を入力してください。"
    if len(note) > NOTE_MAX:
        errors["note"] = f"様子・記録は{NOTE_MAX}文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(watch)
        _require_open(locked)
        before = snapshot(locked, WATCH_FIELDS)
        check = SafetyCheck.objects.create(
            watch=locked,
            checked_on=checked_on,
            watcher=watcher,
            checked_by_name=checked_by_name,
            outcome=outcome,
            note=note,
            recorded_by=by,
        )
        if locked.last_check_on is None or checked_on > locked.last_check_on:
            locked.last_check_on = checked_on
        _recompute(locked)
        locked.save(update_fields=["last_check_on", "next_check_on", "updated_at"])
        _audit(
            by,
            "community.check",
            locked,
            before=before,
            context={"check": check.pk, "outcome": outcome},
            target=check,
        )
    return check


def escalate(
    *,
    by,
    watch: Watch,
    to: str,
    reason: str,
    agency: Agency | None = None,
    categories: Sequence = (),
    consent_to_share: bool = False,
    outreach_record=None,
) -> Escalation:
    """Turn a watch's worry into a consultation at a desk or an outreach record, linked back
    to the watch (one transaction).

    ``to="consultation"``: a consultation about the watch's person is recorded at the user's
    agency through the consultations service and, when ``agency`` is another desk, referred
    there (the normal consultation and referral loop). ``to="outreach"``: an outreach record
    is begun through the outreach service (an outreach worker, for their agency), or an
    existing one the user works is named (``outreach_record``)."""
    from tsunagu.consultations import services as consultation_services
    from tsunagu.consultations.models import Outcome
    from tsunagu.outreach import services as outreach_services
    from tsunagu.outreach.permissions import outreach_worker, works_record

    _require_visible(by, watch)
    _require_open(watch)
    reason = (reason or "").strip()
    errors = {}
    if to not in ESCALATE_TO:
        errors["to"] = "つなぎ先（相談窓口・アウトリーチ）を選んでください。"
    if not reason:
        errors["reason"] = "つなぐ理由を入力してください。"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"つなぐ理由は{REASON_MAX}文字以内で入力してください。"
    if to == "consultation":
        if watch.person_id is None:
            errors["to"] = (
                "本人が特定されていない見守りは相談にできません。"
                "先に本人を特定するか、アウトリーチにつないでください。"
            )
        elif not _sees_person(by, watch):
            errors["to"] = (
                "この方の本人の記録を閲覧できないため、ここからは相談にできません。"
                "見守りを担う機関に依頼するか、アウトリーチにつないでください。"
            )
        if agency is None:
            errors["agency"] = "つなぐ相談窓口（機関）を選んでください。"
        elif not agency.is_active:
            errors["agency"] = "この機関は現在受け付けていません（無効な機関）。"
        if not categories:
            errors["categories"] = "相談内容を1つ以上選んでください。"
    if errors:
        raise ValidationError(errors)
    if to == "outreach":
        if outreach_record is not None:
            if not works_record(by, outreach_record):
                raise NotVisible("このアウトリーチ対象は閲覧できません。")
        elif not outreach_worker(by):
            raise PermissionDenied(
                "アウトリーチ対象の登録は、アウトリーチ実施機関の支援員が行います。"
                "それ以外の機関からは、アウトリーチ実施機関を相談窓口に選んでつないでください。"
            )
    with transaction.atomic():
        locked = _locked(watch)
        _require_open(locked)
        latest = locked.checks.order_by("-checked_on", "-id").first()
        consultation = None
        if to == "consultation":
            me = acting(by)
            referred = agency.pk != me.agency_id
            consultation = consultation_services.consultation_record(
                by=by,
                received_on=_today(),
                channel="from_agency",
                consulter_type="agency",
                summary=f"見守り「{locked.label}」から：{reason}",
                outcome=Outcome.REFERRED if referred else Outcome.HANDLED,
                categories=list(categories),
                person=locked.person,
                consent_to_share=consent_to_share,
            )
            if referred:
                consultation_services.referral_send(
                    by=by, consultation=consultation, to_agency=agency, reason=reason
                )
        elif outreach_record is None:
            outreach_record = outreach_services.record_create(
                by=by,
                label=locked.label,
                source="agency",
                began_on=_today(),
                area=locked.area,
                address=locked.address,
                known_facts=f"見守り（{locked.agency.name}）から：{reason}",
                # linked when the worker sees the person; else they identify them later
                person=locked.person if _sees_person(by, locked) else None,
            )
        escalation = Escalation.objects.create(
            watch=locked,
            safety_check=latest,
            consultation=consultation,
            outreach_record=outreach_record,
            reason=reason,
            by=by,
        )
        audit_record(
            actor=by,
            action="community.escalate",
            target=escalation,
            persons=watch_persons(locked),
            context={
                "watch": locked.pk,
                "escalation": escalation.pk,
                "to": to,
                "consultation": consultation.pk if consultation else None,
                "outreach": outreach_record.pk if outreach_record else None,
            },
            changes=diff({}, snapshot(escalation)),
        )
    return escalation


def watch_end(*, by, watch: Watch, ended_on: datetime.date | None, reason: str) -> Watch:
    """End the watch, with the date and the reason (the log stays)."""
    _require_keeper(by, watch)
    _require_open(watch)
    reason = (reason or "").strip()
    errors = max_length_errors(Watch, end_reason=reason)
    if not reason:
        errors["end_reason"] = "終了の理由を入力してください。"
    if not _is_date(ended_on):
        errors["ended_on"] = "終了日を入力してください。"
    elif ended_on > _today():
        errors["ended_on"] = "終了日に未来の日付は指定できません。"
    elif ended_on < watch.starts_on:
        errors["ended_on"] = "終了日は見守りの開始日より前にはできません。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(watch)
        _require_open(locked)
        before = snapshot(locked, WATCH_FIELDS)
        locked.ended_on = ended_on
        locked.end_reason = reason
        _recompute(locked)
        locked.save(update_fields=["ended_on", "end_reason", "next_check_on", "updated_at"])
        _audit(by, "community.watch_end", locked, before=before, purpose=reason)
    return locked
