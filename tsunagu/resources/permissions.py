"""Who may read and edit the 社会資源 directory. It holds no personal data: every member of
staff reads it; the program office, participation workers and community coordinators keep
it (hosts are not users)."""

from __future__ import annotations

import rules

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Role

EDITOR_ROLES = (Role.MUNICIPAL_OFFICER, Role.PARTICIPATION_WORKER, Role.COMMUNITY_COORDINATOR)


@rules.predicate
def reads_directory(user) -> bool:
    return acting(user).works_with_persons


@rules.predicate
def keeps_directory(user) -> bool:
    return acting(user).has_role(*EDITOR_ROLES)


rules.add_perm("resources.view", reads_directory)
rules.add_perm("resources.edit", keeps_directory)

NOT_EDITOR = "社会資源の登録・更新は、事務局、参加支援員、地域福祉コーディネーターが行います。"
