"""Who may do what on the community side (rules predicates).

Activities, platforms and targets hold no personal data beyond organisers' contacts: every
member of staff reads them; community coordinators and the office record activities and keep
platforms; only the office sets targets and writes the yearly evaluation. Watches, checks and
reports are personal data: who sees them is decided by ``tsunagu.access``
(``watches_visible_to``, ``community_reports_visible_to``); keeping a watch and recording a
report needs a role that works with persons; triage is the office's.
"""

from __future__ import annotations

import rules

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Role

EDITOR_ROLES = (Role.MUNICIPAL_OFFICER, Role.COMMUNITY_COORDINATOR)
WATCH_ROLES = (
    Role.MUNICIPAL_OFFICER,
    Role.COMMUNITY_COORDINATOR,
    Role.DESK_WORKER,
    Role.COORDINATOR,
    Role.OUTREACH_WORKER,
)


@rules.predicate
def reads_community(user) -> bool:
    return acting(user).works_with_persons


@rules.predicate
def keeps_activities(user) -> bool:
    return acting(user).has_role(*EDITOR_ROLES)


@rules.predicate
def is_office(user) -> bool:
    return acting(user).is_office


@rules.predicate
def keeps_watches(user) -> bool:
    return acting(user).has_role(*WATCH_ROLES)


def may_coordinate(user) -> bool:
    """Whether ``user`` may be named as an activity's or a platform's coordinator: an active
    user with an active membership as a community coordinator or in the office."""
    from tsunagu.accounts.models import Membership

    return bool(
        user is not None
        and user.is_active
        and Membership.objects.filter(user=user, is_active=True, role__in=EDITOR_ROLES).exists()
    )


rules.add_perm("community.view", reads_community)
rules.add_perm("community.edit", keeps_activities)
rules.add_perm("community.set_targets", is_office)
rules.add_perm("community.watch", keeps_watches)
rules.add_perm("community.triage", is_office)

NOT_EDITOR = "地域づくり活動の記録は、地域福祉コーディネーターと事務局が行います。"
NOT_COORDINATOR = (
    "地域福祉コーディネーターには、地域福祉コーディネーターか事務局の職員を選んでください。"
)
NOT_OFFICE_TARGETS = "成果目標の設定と評価は、自治体の事務局が行います。"
NOT_WATCH_KEEPER = (
    "見守りの登録と安否確認の記録は、支援関係機関の相談員・コーディネーターが行います。"
)
NOT_OFFICE_TRIAGE = "気づき・通報の振り分けは、自治体の事務局が行います。"
