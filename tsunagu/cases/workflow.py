"""The 多機関協働 workflow in one place: which status moves a coordinator makes directly,
which only a recorded decision makes (domain.md §5.2), and in which statuses each step is
open. Services enforce these tables; views and templates read them to offer next steps."""

from __future__ import annotations

from tsunagu.cases.models import CaseStatus, PlanStatus
from tsunagu.common.errors import RuleBroken

C = CaseStatus


# A conference may close a case that is being supported (§5.6) and suspend one that is
# anywhere on its way once the person cannot be reached at all (§5.2 ※).
CLOSABLE = (C.ACTIVE, C.MONITORING, C.REPLANNING)

SUSPENDABLE = (C.ASSESSMENT, C.PLANNING, C.ACTIVE, C.MONITORING, C.REPLANNING)

# Moves a coordinator makes directly; everything else needs a meeting decision (§5.2).
DIRECT_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (C.INTAKE, C.ASSESSMENT),
        (C.ASSESSMENT, C.PLANNING),
        (C.CLOSED, C.ASSESSMENT),  # reopening keeps the whole history
        (C.SUSPENDED, C.ASSESSMENT),
    }
)

# Moves made by a recorded step other than the coordinator's button: putting a plan on a
# conference agenda, a meeting decision, the municipality's 支援決定 or the report to it,
# and a monitoring record. ``case_transition`` refuses them all.
DECISION_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (C.PLANNING, C.IN_CONFERENCE),  # plan put on an agenda
        (C.REPLANNING, C.IN_CONFERENCE),
        (C.IN_CONFERENCE, C.PLANNING),  # agenda item withdrawn, or the meeting asks a revision
        (C.IN_CONFERENCE, C.REPLANNING),
        (C.IN_CONFERENCE, C.AWAITING_DECISION),  # the meeting agreed the plan
        (C.AWAITING_DECISION, C.ACTIVE),  # 支援決定, or the report to the municipality
        (C.ACTIVE, C.MONITORING),  # a monitoring or evaluation falls due
        (C.MONITORING, C.ACTIVE),  # monitoring: continue
        (C.ACTIVE, C.REPLANNING),  # monitoring: a re-plan is needed
        (C.MONITORING, C.REPLANNING),
        *((s, C.CLOSED) for s in CLOSABLE),
        *((s, C.SUSPENDED) for s in SUSPENDABLE),
    }
)


class CaseTransitionError(RuleBroken):
    """A case move the rules of the program do not allow (the message names the rule)."""


# Statuses in which the coordinator drafts a plan (the first one, or a re-plan).
PLAN_DRAFTING = (C.PLANNING, C.REPLANNING)

# Cases that have monitoring and evaluation dates.
MONITORED = (C.ACTIVE, C.MONITORING)

# Statuses in which no assessment is recorded: before assessment starts, and after closure.
NOT_ASSESSABLE = {
    CaseStatus.INTAKE: (
        "インテークの段階ではアセスメントを記録できません。"
        "事例を「アセスメント」に進めてから記録してください。"
    ),
    CaseStatus.CLOSED: (
        "終結した事例のアセスメントは記録できません。再開してから記録してください。"
    ),
}
# Plans still on their way to taking effect (a new version waits until none is open).
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.IN_CONFERENCE, PlanStatus.AGREED)

# --------------------------------------------------------------------------- support plans

P = PlanStatus

# A support plan's path (domain.md §5.3). ``cases.services.plan`` makes every one of these
# moves; a meeting reaches them through its functions, never by writing the status.
PLAN_TRANSITIONS: dict[tuple[str, str], str] = {
    (P.DRAFT, P.IN_CONFERENCE): "会議の議題に追加",
    (P.IN_CONFERENCE, P.DRAFT): "議題の取り下げ、または会議が修正を求めた",
    (P.IN_CONFERENCE, P.AGREED): "会議で合意",
    (P.AGREED, P.CONFIRMED): "支援決定、または自治体への報告",
    (P.CONFIRMED, P.SUPERSEDED): "再プランの確定",
}


def plan_is_editable(plan) -> bool:
    """Only a draft plan (not on an agenda, not agreed) is written to."""
    return plan.status == P.DRAFT


def plan_awaits_confirmation(plan) -> bool:
    """Agreed at a meeting, waiting for the 支援決定 or the report to the municipality."""
    return plan.status == P.AGREED and plan.agreed_at_item_id is not None
