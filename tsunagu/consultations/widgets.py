"""The home page's referral panels (つなぎ), registered in ``ConsultationsConfig.ready()``."""

from __future__ import annotations

from tsunagu.audit.services import audit_read
from tsunagu.common.paging import first_rows

from .selectors import referral_attention, subject_person_ids

PANEL_ROWS = 5


def referral_panels(user, *, request) -> dict:
    """Referrals that need the acting agency's attention (those who take consultations);
    the persons named are an audited read."""
    if not user.has_perm("consultations.use"):
        return {}
    panels = {}
    shown = []
    for key, qs in referral_attention(user=user).items():
        rows = first_rows(qs, PANEL_ROWS)
        panels[key] = {"rows": rows, "count": qs.count() if len(rows) == PANEL_ROWS else len(rows)}
        shown.extend(rows)
    persons = subject_person_ids(shown)
    if persons:
        audit_read(request, "dashboard.view", persons=persons, purpose="ダッシュボードの確認")
    return {"referral_panels": panels}
