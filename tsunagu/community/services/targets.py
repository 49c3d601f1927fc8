"""Writes of the yearly targets (成果目標, 002): the indicators the office defines (a measure of
the records and its filters), the target per 年度, indicator and area, and the year's
evaluation (PDCA). Only the program office writes them; actuals are never typed in — they are
computed from the records (:mod:`tsunagu.community.selectors.targets`).

Every function validates with Japanese messages, writes nothing on an error and records an
audit event in the same transaction.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.fiscal import fiscal_year
from tsunagu.common.validation import max_length_errors

from ..models import (
    ActivityKind,
    Evaluation,
    Indicator,
    Measure,
    ParticipantAttribute,
    Target,
)
from ..permissions import NOT_OFFICE_TARGETS, is_office

INDICATOR_FIELDS = (
    "code",
    "name",
    "measure",
    "activity_kind_id",
    "attribute_id",
    "generation",
    "unit",
    "sort_order",
    "is_active",
)
GENERATIONS = ("children", "youth", "working_age", "elderly")
#: measures over activities (a kind of activity narrows them)
ACTIVITY_MEASURES = {
    Measure.ACTIVITIES,
    Measure.PARTICIPANTS,
    Measure.ATTRIBUTE_PARTICIPANTS,
    Measure.NEW_CONNECTIONS,
    Measure.CONSULTATIONS_RAISED,
}
CODE = re.compile(r"[A-Za-z0-9_-]+")
VALUE_MAX = 10_000_000
EVALUATION_MAX = 8000
#: the earliest 年度 a target may be set for (the program began in 令和3年度)
FIRST_YEAR = 2021


def _require_office(by) -> None:
    if not is_office(by):
        raise PermissionDenied(NOT_OFFICE_TARGETS)


def _check_year(year, errors: dict, *, today=None) -> None:
    from django.utils import timezone

    current = fiscal_year(today or timezone.localdate())
    if not isinstance(year, int) or year < FIRST_YEAR or year > current + 1:
        errors["fiscal_year"] = (
            f"年度は令和3年度（{FIRST_YEAR}年度）から来年度までの間で指定してください。"
        )


def indicator_errors(values: dict) -> dict[str, str]:
    errors = max_length_errors(
        Indicator, **{k: values[k] for k in ("code", "name", "unit") if k in values}
    )
    if not (values.get("name") or "").strip():
        errors["name"] = "指標の名前を入力してください。"
    code = (values.get("code") or "").strip()
    if not code:
        errors["code"] = "コードを入力してください。"
    elif not CODE.fullmatch(code):
        errors["code"] = "コードは半角英数字・ハイフン・アンダースコアで入力してください。"
    measure = values.get("measure")
    if measure not in Measure.values:
        errors["measure"] = "数えるものを選択肢から選んでください。"
        return errors
    kind = values.get("activity_kind")
    if kind is not None and measure not in ACTIVITY_MEASURES:
        errors["activity_kind"] = "活動の種類で絞り込めるのは、活動を数える指標だけです。"
    attribute = values.get("attribute")
    if measure == Measure.ATTRIBUTE_PARTICIPANTS and attribute is None:
        errors["attribute"] = "属性別の参加者数には、参加者の属性を選んでください。"
    elif measure != Measure.ATTRIBUTE_PARTICIPANTS and attribute is not None:
        errors["attribute"] = "参加者の属性は、属性別の参加者数のときに選びます。"
    generation = values.get("generation") or ""
    if generation and generation not in GENERATIONS:
        errors["generation"] = "世代を選択肢から選んでください。"
    elif generation and measure != Measure.PARTICIPANTS:
        errors["generation"] = "世代で絞り込めるのは、参加者数の指標だけです。"
    if kind is not None and not isinstance(kind, ActivityKind):
        errors["activity_kind"] = "活動の種類を選択肢から選んでください。"
    if attribute is not None and not isinstance(attribute, ParticipantAttribute):
        errors["attribute"] = "参加者の属性を選択肢から選んでください。"
    return errors


def indicator_save(*, by, indicator: Indicator | None = None, **values) -> Indicator:
    """Define an indicator (or change one): which records it counts and how they are narrowed."""
    _require_office(by)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    merged = {
        "code": indicator.code if indicator else "",
        "name": indicator.name if indicator else "",
        "measure": indicator.measure if indicator else "",
        "activity_kind": indicator.activity_kind if indicator else None,
        "attribute": indicator.attribute if indicator else None,
        "generation": indicator.generation if indicator else "",
        "unit": indicator.unit if indicator else "件",
        **values,
    }
    errors = indicator_errors(merged)
    duplicate = Indicator.objects.filter(code=merged["code"])
    if indicator is not None:
        duplicate = duplicate.exclude(pk=indicator.pk)
    if "code" not in errors and duplicate.exists():
        errors["code"] = "このコードの指標は既にあります。"
    changes_measure = indicator is not None and values.get("measure", indicator.measure) != (
        indicator.measure
    )
    if changes_measure and indicator.targets.exists():
        errors["measure"] = "目標が設定された指標の「数えるもの」は変えられません。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(indicator, INDICATOR_FIELDS) if indicator else {}
        target = indicator or Indicator()
        for name in ("code", "name", "measure", "activity_kind", "attribute", "generation"):
            setattr(target, name, merged[name] or ("" if name == "generation" else None))
        target.unit = merged["unit"] or "件"
        for name in ("sort_order", "is_active"):
            if name in values:
                setattr(target, name, values[name])
        target.save()
        audit_record(
            actor=by,
            action="community.indicator_save",
            target=target,
            changes=diff(before, snapshot(target, INDICATOR_FIELDS)),
        )
    return target


def targets_set(*, by, fiscal_year: int, area=None, values: dict, today=None) -> list[Target]:
    """Set the targets of a 年度 (city-wide, or for ``area``): ``values`` maps an indicator to
    its target value; ``None`` removes the target. All or nothing."""
    _require_office(by)
    errors: dict[str, str] = {}
    _check_year(fiscal_year, errors, today=today)
    for indicator, value in values.items():
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[f"target.{indicator.code}"] = (
                f"「{indicator.name}」の目標値は0以上の整数で入力してください。"
            )
        elif value > VALUE_MAX:
            errors[f"target.{indicator.code}"] = (
                f"「{indicator.name}」の目標値は{VALUE_MAX:,}以下で入力してください。"
            )
    if errors:
        raise ValidationError(errors)
    saved = []
    with transaction.atomic():
        for indicator, value in values.items():
            found = Target.objects.filter(
                fiscal_year=fiscal_year, indicator=indicator, area=area
            ).first()
            before = {"value": found.value} if found else {}
            if value is None:
                if found is not None:
                    found.delete()
                    audit_record(
                        actor=by,
                        action="community.target_set",
                        target=indicator,
                        context={"fiscal_year": fiscal_year, "area": getattr(area, "pk", None)},
                        changes=diff(before, {}),
                    )
                continue
            if found is not None and found.value == value:
                saved.append(found)
                continue
            if found is None:
                found = Target(fiscal_year=fiscal_year, indicator=indicator, area=area)
            found.value = value
            found.set_by = by
            found.save()
            saved.append(found)
            audit_record(
                actor=by,
                action="community.target_set",
                target=found,
                context={"fiscal_year": fiscal_year, "area": getattr(area, "pk", None)},
                changes=diff(before, {"value": value}),
            )
    return saved


def evaluation_write(*, by, fiscal_year: int, area=None, text: str, today=None) -> Evaluation:
    """The year's evaluation and what to change next year (PDCA)."""
    _require_office(by)
    text = (text or "").strip()
    errors: dict[str, str] = {}
    _check_year(fiscal_year, errors, today=today)
    if not text:
        errors["text"] = "評価を入力してください。"
    elif len(text) > EVALUATION_MAX:
        errors["text"] = f"評価は{EVALUATION_MAX}文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found = (
            Evaluation.objects.select_for_update()
            .filter(fiscal_year=fiscal_year, area=area)
            .first()
        )
        before = {"text": found.text} if found else {}
        if found is None:
            found = Evaluation(fiscal_year=fiscal_year, area=area)
        found.text = text
        found.written_by = by
        found.save()
        audit_record(
            actor=by,
            action="community.evaluation_write",
            target=found,
            context={"fiscal_year": fiscal_year, "area": getattr(area, "pk", None)},
            changes=diff(before, {"text": text}),
        )
    return found
