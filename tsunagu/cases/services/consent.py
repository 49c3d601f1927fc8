"""同意 (consent) of each person of a case: recording a version, withdrawing it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.cases import hooks
from tsunagu.cases.models import (
    Case,
    Consent,
    ConsentMethod,
)
from tsunagu.cases.services.case import require_coordinating
from tsunagu.common.validation import max_length_errors
from tsunagu.people.models import Person

ADULT_AGE = 18


def consent_subjects(case: Case) -> list:
    """Who may consent on a case: its person and the household's current members."""
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
    require_coordinating(by, case)
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
    require_coordinating(by, case)
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
