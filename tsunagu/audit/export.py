"""The audit log as a file for Excel: the events the filters find, newest first, each moment in
ISO and in 和暦, actions and roles in Japanese, a target named only where the reader may see
it (as on the page)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from tsunagu.common.spreadsheet import chunks, dated, moment_cells

from . import selectors

TITLE = "監査ログ"
HEADER = (
    "連番",
    *dated("日時"),
    "操作者ID",
    "所属機関",
    "役割",
    "操作",
    "操作の種類",
    "対象種別",
    "対象ID",
    "対象",
    "本人ID",
    "文脈",
    "目的",
    "経路",
)
WIDTHS = (10, 18, 20, 14, 24, 20, 24, 22, 18, 8, 24, 20, 40, 20, 6)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder) if value else ""


def rows(user, events):
    for batch in chunks(events):
        for e in selectors.events_described(user=user, events=batch):
            yield [
                e.seq,
                *moment_cells(e.occurred_at),
                e.actor_username or "（システム）",
                e.acting_agency.name if e.acting_agency_id else "",
                e.role_label,
                e.action_label,
                e.action,
                e.target_type,
                e.target_id,
                e.target_label,
                ", ".join(str(pid) for pid in e.person_ids),
                _json(e.context),
                e.purpose,
                e.via,
            ]
