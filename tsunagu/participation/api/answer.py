"""What every participation operation shares: the early refusal of someone who works with
no persons (403), finding the record (404 unless the user may see it), the refusal of a
step by someone who does not work the record (403, before the ids the body names are looked
up), and the record's answer."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from tsunagu import access
from tsunagu.api.errors import FORBIDDEN
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read

from .. import selectors, services
from ..models import FollowUp, Match, MatchEvent, ParticipationRecord, Track
from ..permissions import NOT_WORKER
from ..workflow import MATCH_TRANSITIONS
from .schemas import wareki

#: the error answers of a step on a record
STEP_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut}


def require_person_work(request) -> None:
    """403 for the roles that work with no persons (meeting guests, administrators)."""
    if not access.may_handle_cases(request.user):
        raise PermissionDenied(FORBIDDEN)


def record_for(request, record_id: int) -> ParticipationRecord:
    """The record, or 404 unless the user may see it."""
    require_person_work(request)
    return selectors.get_record_for_user(request.user, record_id)


def working(request, record_id: int) -> ParticipationRecord:
    """The record for a step: 404 unless the user may see it, 403 unless they work it (its
    participation agency's worker or the program office)."""
    record = record_for(request, record_id)
    if not request.user.has_perm("participation.work_record", record):
        raise PermissionDenied(NOT_WORKER)
    return record


def match_for(request, match_id: int) -> Match:
    """The match, 404 unless the user may see its record, 403 unless they work it."""
    require_person_work(request)
    match = (
        Match.objects.filter(
            pk=match_id,
            record__in=access.participation_records_visible_to(request.user).values("pk"),
        )
        .select_related("record", "resource")
        .first()
    )
    if match is None:
        raise Http404
    if not request.user.has_perm("participation.work_record", match.record):
        raise PermissionDenied(NOT_WORKER)
    return match


def _next_due(match: Match) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "track": track,
            "track_label": Track(track).label,
            "due_on": due_on,
            "due_on_wareki": wareki(due_on),
            "overdue": due_on is not None and due_on < today,
        }
        for track, due_on in selectors.follow_ups_due(match).items()
    ]


def record_answer(request, record: ParticipationRecord) -> ParticipationRecord:
    """The record whole, read again: its matches with their moves, follow-ups and the next
    due date of each track, whether the 支援決定 is in place, keeping in touch, and the
    不足する社会資源 it waits on."""
    fresh = selectors.get_record_for_user(request.user, record.pk)
    fresh.matches_shown = list(
        fresh.matches.select_related("resource", "resource__organization")
        .prefetch_related(
            Prefetch("events", queryset=MatchEvent.objects.select_related("by")),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("by")),
        )
        .order_by("-proposed_on", "-id")
    )
    for match in fresh.matches_shown:
        match.allowed_moves = sorted(str(s) for s in MATCH_TRANSITIONS[match.status])
        match.next_due = _next_due(match)
    fresh.decision_in_place = services.decision_in_place(fresh)
    fresh.may_work = request.user.has_perm("participation.work_record", fresh)
    fresh.keep_in_touch_shown = list(fresh.keep_in_touch.select_related("by"))
    fresh.gap_needs_shown = selectors.gap_needs(fresh)
    return fresh


def audit_record_read(request, record: ParticipationRecord) -> None:
    """One read of a record's answer."""
    audit_read(
        request,
        "participation.view",
        record,
        persons=record.subject_persons(),
        context={
            "participation": record.pk,
            "matches": [m.pk for m in record.matches_shown],
        },
    )
