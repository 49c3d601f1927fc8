"""Reads of meetings; every list starts from ``tsunagu.access.meetings_visible_to``.

A meeting's materials (the agenda's cases, decisions, minutes, action items, resource gaps)
are shown only to those ``meetings.view_materials`` allows: at a 支援会議 a member's own
recorded pledge of confidentiality (社会福祉法第106条の6) comes first.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Membership, Role
from tsunagu.audit.services import audit_read
from tsunagu.cases.models import Case
from tsunagu.cases.permissions import coordinating_role
from tsunagu.cases.selectors.activity import contact_attempts
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.selectors import subject_person_ids
from tsunagu.people.selectors import visible_person_ids

from .models import (
    DECISION_KINDS,
    DECISION_PURPOSES,
    ActionItem,
    AgendaItem,
    AgendaPurpose,
    DecisionOutcome,
    Meeting,
    MeetingGap,
    MeetingMember,
)

P = AgendaPurpose
D = DecisionOutcome

UPCOMING = "upcoming"
PAST = "past"
DASHBOARD_DAYS = 30
PANEL_ROWS = 8

# What the statute says a 支援会議 member pledges (社会福祉法第106条の6; 003 支援会議).
PLEDGE_TEXT = (
    "支援会議の構成員は、正当な理由なく、支援会議の事務に関して知り得た秘密を漏らしては"
    "なりません（社会福祉法第106条の6）。支援会議の中で共有された課題を抱える地域住民に関する"
    "個人情報等を支援会議の外へ漏えいさせるなど守秘義務に違反した場合には、"
    "一年以下の拘禁刑又は百万円以下の罰金に処されます。"
)

# Outcomes a decision may take, by the item's purpose (as ``services.decision_record``).
OUTCOMES_BY_PURPOSE = {
    P.PLAN_ADOPTION: (D.AGREED, D.REVISE),
    P.REPLAN: (D.AGREED, D.REVISE),
    P.CLOSURE: (D.AGREED, D.NOT_AGREED),
    P.SUSPENSION: (D.AGREED, D.NOT_AGREED),
    P.OUTREACH_PLAN: (D.AGREED, D.REVISE, D.NOT_AGREED),
}


def outcomes_for(purpose: str) -> tuple:
    return OUTCOMES_BY_PURPOSE.get(purpose, (D.NOTED,))


# ------------------------------------------------------------------------------- meetings


def meeting_list(
    *, user, q: str = "", kind: str = "", when: str = "", schedule: str = ""
) -> QuerySet[Meeting]:
    """Meetings the user may see: upcoming ones soonest first, otherwise newest first."""
    qs = access.meetings_visible_to(user).select_related("convening_agency")
    for word in q.split():
        qs = qs.filter(title__icontains=word)
    if kind:
        qs = qs.filter(kind=kind)
    if schedule:
        qs = qs.filter(schedule=schedule)
    now = timezone.now()
    qs = qs.annotate(
        agenda_count=Count("agenda", filter=Q(agenda__is_withdrawn=False), distinct=True)
    )
    if when == UPCOMING:
        return qs.filter(starts_at__gte=now).order_by("starts_at", "id")
    if when == PAST:
        qs = qs.filter(starts_at__lt=now)
    return qs.order_by("-starts_at", "-id")


def meeting_get(*, user, pk: int) -> Meeting:
    """The meeting with its members and agenda; ``Meeting.DoesNotExist`` unless visible."""
    return (
        access.meetings_visible_to(user)
        .select_related("convening_agency", "created_by")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=MeetingMember.objects.select_related(
                    "user", "agency", "pledge_recorded_by"
                ).order_by("id"),
            ),
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.select_related(
                    "case",
                    "case__person",
                    "case__household",
                    "plan",
                    "lead_agency",
                    "decided_by",
                ).order_by("order", "id"),
            ),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner_agency", "agenda_item").order_by(
                    "due_on", "id"
                ),
            ),
            Prefetch(
                "gap_links",
                queryset=MeetingGap.objects.select_related(
                    "gap__area", "gap__met_by", "gap__kind"
                ).order_by("id"),
            ),
        )
        .get(pk=pk)
    )


MANAGE_REFUSED = "この操作は、会議を招集した機関の多機関協働事業者と事務局が行います。"


def get_meeting_for_user(user, pk, *, for_write: bool = False) -> Meeting:
    """The meeting as :func:`meeting_get` reads it, for a page or endpoint of ``user``.

    A meeting the user may not see (a guest's invitation counts only until it expires or is
    revoked) answers ``Http404``, never 403; with ``for_write``, a meeting the user sees but
    may not run (``meetings.manage_meeting``: the convening agency's coordinator, or the
    program office) answers ``PermissionDenied``.
    """
    try:
        meeting = meeting_get(user=user, pk=int(pk))
    except (Meeting.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if for_write and not user.has_perm("meetings.manage_meeting", meeting):
        raise PermissionDenied(MANAGE_REFUSED)
    return meeting


def agenda_item_in(meeting: Meeting, item_pk) -> AgendaItem:
    """An item of ``meeting``'s agenda (from :func:`get_meeting_for_user`); 404 otherwise."""
    for item in meeting.agenda.all():
        if str(item.pk) == str(item_pk):
            return item
    raise Http404


def member_in(meeting: Meeting, member_pk) -> MeetingMember:
    """A member of ``meeting`` (from :func:`get_meeting_for_user`); 404 otherwise."""
    for member in meeting.members.all():
        if str(member.pk) == str(member_pk):
            return member
    raise Http404


def action_item_in(meeting: Meeting, action_pk) -> ActionItem:
    """An action item of ``meeting`` (from :func:`get_meeting_for_user`); 404 otherwise."""
    for action in meeting.action_items.all():
        if str(action.pk) == str(action_pk):
            return action
    raise Http404


def get_sheet_item_for_user(user, meeting_pk, item_pk) -> AgendaItem:
    """The agenda item a 事例概要シート is about, read for the sheet
    (:func:`tsunagu.meetings.summary.sheet_item_get`): ``Http404`` unless the user may see
    the meeting and the item is on it. Whether they may read the materials is checked apart
    (``meetings.view_materials``, 403 with the reason)."""
    from .summary import sheet_item_get

    try:
        return sheet_item_get(user=user, meeting_pk=int(meeting_pk), item_pk=int(item_pk))
    except (AgendaItem.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def agenda_persons(meeting: Meeting) -> list[int]:
    """Every person the agenda's cases concern (for the audited read of the materials)."""
    return subject_person_ids([item.case for item in meeting.agenda.all() if item.case_id])


def own_member(user, meeting: Meeting) -> MeetingMember | None:
    for member in meeting.members.all():
        if member.user_id == user.pk:
            return member
    return None


def member_state(member: MeetingMember, now: datetime.datetime | None = None) -> str:
    """``revoked``, ``expired`` or ``valid`` (a guest's invitation), or ``member``."""
    if not member.is_guest:
        return "member"
    if member.invitation_revoked_at is not None:
        return "revoked"
    now = now or timezone.now()
    if member.invited_until is not None and member.invited_until < now:
        return "expired"
    return "valid"


def visible_case_ids(user, case_ids) -> set[int]:
    return set(
        access.cases_visible_to(user).filter(pk__in=set(case_ids)).values_list("pk", flat=True)
    )


# ------------------------------------------------------------------------------- choices


def agenda_case_choices(user) -> list[tuple[int, str]]:
    """Cases the user may put on an agenda: 「事例 #13 山田世帯（本人 山田 一郎）・状態」, the
    household and the person named only if the user may see them."""
    cases = list(
        access.cases_visible_to(user)
        .select_related("person", "household")
        .order_by("-opened_on", "-id")
    )
    persons = visible_person_ids(user, [c.person_id for c in cases if c.person_id])
    households = set(
        access.households_visible_to(user)
        .filter(pk__in={c.household_id for c in cases if c.household_id})
        .values_list("pk", flat=True)
    )
    choices = []
    for case in cases:
        label = f"事例 #{case.pk}"
        if case.household_id in households:
            label += f" {case.household.label}"
        if case.person_id in persons:
            label += f"（本人 {case.person.name}）"
        choices.append((case.pk, f"{label}・{case.get_status_display()}"))
    return choices


def member_user_choices(meeting: Meeting | None = None) -> list[tuple[int, str]]:
    """Active memberships of active users: 「氏名（機関・役割）」, valued by membership id."""
    taken = set()
    if meeting is not None:
        taken = {m.user_id for m in meeting.members.all() if m.user_id}
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .exclude(role=Role.ADMIN)
        .exclude(user_id__in=taken)
        .select_related("user", "agency")
        .order_by("agency__name_kana", "agency__name", "user__display_name_kana", "id")
    )
    return [
        (
            m.pk,
            f"{m.user.display_name or m.user.get_full_name() or m.user.get_username()}"
            f"（{m.agency.name}・{m.get_role_display()}）",
        )
        for m in memberships
    ]


def contact_attempts_text(case) -> str:
    """The case's recorded contact attempts as lines, to prefill a suspension decision."""

    if case is None:
        return ""
    lines = []
    for entry in contact_attempts(case):
        reached = "連絡が取れた" if entry.reached_person else "連絡が取れず"
        lines.append(
            f"{format_wareki(entry.occurred_on)} {entry.get_kind_display()}"
            f"（{entry.agency.name}）：{entry.summary.strip()}（{reached}）"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------- panels

# Purposes offered on the case page, by the case's status.
_PURPOSES_BY_STATUS = {
    "intake": (P.INFORMATION,),
    "assessment": (P.INFORMATION, P.SUSPENSION),
    "planning": (P.PLAN_ADOPTION, P.INFORMATION, P.SUSPENSION),
    "in_conference": (P.PROGRESS,),
    "awaiting_decision": (P.PROGRESS,),
    "active": (P.PROGRESS, P.CLOSURE, P.SUSPENSION),
    "monitoring": (P.PROGRESS, P.CLOSURE, P.SUSPENSION),
    "replanning": (P.REPLAN, P.CLOSURE, P.SUSPENSION),
    "closed": (P.INFORMATION,),
    "suspended": (P.INFORMATION,),
}


def _managed_upcoming(user) -> QuerySet[Meeting]:

    if not coordinating_role(user):
        return Meeting.objects.none()
    qs = access.meetings_visible_to(user).filter(starts_at__gte=timezone.now(), is_cancelled=False)
    if not access.sees_everything(user):
        qs = qs.filter(convening_agency_id=access.acting_agency_id(user))
    return qs.order_by("starts_at", "id")


def case_panel(user, case) -> dict:
    """Context for the case page's meetings section (agenda items about the case).
    The case page's own audited read covers the case shown here."""
    from .services import conference_consent_ok

    items = list(
        AgendaItem.objects.filter(case_id=case.pk)
        .select_related("meeting", "plan")
        .order_by("-meeting__starts_at", "-id")
    )
    visible = set(
        access.meetings_visible_to(user)
        .filter(pk__in={i.meeting_id for i in items})
        .values_list("pk", flat=True)
    )
    for item in items:
        item.meeting_visible = item.meeting_id in visible
    offers = []
    if user.has_perm("cases.manage_case", case):
        consent_ok = conference_consent_ok(case)
        purposes = _PURPOSES_BY_STATUS.get(case.status, (P.INFORMATION,))
        for meeting in _managed_upcoming(user)[:5]:
            if not meeting.is_confidential and not consent_ok:
                continue
            choices = [
                p for p in purposes if p not in DECISION_PURPOSES or meeting.kind in DECISION_KINDS
            ]
            if not choices:
                continue
            base = reverse("meetings:agenda_add", args=[meeting.pk])
            offers.append(
                {
                    "meeting": meeting,
                    "links": [
                        {"label": P(p).label, "url": f"{base}?case={case.pk}&purpose={p}"}
                        for p in choices
                    ],
                }
            )
    return {"meetings_panel": {"items": items, "offers": offers, "case_id": case.pk}}


def dashboard_panel(user, *, request) -> dict:
    """Context for the dashboard's meetings panel: the next 30 days' meetings the user's
    agency convenes or the user is a member of (a guest: their invitations), with the
    pledges still needed, and the open action items owned by the user's agency."""

    me = acting(user)
    if not me or not user.has_perm("meetings.use"):
        return {}
    now = timezone.now()
    visible = access.meetings_visible_to(user).filter(is_cancelled=False)
    is_guest = me.is_guest
    if is_guest:
        meetings = visible.order_by("starts_at", "id")
    else:
        meetings = (
            visible.filter(starts_at__gte=now, starts_at__lt=now + datetime.timedelta(days=30))
            .filter(Q(convening_agency_id=me.agency_id) | Q(members__user=user))
            .distinct()
            .order_by("starts_at", "id")
        )
    meetings = list(meetings.select_related("convening_agency")[:PANEL_ROWS])
    members = {
        m.meeting_id: m
        for m in MeetingMember.objects.filter(meeting__in=meetings, user=user).order_by("id")
    }
    unpledged = dict(
        MeetingMember.objects.filter(
            meeting__in=[m for m in meetings if m.is_confidential], pledged_at__isnull=True
        )
        .values_list("meeting_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for meeting in meetings:
        member = members.get(meeting.pk)
        rows.append(
            {
                "meeting": meeting,
                "member": member,
                "pledge_needed": meeting.is_confidential
                and member is not None
                and member.pledged_at is None,
                "unpledged": unpledged.get(meeting.pk, 0)
                if meeting.convening_agency_id == me.agency_id
                else 0,
            }
        )
    actions = []
    if not is_guest:
        today = timezone.localdate()
        actions = list(
            ActionItem.objects.filter(owner_agency_id=me.agency_id, done_on__isnull=True)
            .select_related("meeting", "agenda_item", "agenda_item__case")
            .order_by("due_on", "id")[:PANEL_ROWS]
        )
        seen = set(
            visible.filter(pk__in={a.meeting_id for a in actions}).values_list("pk", flat=True)
        )
        persons: set[int] = set()
        for action in actions:
            action.overdue = action.due_on < today
            action.meeting_visible = action.meeting_id in seen
            if action.agenda_item_id and action.agenda_item.case_id:
                persons.update(action.agenda_item.case.subject_persons())
        if persons:
            audit_read(
                request,
                "dashboard.view",
                persons=sorted(persons),
                purpose="ダッシュボードの確認",
                context={"panel": "meetings", "action_items": [a.pk for a in actions]},
            )
    return {
        "meetings_dashboard": {
            "rows": rows,
            "actions": actions,
            "is_guest": is_guest,
            "may_create": user.has_perm("meetings.create"),
        }
    }


# ---------------------------------------------------------------------------------- helpers


def membership_get(pk: int) -> Membership:
    return Membership.objects.select_related("user", "agency").get(pk=pk, is_active=True)


def visible_case(*, user, pk: int):
    """A case the user may see, or ``None``."""
    return access.cases_visible_to(user).filter(pk=pk).first()


def case_persons(case_ids) -> list[int]:
    """Every person the given cases concern."""

    return sorted(subject_person_ids(list(Case.objects.filter(pk__in=list(case_ids)))))


def case_team_agency_ids(case) -> set[int]:
    return set(case.team.filter(left_on__isnull=True).values_list("agency_id", flat=True))


def role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def active_user(pk: int):
    """A user with an active membership (who may be made a member), or ``None``."""
    membership = (
        Membership.objects.filter(user_id=pk, is_active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def gap_meeting_links(user, gap) -> list[tuple[str, str]]:
    """The meeting where a 不足する社会資源 was raised, if the user may see that meeting
    (shown on the gap's page in the register)."""
    link = MeetingGap.objects.filter(gap=gap).first()
    if link is None:
        return []
    found = access.meetings_visible_to(user).filter(pk=link.meeting_id).first()
    if found is None:
        return []
    when = format_wareki(timezone.localdate(found.starts_at))
    return [
        (
            f"会議：{found.title}（{when}）",
            reverse("meetings:meeting_detail", args=[found.pk]) + "#gaps",
        )
    ]
