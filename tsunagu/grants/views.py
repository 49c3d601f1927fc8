"""The program office's page of who may see a person and why, and its Excel export for a
disclosure request (開示請求).

Only the office (``acting(user).is_office``) gets them; for anyone else, as for a person the
user may not see, they answer 404. Each read and each export is audited.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagu.audit.services import audit_read
from tsunagu.common.spreadsheet import audit_export
from tsunagu.common.views import personal_data_view

from . import export
from .selectors import PersonAccess, get_person_access_for_user


def _audit(request: HttpRequest, action: str, access: PersonAccess, fmt: str) -> None:
    audit_read(
        request,
        action,
        access.person,
        persons=[access.person.pk],
        context={**access.audit_context(), "format": fmt},
    )


@personal_data_view("people.use")
def person_access(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_person_access_for_user(request.user, pk)
    _audit(request, "person.access_view", access, "html")
    return render(
        request,
        "grants/person_access.html",
        {"person": access.person, "access": access, "rows": access.rows},
    )


def attachment_header(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the Japanese name in
    ``filename*`` (RFC 5987 / RFC 6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@personal_data_view("people.use")
def person_access_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_person_access_for_user(request.user, pk)
    audit_export(
        request,
        "person.access_export",
        access.person,
        fmt="xlsx",
        title=export.TITLE,
        count=len(access.rows),
        persons=[access.person.pk],
        context={**access.audit_context(), "format": "xlsx"},
    )
    response = FileResponse(
        export.workbook(access, user=request.user), content_type=export.CONTENT_TYPE
    )
    response["Content-Disposition"] = attachment_header(
        export.filename(access), export.filename_ascii(access)
    )
    return response
