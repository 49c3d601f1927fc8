"""Screens of the 事例概要シート: the sheet of one agenda item, on screen and as a PDF.

A meeting the user may not see, or an item not on it, answers 404; a meeting the user sees
without the right to its materials (a 支援会議 before the member's pledge, an expired
invitation) answers 403 with the reason. Every view and download is audited.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from tsunagu.audit.services import audit_read
from tsunagu.common.views import personal_data_view

from . import hooks, selectors, summary
from .models import AgendaItem
from .pdf import render_pdf


def _forbidden(request: HttpRequest, item: AgendaItem) -> HttpResponse | None:
    if request.user.has_perm("meetings.view_materials", item.meeting):
        return None
    message = summary.materials_denied_message(item.meeting)
    return render(
        request, "meetings/summary_sheet_forbidden.html", {"message": message}, status=403
    )


def _sheet(request: HttpRequest, item: AgendaItem, fmt: str) -> dict:
    sheet = summary.summary_sheet(item)
    audit_read(
        request,
        "meeting.summary_sheet",
        item,
        persons=summary.audit_persons(item),
        context=summary.audit_context(item, sheet, fmt),
    )
    return sheet


@personal_data_view("meetings.use")
def summary_sheet(request: HttpRequest, meeting_pk: int, item_pk: int) -> HttpResponse:
    item = selectors.get_sheet_item_for_user(request.user, meeting_pk, item_pk)
    if (denied := _forbidden(request, item)) is not None:
        return denied
    sheet = _sheet(request, item, "html")
    return render(request, "meetings/summary_sheet.html", {"sheet": sheet, "item": item})


def pdf_response(item: AgendaItem, sheet: dict, request: HttpRequest | None = None) -> HttpResponse:
    figures = hooks.sheet_figures(request, item, sheet) if request is not None else []
    html = render_to_string("meetings/summary_sheet_pdf.html", {"sheet": sheet, "figures": figures})
    response = HttpResponse(
        render_pdf(html, header=sheet["meeting"]["header"]), content_type="application/pdf"
    )
    response["Content-Disposition"] = attachment_header(
        summary.sheet_filename(item), summary.sheet_filename_ascii(item)
    )
    return response


def attachment_header(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the Japanese name in
    ``filename*`` (RFC 5987 / RFC 6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@personal_data_view("meetings.use")
def summary_sheet_pdf(request: HttpRequest, meeting_pk: int, item_pk: int) -> HttpResponse:
    item = selectors.get_sheet_item_for_user(request.user, meeting_pk, item_pk)
    if (denied := _forbidden(request, item)) is not None:
        return denied
    return pdf_response(item, _sheet(request, item, "pdf"), request)
