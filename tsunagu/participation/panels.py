"""What 参加支援 adds to other pages (registered in ``ParticipationConfig.ready()``):

- the case page: the participation records beside the 多機関協働 case, with their matches;
- the person page: the person's participation records the viewer sees (see
  :func:`person_panel`);
- the home page: the participation worker's follow-ups and keeping in touch falling due this
  week or overdue (at most :data:`DASHBOARD_ROWS`, with how many more);
- the 不足する社会資源 register: how many people wait on each gap, and links to the records
  waiting on a gap that the viewer sees.
"""

from __future__ import annotations

from django.urls import reverse

from tsunagu.audit.services import audit_read, audit_record
from tsunagu.people.panels import AUDIT

from . import selectors
from .permissions import participation_role

#: the home page shows the first rows of what falls due, then 「ほか N 件」 (the list has all)
DASHBOARD_ROWS = 10


def case_panel(user, case) -> dict:
    """The case page's 参加支援 section (read audited by the case page)."""
    records = selectors.records_beside_case(user, case)
    for record in records:
        record.match_list = list(
            record.matches.select_related("resource").order_by("-proposed_on", "-id")
        )
    return {"participation_panel": {"records": records}} if records else {}


def person_panel(user, person) -> dict:
    """The person page's 参加支援 section (its ids go into the page's audited read), shown by
    ``participation/_person_panel.html``."""
    records = selectors.records_of_person(user, person)
    if not records:
        return {}
    return {"participation_records": records, AUDIT: {"participation": [r.pk for r in records]}}


def gap_people(gap_ids: list[int]) -> dict[int, int]:
    """The register's count of the people a gap affects (distinct persons waiting)."""
    return selectors.people_waiting(gap_ids)


def gap_links(user, gap) -> list[tuple[str, str]]:
    """The participation records waiting on ``gap`` that ``user`` may see, as links named
    after the person; the read of those names is recorded (nothing for a user who sees none)."""
    records = selectors.records_waiting_on(user, gap)
    if not records:
        return []
    audit_record(
        actor=user,
        action="participation.view",
        persons=sorted({r.person_id for r in records}),
        context={
            "page": "resource_gap",
            "gap": gap.pk,
            "participation": [r.pk for r in records],
        },
    )
    return [
        (f"参加支援：{r.person.name}", reverse("participation:record_detail", args=[r.pk]))
        for r in records
    ]


def dashboard_panel(user, *, request) -> dict:
    if not participation_role(user):
        return {}
    keys = selectors.due_keys(user)
    shown = selectors.dues_for(keys[:DASHBOARD_ROWS])
    if shown:
        audit_read(
            request,
            "dashboard.view",
            persons=sorted({d.record.person_id for d in shown}),
            context={
                "panel": "participation",
                "participation": sorted({d.record.pk for d in shown}),
            },
            purpose="ダッシュボードの確認",
        )
    return {
        "participation_dashboard": {
            "rows": shown,
            "total": len(keys),
            "more": len(keys) - len(shown),
            "overdue": sum(1 for k in keys if k.overdue),
        }
    }
