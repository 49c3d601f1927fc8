"""The reports app's links on the person and household pages (registered in
``ReportsConfig.ready()`` through ``tsunagu.people.panels``): the ecomap, and for the program
office 「開示請求に応じる」 on the person page. The links read nothing: the pages they open
record their own reads."""

from __future__ import annotations

from django.urls import reverse

from ..disclosure import panels as disclosure_panels


def person_panel(user, person) -> dict:
    return {
        "ecomap_url": reverse("reports:person_ecomap", args=[person.pk]),
        **disclosure_panels.person_panel(user, person),
    }


def household_panel(user, household) -> dict:
    return {"ecomap_url": reverse("reports:household_ecomap", args=[household.pk])}
