"""Writes on persons and households; each records an audit event in the same transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import (
    kana_error,
    kana_reading,
    max_length_errors,
    phone_error,
    phone_number,
)

from . import hooks
from .models import Household, HouseholdMember, Person, Relation, Sex


def person_create(
    *,
    by,
    name: str,
    name_kana: str,
    birth_date: datetime.date | None = None,
    sex: str = Sex.UNKNOWN,
    address: str = "",
    phone: str = "",
    postal_code: str = "",
    mobile_phone: str = "",
    contact_notes: str = "",
    agency=None,
    purpose: str = "",
) -> Person:
    if not name.strip():
        raise ValidationError({"name": "氏名を入力してください。"})
    if not name_kana.strip():
        raise ValidationError({"name_kana": "フリガナを入力してください。"})
    sex = sex or Sex.UNKNOWN  # not chosen: 不明・回答なし
    if sex not in Sex.values:
        raise ValidationError({"sex": "性別の値が正しくありません。"})
    if birth_date and birth_date > timezone.localdate():
        raise ValidationError({"birth_date": "生年月日が未来の日付になっています。"})
    errors = {
        field: message
        for field, message in (
            ("name_kana", kana_error(name_kana)),
            ("phone", phone_error(phone, "電話番号")),
            ("mobile_phone", phone_error(mobile_phone, "携帯電話")),
        )
        if message
    }
    name_kana = kana_reading(name_kana)
    phone, mobile_phone = phone_number(phone), phone_number(mobile_phone)
    errors = (
        max_length_errors(
            Person,
            name=name.strip(),
            name_kana=name_kana,
            address=address,
            phone=phone,
            postal_code=postal_code,
            mobile_phone=mobile_phone,
        )
        | errors
    )
    if errors:
        raise ValidationError(errors)
    membership = acting(by).membership
    with transaction.atomic():
        person = Person(
            name=name.strip(),
            name_kana=name_kana.strip(),
            birth_date=birth_date,
            sex=sex,
            address=address,
            phone=phone,
            postal_code=postal_code,
            mobile_phone=mobile_phone,
            contact_notes=contact_notes,
            registered_by_agency=agency or getattr(membership, "agency", None),
        )
        person.refresh_search_keys()
        person.save()
        audit_record(
            actor=by,
            action="person.create",
            target=person,
            persons=[person],
            purpose=purpose,
            changes=diff({}, snapshot(person)),
        )
    return person


def household_create(
    *, by, label: str, address: str = "", notes: str = "", agency=None, purpose: str = ""
) -> Household:
    if not label.strip():
        raise ValidationError({"label": "世帯の呼称を入力してください。"})
    too_long = max_length_errors(Household, label=label, address=address)
    if too_long:
        raise ValidationError(too_long)
    membership = acting(by).membership
    with transaction.atomic():
        household = Household.objects.create(
            label=label.strip(),
            address=address,
            notes=notes,
            registered_by_agency=agency or getattr(membership, "agency", None),
        )
        audit_record(
            actor=by,
            action="household.create",
            target=household,
            purpose=purpose,
            changes=diff({}, snapshot(household)),
        )
    return household


def household_add_member(
    *,
    by,
    household: Household,
    person: Person,
    relation: str,
    start_date: datetime.date | None = None,
    purpose: str = "",
) -> HouseholdMember:
    if relation not in Relation.values:
        raise ValidationError({"relation": "続柄の値が正しくありません。"})
    if by is not None and not (access.can_view(by, household) and access.can_view(by, person)):
        raise PermissionDenied("指定された本人・世帯は見つかりません。")
    if HouseholdMember.objects.filter(
        household=household, person=person, end_date__isnull=True
    ).exists():
        raise ValidationError("この方は既にこの世帯の世帯員です。")
    with transaction.atomic():
        member = HouseholdMember.objects.create(
            household=household, person=person, relation=relation, start_date=start_date
        )
        audit_record(
            actor=by,
            action="household.member_add",
            target=household,
            persons=[person],
            purpose=purpose,
            changes=diff({}, snapshot(member)),
        )
    return member


class DuplicateSuspected(ValidationError):
    """Raised when a person looks already registered and the user has not confirmed."""

    def __init__(self, result):
        self.result = result
        super().__init__(
            "同じ方が既に登録されている可能性があります。確認のうえ、別の方として登録する場合は"
            "「上記とは別の方として登録する」を選んでください。"
        )


def person_register(
    *,
    by,
    name: str,
    name_kana: str,
    birth_date: datetime.date | None = None,
    confirm_not_duplicate: bool = False,
    duplicate_reason: str = "",
    **fields,
) -> Person:
    """Register a new person after the "is this person known?" check.

    When possible matches exist, registration needs ``confirm_not_duplicate`` and is audited
    as ``person.create_confirmed_distinct`` with the ids that were set aside.
    """
    from .selectors import known_person_check

    result = known_person_check(
        user=by,
        name=name,
        name_kana=name_kana,
        birth_date=birth_date,
        sex=fields.get("sex", ""),
        address=fields.get("address", ""),
        phones=(fields.get("phone", ""), fields.get("mobile_phone", "")),
    )
    if result.found and not confirm_not_duplicate:
        raise DuplicateSuspected(result)
    if result.found and not duplicate_reason.strip():
        raise ValidationError(
            {"duplicate_reason": "別の方と判断した理由を入力してください（記録に残ります）。"}
        )
    with transaction.atomic():
        person = person_create(
            by=by, name=name, name_kana=name_kana, birth_date=birth_date, **fields
        )
        if result.found:
            audit_record(
                actor=by,
                action="person.create_confirmed_distinct",
                target=person,
                persons=[person.pk, *(m.person_id for m in result.matches)],
                purpose=duplicate_reason,
                context={"set_aside": [m.person_id for m in result.matches]},
            )
            _queue_for_review(person, result.matches)
    return person


def _queue_for_review(person: Person, matches) -> None:
    """Registered as a different person despite a match: a coordinator or the program office
    reviews the pair in the 名寄せ queue (nothing is merged without that review)."""
    others = Person.objects.filter(pk__in=[m.person_id for m in matches], is_archived=False)
    reasons = {m.person_id: m.reasons for m in matches}
    for other in others:
        hooks.queue_registration_pair(
            person_a=person, person_b=other, reasons=reasons.get(other.pk, [])
        )
