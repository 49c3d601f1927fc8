"""What 参加支援 adds to other pages (registered in ``ParticipationConfig.ready()``):

- the case page: the participation records beside the 多機関協働 case, with their matches;
- the home page: the participation worker's follow-ups and keeping in touch falling due this
  week or overdue.
"""

from __future__ import annotations

from tsunagu.audit.services import audit_read

from . import selectors
from .permissions import participation_role


def case_panel(user, case) -> dict:
    """The case page's 参加支援 section (read audited by the case page)."""
    records = selectors.records_beside_case(user, case)
    for record in records:
        record.match_list = list(
            record.matches.select_related("resource").order_by("-proposed_on", "-id")
        )
    return {"participation_panel": {"records": records}} if records else {}


def dashboard_panel(user, *, request) -> dict:
    if not participation_role(user):
        return {}
    dues = selectors.dues(user)
    if dues:
        audit_read(
            request,
            "dashboard.view",
            persons=sorted({d.record.person_id for d in dues}),
            context={
                "panel": "participation",
                "participation": sorted({d.record.pk for d in dues}),
            },
            purpose="ダッシュボードの確認",
        )
    return {
        "participation_dashboard": {
            "rows": dues,
            "overdue": sum(1 for d in dues if d.overdue),
        }
    }
