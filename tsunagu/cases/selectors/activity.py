"""支援経過記録: what the case page, the log and the dashboard read."""

from __future__ import annotations

from django.db.models import F, QuerySet

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_read
from tsunagu.cases.models import Activity, Case
from tsunagu.cases.permissions import coordinating_role, may_record_activity
from tsunagu.common.paging import COUNT_CAP, first_rows

PANEL_ROWS = 5


def only_unseen(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.filter(seen_by_coordinator_at__isnull=True).exclude(
        agency_id=F("case__coordinating_agency_id")
    )


def activity_list(*, case: Case, kind: str = "", agency_id: int | None = None) -> QuerySet:
    """The case's entries, newest first. Callers have checked that the user sees ``case``."""
    qs = Activity.objects.filter(case_id=case.pk).select_related("agency", "recorded_by")
    if kind:
        qs = qs.filter(kind=kind)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return qs.order_by("-occurred_on", "-recorded_at", "-id")


def own_agency_only(user, case: Case) -> int | None:
    """The user's agency when they may see only its own entries on ``case`` (the current
    consent does not name it: domain.md §6); ``None`` when they see every entry."""
    if getattr(case, "content_visible", None) is None:
        case.content_visible = access.sees_case_content(user, case)
    return None if case.content_visible else access.acting_agency_id(user)


def recording_agencies(case: Case) -> list:
    """The agencies that have recorded entries on the case (for the filter)."""

    ids = Activity.objects.filter(case_id=case.pk).values("agency_id")
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def unseen_count(case: Case) -> int:
    return only_unseen(Activity.objects.filter(case_id=case.pk)).count()


def contact_attempts(case: Case) -> QuerySet[Activity]:
    """The case's recorded attempts to reach the person, in the order they were made (a
    meeting deciding suspension records them: domain.md §5.2 ※)."""
    return (
        Activity.objects.filter(case_id=case.pk, is_contact_attempt=True)
        .select_related("agency", "recorded_by")
        .order_by("occurred_on", "recorded_at", "id")
    )


def unseen_for(user) -> QuerySet[Activity]:
    """Entries from other agencies not yet seen by the coordinator, on the cases ``user``
    manages (all of them for the program office), newest first.

    The cases an agency coordinates are visible to it by the rule (``access.rule_cases``), so
    they are read directly, without the grants."""
    if not coordinating_role(user):
        return Activity.objects.none()
    qs = Activity.objects.all()
    if not access.sees_everything(user):
        qs = qs.filter(case__coordinating_agency_id=access.acting_agency_id(user))
    return (
        only_unseen(qs)
        .select_related("case", "case__person", "case__household", "agency", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


def case_panel(user, case) -> dict:
    """Context for the case page's activity section: the latest entries, how many the
    coordinator has not seen (for those who manage the case) and the links.
    The case page's own audited read covers the persons shown here."""
    qs = activity_list(case=case, agency_id=own_agency_only(user, case))
    rows = list(qs[:PANEL_ROWS])
    manages = user.has_perm("cases.manage_case", case)
    return {
        "activity_panel": {
            "rows": rows,
            "count": qs.count() if len(rows) == PANEL_ROWS else len(rows),
            "unseen": unseen_count(case) if manages else None,
            "may_record": may_record_activity(user, case),
        }
    }


def dashboard_panel(user, *, request) -> dict:
    """Context for the dashboard's activity panel: for a coordinator or the program office,
    entries from other agencies on the cases they manage that the coordinator has not seen
    yet. The persons named are an audited read. Nothing for other roles."""
    from tsunagu.cases.selectors.case import subject_person_ids

    if not acting(user).coordinates:
        return {}
    qs = unseen_for(user)
    rows = first_rows(qs, PANEL_ROWS)
    # counted up to the lists' cap: a coordinator away for weeks has thousands unseen
    counted = len(rows)
    if counted == PANEL_ROWS:
        counted = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    count, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    persons = subject_person_ids([row.case for row in rows])
    if rows:
        audit_read(
            request,
            "dashboard.view",
            persons=persons,
            purpose="ダッシュボードの確認",
            context={"panel": "activity", "activities": [row.pk for row in rows]},
        )
    return {"activity_dashboard": {"rows": rows, "count": count, "capped": capped}}
