"""Who may work 参加支援 records (rules predicates). Seeing a record is decided by
``tsunagu.access.participation_records_visible_to``; working it needs the participation role
acting for the record's agency, or the program office."""

from __future__ import annotations

import rules

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Role


@rules.predicate
def participation_role(user) -> bool:
    return acting(user).has_role(Role.PARTICIPATION_WORKER, Role.MUNICIPAL_OFFICER)


@rules.predicate
def works_record(user, record) -> bool:
    if record is None:
        return False
    me = acting(user)
    return me.is_office or (
        me.has_role(Role.PARTICIPATION_WORKER) and me.agency_id == record.agency_id
    )


@rules.predicate
def has_membership(user) -> bool:
    """Anyone acting under a membership: whether they see a record is the record's own
    question (its agency, the office, the agencies of its case), answered 404 when not."""
    return bool(acting(user))


rules.add_perm("participation.use", participation_role)
rules.add_perm("participation.view_record", has_membership)
rules.add_perm("participation.work_record", works_record)

NOT_WORKER = "参加支援の記録は、担当の参加支援事業者の支援員または事務局が行います。"
