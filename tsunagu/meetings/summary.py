"""事例概要シート (共通様式): one sheet per agenda item, for screen, PDF and API alike.

The sheet holds only what the meeting's legal basis and the person's consent allow:

- tax information is never shared (domain.md §6): an assessment section whose information
  came from an agency holding tax information is left out, at every kind of meeting and
  whoever prints the sheet (the cases' ``withheld_sections`` rule, for the meeting as the
  audience);
- at a meeting other than a 支援会議 the case's current consent must allow sharing in the
  conference; without it the sheet carries no personal content, only a notice;
- a consent's 特記事項 (information not to share) is printed at the top as a warning;
- a 支援会議 (社会福祉法第106条の6) shares without consent, under its confidentiality duty.

The person's address and telephone numbers are never on the sheet.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from tsunagu import access
from tsunagu.cases.models import (
    AssessmentSection,
    AssessmentSource,
    Case,
    CaseTeamMember,
    PlanStatus,
    SupportPlan,
)
from tsunagu.cases.selectors.assessment import TAX_WITHHELD, withheld_sections
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import ConsultationCategory
from tsunagu.people.models import HouseholdMember

from .models import AgendaItem, Meeting, MeetingKind

SHEET_TITLE = "事例概要シート"
RECENT_ACTIVITY_DAYS = 90

LEGAL_BASIS = {
    MeetingKind.CONFERENCE: (
        "重層的支援体制整備事業実施要綱に基づく重層的支援会議。"
        "本人が同意した範囲で情報を共有します（本人同意の範囲）。"
    ),
    MeetingKind.CONFIDENTIAL: (
        "社会福祉法第106条の6に基づく支援会議。本人の同意がなくても、"
        "会議の構成員の間で必要な情報を共有できます。"
    ),
}
LEGAL_BASIS_DEFAULT = "本人が同意した範囲で情報を共有します（本人同意の範囲）。"
CONFIDENTIALITY_NOTICE = (
    "この資料は社会福祉法第106条の6に基づく支援会議の資料です。"
    "会議の構成員（構成員であった者を含む）は、会議の事務に関して知り得た秘密を漏らしては"
    "なりません（同条第5項）。違反した場合、1年以下の拘禁刑または100万円以下の罰金の対象と"
    "なります。資料は会議の後に回収・廃棄し、複写・持ち出しはしないでください。"
)
NO_CONSENT_NOTICE = (
    "本人の同意（重層的支援会議での情報共有）が確認できないため、"
    "この事例の個人に関する内容は掲載しません。"
    "同意のない事例は、支援会議（社会福祉法第106条の6）で協議してください。"
)
NO_CASE_NOTICE = "この議題は特定の事例に関するものではありません。"
HANDLE_WITH_CARE = "取扱注意"
CONFIDENTIAL_HEADER = "支援会議資料（守秘義務あり）"

# Plans that may be on the table, newest first: a superseded one never is.
CURRENT_PLAN_STATUSES = (
    PlanStatus.IN_CONFERENCE,
    PlanStatus.AGREED,
    PlanStatus.CONFIRMED,
    PlanStatus.DRAFT,
)


# ---------------------------------------------------------------------------- reads


def sheet_item_get(*, user, meeting_pk: int, item_pk: int) -> AgendaItem:
    """The agenda item of a meeting the user may see; ``AgendaItem.DoesNotExist`` otherwise
    (the caller answers 404). Whether the user may read the materials is checked apart."""
    meeting = access.meetings_visible_to(user).filter(pk=meeting_pk).first()
    if meeting is None:
        raise AgendaItem.DoesNotExist
    item = (
        AgendaItem.objects.select_related(
            "case__person",
            "case__household",
            "case__coordinator",
            "case__coordinating_agency",
            "plan",
        )
        .filter(meeting=meeting, pk=item_pk)
        .first()
    )
    if item is None:
        raise AgendaItem.DoesNotExist
    item.meeting = meeting
    return item


def materials_denied_message(meeting: Meeting) -> str:
    """Why a user who sees the meeting may not read its materials (the 403 answer)."""
    if meeting.is_confidential:
        return (
            "支援会議（社会福祉法第106条の6）の資料は、守秘義務の誓約を記録した構成員だけが"
            "閲覧できます。会議を招集する機関に誓約の記録を依頼してください。"
        )
    return (
        "この会議の資料を閲覧する権限がありません。"
        "招待の期限が過ぎているか、取り消されている可能性があります。"
    )


def sheet_filename(item: AgendaItem, extension: str = "pdf") -> str:
    if item.case_id:
        return f"{SHEET_TITLE}_事例{item.case_id}.{extension}"
    return f"{SHEET_TITLE}_議題{item.pk}.{extension}"


def sheet_filename_ascii(item: AgendaItem) -> str:
    if item.case_id:
        return f"case_summary_sheet_case{item.case_id}.pdf"
    return f"case_summary_sheet_item{item.pk}.pdf"


def audit_persons(item: AgendaItem) -> list[int]:
    return item.case.subject_persons() if item.case_id else []


def audit_context(item: AgendaItem, sheet: dict, fmt: str) -> dict:
    return {
        "meeting": item.meeting_id,
        "case": item.case_id,
        "format": fmt,
        "personal_content": sheet["personal_content"],
    }


# ---------------------------------------------------------------------------- the sheet


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _wareki(value: datetime.date | None) -> str:
    return format_wareki(value) if value else ""


def _user_name(user) -> str:
    return user.display_name or user.get_username()


def _meeting_part(meeting: Meeting) -> dict:
    starts = (
        timezone.localtime(meeting.starts_at)
        if timezone.is_aware(meeting.starts_at)
        else meeting.starts_at
    )
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "kind": meeting.kind,
        "kind_label": meeting.get_kind_display(),
        "starts_at": meeting.starts_at,
        "date_wareki": f"{format_wareki(starts.date())} {starts:%H:%M}",
        "place": meeting.place,
        "convening_agency": meeting.convening_agency.name,
        "is_confidential": meeting.is_confidential,
        "legal_basis": LEGAL_BASIS.get(meeting.kind, LEGAL_BASIS_DEFAULT),
        "confidentiality_notice": CONFIDENTIALITY_NOTICE if meeting.is_confidential else "",
        "header": (
            f"{HANDLE_WITH_CARE}　{CONFIDENTIAL_HEADER}"
            if meeting.is_confidential
            else HANDLE_WITH_CARE
        ),
    }


def _item_part(item: AgendaItem) -> dict:
    return {
        "id": item.pk,
        "order": item.order,
        "purpose": item.purpose,
        "purpose_label": item.get_purpose_display(),
        "title": item.title or item.get_purpose_display(),
        "is_withdrawn": item.is_withdrawn,
    }


def _person_part(case: Case, on: datetime.date) -> dict | None:
    person = case.person
    if person is None:
        return None
    return {
        "name": person.name,
        "name_kana": person.name_kana,
        "age": person.age_on(on),
        "sex": person.sex,
        "sex_label": person.get_sex_display(),
    }


def _household_part(case: Case, on: datetime.date) -> dict | None:
    household = case.household
    if household is None:
        return None
    rows = (
        HouseholdMember.objects.filter(household=household, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    )
    return {
        "label": household.label,
        "members": [
            {
                "relation": row.relation,
                "relation_label": row.get_relation_display(),
                "age": row.person.age_on(on),
                "is_person": row.person_id == case.person_id,
            }
            for row in rows
        ],
    }


def _issue_categories(case: Case) -> list[str]:
    """The categories of the consultations that led to the case (along the referral chain)."""

    consultation_ids = []
    referral, seen = case.referral, set()
    while referral is not None and referral.pk not in seen:
        seen.add(referral.pk)
        consultation_ids.append(referral.consultation_id)
        referral = referral.previous
    rows = (
        ConsultationCategory.objects.filter(consultation_id__in=consultation_ids)
        .select_related("category")
        .order_by("category__sort_order", "category__id")
    )
    return list(dict.fromkeys(row.category.name for row in rows))


def _assessment_part(case: Case) -> dict | None:
    latest = (
        case.assessments.prefetch_related(
            Prefetch("sources", queryset=AssessmentSource.objects.select_related("agency"))
        )
        .order_by("-version")
        .first()
    )
    if latest is None:
        return None
    sources: dict[str, list] = {}
    for source in latest.sources.all():
        sources.setdefault(source.section, []).append(source)
    # the sheet is the meeting's material, not one reader's: withheld for every member
    withheld_codes = withheld_sections(latest, None)
    sections = []
    for code, label in AssessmentSection.choices:
        named = sources.get(code, [])
        withheld = code in withheld_codes
        sections.append(
            {
                "code": code,
                "label": label,
                "text": TAX_WITHHELD if withheld else getattr(latest, code),
                "sources": [] if withheld else list(dict.fromkeys(s.agency.name for s in named)),
                "withheld": withheld,
            }
        )
    return {
        "version": latest.version,
        "recorded_on": _local_date(latest.recorded_at),
        "recorded_on_wareki": _wareki(_local_date(latest.recorded_at)),
        "sections": sections,
    }


def _plan_for(item: AgendaItem, case: Case) -> SupportPlan | None:
    """The plan under discussion (the item's own), else the case's current plan."""
    if item.plan_id:
        return item.plan
    plans = [p for p in case.plans.order_by("-version") if p.status in CURRENT_PLAN_STATUSES]
    return plans[0] if plans else None


def _plan_part(item: AgendaItem, case: Case) -> dict | None:
    plan = _plan_for(item, case)
    if plan is None:
        return None
    items = plan.items.select_related("agency").order_by("order", "id")
    return {
        "id": plan.pk,
        "version": plan.version,
        "kind_label": plan.get_kind_display(),
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "under_discussion": item.plan_id == plan.pk,
        "goals": plan.goals,
        "policy": plan.policy,
        "next_monitoring_on": plan.next_monitoring_on,
        "next_monitoring_on_wareki": _wareki(plan.next_monitoring_on),
        "evaluation_on": plan.evaluation_on,
        "evaluation_on_wareki": _wareki(plan.evaluation_on),
        "items": [
            {
                "issue": row.issue,
                "action": row.action,
                "agency": row.agency.name,
                "worker": row.worker,
                "frequency": row.frequency,
                "period": "〜".join(
                    _wareki(d) for d in (row.period_start, row.period_end) if d is not None
                ),
                "statutory_service": row.statutory_service,
                "statutory_label": row.get_statutory_service_display()
                if row.statutory_service
                else "",
            }
            for row in items
        ],
    }


def _activity_part(case: Case, on: datetime.date) -> dict:
    since = on - datetime.timedelta(days=RECENT_ACTIVITY_DAYS)
    return {
        "days": RECENT_ACTIVITY_DAYS,
        "since": since,
        "since_wareki": _wareki(since),
        "count": case.activities.filter(occurred_on__gte=since, occurred_on__lte=on).count(),
        "total": case.activities.count(),
    }


def _team_part(case: Case) -> list[dict]:
    rows = (
        CaseTeamMember.objects.filter(case=case, left_on__isnull=True)
        .select_related("agency")
        .order_by("joined_on", "id")
    )
    return [{"agency": row.agency.name, "role": row.role} for row in rows]


def _case_part(item: AgendaItem, case: Case, on: datetime.date) -> dict:
    return {
        "id": case.pk,
        "status": case.status,
        "status_label": case.get_status_display(),
        "is_urgent": case.is_urgent,
        "opened_on": case.opened_on,
        "opened_on_wareki": _wareki(case.opened_on),
        "coordinator": _user_name(case.coordinator),
        "coordinating_agency": case.coordinating_agency.name,
        "person": _person_part(case, on),
        "household": _household_part(case, on),
        "issue_categories": _issue_categories(case),
        "assessment": _assessment_part(case),
        "plan": _plan_part(item, case),
        "recent_activity": _activity_part(case, on),
        "team": _team_part(case),
    }


def summary_sheet(item: AgendaItem) -> dict[str, Any]:
    """The sheet of one agenda item as plain data (the caller has checked access)."""
    meeting = item.meeting
    on = _local_date(meeting.starts_at)
    sheet: dict[str, Any] = {
        "title": SHEET_TITLE,
        "meeting": _meeting_part(meeting),
        "item": _item_part(item),
        "case_number": item.case_id,
        "personal_content": False,
        "notice": "",
        "consent_notes": "",
        "case": None,
    }
    case = item.case
    if case is None:
        sheet["notice"] = NO_CASE_NOTICE
        return sheet
    consent = case.current_consent()
    allowed = meeting.is_confidential or (consent is not None and consent.share_in_conference)
    if not allowed:
        sheet["notice"] = NO_CONSENT_NOTICE
        return sheet
    sheet["personal_content"] = True
    if consent is not None and consent.notes.strip():
        sheet["consent_notes"] = consent.notes.strip()
    sheet["case"] = _case_part(item, case, on)
    return sheet
