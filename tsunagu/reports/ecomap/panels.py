"""The link to the ecomap on the person and household pages (registered in
``ReportsConfig.ready()`` through ``tsunagu.people.panels``). The link reads nothing: the
ecomap's own page records its read."""

from __future__ import annotations

from django.urls import reverse


def person_panel(user, person) -> dict:
    return {"ecomap_url": reverse("reports:person_ecomap", args=[person.pk])}


def household_panel(user, household) -> dict:
    return {"ecomap_url": reverse("reports:household_ecomap", args=[household.pk])}
