"""Who may see which personal data (domain.md §6): the one place that decides it.

Default deny. A user acts for one agency at a time (``user.acting_membership``) and sees:

- everything in the program, when acting as the municipal program office (自治体職員);
- a consultation their agency recorded, or one from which their agency received a referral
  while the person had consented to sharing with related agencies;
- a referral their agency sent or received, or — for the agency coordinating a 多機関協働
  case — one about that case's person or household made with consent to sharing;
- a person their agency registered, consulted about (directly or as a member of a consulted
  household) or sent/received a referral about;
- a household their agency registered, consulted about or referred, or containing such a
  person;
- a 多機関協働 case their agency coordinates, referred, or is on the team of (leaving the
  team ends it) — but its content only when their agency coordinates it or the current
  consent of the case's person names their agency; otherwise only the case's state and
  their own plan items and progress records;
- a person whose own current consent on a case their agency is involved in (team or
  referral) names their agency (each adult consents for themselves; one member's consent
  never opens another's details; withdrawal or leaving the team ends it), and the
  household of such a person (its other members only on their own consent).

- a meeting their agency convenes or the user is a member of; a guest's invitation counts
  only until it expires or is revoked. A meeting's materials (its agenda items' summary
  sheets) are seen by its members; at a 支援会議 only after the member's recorded pledge of
  confidentiality (社会福祉法第106条の6). Meeting membership grants nothing beyond that
  meeting's materials.

System administrators see no case contents; meeting guests see only their meetings.
Everything outside these querysets answers 404, never 403: existence is personal data too.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tsunagu.accounts.acting import acting
from tsunagu.cases.models import Case, CaseTeamMember, Consent
from tsunagu.common.models import register_visibility
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.meetings.models import Meeting, MeetingMember
from tsunagu.people.models import Household, HouseholdMember, Person


def acting_agency_id(user) -> int | None:
    return acting(user).agency_id


def sees_everything(user) -> bool:
    return acting(user).is_office


def may_handle_cases(user) -> bool:
    """Whether the acting role works with persons at all (admins and guests do not)."""
    return acting(user).works_with_persons


def consultations_visible_to(user) -> QuerySet:

    qs = Consultation.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    agency = acting_agency_id(user)
    received = Referral.objects.filter(consultation=OuterRef("pk"), to_agency_id=agency)
    return qs.filter(Q(agency_id=agency) | (Q(consent_to_share=True) & Exists(received)))


def referrals_visible_to(user) -> QuerySet:

    qs = Referral.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    agency = acting_agency_id(user)
    return qs.filter(
        Q(from_agency_id=agency)
        | Q(to_agency_id=agency)
        | (Q(consultation__consent_to_share=True) & _about_coordinated_households(agency))
    )


def _about_coordinated_households(agency_id: int) -> Q:
    """Records about the person or household (its current members) of a 多機関協働 case the
    agency coordinates: the coordinator sees the whole household's referrals, where the
    person agreed to sharing with related agencies at the consultation."""

    coordinated = Case.objects.filter(coordinating_agency_id=agency_id)
    households = coordinated.filter(household__isnull=False).values("household_id")
    members = HouseholdMember.objects.filter(
        end_date__isnull=True, household_id__in=households
    ).values("person_id")
    return (
        Q(household_id__in=households)
        | Q(person_id__in=coordinated.filter(person__isnull=False).values("person_id"))
        | Q(person_id__in=members)
    )


def _on_team_case_ids(agency_id: int) -> QuerySet:
    """Cases whose team the agency is on now (leaving the team ends it at once)."""

    return CaseTeamMember.objects.filter(agency_id=agency_id, left_on__isnull=True).values(
        "case_id"
    )


def cases_visible_to(user) -> QuerySet:
    """Cases the user may know of: the coordinating, referring and current team agencies.

    Knowing of a case is not seeing its content: see :func:`case_content_visible_to`."""

    qs = Case.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    agency = acting_agency_id(user)
    return qs.filter(
        Q(coordinating_agency_id=agency)
        | Q(referring_agency_id=agency)
        | Q(pk__in=_on_team_case_ids(agency))
    )


def _current_consents_naming(agency_id: int) -> QuerySet:
    """Each person's current consent version on a case the agency is involved in (its team,
    or the agency that referred it), when it is a consent (not a withdrawal) naming the
    agency. The consent is the basis for sharing within the case: an agency that left the
    team, or was never on it, gains nothing from it."""

    return Consent.objects.filter(
        Q(case__referring_agency_id=agency_id) | Q(case_id__in=_on_team_case_ids(agency_id)),
        is_current=True,
        is_withdrawal=False,
        scope_agencies=agency_id,
        person__isnull=False,
    )


def _consenting_person_ids(agency_id: int) -> QuerySet:
    """Persons whose own current consent names the agency (one member's consent never
    opens another member's details)."""
    return _current_consents_naming(agency_id).values("person_id")


def _consented_case_ids(agency_id: int) -> QuerySet:
    """Cases whose principal's current consent names the agency: the case's person, or for
    a household case without one, a member of the household."""
    from django.db.models import F

    return (
        _current_consents_naming(agency_id)
        .filter(Q(person_id=F("case__person_id")) | Q(case__person__isnull=True))
        .values("case_id")
    )


def case_content_visible_to(user) -> QuerySet:
    """Cases whose content (person and household details, assessment, plans, other
    agencies' records, meeting materials) the user may see (domain.md §6): the coordinating
    agency, the municipal office, and team or referring agencies only while the current
    consent names them. Other agencies that know of the case see only its state and their
    own plan items and progress records."""
    qs = cases_visible_to(user)
    if sees_everything(user) or not may_handle_cases(user):
        return qs
    agency = acting_agency_id(user)
    return qs.filter(Q(coordinating_agency_id=agency) | Q(pk__in=_consented_case_ids(agency)))


def sees_case_content(user, case) -> bool:
    return case is not None and case_content_visible_to(user).filter(pk=case.pk).exists()


def _involved_household_ids(agency_id: int) -> QuerySet:

    consulted = Consultation.objects.filter(household=OuterRef("pk"), agency_id=agency_id)
    referred = Referral.objects.filter(household=OuterRef("pk")).filter(
        Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id)
    )
    return Household.objects.filter(
        Q(registered_by_agency_id=agency_id) | Exists(consulted) | Exists(referred)
    ).values("pk")


def persons_visible_to(user) -> QuerySet:

    qs = Person.objects.filter(is_archived=False)
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    agency = acting_agency_id(user)
    # Uncorrelated id sets: the database builds each once (hashed), whatever the search.
    consulted = Consultation.objects.filter(agency_id=agency, person__isnull=False).values(
        "person_id"
    )
    referred = (
        Referral.objects.filter(person__isnull=False)
        .filter(Q(from_agency_id=agency) | Q(to_agency_id=agency))
        .values("person_id")
    )
    in_involved_household = HouseholdMember.objects.filter(
        end_date__isnull=True, household_id__in=_involved_household_ids(agency)
    ).values("person_id")
    consented = _consenting_person_ids(agency)
    return qs.filter(
        Q(registered_by_agency_id=agency)
        | Q(pk__in=consulted)
        | Q(pk__in=referred)
        | Q(pk__in=in_involved_household)
        | Q(pk__in=consented)
    )


def households_visible_to(user) -> QuerySet:

    qs = Household.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    agency = acting_agency_id(user)
    member_visible = HouseholdMember.objects.filter(
        household=OuterRef("pk"),
        end_date__isnull=True,
        person__in=persons_visible_to(user).values("pk"),
    )
    return qs.filter(Q(pk__in=_involved_household_ids(agency)) | Exists(member_visible))


def can_view(user, obj) -> bool:
    """Object-level check used by the rules predicates."""

    querysets = {
        Meeting: meetings_visible_to,
        Case: cases_visible_to,
        Person: persons_visible_to,
        Household: households_visible_to,
        Consultation: consultations_visible_to,
        Referral: referrals_visible_to,
    }
    visible = querysets.get(type(obj))
    return visible is not None and visible(user).filter(pk=obj.pk).exists()


def _member_row(user, meeting):

    return MeetingMember.objects.filter(meeting=meeting, user=user).first()


def _invitation_valid(member, now) -> bool:
    if member.invitation_revoked_at is not None:
        return False
    return member.invited_until is None or member.invited_until >= now


def meetings_visible_to(user) -> QuerySet:
    from django.utils import timezone

    qs = Meeting.objects.all()
    me = acting(user)
    if not me:
        return qs.none()
    if me.is_office:
        return qs
    now = timezone.now()
    valid_member = MeetingMember.objects.filter(
        user=user, invitation_revoked_at__isnull=True
    ).filter(Q(invited_until__isnull=True) | Q(invited_until__gte=now))
    if me.is_guest:
        return qs.filter(pk__in=valid_member.filter(is_guest=True).values("meeting_id"))
    if not may_handle_cases(user):
        return qs.none()
    return qs.filter(
        Q(convening_agency_id=me.agency_id) | Q(pk__in=valid_member.values("meeting_id"))
    )


def meeting_materials_visible(user, meeting) -> bool:
    """Members see a meeting's materials; at a 支援会議 only after their own pledge."""
    from django.utils import timezone

    if not meetings_visible_to(user).filter(pk=meeting.pk).exists():
        return False
    member = _member_row(user, meeting)
    if member is None:
        # The program office and the convening agency's staff who are not members see the
        # agenda of a conference; a 支援会議's materials need a member's pledge.
        return not meeting.is_confidential and (
            sees_everything(user) or acting_agency_id(user) == meeting.convening_agency_id
        )
    if not _invitation_valid(member, timezone.now()):
        return False
    return not meeting.is_confidential or member.pledged_at is not None


# ``Model.objects.visible_to(user)`` answers with these rules.
for _model, _rule in (
    (Person, persons_visible_to),
    (Household, households_visible_to),
    (Consultation, consultations_visible_to),
    (Referral, referrals_visible_to),
    (Case, cases_visible_to),
    (Meeting, meetings_visible_to),
):
    register_visibility(_model, _rule)
