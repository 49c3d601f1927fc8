"""Reads of アウトリーチ: the caseload (担当一覧), one record with its history, contacts and
plans, what falls due this week, and the records shown beside a 多機関協働 case. Every read
starts from what the user may see (``tsunagu.access.outreach_records_visible_to``)."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Role, User
from tsunagu.accounts.selectors import area_ids_under
from tsunagu.audit.services import audit_read
from tsunagu.cases.models import Case as MultiAgencyCase
from tsunagu.cases.models import PlanItem, StatutoryService
from tsunagu.consultations.models import Referral
from tsunagu.grants.models import AccessGrant, Basis
from tsunagu.meetings.models import MeetingGap
from tsunagu.people import selectors as people_selectors

from .models import ContactMethod, OutreachContact, OutreachRecord
from .workflow import is_silent, silent_since

PANEL_ROWS = 10


def outreach_workers(agency_id: int | None) -> list:
    """The outreach workers of an agency (active memberships): who may carry its records."""
    if agency_id is None:
        return []
    return list(
        User.objects.filter(
            memberships__agency_id=agency_id,
            memberships__role=Role.OUTREACH_WORKER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def office_officers(*, exclude=None) -> list:
    """The program office's officers (who identify a person for an outreach worker)."""
    qs = User.objects.filter(
        is_active=True,
        memberships__role=Role.MUNICIPAL_OFFICER,
        memberships__is_active=True,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.distinct().order_by("pk"))


@dataclass(frozen=True)
class CaseloadFilter:
    q: str = ""
    stage: str = ""
    consent: str = ""  # "before" / "after"
    state: str = "open"  # "open" / "closed" / "all"
    flag: str = ""  # "urgent" / "overdue" / "silent" / "due_week"
    agency: int | None = None  # the office narrowing to one outreach agency
    area: int | None = None  # the 圏域 and the areas under it
    identified: str = ""  # "yes" (linked to a registered person) / "no" (未特定)
    assigned: str = ""  # "mine" / "none" / a worker's id
    me: int | None = None  # the user asking (for "mine")


def _silent(today: datetime.date) -> Q:
    """No contact since the silence threshold (none at all: begun before it), as
    :func:`~tsunagu.outreach.workflow.is_silent` decides for one record."""
    since = silent_since(today)
    return Q(last_contact_on__lt=since) | Q(last_contact_on__isnull=True, began_on__lt=since)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def caseload(*, user, filters: CaseloadFilter = CaseloadFilter()) -> QuerySet[OutreachRecord]:
    """The records the user works: their agency's (every agency's for the program office),
    urgent first, then by the next action's date (none last)."""
    qs = OutreachRecord.objects.all()
    if not access.sees_everything(user):
        if not access.may_handle_cases(user):
            return qs.none()
        qs = qs.filter(agency_id=access.acting_agency_id(user))
    elif filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    today = timezone.localdate()
    if filters.state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif filters.state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.area:
        qs = qs.filter(area_id__in=area_ids_under(filters.area))
    if filters.identified == "yes":
        qs = qs.filter(person__isnull=False)
    elif filters.identified == "no":
        qs = qs.filter(person__isnull=True)
    if filters.assigned == "mine":
        qs = qs.filter(assigned_to_id=filters.me)
    elif filters.assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    elif filters.assigned.isdigit():
        qs = qs.filter(assigned_to_id=int(filters.assigned))
    if filters.consent == "before":
        qs = qs.filter(consented_on__isnull=True)
    elif filters.consent == "after":
        qs = qs.filter(consented_on__isnull=False)
    if filters.flag == "urgent":
        qs = qs.filter(is_urgent=True)
    elif filters.flag == "overdue":
        qs = qs.filter(closed_on__isnull=True, next_action_on__lt=today)
    elif filters.flag == "due_week":  # urgent records are always due
        qs = qs.filter(closed_on__isnull=True).filter(
            Q(next_action_on__lte=today + datetime.timedelta(days=7)) | Q(is_urgent=True)
        )
    elif filters.flag == "silent":
        qs = qs.filter(closed_on__isnull=True).filter(_silent(today))
    for word in _norm(filters.q).split():
        # the person's name through the register's search keys (異体字・かな・空白を吸収),
        # asked of the persons first rather than joined to every record
        named = people_selectors.person_search(user=user, q=word).values("pk")
        qs = qs.filter(
            Q(label__icontains=word) | Q(address__icontains=word) | Q(person_id__in=named)
        )
    return qs.order_by("-is_urgent", F("next_action_on").asc(nulls_last=True), "id")


def with_rows(records: list[OutreachRecord]) -> list[OutreachRecord]:
    """Decorate rows for the caseload: days since the last contact and the flags."""
    today = timezone.localdate()
    for r in records:
        last = r.last_contact_on or r.began_on
        r.days_since_contact = (today - last).days
        r.silent = is_silent(r, today)
        r.overdue = not r.is_closed and r.next_action_on is not None and r.next_action_on < today
    return records


def rows_for_page(ids: list[int]) -> list[OutreachRecord]:
    found = {
        r.pk: r
        for r in OutreachRecord.objects.filter(pk__in=ids).select_related(
            "agency", "person", "area", "assigned_to"
        )
    }
    return with_rows([found[pk] for pk in ids if pk in found])


def get_record_for_user(user, pk) -> OutreachRecord:
    """The record, or ``Http404`` unless the user may see it (its agency, the office, or a
    member of a meeting that has its plan on the agenda)."""
    try:
        return (
            access.outreach_records_visible_to(user)
            .select_related(
                "agency", "person", "area", "connected_agency", "handover_referral", "assigned_to"
            )
            .get(pk=int(pk))
        )
    except (OutreachRecord.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def contacts(record: OutreachRecord) -> QuerySet[OutreachContact]:
    return record.contacts.select_related("agency", "recorded_by").order_by(
        "-occurred_on", "-recorded_at", "-id"
    )


def contact_counts(record: OutreachRecord) -> dict[str, int]:
    """How many contacts of each method, by the method's label (most first)."""
    rows = record.contacts.values("method").annotate(n=Count("id")).order_by("-n", "method")
    return {ContactMethod(row["method"]).label: row["n"] for row in rows}


def events(record: OutreachRecord):
    return record.events.select_related("by").order_by("at", "id")


def plans(record: OutreachRecord):
    return record.plans.select_related("agenda_item__meeting", "created_by").order_by("-version")


def plans_on_agenda_for(user, record: OutreachRecord):
    """The plans a meeting member sees: those on the agenda of meetings whose materials the
    user sees (not withdrawn)."""
    return plans(record).filter(
        agenda_item__meeting_id__in=access._materials_meetings(user),
        agenda_item__is_withdrawn=False,
    )


def due_this_week(user) -> list[OutreachRecord]:
    """The dashboard's panel: open records of the user's agency that are urgent or have a
    next action due in the coming week or overdue, urgent ones first."""
    qs = caseload(user=user, filters=CaseloadFilter(flag="due_week"))
    ids = list(qs.values_list("pk", flat=True)[:PANEL_ROWS])
    return rows_for_page(ids)


def records_about_persons(user, person_ids: list[int]) -> list[OutreachRecord]:
    """Outreach records linked to these persons that the user sees (the case page)."""
    if not person_ids:
        return []
    return list(
        access.outreach_records_visible_to(user)
        .filter(person_id__in=person_ids)
        .select_related("agency")  # the panels name the agency, never the person again
        .order_by(F("closed_on").asc(nulls_first=True), "-is_urgent", "-began_on", "-id")
    )


def needing_reminders(today: datetime.date) -> QuerySet[OutreachRecord]:
    """Open records with a 担当 whose next action is due today or overdue, or that have gone
    silent (what ``send_outreach_reminders`` tells each 担当 about)."""
    return (
        OutreachRecord.objects.filter(closed_on__isnull=True, assigned_to__isnull=False)
        .filter(Q(next_action_on__lte=today) | _silent(today))
        .select_related("assigned_to")
        .order_by("assigned_to_id", "pk")
    )


def silent_count(user) -> int:
    """How many open records of the user's caseload have had no contact for the set number
    of days (the dashboard links to them)."""
    return caseload(user=user, filters=CaseloadFilter(flag="silent")).count()


#: a chain of 差戻し and 再送 longer than this is not followed (it would be a loop)
CHAIN_LIMIT = 50


def current_handover(record: OutreachRecord) -> Referral | None:
    """The referral that now carries the record's hand-over to 多機関協働: the one it sent, or,
    after a 差戻し, the latest 再送 of it (``Referral.previous`` links each to the one before)."""
    if record.handover_referral_id is None:
        return None
    tip = Referral.objects.select_related("to_agency").get(pk=record.handover_referral_id)
    for _ in range(CHAIN_LIMIT):
        following = tip.next_referrals.select_related("to_agency").order_by("-sent_at", "-id")
        later = following.first()
        if later is None:
            break
        tip = later
    return tip


def _earlier_referrals(referral_id: int, *, read: Referral | None = None) -> list[int]:
    """``referral_id`` and every referral it was resent from (``read``: that referral, when
    the caller has it already)."""
    found, current = [], referral_id
    if read is not None:
        found, current = [read.pk], read.previous_id
    while current is not None and current not in found and len(found) < CHAIN_LIMIT:
        found.append(current)
        current = Referral.objects.filter(pk=current).values_list("previous_id", flat=True).first()
    return found


def closing_referrals(record: OutreachRecord) -> list[Referral]:
    """The referrals by which the person may have been connected at closure: those the
    record's agency sent about the person (the hand-over to 多機関協働 among them)."""
    if record.person_id is None:
        return []
    return list(
        Referral.objects.filter(from_agency_id=record.agency_id, person_id=record.person_id)
        .select_related("to_agency")
        .order_by("-sent_at", "-id")[:30]
    )


def records_handed_over_by(case) -> list[OutreachRecord]:
    """The outreach records whose hand-over referral (or a 再送 of it after a 差戻し) opened
    ``case`` (shown to whoever sees the case's content: the coordinator continues what outreach
    began)."""
    if not case.referral_id:
        return []
    # case_get reads the referral with the case
    read = case.referral if MultiAgencyCase.referral.is_cached(case) else None
    chain = _earlier_referrals(case.referral_id, read=read)
    return list(
        OutreachRecord.objects.filter(handover_referral_id__in=chain).select_related("agency")
    )


def person_households(user, record: OutreachRecord) -> list:
    """The current households of the record's person that the user may see."""
    if not record.person_id:
        return []
    found = people_selectors.households_by_person(user=user, person_ids=[record.person_id])
    return found[record.person_id]


@dataclass(frozen=True)
class Criteria:
    """Which of the 多機関協働 criteria (domain.md §5.1) the record's own facts point to, with
    why: a suggestion for the hand-over form (the worker confirms or changes it)."""

    household: bool
    gap: bool
    new_resource: bool
    why: tuple[str, ...]


#: bases of access that mean another agency is actually working with the person
_WORKING_BASES = (
    Basis.CONSULTED,
    Basis.REFERRED,
    Basis.CONSENT,
    Basis.TEAM,
    Basis.PARTICIPATION,
    Basis.COORDINATING,
)


def suggested_criteria(user, record: OutreachRecord, households=None) -> Criteria:
    """① when the household is part of the picture (what is known of it, or the person's
    registered household); ② when no agency other than the outreach agency works with the
    person (no consultation, referral, consent, team or participation at any other agency:
    どこにもつながっていない); ③ when a meeting that discussed the record's plan raised a
    不足する社会資源. ``households``: the person's, when the caller has read them."""
    why = []
    household = bool(record.household_hint.strip())
    if household:
        why.append("①：世帯について分かっていることが記録されています")
    elif record.person_id and (
        households if households is not None else person_households(user, record)
    ):
        household = True
        why.append("①：本人は世帯に登録されています")
    gap = False
    if record.person_id:
        elsewhere = (
            AccessGrant.objects.filter(
                person_id=record.person_id, valid_until__isnull=True, basis__in=_WORKING_BASES
            )
            .exclude(agency_id=record.agency_id)
            .exists()
        )
        if not elsewhere:
            gap = True
            why.append("②：ほかの機関に本人の相談・つなぎ・支援の記録がありません")
    meetings = record.plans.filter(agenda_item__isnull=False).values("agenda_item__meeting_id")
    new_resource = MeetingGap.objects.filter(meeting_id__in=meetings).exists()
    if new_resource:
        why.append("③：計画を協議した会議で、不足する社会資源が挙げられています")
    return Criteria(household, gap, new_resource, tuple(why))


@dataclass(frozen=True)
class StatutoryStanding:
    """Where the outreach stands in the 多機関協働 plan of the case it was handed over to: a
    plan item of the statutory service アウトリーチ counts only once the municipality has
    made its 支援決定 on that plan (domain.md §5.3)."""

    case_id: int
    plan_version: int | None
    decided_on: datetime.date | None
    decision_number: str

    @property
    def in_plan(self) -> bool:
        return self.plan_version is not None

    @property
    def counts(self) -> bool:
        return self.decided_on is not None


def statutory_standing(record: OutreachRecord) -> StatutoryStanding | None:
    """The standing of a handed-over record in its case's plans (``None`` before a case)."""
    referral = current_handover(record)
    if referral is None:
        return None
    case = MultiAgencyCase.objects.filter(referral_id=referral.pk).first()
    if case is None:
        return None
    return case_standing(case)


def case_standing(case) -> StatutoryStanding:
    """Where the statutory service アウトリーチ stands in ``case``'s plans."""
    item = (
        PlanItem.objects.filter(plan__case=case, statutory_service=StatutoryService.OUTREACH)
        .select_related("plan")
        .order_by("-plan__version")
        .first()
    )
    if item is None:
        return StatutoryStanding(case.pk, None, None, "")
    decision = getattr(item.plan, "support_decision", None)
    return StatutoryStanding(
        case.pk,
        item.plan.version,
        decision.decided_on if decision else None,
        decision.decision_number if decision else "",
    )


def caseload_person_ids(records: QuerySet[OutreachRecord]) -> set[int]:
    """The persons a list of records concerns (ids only, in one query over its filter)."""
    return set(
        records.filter(person__isnull=False)
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )


def audit_caseload(request, records: list[OutreachRecord], context: dict) -> None:
    audit_read(
        request,
        "outreach.list",
        persons=[r.person_id for r in records if r.person_id],
        context={**context, "outreach": [r.pk for r in records]},
    )
