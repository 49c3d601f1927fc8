"""The ecomap on the meeting's 事例概要シート (PDF), registered in ``ReportsConfig.ready()``
through ``tsunagu.meetings.hooks``: the case's household (or person) as the one who prints
the sheet sees it, only where the sheet carries personal content at all."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .graph import case_subject_ecomap
from .reads import audit_ecomap
from .svg import render_svg


def sheet_figure(request, item, sheet: dict) -> SafeString | str:
    if not sheet.get("personal_content") or item.case_id is None:
        return ""
    found = case_subject_ecomap(request.user, item.case)
    if found is None:
        return ""
    subject, ecomap = found
    audit_ecomap(request, ecomap, subject, "pdf", meeting=item.meeting_id, item=item.pk)
    html = render_to_string(
        "reports/ecomap_sheet.html",
        {
            "ecomap": ecomap,
            "svg": mark_safe(render_svg(ecomap, standalone=False)),
            "rows": ecomap.rows(),
        },
    )
    return mark_safe(html)
