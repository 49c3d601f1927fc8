"""支援チーム: agencies joining and leaving a case's team."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import (
    Case,
    CaseTeamMember,
)
from tsunagu.cases.services.case import require_coordinating
from tsunagu.common.validation import max_length_errors


def team_add(*, by, case: Case, agency: Agency, role: str = "") -> CaseTeamMember:
    require_coordinating(by, case)
    if not agency.is_active:
        raise ValidationError({"agency": "無効になっている機関は追加できません。"})
    if case.team.filter(agency=agency, left_on__isnull=True).exists():
        raise ValidationError({"agency": "この機関は既に支援チームにいます。"})
    too_long = max_length_errors(CaseTeamMember, role=role.strip())
    if too_long:
        raise ValidationError(too_long)
    with transaction.atomic():
        member = CaseTeamMember.objects.create(
            case=case, agency=agency, role=role.strip(), joined_on=timezone.localdate()
        )
        audit_record(
            actor=by,
            action="case.team_add",
            target=case,
            persons=case.subject_persons(),
            context={"case": case.pk, "agency": agency.pk},
        )
    return member


def team_leave(*, by, case: Case, agency: Agency, reason: str, left_on=None) -> CaseTeamMember:
    """Record that an agency left the team; its access through the team ends at once."""
    require_coordinating(by, case)
    errors = {}
    if agency.pk == case.coordinating_agency_id:
        errors["agency"] = "多機関協働事業者（事例を担当する機関）はチームから外せません。"
    if not reason.strip():
        errors["reason"] = "チームを離れる理由を入力してください。"
    today = timezone.localdate()
    left_on = left_on or today
    if left_on > today:
        errors["left_on"] = "離脱日に未来の日付は指定できません。"
    errors.update(max_length_errors(CaseTeamMember, left_reason=reason.strip()))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = (
            CaseTeamMember.objects.select_for_update()
            .filter(case=case, agency=agency, left_on__isnull=True)
            .first()
        )
        if member is None:
            raise ValidationError({"agency": "この機関は現在の支援チームにいません。"})
        if left_on < member.joined_on:
            raise ValidationError({"left_on": "離脱日は参加日より前にできません。"})
        member.left_on = left_on
        member.left_reason = reason.strip()
        member.save(update_fields=["left_on", "left_reason"])
        audit_record(
            actor=by,
            action="case.team_leave",
            target=case,
            persons=case.subject_persons(),
            context={"case": case.pk, "agency": agency.pk},
            changes={"left_on": {"before": None, "after": left_on.isoformat()}},
            purpose=reason.strip()[:200],
        )
    return member


def ensure_team_member(*, case: Case, agency: Agency, role: str) -> CaseTeamMember | None:
    """Add an agency to the team if it is not on it (a confirmed plan names it)."""
    if case.team.filter(agency=agency, left_on__isnull=True).exists():
        return None
    return CaseTeamMember.objects.create(
        case=case, agency=agency, role=role[:100], joined_on=timezone.localdate()
    )
