"""Who may work outreach records (rules predicates). Seeing a record is decided by
``tsunagu.access.outreach_records_visible_to``; working it needs the outreach role (or the
program office) acting for the record's agency."""

from __future__ import annotations

import rules

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Role

OUTREACH_ROLES = (Role.OUTREACH_WORKER, Role.MUNICIPAL_OFFICER)


@rules.predicate
def outreach_role(user) -> bool:
    """Outreach workers and the program office: the caseload, new records."""
    return acting(user).has_role(*OUTREACH_ROLES)


@rules.predicate
def works_record(user, record) -> bool:
    """Acting for the record's outreach agency in the outreach role, or the program office."""
    if record is None:
        return False
    me = acting(user)
    if me.is_office:
        return True
    return me.has_role(Role.OUTREACH_WORKER) and me.agency_id == record.agency_id


@rules.predicate
def sees_whole_record(user, record) -> bool:
    """The outreach agency's staff and the office see all of a record; a meeting member only
    the meeting's materials (what is known, the stage, the plan under discussion)."""
    return record is not None and access.works_outreach_record(user, record)


@rules.predicate
def has_membership(user) -> bool:
    """Anyone acting under a membership: whether they see a record is the record's own
    question (its agency, the office, a meeting's members), answered 404 when not."""
    return bool(acting(user))


@rules.predicate
def outreach_worker(user) -> bool:
    """Outreach workers begin records for their own agency (the office does not)."""
    return acting(user).has_role(Role.OUTREACH_WORKER)


rules.add_perm("outreach.use", outreach_role)
rules.add_perm("outreach.create", outreach_worker)
rules.add_perm("outreach.view_record", has_membership)
rules.add_perm("outreach.work_record", works_record)


NOT_WORKER = (
    "アウトリーチ対象の記録は、その対象を担当するアウトリーチ実施機関の支援員"
    "または事務局が行います。"
)
