"""閲覧の根拠 and 閲覧・変更の履歴: who may see the person and why, and every audited read and
change concerning them, newest first."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from tsunagu.audit.labels import action_label, kind_label, role_label
from tsunagu.audit.models import AuditEvent
from tsunagu.grants.selectors import person_access
from tsunagu.people.models import Household, Person

from .base import (
    CHUNK,
    LONG,
    MOMENT,
    Column,
    Part,
    Subject,
    Table,
    agency_name,
    each,
    joined,
    name_of,
)

# ---------------------------------------------------------------------------- 閲覧の根拠


def grants_part(subject: Subject) -> Part:
    access = person_access(user=subject.user, person=subject.person)
    rows = access.rows if access is not None else []
    columns = (
        Column("機関", width=28),
        Column("対象", width=24),
        Column("根拠", width=30),
        Column("開始", MOMENT),
        Column("終了", MOMENT),
    )

    def table_rows(current: bool):
        def rows_of():
            for row in rows:
                if row.is_current == current:
                    yield (
                        row.agency_name,
                        row.subject,
                        row.basis_label,
                        row.valid_from,
                        row.valid_until if row.valid_until else "現在も",
                    )

        return rows_of

    return Part(
        "grants",
        "閲覧の根拠",
        "誰がこの方の情報を見られるか、その根拠",
        [
            Table("現在の根拠", columns, rows=table_rows(True)),
            Table("終わった根拠（閲覧できた期間）", columns, rows=table_rows(False)),
        ],
        count=len(rows),
        note=(
            "対象が世帯・事例の行は、この方が世帯員である（あった）世帯、この方が本人である"
            "多機関協働の事例の記録を見られる根拠です。自治体の事務局は事業全体を所管するため、"
            "この表の根拠によらず、すべての方の情報を見られます。"
        ),
    )


# ---------------------------------------------------------------------------- 閲覧・変更の履歴

VIA_LABELS = {"web": "画面", "api": "API", "admin": "管理画面", "cli": "コマンド"}
#: The longest text of a context or changes cell (an Excel cell holds 32,767 characters).
DETAIL_LIMIT = 4000
#: The events the PDF lists (newest first); the workbook lists them all.
PDF_EVENT_LIMIT = 3000


def _detail(value) -> str:
    if not value:
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 1] + "…"


def _target_labels(events: Sequence[AuditEvent]) -> dict[tuple[str, str], str]:
    """``{(target_type, target_id): label}``: the kind and number of each target, a record of
    a case named by its case (``事例 #3 のアセスメント（#5）``)."""
    ids_by_type: dict[str, set[str]] = {}
    for event in events:
        if event.target_type and event.target_id:
            ids_by_type.setdefault(event.target_type, set()).add(event.target_id)
    labels: dict[tuple[str, str], str] = {}
    for target_type, ids in ids_by_type.items():
        kind = kind_label(target_type)
        for target_id in ids:
            labels[(target_type, target_id)] = f"{kind} #{target_id}"
        model = _model(target_type)
        numbers = [int(i) for i in ids if i.isdigit()]
        if model is None or not numbers or target_type == "cases.case":
            continue
        try:
            case_field = model._meta.get_field("case")
        except FieldDoesNotExist:
            continue
        if not case_field.concrete:  # a reverse relation (a referral's case) names no case
            continue
        rows = model._default_manager.filter(pk__in=numbers).values_list("pk", "case_id")
        for pk, case_id in rows:
            if case_id is not None:
                labels[(target_type, str(pk))] = f"事例 #{case_id} の{kind}（#{pk}）"
    return labels


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def history_events(person: Person):
    """Every audit event linked to ``person``, newest first."""
    return (
        AuditEvent.objects.filter(person_links__person_id=person.pk)
        .select_related("actor", "acting_agency")
        .order_by("-occurred_at", "-id")
    )


def history_part(subject: Subject) -> Part:
    person = subject.person
    households = {
        str(pk): label
        for pk, label in Household.objects.filter(pk__in=subject.household_ids).values_list(
            "pk", "label"
        )
    }
    queryset = history_events(person)

    def label_of(event, labels) -> str:
        if not event.target_type:
            return ""
        if event.target_type == "people.person":
            if event.target_id == str(person.pk):
                return f"この方（本人 #{person.pk}）"
            return f"別の方（本人 #{event.target_id}）"
        if event.target_type == "people.household":
            if event.target_id in households:
                return f"{households[event.target_id]}（世帯 #{event.target_id}）"
            return f"世帯 #{event.target_id}"
        key = (event.target_type, event.target_id)
        return labels.get(key) or f"{kind_label(event.target_type)} #{event.target_id}"

    def rows():
        batch: list[AuditEvent] = []

        def flush():
            labels = _target_labels(batch)
            for event in batch:
                yield (
                    event.occurred_at,
                    name_of(event.actor) or event.actor_username,
                    event.actor_username,
                    agency_name(event.acting_agency),
                    role_label(event.acting_role),
                    action_label(event.action),
                    label_of(event, labels),
                    event.purpose,
                    _detail(event.context),
                    _detail(event.changes),
                    VIA_LABELS.get(event.via, event.via),
                    event.action,
                    str(event.seq),
                )

        for event in each(queryset):
            batch.append(event)
            if len(batch) >= CHUNK:
                yield from flush()
                batch = []
        if batch:
            yield from flush()

    def pdf_row(row: Sequence) -> Sequence:
        who = joined((row[1], "・".join(v for v in (row[3], row[4]) if v)))
        what = joined((row[5], row[6]))
        why = joined((row[7], row[8][:300] + ("…" if len(row[8]) > 300 else "")))
        return row[0], who, what, why

    return Part(
        "history",
        "閲覧・変更の履歴",
        "閲覧・変更の履歴（新しい順）",
        [
            Table(
                "閲覧・変更の履歴",
                (
                    Column("日時", MOMENT),
                    Column("操作者", width=16),
                    Column("操作者ID", width=14),
                    Column("所属機関", width=24),
                    Column("役割", width=20),
                    Column("操作", width=28),
                    Column("対象", width=28),
                    Column("目的", width=24),
                    Column("文脈", LONG, 40),
                    Column("変更内容", LONG, 40),
                    Column("経路", width=8),
                    Column("操作の記号", width=24),
                    Column("連番", width=10),
                ),
                rows=rows,
                pdf_columns=(
                    Column("日時", MOMENT),
                    Column("操作者・所属機関・役割", LONG),
                    Column("操作・対象", LONG),
                    Column("目的・文脈", LONG),
                ),
                pdf_row=pdf_row,
                pdf_limit=PDF_EVENT_LIMIT,
            )
        ],
        count=queryset.count(),
        note=(
            "この方に関わる記録の閲覧と変更を、監査ログから新しい順にすべて載せています"
            "（操作者・操作時の所属機関と役割・操作・対象・目的・文脈）。"
        ),
    )
