"""Making the answer to a disclosure request, for the page and the API alike: who may (the
program office only; anyone else gets 404, as for a person they may not see), the file, and
its audit (``person.disclosure_export``: the person, the format, the reference number and
date, and the rows of each part)."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.audit.labels import role_label
from tsunagu.audit.services import audit_read
from tsunagu.people.models import Person
from tsunagu.people.selectors import get_person_for_user

from . import document, record
from . import workbook as workbook_file

FORMATS = ("xlsx", "pdf")
VIEW_ACTION = "person.disclosure_view"
EXPORT_ACTION = "person.disclosure_export"
TITLE = "開示請求への回答"


def get_subject_for_user(user, pk) -> record.Subject:
    """The person ``pk`` and their records' ids, for the office; ``Http404`` for anyone else
    and for a person that does not exist."""
    if not record.may_answer(user):
        raise Http404
    return record.Subject.of(get_person_for_user(user, pk), user)


def summary(subject: record.Subject) -> list[record.Part]:
    return record.parts(subject)


def made_by(user) -> str:
    me = acting(user)
    name = record.name_of(user)
    if not me:
        return name
    return f"{name}（{me.agency.name}・{role_label(me.role)}）"


def cover(subject: record.Subject, request_data: dict, made_at: datetime.datetime):
    person: Person = subject.person
    return workbook_file.Cover(
        municipality=settings.TSUNAGU["MUNICIPALITY_NAME"],
        person_name=person.name,
        person_kana=person.name_kana,
        person_id=person.pk,
        reference=request_data["reference"],
        requested_on=request_data["requested_on"],
        note=request_data.get("note", ""),
        made_at=made_at,
        made_by=made_by(subject.user),
    )


def filenames(person: Person, fmt: str, made_at: datetime.datetime) -> tuple[str, str]:
    stamp = timezone.localtime(made_at).strftime("%Y%m%d")
    return (
        f"{TITLE}_本人{person.pk}_{stamp}.{fmt}",
        f"disclosure_person_{person.pk}_{stamp}.{fmt}",
    )


def _disposition(name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def purpose(request_data: dict) -> str:
    return f"開示請求への回答（受付番号 {request_data['reference']}）"[:200]


def _audit(request, subject, fmt: str, request_data: dict, counts: dict, extra=None) -> None:
    rows = {key: sum(tables.values()) for key, tables in counts.items()}
    audit_read(
        request,
        EXPORT_ACTION,
        subject.person,
        persons=[subject.person.pk],
        purpose=purpose(request_data),
        context={
            "format": fmt,
            "reference": request_data["reference"],
            "requested_on": request_data["requested_on"].isoformat(),
            "note": request_data.get("note", ""),
            "parts": rows,
            "tables": counts,
            "rows": sum(rows.values()),
            **(extra or {}),
        },
    )


def respond(request, subject: record.Subject, fmt: str, request_data: dict) -> HttpResponse:
    """The answer as a file (``fmt`` is ``xlsx`` or ``pdf``), audited once it is made."""
    made_at = timezone.now()
    parts = record.parts(subject)
    the_cover = cover(subject, request_data, made_at)
    name, fallback = filenames(subject.person, fmt, made_at)
    if fmt == "xlsx":
        spool, counts = workbook_file.workbook(parts, the_cover)
        try:
            _audit(request, subject, fmt, request_data, counts)
        except BaseException:
            spool.close()
            raise
        response = FileResponse(spool, content_type=workbook_file.CONTENT_TYPE)
    else:
        body, printed = document.pdf(parts, the_cover)
        extra = {"truncated": printed["truncated"]} if printed["truncated"] else None
        _audit(request, subject, fmt, request_data, printed["counts"], extra)
        response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = _disposition(name, fallback)
    return response


def audit_view(request, subject: record.Subject, parts: list[record.Part]) -> None:
    """The summary page's read: which parts hold how many records."""
    audit_read(
        request,
        VIEW_ACTION,
        subject.person,
        persons=[subject.person.pk],
        context={"counts": {part.key: part.count for part in parts}},
    )
