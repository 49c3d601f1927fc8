"""Reads of consultations and referrals; every list starts from what the user may see."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Agency, AreaKind
from tsunagu.people.models import HouseholdMember

from .models import (
    Consultation,
    ConsultationCategory,
    EligibilityCriteria,
    HelpDeskRoute,
    IssueCategory,
    Referral,
    ReferralStatus,
)


def consultation_list(
    *,
    user,
    q: str = "",
    agency_id: int | None = None,
    category_id: int | None = None,
    outcome: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    person_id: int | None = None,
    household_id: int | None = None,
    about: tuple[list[int], list[int]] | None = None,
) -> QuerySet[Consultation]:
    """``about``: (person ids, household ids) — the consultations about any of them."""
    qs = access.consultations_visible_to(user).select_related(
        "agency", "person", "household", "recorded_by"
    )
    for word in q.split():
        qs = qs.filter(
            Q(summary__icontains=word)
            | Q(consulter_name__icontains=word)
            | Q(person__name__icontains=word)
            | Q(household__label__icontains=word)
        )
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if category_id:
        qs = qs.filter(
            Exists(
                ConsultationCategory.objects.filter(
                    consultation=OuterRef("pk"), category_id=category_id
                )
            )
        )
    if outcome:
        qs = qs.filter(outcome=outcome)
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    if person_id:
        qs = qs.filter(person_id=person_id)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if about is not None:
        qs = qs.filter(pk__in=_ids_about(Consultation, *about))
    return qs.prefetch_related("category_links__category").order_by("-received_on", "-id")


def _ids_about(model, person_ids, household_ids) -> list[int]:
    """The ids of the records about any of the persons or any of the households, read first
    (two index lookups): joined to the visibility rule in one query, PostgreSQL scanned
    every referral of the city instead (60 ms at a million persons)."""
    about = Q(person_id__in=list(person_ids)) | Q(household_id__in=list(household_ids))
    return list(model.objects.filter(about).values_list("pk", flat=True))


def consultation_get(*, user, pk: int) -> Consultation:
    return (
        access.consultations_visible_to(user)
        .select_related("agency", "person", "household", "recorded_by")
        .prefetch_related("category_links__category")
        .get(pk=pk)
    )


NOT_RECEIVING_AGENCY = "相談を修正できるのは受け付けた機関だけです。"


def get_consultation_for_user(user, pk, *, for_write: bool = False) -> Consultation:
    """The consultation as :func:`consultation_get` reads it, for a page or endpoint of
    ``user``: ``Http404`` unless the user may see it (never 403: its existence is personal
    data); with ``for_write``, ``PermissionDenied`` unless the user acts for the agency that
    received it (only that agency corrects a consultation)."""
    try:
        consultation = consultation_get(user=user, pk=int(pk))
    except (Consultation.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if for_write and consultation.agency_id != access.acting_agency_id(user):
        raise PermissionDenied(NOT_RECEIVING_AGENCY)
    return consultation


def referral_list(
    *,
    user,
    box: str = "",
    status: str = "",
    overdue_only: bool = False,
    person_id: int | None = None,
    household_id: int | None = None,
    consultation_id: int | None = None,
    about: tuple[list[int], list[int]] | None = None,
) -> QuerySet[Referral]:
    """``box``: "inbox" (sent to my agency), "outbox" (sent by it) or "" (every referral the
    user may see); ``about``: (person ids, household ids) — the referrals about any of them."""
    if box == "inbox":
        qs = access.referrals_of_agency(user, received=True)
    elif box == "outbox":
        qs = access.referrals_of_agency(user, sent=True)
    else:
        qs = access.referrals_visible_to(user)
    qs = qs.select_related("from_agency", "to_agency", "person", "household", "sent_by")
    if status:
        qs = qs.filter(status=status)
    if overdue_only:
        qs = qs.filter(status=ReferralStatus.SENT, respond_by__lt=timezone.now())
    if person_id:
        qs = qs.filter(person_id=person_id)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if consultation_id:
        qs = qs.filter(consultation_id=consultation_id)
    if about is not None:
        qs = qs.filter(pk__in=_ids_about(Referral, *about))
    return qs.order_by("-sent_at", "-id")


def referral_get(*, user, pk: int) -> Referral:
    return (
        access.referrals_visible_to(user)
        .select_related(
            "from_agency", "to_agency", "person", "household", "sent_by", "consultation", "previous"
        )
        .prefetch_related("events__by", "events__agency", "next_referrals__to_agency")
        .get(pk=pk)
    )


def get_referral_for_user(user, pk) -> Referral:
    """The referral as :func:`referral_get` reads it, for a page or endpoint of ``user``:
    ``Http404`` unless the user may see it (never 403).

    There is no ``for_write``: who takes a step of the loop depends on the step (the receiving
    agency accepts, returns, starts and completes; the sending one acknowledges a return and
    resends), and the services check each step.
    """
    try:
        return referral_get(user=user, pk=int(pk))
    except (Referral.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def is_overdue(referral: Referral, now: datetime.datetime | None = None) -> bool:
    return referral.status == ReferralStatus.SENT and referral.respond_by < (now or timezone.now())


def referral_attention(*, user) -> dict[str, QuerySet[Referral]]:
    """What the dashboard shows an agency: waiting in its inbox, overdue both ways, returned."""
    related = ("from_agency", "to_agency", "person", "household")
    received = access.referrals_of_agency(user, received=True).select_related(*related)
    sent = access.referrals_of_agency(user, sent=True).select_related(*related)
    now = timezone.now()
    waiting = received.filter(status=ReferralStatus.SENT)
    return {
        "inbox_waiting": waiting.order_by("respond_by"),
        "inbox_overdue": waiting.filter(respond_by__lt=now).order_by("respond_by"),
        "outbox_overdue": sent.filter(status=ReferralStatus.SENT, respond_by__lt=now).order_by(
            "respond_by"
        ),
        "returned": sent.filter(
            status=ReferralStatus.RETURNED, return_acknowledged_at__isnull=True
        ).order_by("-responded_at"),
        "in_hand": received.filter(
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]
        ).order_by("sent_at"),
    }


def active_categories() -> QuerySet[IssueCategory]:
    return IssueCategory.objects.filter(is_active=True).order_by("sort_order", "id")


def category_by_code(code: str) -> IssueCategory | None:
    """Any category, active or not (past consultations keep retired categories)."""
    return IssueCategory.objects.filter(code=code).first()


def _area_key(area) -> tuple[str, int] | None:
    """The layer and area on which two 圏域 compare: a 地区 counts as its 日常生活圏域; the
    whole city (or no area) serves everyone and compares with nothing."""
    if area is None or area.kind == AreaKind.CITY:
        return None
    parent = area.parent if area.kind == AreaKind.DISTRICT else None
    if parent is not None and parent.kind == AreaKind.DAILY_LIFE:
        return (AreaKind.DAILY_LIFE, parent.pk)
    return (area.kind, area.pk)


def subject_area_keys(*, person=None, household=None) -> set[tuple[str, int]]:
    """The 圏域 the person or household lives in, as far as the records tell: the area of the
    agency that registered them (a 地域包括支援センター registers the residents of its own area)."""
    keys = set()
    for subject in (person, household):
        agency = getattr(subject, "registered_by_agency", None)
        key = _area_key(agency.area) if agency is not None else None
        if key is not None:
            keys.add(key)
    return keys


def help_desk_suggestions(
    *,
    category_ids: list[int],
    exclude_agency_id: int | None = None,
    person=None,
    household=None,
) -> list[tuple[Agency, list[str]]]:
    """Agencies that handle the chosen themes, with the themes named.

    When the person's or household's 圏域 is known, agencies serving another area of the same
    kind (e.g. the 地域包括支援センター of another 日常生活圏域) come last, and those of the
    person's own area first among equals; then most themes first, the table's order, the name.
    """
    routes = (
        HelpDeskRoute.objects.filter(category_id__in=category_ids, agency__is_active=True)
        .select_related("agency__area__parent", "category")
        .order_by("sort_order", "id")
    )
    found: dict[int, tuple[Agency, list[str], int]] = {}
    for route in routes:
        if route.agency_id == exclude_agency_id:
            continue
        agency, themes, best = found.get(route.agency_id, (route.agency, [], route.sort_order))
        themes.append(route.category.name)
        found[route.agency_id] = (agency, themes, min(best, route.sort_order))
    home = subject_area_keys(person=person, household=household)
    home_layers = {layer for layer, _ in home}

    def rank(item):
        agency, themes, best = item
        key = _area_key(agency.area)
        own = key in home
        elsewhere = key is not None and not own and key[0] in home_layers
        return (elsewhere, -len(themes), not own, best, agency.name)

    ranked = sorted(found.values(), key=rank)
    return [(agency, themes) for agency, themes, _ in ranked]


def multi_agency_targets() -> QuerySet[Agency]:
    return Agency.objects.active().filter(programs__program="multi_agency").distinct()


def eligibility_criteria() -> EligibilityCriteria:
    criteria = EligibilityCriteria.objects.order_by("pk").first()
    return criteria or EligibilityCriteria()


def subject_person_ids(items) -> list[int]:
    """Persons concerned by consultations or referrals shown together (one query, not N)."""

    persons = {item.person_id for item in items if item.person_id}
    households = {item.household_id for item in items if item.household_id}
    if households:
        persons.update(
            HouseholdMember.objects.filter(
                household_id__in=households, end_date__isnull=True
            ).values_list("person_id", flat=True)
        )
    return sorted(persons)
