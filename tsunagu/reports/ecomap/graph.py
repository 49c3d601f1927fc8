"""The ecomap of a person or a household as nodes and edges, read as the viewer sees it.

Every part comes through the apps' ``visible_to(user)`` querysets and selectors:

- the centre (the person, or the household with its current members): the caller has
  already read it through ``people.selectors`` (404 for a viewer who may not see it); a
  member the viewer may not see is drawn without name or relation, and nothing about them;
- 多機関協働 cases the viewer knows of: with the case's content, the coordinating agency,
  the team (with roles, those who left too), the lead agency after closure and the meetings
  (that the viewer sees) at which the case was discussed; without it, only the coordinating
  agency and the viewer's own place on the team;
- consultations and referrals (from and to, with their state) the viewer sees;
- outreach records, 参加支援 records with their places (matches), and 見守り with their
  watchers, the viewer sees.

An edge joins the centre (or the member a record is about) to an agency, a meeting, a place
or a watcher. Its ``category`` is the kind of tie (its colour) and its ``strength`` how
close and current it is (its line).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from tsunagu import access
from tsunagu.cases.models import Case, CaseStatus, CaseTeamMember
from tsunagu.common.wareki import format_wareki
from tsunagu.community.models import Watch
from tsunagu.consultations.models import Outcome, ReferralStatus
from tsunagu.consultations.selectors import consultation_list, referral_list
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.outreach.models import OutreachRecord
from tsunagu.participation.models import Match, MatchStatus, ParticipationRecord
from tsunagu.people import selectors as people_selectors
from tsunagu.people.models import Household, HouseholdMember, Person

# How close and current a tie is: its line.
STRONG = "strong"
ACTIVE = "active"
PENDING = "pending"
INFORMAL = "informal"
ENDED = "ended"

STRENGTH_LABELS = {
    STRONG: "支援チーム・主担当（現在）",
    ACTIVE: "支援中・関わり中",
    PENDING: "回答待ち・調整中",
    INFORMAL: "見守り・地域のつながり",
    ENDED: "過去の関わり・終了",
}
#: the strongest first: a node drawn with several ties takes the line of its strongest
STRENGTH_ORDER = (STRONG, ACTIVE, PENDING, INFORMAL, ENDED)

# The kind of tie: its colour.
CATEGORY_LABELS = {
    "family": "家族・世帯",
    "case": "多機関協働（事例）",
    "referral": "つなぎ",
    "consultation": "相談",
    "meeting": "会議",
    "outreach": "アウトリーチ",
    "participation": "参加支援",
    "watch": "見守り",
}

NODE_KIND_LABELS = {
    "person": "本人",
    "household": "世帯",
    "member": "世帯員",
    "agency": "機関",
    "meeting": "会議",
    "resource": "参加の場",
    "watcher": "見守る人",
}

HIDDEN_MEMBER = "（閲覧できない世帯員）"
OPEN_REFERRAL = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
MATCH_UNDER_WAY = (MatchStatus.STARTED, MatchStatus.SETTLED)
MATCH_PROPOSED = (MatchStatus.PROPOSED, MatchStatus.ARRANGING)


@dataclass
class Node:
    id: str
    kind: str
    label: str
    note: str = ""
    #: 0: the centre, 1: the household's members, 2: everything around them
    ring: int = 2
    sex: str = ""

    @property
    def kind_label(self) -> str:
        return NODE_KIND_LABELS.get(self.kind, "")


@dataclass
class Edge:
    source: str
    target: str
    category: str
    kind: str
    label: str
    strength: str
    status: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    record: str = ""

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def strength_label(self) -> str:
        return STRENGTH_LABELS[self.strength]

    @property
    def period(self) -> str:
        if self.since is None and self.until is None:
            return ""
        start = format_wareki(self.since) if self.since else ""
        end = format_wareki(self.until) if self.until else ""
        return f"{start}〜{end}"


@dataclass
class Ecomap:
    subject: str  # "person" or "household"
    subject_id: int
    title: str
    today: datetime.date
    nodes: list[Node]
    edges: list[Edge]
    #: the persons whose names are shown, and the records drawn (for the audit)
    persons: list[int] = field(default_factory=list)
    records: dict[str, list[int]] = field(default_factory=dict)

    @property
    def centre(self) -> Node:
        return self.nodes[0]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def rows(self) -> list[tuple[Node, Node, Edge]]:
        """Every tie as (from, to, edge), family first, then by strength and name: the table
        printed under the picture."""
        index = {n.id: n for n in self.nodes}
        order = {s: n for n, s in enumerate(STRENGTH_ORDER)}
        ranked = sorted(
            self.edges,
            key=lambda e: (
                e.category != "family",
                order[e.strength],
                index[e.target].label,
                e.label,
            ),
        )
        return [(index[e.source], index[e.target], e) for e in ranked]

    def strongest(self) -> dict[str, Edge]:
        """The strongest tie into each node (the line drawn to it)."""
        order = {s: n for n, s in enumerate(STRENGTH_ORDER)}
        found: dict[tuple[str, str], Edge] = {}
        for edge in self.edges:
            key = (edge.source, edge.target)
            if key not in found or order[edge.strength] < order[found[key].strength]:
                found[key] = edge
        return {f"{s}>{t}": e for (s, t), e in found.items()}

    def audit_context(self) -> dict:
        return {"page": "ecomap", **{k: v for k, v in self.records.items() if v}}


def _age_note(person: Person, today: datetime.date) -> str:
    age = person.age_on(today)
    return f"{age}歳" if age is not None else ""


def _joined(*parts: str) -> str:
    return "・".join(p for p in parts if p)


class _Builder:
    def __init__(self, user, today: datetime.date):
        self.user = user
        self.today = today
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.records: dict[str, set[int]] = defaultdict(set)
        self.persons: set[int] = set()
        #: person id / household id → the node that records about them join
        self.anchors: dict[int, str] = {}
        self.households: dict[int, str] = {}

    # ------------------------------------------------------------------ parts

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def agency(self, agency) -> str:
        return self.add(Node(id=f"agency:{agency.pk}", kind="agency", label=agency.name))

    def tie(self, source: str, target: str, **fields) -> None:
        self.edges.append(Edge(source=source, target=target, **fields))

    def anchor(
        self, person_id: int | None, household_id: int | None, *, household_wide: bool = False
    ) -> str | None:
        """The node a record about the person and/or household joins: the person's, else the
        household's when it is about no one else (``household_wide``: a case about a household
        joins the household, whoever its person); ``None`` for a record about someone not
        drawn."""
        if household_wide and household_id in self.households:
            return self.households[household_id]
        if person_id in self.anchors:
            return self.anchors[person_id]
        if person_id is not None and not household_wide:
            return None
        return self.households.get(household_id)

    def members(self, source: str, members, *, with_ties: bool) -> None:
        """The household's current members around ``source``: named with their 続柄 when
        the viewer may see them, otherwise neither; ``with_ties``: with their own ties (of
        those the viewer may see)."""
        visible = people_selectors.visible_person_ids(self.user, [m.person_id for m in members])
        for member in members:
            node_id = f"person:{member.person_id}"
            if member.person_id in visible:
                person = member.person
                relation = member.get_relation_display()
                self.add(
                    Node(
                        id=node_id,
                        kind="member",
                        label=person.name,
                        note=_joined(relation, _age_note(person, self.today)),
                        ring=1,
                        sex=person.sex,
                    )
                )
                self.persons.add(member.person_id)
                if with_ties:
                    self.anchors.setdefault(member.person_id, node_id)
                label = relation
            else:
                self.add(Node(id=node_id, kind="member", label=HIDDEN_MEMBER, ring=1))
                label = "世帯員"
            self.tie(
                source, node_id, category="family", kind="family", label=label, strength=ACTIVE
            )

    # ------------------------------------------------------------------ the ties

    def build(self) -> None:
        person_ids = list(self.anchors)
        household_ids = list(self.households)
        if not person_ids and not household_ids:
            return
        self.cases(person_ids, household_ids)
        self.consultations(person_ids, household_ids)
        self.referrals(person_ids, household_ids)
        self.outreach(person_ids)
        self.participation(person_ids)
        self.watches(person_ids)

    def cases(self, person_ids: list[int], household_ids: list[int]) -> None:
        cases = list(
            Case.objects.visible_to(self.user)
            .filter(Q(person_id__in=person_ids) | Q(household_id__in=household_ids))
            .select_related("coordinating_agency", "lead_agency_after_closure")
            .order_by("opened_on", "id")
        )
        if not cases:
            return
        ids = [c.pk for c in cases]
        with_content = set(
            access.case_content_visible_to(self.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        team: dict[int, list[CaseTeamMember]] = defaultdict(list)
        for member in (
            CaseTeamMember.objects.filter(case_id__in=ids)
            .select_related("agency")
            .order_by("joined_on", "id")
        ):
            team[member.case_id].append(member)
        own_agency = access.acting_agency_id(self.user)
        for case in cases:
            source = self.anchor(case.person_id, case.household_id, household_wide=True)
            if source is None:
                continue
            self.records["cases"].add(case.pk)
            closed = case.status == CaseStatus.CLOSED
            content = case.pk in with_content
            record = f"case:{case.pk}"
            self.tie(
                source,
                self.agency(case.coordinating_agency),
                category="case",
                kind="case_coordination",
                label=f"多機関協働のコーディネート（事例 #{case.pk}）"
                if content
                else f"多機関協働のコーディネート（事例 #{case.pk}・内容は閲覧できません）",
                strength=ENDED if closed else STRONG,
                status=case.get_status_display(),
                since=case.opened_on,
                until=case.closed_on,
                record=record,
            )
            for member in team[case.pk]:
                if not content and member.agency_id != own_agency:
                    continue
                left = member.left_on is not None
                role = member.role if content else "自機関"
                self.tie(
                    source,
                    self.agency(member.agency),
                    category="case",
                    kind="case_team",
                    label=f"支援チーム（{role}）" if role else "支援チーム",
                    strength=ENDED if left or closed else STRONG,
                    status="離脱" if left else "参加中",
                    since=member.joined_on,
                    until=member.left_on,
                    record=record,
                )
            if content and case.lead_agency_after_closure is not None:
                self.tie(
                    source,
                    self.agency(case.lead_agency_after_closure),
                    category="case",
                    kind="case_lead",
                    label="終結後の主担当機関",
                    strength=STRONG,
                    status=case.get_status_display(),
                    since=case.closed_on,
                    record=record,
                )
        self.meetings([c for c in cases if c.pk in with_content])

    def meetings(self, cases: list[Case]) -> None:
        """The meetings the viewer sees at which a case whose content they see was discussed."""
        if not cases:
            return
        by_id = {c.pk: c for c in cases}
        items = (
            AgendaItem.objects.filter(case_id__in=list(by_id), is_withdrawn=False)
            .filter(meeting__in=Meeting.objects.visible_to(self.user))
            .select_related("meeting")
            .order_by("meeting__starts_at", "id")
        )
        for item in items:
            case = by_id[item.case_id]
            source = self.anchor(case.person_id, case.household_id, household_wide=True)
            meeting = item.meeting
            day = timezone.localtime(meeting.starts_at).date()
            node = self.add(
                Node(
                    id=f"meeting:{meeting.pk}",
                    kind="meeting",
                    label=meeting.title,
                    note=format_wareki(day),
                )
            )
            self.records["meetings"].add(meeting.pk)
            ended = meeting.is_cancelled or case.status == CaseStatus.CLOSED
            self.tie(
                source,
                node,
                category="meeting",
                kind="meeting",
                label=f"{meeting.get_kind_display()}で協議（{item.get_purpose_display()}）",
                strength=ENDED if ended else ACTIVE,
                status=item.get_outcome_display() if item.outcome else "協議予定・協議中",
                since=day,
                record=f"case:{case.pk}",
            )

    def consultations(self, person_ids: list[int], household_ids: list[int]) -> None:
        rows = consultation_list(user=self.user, about=(person_ids, household_ids)).order_by(
            "received_on", "id"
        )
        for consultation in rows:
            source = self.anchor(consultation.person_id, consultation.household_id)
            if source is None:
                continue
            self.records["consultations"].add(consultation.pk)
            self.tie(
                source,
                self.agency(consultation.agency),
                category="consultation",
                kind="consultation",
                label=f"相談受付（{consultation.get_channel_display()}）",
                strength=ACTIVE if consultation.outcome == Outcome.HANDLED else ENDED,
                status=consultation.get_outcome_display(),
                since=consultation.received_on,
                record=f"consultation:{consultation.pk}",
            )

    def referrals(self, person_ids: list[int], household_ids: list[int]) -> None:
        rows = referral_list(user=self.user, about=(person_ids, household_ids)).order_by(
            "sent_at", "id"
        )
        for referral in rows:
            source = self.anchor(referral.person_id, referral.household_id)
            if source is None:
                continue
            self.records["referrals"].add(referral.pk)
            if referral.status == ReferralStatus.SENT:
                to_strength, from_strength = PENDING, PENDING
            elif referral.status in OPEN_REFERRAL:
                to_strength, from_strength = ACTIVE, ENDED
            else:
                to_strength, from_strength = ENDED, ENDED
            common = {
                "category": "referral",
                "status": referral.get_status_display(),
                "since": timezone.localtime(referral.sent_at).date(),
                "record": f"referral:{referral.pk}",
            }
            self.tie(
                source,
                self.agency(referral.to_agency),
                kind="referral_to",
                label=f"つなぎ先（{referral.from_agency.name}から・{referral.get_kind_display()}）",
                strength=to_strength,
                until=timezone.localtime(referral.completed_at).date()
                if referral.completed_at
                else None,
                **common,
            )
            self.tie(
                source,
                self.agency(referral.from_agency),
                kind="referral_from",
                label=f"つなぎ元（{referral.to_agency.name}へ）",
                strength=from_strength,
                **common,
            )

    def outreach(self, person_ids: list[int]) -> None:
        records = (
            OutreachRecord.objects.visible_to(self.user)
            .filter(person_id__in=person_ids)
            .select_related("agency", "connected_agency")
            .order_by("began_on", "id")
        )
        for record in records:
            source = self.anchors[record.person_id]
            self.records["outreach"].add(record.pk)
            open_ = record.closed_on is None
            self.tie(
                source,
                self.agency(record.agency),
                category="outreach",
                kind="outreach",
                label=f"アウトリーチ（{record.get_stage_display()}）",
                strength=ACTIVE if open_ else ENDED,
                status="継続中" if open_ else f"終了（{record.get_closure_reason_display()}）",
                since=record.began_on,
                until=record.closed_on,
                record=f"outreach:{record.pk}",
            )
            if record.connected_agency is not None:
                self.tie(
                    source,
                    self.agency(record.connected_agency),
                    category="outreach",
                    kind="outreach_connected",
                    label="アウトリーチでつながった機関",
                    strength=ACTIVE,
                    since=record.closed_on,
                    record=f"outreach:{record.pk}",
                )

    def participation(self, person_ids: list[int]) -> None:
        records = list(
            ParticipationRecord.objects.visible_to(self.user)
            .filter(person_id__in=person_ids)
            .select_related("agency")
            .order_by("started_on", "id")
        )
        for record in records:
            self.records["participation"].add(record.pk)
            open_ = record.closed_on is None
            self.tie(
                self.anchors[record.person_id],
                self.agency(record.agency),
                category="participation",
                kind="participation",
                label="参加支援",
                strength=ACTIVE if open_ else ENDED,
                status="支援中" if open_ else "終結",
                since=record.started_on,
                until=record.closed_on,
                record=f"participation:{record.pk}",
            )
        matches = (
            Match.objects.filter(record__in=records)
            .select_related("record", "resource__organization")
            .order_by("proposed_on", "id")
        )
        for match in matches:
            resource = match.resource
            node = self.add(
                Node(
                    id=f"resource:{resource.pk}",
                    kind="resource",
                    label=resource.name,
                    note=resource.organization.name,
                )
            )
            if match.status in MATCH_UNDER_WAY:
                strength = ACTIVE
            elif match.status in MATCH_PROPOSED:
                strength = PENDING
            else:
                strength = ENDED
            self.tie(
                self.anchors[match.record.person_id],
                node,
                category="participation",
                kind="participation_place",
                label="参加の場",
                strength=strength,
                status=match.get_status_display(),
                since=match.started_on or match.proposed_on,
                until=match.ended_on,
                record=f"participation:{match.record_id}",
            )

    def watches(self, person_ids: list[int]) -> None:
        watches = (
            Watch.objects.visible_to(self.user)
            .filter(person_id__in=person_ids)
            .select_related("agency")
            .prefetch_related("watchers__agency")
            .order_by("starts_on", "id")
        )
        for watch in watches:
            source = self.anchors[watch.person_id]
            self.records["watches"].add(watch.pk)
            ended = watch.ended_on is not None
            strength = ENDED if ended else INFORMAL
            common = {
                "category": "watch",
                "strength": strength,
                "status": "終了" if ended else watch.get_frequency_display(),
                "since": watch.starts_on,
                "until": watch.ended_on,
                "record": f"watch:{watch.pk}",
            }
            self.tie(
                source, self.agency(watch.agency), kind="watch", label="見守りを担う機関", **common
            )
            for watcher in watch.watchers.all():
                if watcher.agency is not None:
                    target = self.agency(watcher.agency)
                else:
                    target = self.add(
                        Node(
                            id=f"watcher:{watcher.pk}",
                            kind="watcher",
                            label=watcher.name,
                            note=watcher.get_kind_display(),
                        )
                    )
                label = f"見守り（{watcher.get_kind_display()}）"
                self.tie(source, target, kind="watcher", label=label, **common)

    # ------------------------------------------------------------------ the result

    def result(self, *, subject: str, subject_id: int, title: str) -> Ecomap:
        order = {node_id: n for n, node_id in enumerate(self.nodes)}
        nodes = sorted(self.nodes.values(), key=lambda n: (n.ring, order[n.id]))
        return Ecomap(
            subject=subject,
            subject_id=subject_id,
            title=title,
            today=self.today,
            nodes=nodes,
            edges=self.edges,
            persons=sorted(self.persons),
            records={k: sorted(v) for k, v in self.records.items()},
        )


def person_ecomap(user, person: Person, *, today: datetime.date | None = None) -> Ecomap:
    """The ecomap of ``person`` (read by the caller through ``people.selectors``, so visible):
    the person at the centre, the other members of their households around them, and every
    tie the viewer may see of the person and of those households."""
    b = _Builder(user, today or timezone.localdate())
    centre = b.add(
        Node(
            id=f"person:{person.pk}",
            kind="person",
            label=person.name,
            note=_age_note(person, b.today),
            ring=0,
            sex=person.sex,
        )
    )
    b.persons.add(person.pk)
    b.anchors[person.pk] = centre
    households = list(people_selectors.households_of(user=user, person=person))
    links = (
        HouseholdMember.objects.filter(
            household__in=households, end_date__isnull=True, person__is_archived=False
        )
        .select_related("person")
        .order_by("household_id", "id")
    )
    for household in households:
        b.households[household.pk] = centre
    b.members(centre, [m for m in links if m.person_id != person.pk], with_ties=False)
    relations = [m.get_relation_display() for m in links if m.person_id == person.pk]
    b.nodes[centre].note = _joined(*dict.fromkeys(relations), b.nodes[centre].note)
    b.build()
    return b.result(subject="person", subject_id=person.pk, title=f"{person.name}さんのエコマップ")


def household_ecomap(user, household: Household, *, today: datetime.date | None = None) -> Ecomap:
    """The ecomap of ``household`` (read through ``people.selectors``, with its
    ``current_members``): the household at the centre, its members around it, and every tie
    the viewer may see of the household and of the members they may see."""
    b = _Builder(user, today or timezone.localdate())
    members = list(household.current_members)
    centre = b.add(
        Node(
            id=f"household:{household.pk}",
            kind="household",
            label=household.label,
            note=f"世帯員 {len(members)}人",
            ring=0,
        )
    )
    b.households[household.pk] = centre
    b.members(centre, members, with_ties=True)
    b.build()
    return b.result(
        subject="household", subject_id=household.pk, title=f"{household.label}のエコマップ"
    )


def case_subject_ecomap(user, case: Case) -> tuple[Person | Household, Ecomap] | None:
    """The ecomap of a case's household (or person, for a case without one) as ``user`` sees
    it, with that household or person; ``None`` when the user may not see either."""
    if case.household_id:
        try:
            household = people_selectors.household_get(user=user, pk=case.household_id)
        except Household.DoesNotExist:
            pass
        else:
            return household, household_ecomap(user, household)
    if case.person_id:
        try:
            person = people_selectors.person_get(user=user, pk=case.person_id)
        except Person.DoesNotExist:
            return None
        return person, person_ecomap(user, person)
    return None
