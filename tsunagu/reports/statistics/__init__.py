"""年度別実施状況: the statistics of every program, computed from the records.

:func:`report` is the one computation; the page, the API and the workbook render its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Area

from .engine import Scope, SectionResult
from .period import Period
from .sections import sections


@dataclass
class Report:
    municipality: str
    period: Period
    scope: Scope
    agency: Agency | None
    area: Area | None
    made_at: datetime
    sections: list[SectionResult]

    @property
    def scope_label(self) -> str:
        parts = [self.agency.name if self.agency else f"{self.municipality}全体"]
        if self.area:
            parts.append(f"圏域：{self.area.name}")
        return "・".join(parts)


def _area_ids(area: Area) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Area.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [area.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return frozenset(found)


def scope_for(user, *, agency_id: int | None = None, area_id: int | None = None) -> Scope:
    """Whose figures ``user`` may read: the office any agency's or the whole municipality's
    (small counts shown); any other staff member only their own agency's (small counts hidden).
    Asking for another agency, or an agency or 圏域 that does not exist, is a ValidationError."""
    me = acting(user)
    if not me.works_with_persons:
        raise ValidationError("統計を見る権限がありません")
    if me.is_office:
        if agency_id is not None and not Agency.objects.filter(pk=agency_id).exists():
            raise ValidationError({"agency": "指定した機関は登録されていません"})
        chosen = agency_id
    else:
        if agency_id is not None and agency_id != me.agency_id:
            raise ValidationError(
                {"agency": "ほかの機関の統計は見られません（自分の機関の統計だけを表示します）"}
            )
        chosen = me.agency_id
    area = None
    if area_id is not None:
        area = Area.objects.filter(pk=area_id).first()
        if area is None:
            raise ValidationError({"area": "指定した圏域は登録されていません"})
    return Scope(
        agency_id=chosen,
        area_id=area.pk if area else None,
        area_ids=_area_ids(area) if area else None,
        protect=not me.is_office,
    )


def report(period: Period, scope: Scope, *, only: str = "") -> Report:
    """Every program's tables for the period and scope (or only the section ``only``)."""
    results = []
    for section in sections():
        if only and section.key != only:
            continue
        results.append(SectionResult(section.key, section.title, section.build(period, scope)))
    return Report(
        municipality=settings.TSUNAGU["MUNICIPALITY_NAME"],
        period=period,
        scope=scope,
        agency=Agency.objects.filter(pk=scope.agency_id).first() if scope.agency_id else None,
        area=Area.objects.filter(pk=scope.area_id).first() if scope.area_id else None,
        made_at=timezone.localtime(),
        sections=results,
    )
