"""Steps of the 多機関協働 flow for tests: a plan, a meeting held with a quorum, decisions."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tsunagu.cases import services as case_services
from tsunagu.cases.models import CaseStatus
from tsunagu.cases.services import plan as plan_services
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import MeetingKind

C = CaseStatus


def to_planning(personas, case):
    coordinator = personas["coordinator"].user
    if case.status == C.INTAKE:
        case = case_services.case_transition(
            by=coordinator,
            case=case,
            to=C.ASSESSMENT,
            without_consent=case.current_consent() is None,
            note="本人と連絡が取れないため支援会議で扱う",
        )
    if case.status == C.ASSESSMENT:
        case = case_services.case_transition(by=coordinator, case=case, to=C.PLANNING)
    return case


def draft_plan(personas, case, agencies, *, statutory: str = "participation"):
    coordinator = personas["coordinator"].user
    plan = plan_services.plan_create(
        by=coordinator,
        case=case,
        goals="母の介護を続けながら、息子が週1回外出できるようになる",
        policy="介護と本人の社会参加を並行して支える",
    )
    plan_services.plan_item_add(
        by=coordinator,
        plan=plan,
        issue="母の介護負担",
        action="介護サービスの調整",
        agency=agencies["houkatsu"],
        frequency="月1回",
    )
    if statutory is not None:
        plan_services.plan_item_add(
            by=coordinator,
            plan=plan,
            issue="息子の社会参加",
            action="居場所の見学に同行",
            agency=agencies["council"],
            statutory_service=statutory,
        )
    return plan


def meeting(personas, kind=MeetingKind.CONFERENCE, *, hours_ago: int = 1):
    """A meeting ``hours_ago`` hours ago (negative: ahead). A past meeting stays within today's
    local date, so that a guest's invitation (until the end of the meeting's day) still holds
    just after midnight."""
    starts_at = timezone.now() - datetime.timedelta(hours=hours_ago)
    if hours_ago > 0:
        midnight = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(), datetime.time.min)
        )
        starts_at = max(starts_at, midnight)
    return meeting_services.meeting_create(
        by=personas["coordinator"].user,
        kind=kind,
        title="定例 重層的支援会議" if kind == MeetingKind.CONFERENCE else "支援会議",
        schedule="regular" if kind == MeetingKind.CONFERENCE else "ad_hoc",
        format="in_person",
        starts_at=starts_at,
    )


def hold(personas, meeting_obj, *, officer: bool = True):
    """Add the municipal officer, pledge at a 支援会議, and record both present."""
    coordinator = personas["coordinator"].user
    members = list(meeting_obj.members.all())
    if officer:
        members.append(
            meeting_services.member_add(
                by=coordinator, meeting=meeting_obj, user=personas["officer"].user
            )
        )
    if meeting_obj.is_confidential:
        for member in members:
            meeting_services.pledge_record(by=coordinator, member=member)
    meeting_services.attendance_record(
        by=coordinator, meeting=meeting_obj, attended=[m.pk for m in members]
    )
    return meeting_obj
