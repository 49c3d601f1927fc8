"""Who may see and run meetings; the querysets live in ``tsunagu.access``."""

import rules

from tsunagu import access
from tsunagu.accounts.models import Role
from tsunagu.cases.permissions import coordinating_role


@rules.predicate
def uses_meetings(user) -> bool:
    membership = getattr(user, "acting_membership", None)
    return membership is not None and (
        access.may_handle_cases(user) or membership.role == Role.MEETING_GUEST
    )


@rules.predicate
def may_view_meeting(user, meeting) -> bool:
    return meeting is not None and access.meetings_visible_to(user).filter(pk=meeting.pk).exists()


@rules.predicate
def manages_meeting(user, meeting) -> bool:
    """The convening agency acting as coordinator, or the program office."""
    membership = getattr(user, "acting_membership", None)
    if meeting is None or not coordinating_role(user):
        return False
    return (
        membership.role == Role.MUNICIPAL_OFFICER
        or membership.agency_id == meeting.convening_agency_id
    )


@rules.predicate
def sees_materials(user, meeting) -> bool:
    return meeting is not None and access.meeting_materials_visible(user, meeting)


rules.add_perm("meetings.use", uses_meetings)
rules.add_perm("meetings.create", rules.is_authenticated & rules.predicate(coordinating_role))
rules.add_perm("meetings.view_meeting", may_view_meeting)
rules.add_perm("meetings.manage_meeting", may_view_meeting & manages_meeting)
rules.add_perm("meetings.view_materials", may_view_meeting & sees_materials)
