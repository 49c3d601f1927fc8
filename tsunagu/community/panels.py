"""What 見守り adds to other pages (registered in ``CommunityConfig.ready()``):

- the home page: the user's watches whose check is overdue and the untriaged reports they
  see (those past three office days flagged), each with how many there are;
- the person page: the person's watches the viewer sees.
"""

from __future__ import annotations

from tsunagu.audit.services import audit_read
from tsunagu.people.panels import AUDIT

from .permissions import keeps_watches
from .selectors import reports as report_selectors
from .selectors import watches as watch_selectors


def dashboard_panel(user, *, request) -> dict:
    """Overdue checks and untriaged reports, for those who keep watches."""
    if not keeps_watches(user):
        return {}
    watches, watch_total = watch_selectors.overdue_for(user)
    reports, report_total = report_selectors.untriaged_for(user)
    if not watches and not reports:
        return {}
    audit_read(
        request,
        "dashboard.view",
        persons=[
            *(w.person_id for w in watches if w.person_id),
            *(r.person_id for r in reports if r.person_id),
        ],
        context={
            "panel": "community",
            "watches": [w.pk for w in watches],
            "reports": [r.pk for r in reports],
        },
        purpose="ダッシュボードの確認",
    )
    return {
        "community_dashboard": {
            "watches": watches,
            "watch_total": watch_total,
            "watch_more": watch_total - len(watches),
            "reports": reports,
            "report_total": report_total,
            "report_more": report_total - len(reports),
            "reports_overdue": sum(1 for r in reports if r.overdue),
        }
    }


def person_panel(user, person) -> dict:
    """The person's watches the viewer sees (covered by the person page's audited read)."""
    if not keeps_watches(user):
        return {}
    watches = watch_selectors.watches_of_person(user, person.pk)
    if not watches:
        return {}
    return {"community_watches": watches, AUDIT: {"watches": [w.pk for w in watches]}}
