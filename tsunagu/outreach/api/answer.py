"""What every outreach operation shares: finding the record (404 unless the user may see
it), the early refusal of a step by someone who does not work the record (403, before the
ids the body names are looked up), the lookups of the ids a body names, and the record's answer."""

from django.core.exceptions import PermissionDenied

from tsunagu import access
from tsunagu.accounts.models import Agency, Area
from tsunagu.accounts.selectors import agency_get, area_list
from tsunagu.api.errors import invalid
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.people import selectors as people_selectors

from .. import selectors
from ..models import OutreachRecord
from ..permissions import NOT_WORKER

#: the error answers of a step on a record
STEP_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut}

#: how many of the latest contacts a record's answer carries (all of them: ``/contacts``)
RECENT_CONTACTS = 10


def mark_persons(request, records: list[OutreachRecord]) -> list[OutreachRecord]:
    """Whether the user may open each record's person; the name is given only to those who
    may (a meeting's member sees the record as materials, not the person)."""
    visible = people_selectors.visible_person_ids(
        request.user, {r.person_id for r in records if r.person_id}
    )
    for r in records:
        r.person_visible = r.person_id in visible
    return records


def record_for(request, record_id: int) -> OutreachRecord:
    """The record, or 404 unless the user may see it."""
    return selectors.get_record_for_user(request.user, record_id)


def working(request, record_id: int) -> OutreachRecord:
    """The record for a step: 404 unless the user may see it, 403 unless they work it (its
    outreach agency's worker or the program office)."""
    record = record_for(request, record_id)
    if not request.user.has_perm("outreach.work_record", record):
        raise PermissionDenied(NOT_WORKER)
    return record


def sees_whole(request, record: OutreachRecord) -> bool:
    return access.works_outreach_record(request.user, record)


def agency_of(request, pk: int | None, field: str) -> Agency | None:
    if pk is None:
        return None
    try:
        return agency_get(user=request.user, pk=pk)
    except Agency.DoesNotExist as exc:
        raise invalid({field: "指定された機関が見つかりません。"}) from exc


def area_of(pk: int | None, field: str = "area_id") -> Area | None:
    if pk is None:
        return None
    area = area_list().filter(pk=pk).first()
    if area is None:
        raise invalid({field: "指定された圏域が見つかりません。"})
    return area


def record_answer(request, record: OutreachRecord) -> OutreachRecord:
    """The record as its answer shows it to the user, read again: whole for its outreach
    agency and the program office, as a meeting's materials for a member of a meeting that
    has its plan on the agenda."""
    fresh = record_for(request, record.pk)
    whole = sees_whole(request, fresh)
    mark_persons(request, [fresh])
    selectors.with_rows([fresh])
    fresh.materials_only = not whole
    fresh.may_work = request.user.has_perm("outreach.work_record", fresh)
    if whole:
        fresh.history = list(selectors.events(fresh))
        fresh.contact_count = fresh.contacts.count()
        fresh.recent_contacts = list(selectors.contacts(fresh)[:RECENT_CONTACTS])
        fresh.shown_plans = list(selectors.plans(fresh))
        fresh.current_handover = selectors.current_handover(fresh)
        fresh.households = selectors.person_households(request.user, fresh)
        fresh.suggested_criteria = selectors.suggested_criteria(
            request.user, fresh, households=fresh.households
        )
    else:
        fresh.households = []
        fresh.current_handover = None
        fresh.suggested_criteria = None
        fresh.history = []
        fresh.contact_count = None
        fresh.recent_contacts = []
        fresh.shown_plans = list(selectors.plans_on_agenda_for(request.user, fresh))
    return fresh


def audit_record_read(request, record: OutreachRecord) -> None:
    """One read of the record's answer (whole, or as a meeting's materials)."""
    context = {"outreach": record.pk, "plans": [p.pk for p in record.shown_plans]}
    if record.materials_only:
        context["materials_only"] = True
    else:
        context["contacts"] = [c.pk for c in record.recent_contacts]
    audit_read(request, "outreach.view", record, persons=record.subject_persons(), context=context)
