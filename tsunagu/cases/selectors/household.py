"""The household page's section of 多機関協働 cases, registered in ``CasesConfig.ready()``
(``tsunagu.people.panels``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tsunagu.people.panels import AUDIT
from tsunagu.people.selectors import visible_person_ids

from .case import case_list


@dataclass
class CaseRow:
    case: object
    person_visible: bool
    plan: object | None
    team: list


def household_panel(user, household) -> dict:
    """The cases about the household or any current member that the user may see, with the
    current plan (the latest version not superseded) and the current team."""
    member_ids = [m.person_id for m in household.current_members]
    visible_members = visible_person_ids(user, member_ids)
    cases = (
        case_list(user=user)
        .filter(Q(household=household) | Q(person_id__in=member_ids))
        .select_related("household")
        .prefetch_related("plans", "team__agency")
    )
    rows = []
    for case in cases:
        plans = sorted(
            (p for p in case.plans.all() if p.status != "superseded"), key=lambda p: p.version
        )
        team = sorted(
            (m for m in case.team.all() if m.left_on is None), key=lambda m: (m.joined_on, m.pk)
        )
        rows.append(
            CaseRow(
                case=case,
                person_visible=case.person_id in visible_members,
                plan=plans[-1] if plans else None,
                team=[m.agency for m in team],
            )
        )
    return {"cases": rows, AUDIT: {"cases": [row.case.pk for row in rows]}}
