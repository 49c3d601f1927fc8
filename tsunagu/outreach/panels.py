"""What アウトリーチ adds to other pages (registered in ``OutreachConfig.ready()``):

- the case page: the outreach records of the case's person, beside the 多機関協働 case (the
  hand-over keeps the record open; the coordinator sees its history from the case);
- the person page: the person's outreach records the viewer sees;
- the home page: the outreach worker's records that are urgent or have a next action due this
  week or overdue, urgent ones first, and how many have gone silent.
"""

from __future__ import annotations

from django.urls import reverse

from tsunagu import access
from tsunagu.audit.services import audit_read
from tsunagu.people.panels import AUDIT

from . import selectors
from .permissions import outreach_role


def case_panel(user, case) -> dict:
    """The case page's アウトリーチ section (read audited by the case page). The coordinator
    of a case handed over from outreach sees the record through the hand-over referral."""
    person_ids = case.subject_persons()
    records = selectors.records_about_persons(user, person_ids)
    seen = {r.pk for r in records}
    for record in records:
        record.visible = True
    for record in selectors.records_handed_over_by(case):
        if record.pk not in seen:
            record.visible = False  # shown here as the case's history; its page is outreach's
            records.append(record)
    for record in records:
        record.recent_contacts = list(selectors.contacts(record)[:5])
        record.contact_total = record.contacts.count()
    if not records:
        return {}
    shown = {
        "outreach": [r.pk for r in records],
        "outreach_contacts": [c.pk for r in records for c in r.recent_contacts],
    }
    panel = {"records": records, "standing": selectors.case_standing(case)}
    return {"outreach_panel": panel, AUDIT: shown}


def person_panel(user, person) -> dict:
    records = selectors.records_about_persons(user, [person.pk])
    if not records:
        return {}
    return {"outreach_records": records, AUDIT: {"outreach": [r.pk for r in records]}}


def related_to_intake(user, *, consultation=None, referral=None) -> list[tuple[str, str]]:
    """The outreach records begun from a consultation or a referral, as links, for the user
    who may see them (the consultation and referral pages)."""
    records = access.outreach_records_visible_to(user)
    if consultation is not None:
        records = records.filter(from_consultation=consultation)
    elif referral is not None:
        records = records.filter(from_referral=referral)
    else:
        return []
    return [
        (f"アウトリーチ「{r.label}」", reverse("outreach:record_detail", args=[r.pk]))
        for r in records.order_by("pk")
    ]


def agenda_links(user, items) -> dict[int, list[tuple[str, str]]]:
    """The outreach records begun from these agenda items that the user may see (the
    meeting page links each item to them)."""
    found: dict[int, list[tuple[str, str]]] = {}
    records = access.outreach_records_visible_to(user).filter(
        from_agenda_item_id__in=[i.pk for i in items]
    )
    for r in records.order_by("pk"):
        found.setdefault(r.from_agenda_item_id, []).append(
            (f"アウトリーチ「{r.label}」を開始", reverse("outreach:record_detail", args=[r.pk]))
        )
    return found


def dashboard_panel(user, *, request) -> dict:
    if not outreach_role(user):
        return {}
    rows = selectors.due_this_week(user)
    persons = [r.person_id for r in rows if r.person_id]
    if rows:
        audit_read(
            request,
            "dashboard.view",
            persons=persons,
            context={"panel": "outreach", "outreach": [r.pk for r in rows]},
            purpose="ダッシュボードの確認",
        )
    return {
        "outreach_dashboard": {
            "rows": rows,
            "overdue": sum(1 for r in rows if r.overdue),
            "silent": selectors.silent_count(user),
        }
    }
