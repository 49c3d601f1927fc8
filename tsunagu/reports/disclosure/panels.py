"""The person page's entry 「開示請求に応じる」, for the program office only (part of the
reports app's panel of links, ``reports.ecomap.panels.person_panel``). The link reads nothing:
the disclosure page records its own read."""

from __future__ import annotations

from django.urls import reverse

from .record import may_answer


def person_panel(user, person) -> dict:
    if not may_answer(user):
        return {}
    return {"disclosure_url": reverse("reports:person_disclosure", args=[person.pk])}
