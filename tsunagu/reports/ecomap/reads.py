"""The audited reads of an ecomap (pages, the SVG download, the API and the meeting's 事例概要
シート): one ``person.view`` or ``household.view`` event naming the persons shown and the
records drawn, with ``page: ecomap`` and the format."""

from __future__ import annotations

from tsunagu.audit.services import audit_read

from .graph import Ecomap


def audit_ecomap(request, ecomap: Ecomap, subject, fmt: str, **context) -> None:
    action = "person.view" if ecomap.subject == "person" else "household.view"
    audit_read(
        request,
        action,
        subject,
        persons=ecomap.persons,
        context={**ecomap.audit_context(), "format": fmt, **context},
    )
