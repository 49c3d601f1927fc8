"""Reads of 気づき・通報: the report list (untriaged first, oldest waiting first), one report,
the untriaged reports for the home page. Every read starts from what the user may see
(``CommunityReport.objects.visible_to(user)``)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from tsunagu.audit.services import audit_read

from ..models import CommunityReport
from ..services.reports import is_triage_overdue, report_persons, triage_due

PANEL_ROWS = 10


@dataclass(frozen=True)
class ReportFilter:
    q: str = ""
    state: str = ""  # "" all / "untriaged" / "triaged"
    origin: str = ""
    triage: str = ""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def report_list(*, user, filters: ReportFilter = ReportFilter()) -> QuerySet[CommunityReport]:
    """Untriaged reports first (the longest waiting first), then the triaged, newest first."""
    qs = CommunityReport.objects.visible_to(user)
    if filters.state == "untriaged":
        qs = qs.filter(triage="")
    elif filters.state == "triaged":
        qs = qs.exclude(triage="")
    if filters.origin:
        qs = qs.filter(origin=filters.origin)
    if filters.triage:
        qs = qs.filter(triage=filters.triage)
    for word in _norm(filters.q).split():
        qs = qs.filter(
            Q(what__icontains=word)
            | Q(place__icontains=word)
            | Q(reporter_name__icontains=word)
            | Q(area__name__icontains=word)
        )
    return qs.annotate(
        _done=Case(When(triage="", then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("_done", "received_at", "id")


def decorate(reports: list[CommunityReport]) -> list[CommunityReport]:
    today = timezone.localdate()
    for r in reports:
        r.overdue = is_triage_overdue(r, today)
        r.due = triage_due(r.received_at) if not r.triage else None
    return reports


def rows_for_ids(ids: list[int]) -> list[CommunityReport]:
    found = {
        r.pk: r
        for r in CommunityReport.objects.filter(pk__in=ids).select_related(
            "agency", "area", "person"
        )
    }
    return decorate([found[pk] for pk in ids if pk in found])


def get_report_for_user(user, pk) -> CommunityReport:
    try:
        report = (
            CommunityReport.objects.visible_to(user)
            .select_related(
                "agency",
                "area",
                "person",
                "activity",
                "triaged_by",
                "recorded_by",
                "consultation",
                "outreach_record",
                "watch",
            )
            .get(pk=int(pk))
        )
    except (CommunityReport.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    return decorate([report])[0]


def untriaged_for(user, limit: int = PANEL_ROWS) -> tuple[list[CommunityReport], int]:
    """The untriaged reports the user sees, the longest waiting first, and how many."""
    qs = CommunityReport.objects.visible_to(user).filter(triage="")
    ids = list(qs.order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    total = qs.count() if len(ids) == limit else len(ids)  # counted only when there are more
    return rows_for_ids(ids), total


def audit_list(request, reports: list[CommunityReport], context: dict) -> None:
    audit_read(
        request,
        "community.report_list",
        persons=[r.person_id for r in reports if r.person_id],
        context={**context, "reports": [r.pk for r in reports]},
    )


def audit_report(request, report: CommunityReport, context: dict | None = None) -> None:
    audit_read(
        request,
        "community.report_view",
        report,
        persons=report_persons(report),
        context={"report": report.pk, **(context or {})},
    )
