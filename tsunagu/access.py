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

- an outreach record (アウトリーチ対象) their agency works (and the person it is linked to), or
  one whose plan is on the agenda of a meeting whose materials they see (as that meeting's
  materials only);

- a 参加支援 record their agency keeps (and its person), or one beside a 多機関協働 case whose
  content they see;

- a meeting their agency convenes or the user is a member of; a guest's invitation counts
  only until it expires or is revoked. A meeting's materials (its agenda items' summary
  sheets) are seen by its members; at a 支援会議 only after the member's recorded pledge of
  confidentiality (社会福祉法第106条の6). Meeting membership grants nothing beyond that
  meeting's materials.

System administrators see no case contents; meeting guests see only their meetings.
Everything outside these querysets answers 404, never 403: existence is personal data too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save

from tsunagu.accounts.acting import acting
from tsunagu.cases.models import Case, CaseTeamMember, Consent
from tsunagu.common import touches
from tsunagu.common.models import register_visibility
from tsunagu.community.models import CommunityReport, Watch, Watcher
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.grants.models import CASE_CONTENT_BASES, AccessGrant, Basis, SearchEntry
from tsunagu.meetings.models import Meeting, MeetingKind, MeetingMember
from tsunagu.outreach.models import OutreachRecord
from tsunagu.participation.models import ParticipationRecord
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


def referrals_of_agency(user, *, sent: bool = False, received: bool = False) -> QuerySet:
    """The referrals the acting agency sent (``sent``) and/or received (``received``). By the
    rule of :func:`referrals_visible_to` the agency sees each of them, so the inbox, the outbox
    and the home page's panels read them directly, without that rule's other branches."""
    if not (sees_everything(user) or may_handle_cases(user)):
        return Referral.objects.none()
    agency = acting_agency_id(user)
    wanted = Q(pk__in=[])
    if sent:
        wanted |= Q(from_agency_id=agency)
    if received:
        wanted |= Q(to_agency_id=agency)
    return Referral.objects.filter(wanted)


def _about_coordinated_households(agency_id: int) -> Q:
    """Records about the person or household (its current members) of a 多機関協働 case the
    agency coordinates: the coordinator sees the whole household's referrals, where the
    person agreed to sharing with related agencies at the consultation."""

    # SQL written once: the ORM took about two milliseconds to build these three subqueries
    # on every page that lists referrals (rule_* and the tests keep the ORM's own words)
    case, member = Case._meta, HouseholdMember._meta
    households = (
        f'SELECT "{case.get_field("household").column}" FROM "{case.db_table}"'
        f' WHERE "{case.get_field("coordinating_agency").column}" = %s'
        f' AND "{case.get_field("household").column}" IS NOT NULL'
    )
    persons = (
        f'SELECT "{case.get_field("person").column}" FROM "{case.db_table}"'
        f' WHERE "{case.get_field("coordinating_agency").column}" = %s'
        f' AND "{case.get_field("person").column}" IS NOT NULL'
    )
    members = (
        f'SELECT "{member.get_field("person").column}" FROM "{member.db_table}"'
        f' WHERE "{member.get_field("end_date").column}" IS NULL'
        f' AND "{member.get_field("household").column}" IN ({households})'
    )
    return (
        Q(household_id__in=RawSQL(households, [agency_id]))
        | Q(person_id__in=RawSQL(persons, [agency_id]))
        | Q(person_id__in=RawSQL(members, [agency_id]))
    )


def _on_team_case_ids(agency_id: int) -> QuerySet:
    """Cases whose team the agency is on now (leaving the team ends it at once)."""

    return CaseTeamMember.objects.filter(agency_id=agency_id, left_on__isnull=True).values(
        "case_id"
    )


# ---------------------------------------------------------------------------------------
# The rules, per agency: which persons, households and cases an agency's staff may see.
#
# These querysets state the rules directly on the records. Pages and the API do not run
# them: they read the grants (below), which ``tsunagu.grants`` keeps from the same rules
# stated per subject (``person_bases`` …) in the transaction of every change. The rules
# here are the reference that ``manage.py access_verify`` and the property tests hold the
# grants to.
# ---------------------------------------------------------------------------------------


def rule_cases(agency_id: int) -> QuerySet:
    """Cases the agency may know of: it coordinates or referred it, or is on its team."""
    return Case.objects.filter(
        Q(coordinating_agency_id=agency_id)
        | Q(referring_agency_id=agency_id)
        | Q(pk__in=_on_team_case_ids(agency_id))
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


def rule_case_content(agency_id: int) -> QuerySet:
    """Cases whose content the agency may see: it coordinates them, or the principal's
    current consent names it (the case's person, or for a household case without one, a
    member of the household)."""
    consented = (
        _current_consents_naming(agency_id)
        .filter(Q(person_id=F("case__person_id")) | Q(case__person__isnull=True))
        .values("case_id")
    )
    return rule_cases(agency_id).filter(Q(coordinating_agency_id=agency_id) | Q(pk__in=consented))


def _involved_household_ids(agency_id: int) -> QuerySet:

    consulted = Consultation.objects.filter(household=OuterRef("pk"), agency_id=agency_id)
    referred = Referral.objects.filter(household=OuterRef("pk")).filter(
        Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id)
    )
    return Household.objects.filter(
        Q(registered_by_agency_id=agency_id) | Exists(consulted) | Exists(referred)
    ).values("pk")


def rule_persons(agency_id: int) -> QuerySet:
    """Persons (archived ones included) the agency registered, consulted about, sent or
    received a referral about or reaches out to (an outreach record); current members of a
    household it is involved with; and persons whose own current consent names it."""
    consulted = Consultation.objects.filter(agency_id=agency_id, person__isnull=False).values(
        "person_id"
    )
    referred = (
        Referral.objects.filter(person__isnull=False)
        .filter(Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id))
        .values("person_id")
    )
    in_involved_household = HouseholdMember.objects.filter(
        end_date__isnull=True, household_id__in=_involved_household_ids(agency_id)
    ).values("person_id")
    consented = _current_consents_naming(agency_id).values("person_id")
    reached = OutreachRecord.objects.filter(agency_id=agency_id, person__isnull=False).values(
        "person_id"
    )
    participating = ParticipationRecord.objects.filter(agency_id=agency_id).values("person_id")
    return Person.objects.filter(
        Q(registered_by_agency_id=agency_id)
        | Q(pk__in=consulted)
        | Q(pk__in=referred)
        | Q(pk__in=in_involved_household)
        | Q(pk__in=consented)
        | Q(pk__in=reached)
        | Q(pk__in=participating)
    )


def rule_households(agency_id: int) -> QuerySet:
    """Households the agency registered, consulted about or referred, and households with a
    current member (not archived) the agency may see."""
    member_visible = HouseholdMember.objects.filter(
        household=OuterRef("pk"),
        end_date__isnull=True,
        person__in=rule_persons(agency_id).filter(is_archived=False).values("pk"),
    )
    return Household.objects.filter(
        Q(pk__in=_involved_household_ids(agency_id)) | Exists(member_visible)
    )


# ---------------------------------------------------------------------------------------
# The same rules, per subject: the grants of given persons, households and cases, as sets of
# (subject id, agency id, basis). ``tsunagu.grants.maintain`` stores them.
# ---------------------------------------------------------------------------------------

Grant = tuple[int, int, str]


def _direct_involvement(subject: str, ids: list[int]) -> set[Grant]:
    """The agencies that registered, consulted about or referred each person (``subject``
    "person") or household ("household") themselves."""
    model = Person if subject == "person" else Household
    found: set[Grant] = set()
    for sid, agency in model.objects.filter(
        pk__in=ids, registered_by_agency__isnull=False
    ).values_list("pk", "registered_by_agency_id"):
        found.add((sid, agency, Basis.REGISTERED))
    about = {f"{subject}_id__in": ids}
    for sid, agency in Consultation.objects.filter(**about).values_list(
        f"{subject}_id", "agency_id"
    ):
        found.add((sid, agency, Basis.CONSULTED))
    for sid, sender, receiver in Referral.objects.filter(**about).values_list(
        f"{subject}_id", "from_agency_id", "to_agency_id"
    ):
        found.add((sid, sender, Basis.REFERRED))
        found.add((sid, receiver, Basis.REFERRED))
    return found


def _household_involvement(household_ids: Iterable[int]) -> set[Grant]:
    return _direct_involvement("household", list(household_ids))


def _case_involvement(case_ids: Iterable[int]) -> dict[int, set[int]]:
    """Agencies that referred each case or are on its team now."""
    ids = list(case_ids)
    involved: dict[int, set[int]] = defaultdict(set)
    for cid, agency in Case.objects.filter(pk__in=ids).values_list("pk", "referring_agency_id"):
        if agency is not None:
            involved[cid].add(agency)
    for cid, agency in CaseTeamMember.objects.filter(
        case_id__in=ids, left_on__isnull=True
    ).values_list("case_id", "agency_id"):
        involved[cid].add(agency)
    return involved


def _current_consent_scopes(**filters) -> list[tuple[int, int, int]]:
    """(person, case, named agency) of current consents (not withdrawals) of persons."""
    through = Consent.scope_agencies.through
    return list(
        through.objects.filter(
            consent__is_current=True,
            consent__is_withdrawal=False,
            consent__person__isnull=False,
            **{f"consent__{k}": v for k, v in filters.items()},
        ).values_list("consent__person_id", "consent__case_id", "agency_id")
    )


def person_bases(person_ids: Iterable[int]) -> set[Grant]:
    ids = list(person_ids)
    if not ids:
        return set()
    found = _direct_involvement("person", ids)
    memberships = list(
        HouseholdMember.objects.filter(person_id__in=ids, end_date__isnull=True).values_list(
            "person_id", "household_id"
        )
    )
    if memberships:
        involved = defaultdict(set)
        for hid, agency, _basis in _household_involvement({h for _p, h in memberships}):
            involved[hid].add(agency)
        for pid, hid in memberships:
            for agency in involved[hid]:
                found.add((pid, agency, Basis.HOUSEHOLD))
    scopes = _current_consent_scopes(person_id__in=ids)
    if scopes:
        involved = _case_involvement({cid for _p, cid, _a in scopes})
        for pid, cid, agency in scopes:
            if agency in involved[cid]:
                found.add((pid, agency, Basis.CONSENT))
    for pid, agency in OutreachRecord.objects.filter(person_id__in=ids).values_list(
        "person_id", "agency_id"
    ):
        found.add((pid, agency, Basis.OUTREACH))
    for pid, agency in ParticipationRecord.objects.filter(person_id__in=ids).values_list(
        "person_id", "agency_id"
    ):
        found.add((pid, agency, Basis.PARTICIPATION))
    return found


def household_bases(household_ids: Iterable[int], *, persons_stored: bool = False) -> set[Grant]:
    """The grants of these households. ``persons_stored``: the grants of their members are
    current in the grants table (``tsunagu.grants.maintain`` stores the persons' first), so
    who sees a member is read from it rather than worked out again."""
    ids = list(household_ids)
    if not ids:
        return set()
    found = _household_involvement(ids)
    members = list(
        HouseholdMember.objects.filter(
            household_id__in=ids, end_date__isnull=True, person__is_archived=False
        ).values_list("household_id", "person_id")
    )
    member_ids = {p for _h, p in members}
    if persons_stored:
        seeing = AccessGrant.objects.filter(person_id__in=member_ids, valid_until__isnull=True)
        person_agencies = seeing.values_list("person_id", "agency_id")
    else:
        person_agencies = ((pid, agency) for pid, agency, _basis in person_bases(member_ids))
    seen_by = defaultdict(set)
    for pid, agency in person_agencies:
        seen_by[pid].add(agency)
    for hid, pid in members:
        for agency in seen_by[pid]:
            found.add((hid, agency, Basis.MEMBER))
    return found


def case_bases(case_ids: Iterable[int]) -> set[Grant]:
    ids = list(case_ids)
    found: set[Grant] = set()
    if not ids:
        return found
    principal = {}
    for cid, coordinating, referring, person in Case.objects.filter(pk__in=ids).values_list(
        "pk", "coordinating_agency_id", "referring_agency_id", "person_id"
    ):
        if coordinating is not None:
            found.add((cid, coordinating, Basis.COORDINATING))
        if referring is not None:
            found.add((cid, referring, Basis.REFERRING))
        principal[cid] = person
    for cid, agency in CaseTeamMember.objects.filter(
        case_id__in=ids, left_on__isnull=True
    ).values_list("case_id", "agency_id"):
        found.add((cid, agency, Basis.TEAM))
    scopes = _current_consent_scopes(case_id__in=ids)
    if scopes:
        involved = _case_involvement({cid for _p, cid, _a in scopes})
        for pid, cid, agency in scopes:
            if principal[cid] in (None, pid) and agency in involved[cid]:
                found.add((cid, agency, Basis.CONSENT))
    return found


# ---------------------------------------------------------------------------------------
# What pages and the API ask: answered from the current grants (one indexed semi-join).
# ---------------------------------------------------------------------------------------


def _granted(agency_id: int, subject: str, bases=None) -> RawSQL:
    """The ids of the subjects (``subject``: "person", "household" or "case") on which the
    agency holds a current grant, of one of ``bases`` if given: a subquery for ``pk__in``.

    Written as SQL once rather than built by the ORM on every page (building the same
    subquery took about half a millisecond of each use); :func:`granted_ids` runs the same
    text, so the equivalence test and ``access_verify`` check what the pages ask."""
    meta = AccessGrant._meta
    column = meta.get_field(subject).column
    sql = (
        f'SELECT "{column}" FROM "{meta.db_table}" WHERE "{meta.get_field("agency").column}"'
        f' = %s AND "{meta.get_field("valid_until").column}" IS NULL AND "{column}" IS NOT NULL'
    )
    params: list = [agency_id]
    if bases is not None:
        bases = sorted(bases)
        sql += f' AND "{meta.get_field("basis").column}" IN ({", ".join(["%s"] * len(bases))})'
        params += bases
    return RawSQL(sql, params)


def granted_subquery(agency_id: int, subject: str, bases=None) -> RawSQL:
    """The subquery of :func:`_granted` for other modules (``pk__in``): the same text the
    pages ask, for checks that must compare with what the pages see."""
    return _granted(agency_id, subject, bases)


def granted_ids(agency_id: int, subject: str, bases=None) -> set[int]:
    """The ids :func:`_granted` selects, as a set."""
    raw = _granted(agency_id, subject, bases)
    sql, params = raw.sql, raw.params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def cases_visible_to(user) -> QuerySet:
    """Cases the user may know of: the coordinating, referring and current team agencies.

    Knowing of a case is not seeing its content: see :func:`case_content_visible_to`."""

    qs = Case.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    return qs.filter(pk__in=_granted(acting_agency_id(user), "case"))


def case_content_visible_to(user) -> QuerySet:
    """Cases whose content (person and household details, assessment, plans, other
    agencies' records, meeting materials) the user may see (domain.md §6): the coordinating
    agency, the municipal office, and team or referring agencies only while the current
    consent names them. Other agencies that know of the case see only its state and their
    own plan items and progress records."""
    qs = Case.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    return qs.filter(pk__in=_granted(acting_agency_id(user), "case", CASE_CONTENT_BASES))


def sees_case_content(user, case) -> bool:
    if case is None:
        return False
    if sees_everything(user):
        return True
    if not may_handle_cases(user):
        return False
    return _holds_grant(user, "case", case.pk, CASE_CONTENT_BASES)


_MEMO = "_tsunagu_grant_memo"


def _holds_grant(user, subject: str, pk, bases=None) -> bool:
    """Whether the acting agency holds a current grant on the subject (one indexed lookup).

    The answer is kept on the user object, which lives for one request, until any grant is
    refreshed (:func:`tsunagu.common.touches.generation`): a page that asks the same
    question in several panels reads the grants once. Inside a transaction nothing is kept
    (a write may yet be rolled back)."""
    agency = acting_agency_id(user)
    return _kept(
        user,
        ("grant", subject, pk, bases),
        lambda: _current_grants(agency, bases).filter(**{f"{subject}_id": pk}),
    )


def _current_grants(agency_id: int, bases=None) -> QuerySet:
    grants = AccessGrant.objects.filter(agency_id=agency_id, valid_until__isnull=True)
    return grants if bases is None else grants.filter(basis__in=bases)


def _memo_key(user, question: tuple) -> tuple:
    return (touches.generation(), acting_agency_id(user), *question)


def _memo(user) -> dict:
    memo = getattr(user, _MEMO, None)
    if memo is None:
        memo = {}
        setattr(user, _MEMO, memo)
    return memo


def _kept(user, question: tuple, found) -> bool:
    """``found().exists()``, kept on the user object as :func:`_holds_grant` says."""
    key = _memo_key(user, question)
    memo = getattr(user, _MEMO, None)
    if memo is not None and key in memo:
        return memo[key]
    answer = found().exists()
    if not connection.in_atomic_block:
        _memo(user)[key] = answer
    return answer


def _visibility_question(user, model, pk) -> tuple | None:
    """The key :func:`can_view` keeps its answer about this person, household or case under
    (None where it answers without a query, or keeps nothing)."""
    subject = _GRANT_SUBJECTS.get(model)
    if subject is None or pk is None or connection.in_atomic_block:
        return None
    if subject == "person":
        return _memo_key(user, ("person", pk))  # as can_view asks it
    if sees_everything(user) or not may_handle_cases(user):
        return None
    return _memo_key(user, ("grant", subject, pk, None))  # as _holds_grant asks it


def kept_visible(user, model, pk) -> bool | None:
    """What :func:`can_view` has already found in this request about this person, household
    or case (None: not asked yet)."""
    key = _visibility_question(user, model, pk)
    memo = getattr(user, _MEMO, None)
    return None if key is None or memo is None else memo.get(key)


def remember_visible(user, model, pk, visible: bool = True) -> None:
    """Keep what a read through the visibility querysets has just shown about one person,
    household or case (``model`` and ``pk``: found in ``persons_visible_to``,
    ``households_visible_to``, ``cases_visible_to``, or not), so that :func:`can_view`
    answers the same question later in the request without a query. Kept as
    :func:`_holds_grant` keeps its answers: on the user object, until any grant is
    refreshed, never inside a transaction."""
    key = _visibility_question(user, model, pk)
    if key is not None:
        _memo(user)[key] = visible


def persons_visible_to(user) -> QuerySet:

    qs = Person.objects.filter(is_archived=False)
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    return qs.filter(pk__in=_granted(acting_agency_id(user), "person"))


def person_search_entries(user) -> QuerySet | None:
    """The search entries (``grants.SearchEntry``: name keys, reading, date of birth) of the
    persons :func:`persons_visible_to` gives, for a name search that reads only those; None
    for a user who sees every person (search the persons themselves)."""
    if sees_everything(user):
        return None
    if not may_handle_cases(user):
        return SearchEntry.objects.none()
    # the agency as a bigint, the column's own type: the trigram indexes led by the agency
    # (btree_gin) serve only ``bigint = bigint``, not the ``bigint = integer`` of a bare number
    agency = Cast(Value(acting_agency_id(user)), BigIntegerField())
    return SearchEntry.objects.filter(agency_id=agency)


def households_visible_to(user) -> QuerySet:

    qs = Household.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    return qs.filter(pk__in=_granted(acting_agency_id(user), "household"))


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
    if type(obj) is Meeting and obj.pk is not None:
        pk = obj.pk
        question = ("meeting", pk, _meeting_changes[0])
        return _kept(user, question, lambda: meetings_visible_to(user).filter(pk=pk))
    subject = _GRANT_SUBJECTS.get(type(obj))
    if subject is not None and obj.pk is not None:
        if type(obj) is Person:  # an archived person is hidden from everyone
            pk = obj.pk
            return _kept(user, ("person", pk), lambda: persons_visible_to(user).filter(pk=pk))
        if sees_everything(user):
            return True
        return may_handle_cases(user) and _holds_grant(user, subject, obj.pk)
    visible = querysets.get(type(obj))
    return visible is not None and visible(user).filter(pk=obj.pk).exists()


#: the models whose visibility is a current grant (:func:`persons_visible_to` …)
_GRANT_SUBJECTS = {Case: "case", Person: "person", Household: "household"}


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


# Who sees a meeting follows its members, not the grants: an answer about a meeting kept for
# the request (:func:`can_view`) is not used again once any meeting or member is saved or
# deleted (a member added in bulk belongs to a meeting just created, never asked about).
_meeting_changes = [0]


def _forget_meetings(**_kwargs) -> None:
    _meeting_changes[0] += 1


for _model in (Meeting, MeetingMember):
    post_save.connect(_forget_meetings, sender=_model, dispatch_uid=f"access-{_model.__name__}")
    post_delete.connect(_forget_meetings, sender=_model, dispatch_uid=f"access-{_model.__name__}")


def meeting_materials_visible(user, meeting) -> bool:
    """Members see a meeting's materials; at a 支援会議 only after their own pledge."""
    from django.utils import timezone

    if not can_view(user, meeting):
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


def _materials_meetings(user) -> QuerySet:
    """The meetings whose materials ``user`` sees as a member: a valid invitation and, at a
    支援会議, their own pledge (:func:`meeting_materials_visible`, for many meetings at once)."""
    from django.utils import timezone

    now = timezone.now()
    return (
        MeetingMember.objects.filter(user=user, invitation_revoked_at__isnull=True)
        .filter(Q(invited_until__isnull=True) | Q(invited_until__gte=now))
        .filter(~Q(meeting__kind=MeetingKind.CONFIDENTIAL) | Q(pledged_at__isnull=False))
        .values("meeting_id")
    )


def outreach_records_visible_to(user) -> QuerySet:
    """Outreach records (アウトリーチ対象): the outreach agency's own, all of them for the
    program office, and — as a meeting's materials only — those whose plan is on the agenda
    (not withdrawn) of a meeting whose materials the user sees."""
    qs = OutreachRecord.objects.all()
    me = acting(user)
    if not me:
        return qs.none()
    if me.is_office:
        return qs
    on_agenda = Q(
        plans__agenda_item__meeting_id__in=_materials_meetings(user),
        plans__agenda_item__is_withdrawn=False,
    )
    if me.is_guest:
        return qs.filter(on_agenda).distinct()
    if not may_handle_cases(user):
        return qs.none()
    return qs.filter(Q(agency_id=me.agency_id) | Q(pk__in=qs.filter(on_agenda).values("pk")))


def works_outreach_record(user, record) -> bool:
    """Whether ``user`` acts for the record's outreach agency (or the program office): they
    see all of it and, by role, may work it; meeting members see only the materials."""
    me = acting(user)
    return bool(me) and (
        me.is_office or (me.works_with_persons and me.agency_id == record.agency_id)
    )


def participation_records_visible_to(user) -> QuerySet:
    """参加支援 records: the participation agency's own, all of them for the program office,
    and — following the case rules — those beside a 多機関協働 case whose content the
    agency sees (the coordinating agency, and team agencies the consent names), about a person
    the agency may see: a household member's record is shared on that member's own consent,
    never on the case person's."""
    qs = ParticipationRecord.objects.all()
    if sees_everything(user):
        return qs
    if not may_handle_cases(user):
        return qs.none()
    agency = acting_agency_id(user)
    return qs.filter(
        Q(agency_id=agency)
        | Q(
            case_id__in=_granted(agency, "case", CASE_CONTENT_BASES),
            person_id__in=_granted(agency, "person"),
        )
    )


def watches_visible_to(user) -> QuerySet:
    """見守り: the agency that keeps the watch, the agencies named among its watchers, and the
    program office; nobody else (a watch is personal data, whether or not the person is
    identified)."""
    qs = Watch.objects.all()
    me = acting(user)
    if not me:
        return qs.none()
    if me.is_office:
        return qs
    if not me.works_with_persons:
        return qs.none()
    watched = Watcher.objects.filter(agency_id=me.agency_id).values("watch_id")
    return qs.filter(Q(agency_id=me.agency_id) | Q(pk__in=watched))


def community_reports_visible_to(user) -> QuerySet:
    """気づき・通報: the agency that received the report, the program office (which triages
    it), and — once it became a watch — those who see that watch."""
    qs = CommunityReport.objects.all()
    me = acting(user)
    if not me:
        return qs.none()
    if me.is_office:
        return qs
    if not me.works_with_persons:
        return qs.none()
    return qs.filter(
        Q(agency_id=me.agency_id) | Q(watch_id__in=watches_visible_to(user).values("pk"))
    )


# ``Model.objects.visible_to(user)`` answers with these rules.
for _model, _rule in (
    (Person, persons_visible_to),
    (Household, households_visible_to),
    (Consultation, consultations_visible_to),
    (Referral, referrals_visible_to),
    (Case, cases_visible_to),
    (Meeting, meetings_visible_to),
    (OutreachRecord, outreach_records_visible_to),
    (ParticipationRecord, participation_records_visible_to),
    (Watch, watches_visible_to),
    (CommunityReport, community_reports_visible_to),
):
    register_visibility(_model, _rule)
