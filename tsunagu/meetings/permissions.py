"""Who may see and run meetings; the querysets live in ``tsunagu.access``."""

import rules

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.cases.permissions import coordinating_role


@rules.predicate
def uses_meetings(user) -> bool:
    me = acting(user)
    return me.works_with_persons or me.is_guest


@rules.predicate
def may_view_meeting(user, meeting) -> bool:
    return meeting is not None and access.can_view(user, meeting)


@rules.predicate
def manages_meeting(user, meeting) -> bool:
    """The convening agency acting as coordinator, or the program office."""
    me = acting(user)
    if meeting is None or not me.coordinates:
        return False
    return me.is_office or me.agency_id == meeting.convening_agency_id


@rules.predicate
def sees_materials(user, meeting) -> bool:
    return meeting is not None and access.meeting_materials_visible(user, meeting)


rules.add_perm("meetings.use", uses_meetings)
rules.add_perm("meetings.create", rules.is_authenticated & rules.predicate(coordinating_role))
rules.add_perm("meetings.view_meeting", may_view_meeting)
rules.add_perm("meetings.manage_meeting", may_view_meeting & manages_meeting)
rules.add_perm("meetings.view_materials", may_view_meeting & sees_materials)
