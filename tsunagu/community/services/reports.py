"""Writes of 気づき・通報: a report recorded by staff (the reporters are not users) and its
triage by the office into exactly one of a consultation, an outreach record, a watch, or no
action with a reason.

Every function validates first (Japanese messages; nothing is written on an error), writes in
one transaction and records its audit event there. A report is triaged once: the triage, its
time and who made it are written only by :func:`report_triage`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Area
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.business_days import add_office_days
from tsunagu.common.errors import NotVisible
from tsunagu.common.validation import max_length_errors

from ..models import Activity, CommunityReport, Frequency, ReportOrigin, Triage, Watch
from ..permissions import NOT_OFFICE_TRIAGE, NOT_WATCH_KEEPER, is_office, keeps_watches
from ..workflow import WatchRuleError
from . import watches as watch_services

WHAT_MAX = 4000
TRIAGE_DAYS = 3  # office days a report may wait for its triage

REPORT_FIELDS = (
    "agency_id",
    "received_at",
    "origin",
    "reporter_name",
    "reporter_contact",
    "noticed_on",
    "place",
    "area_id",
    "what",
    "person_id",
    "activity_id",
    "triage",
    "triaged_at",
    "triaged_by_id",
    "no_action_reason",
    "consultation_id",
    "outreach_record_id",
    "watch_id",
)

ALREADY_TRIAGED = "この気づき・通報は既に振り分け済みです（振り分けは1回だけです）。"


def triage_due(received_at: datetime.datetime) -> datetime.date:
    """The last office day on which a report received at ``received_at`` is still in time."""
    return add_office_days(timezone.localtime(received_at).date(), TRIAGE_DAYS)


def is_triage_overdue(report: CommunityReport, today: datetime.date | None = None) -> bool:
    """Untriaged for more than three office days after it was received."""
    today = today or timezone.localdate()
    return not report.triage and triage_due(report.received_at) < today


def report_persons(report: CommunityReport) -> list[int]:
    return [report.person_id] if report.person_id else []


def _audit(by, action, report, *, before=None, context=None, purpose=""):
    audit_record(
        actor=by,
        action=action,
        target=report,
        persons=report_persons(report),
        context={"report": report.pk, **(context or {})},
        purpose=purpose[:200],
        changes=diff(before, snapshot(report, REPORT_FIELDS)),
    )


def _check_person(by, person) -> None:
    if person is not None and not access.persons_visible_to(by).filter(pk=person.pk).exists():
        raise NotVisible("この本人は閲覧できません。")


def report_record(
    *,
    by,
    received_at: datetime.datetime | None,
    origin: str,
    what: str,
    reporter_name: str = "",
    reporter_contact: str = "",
    noticed_on: datetime.date | None = None,
    place: str = "",
    area: Area | None = None,
    person=None,
    activity: Activity | None = None,
) -> CommunityReport:
    """Record what a resident, a company or a 民生委員 noticed, received at the user's
    acting agency."""
    if not keeps_watches(by):
        raise PermissionDenied(NOT_WATCH_KEEPER)
    me = acting(by)
    what = (what or "").strip()
    values = {
        "reporter_name": (reporter_name or "").strip(),
        "reporter_contact": (reporter_contact or "").strip(),
        "place": (place or "").strip(),
    }
    errors = max_length_errors(CommunityReport, **values)
    if origin not in ReportOrigin.values:
        errors["origin"] = "通報者の種類を選択肢から選んでください。"
    if not what:
        errors["what"] = "気づいたことを入力してください。"
    elif len(what) > WHAT_MAX:
        errors["what"] = f"気づいたことは{WHAT_MAX}文字以内で入力してください。"
    now = timezone.now()
    if not isinstance(received_at, datetime.datetime):
        errors["received_at"] = "受付日時を入力してください。"
    elif received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = "受付日時に未来の日時は指定できません。"
    if noticed_on is not None:
        if not isinstance(noticed_on, datetime.date) or isinstance(noticed_on, datetime.datetime):
            errors["noticed_on"] = "気づいた日は日付で指定してください。"
        elif (
            isinstance(received_at, datetime.datetime)
            and noticed_on > timezone.localtime(received_at).date()
        ):
            errors["noticed_on"] = "気づいた日は受付日より後にはできません。"
    if errors:
        raise ValidationError(errors)
    _check_person(by, person)
    with transaction.atomic():
        report = CommunityReport.objects.create(
            agency_id=me.agency_id,
            received_at=received_at,
            origin=origin,
            what=what,
            noticed_on=noticed_on,
            area=area,
            person=person,
            activity=activity,
            recorded_by=by,
            **values,
        )
        _audit(by, "community.report_create", report)
    return report


def report_triage(
    *,
    by,
    report: CommunityReport,
    triage: str,
    no_action_reason: str = "",
    reason: str = "",
    agency: Agency | None = None,
    person=None,
    categories: Sequence = (),
    consent_to_share: bool = False,
    outreach_record=None,
    watch: Watch | None = None,
    watch_label: str = "",
    watch_frequency: str = Frequency.WEEKLY,
) -> CommunityReport:
    """Triage a report (the office), once, into exactly one of:

    * ``consultation``: a consultation about the person (the report's, or ``person``) is
      recorded at the office through the consultations service and referred to ``agency``;
    * ``outreach``: linked to an outreach record (``outreach_record``, which the office sees:
      the outreach agency begins it);
    * ``watch``: an existing ``watch``, or a new one kept by ``agency`` (label, frequency);
    * ``no_action``: with the reason.
    """
    from tsunagu.consultations import services as consultation_services
    from tsunagu.consultations.models import Outcome

    if not is_office(by):
        raise PermissionDenied(NOT_OFFICE_TRIAGE)
    if not access.community_reports_visible_to(by).filter(pk=report.pk).exists():
        raise NotVisible("この気づき・通報は閲覧できません。")
    if report.triage:
        raise WatchRuleError(ALREADY_TRIAGED)
    no_action_reason = (no_action_reason or "").strip()
    reason = (reason or "").strip() or report.what
    person = person or report.person
    errors = {}
    if triage not in Triage.values:
        errors["triage"] = "振り分け先を選択肢から選んでください。"
    elif triage == Triage.NO_ACTION:
        errors.update(max_length_errors(CommunityReport, no_action_reason=no_action_reason))
        if not no_action_reason:
            errors["no_action_reason"] = "対応しない理由を入力してください。"
    elif triage == Triage.CONSULTATION:
        if person is None:
            errors["person"] = (
                "本人が特定されていない通報は相談にできません。"
                "本人を選ぶか、アウトリーチ・見守りに振り分けてください。"
            )
        if agency is None:
            errors["agency"] = "つなぐ相談窓口（機関）を選んでください。"
        elif not agency.is_active:
            errors["agency"] = "この機関は現在受け付けていません（無効な機関）。"
        if not categories:
            errors["categories"] = "相談内容を1つ以上選んでください。"
    elif triage == Triage.OUTREACH:
        if outreach_record is None:
            errors["outreach_record"] = (
                "アウトリーチ対象を選んでください（対象の登録はアウトリーチ実施機関が行います）。"
            )
    elif triage == Triage.WATCH and watch is None and agency is None:
        errors["agency"] = "見守りを担う機関を選ぶか、既にある見守りを選んでください。"
    if errors:
        raise ValidationError(errors)
    if person is not None and person != report.person:
        _check_person(by, person)
    if (
        outreach_record is not None
        and triage == Triage.OUTREACH
        and not access.outreach_records_visible_to(by).filter(pk=outreach_record.pk).exists()
    ):
        raise NotVisible("このアウトリーチ対象は閲覧できません。")
    if watch is not None and triage == Triage.WATCH:
        if not access.watches_visible_to(by).filter(pk=watch.pk).exists():
            raise NotVisible("この見守りは閲覧できません。")
        if Watch.objects.filter(pk=watch.pk, ended_on__isnull=False).exists():
            raise WatchRuleError({"watch": watch_services.ENDED})
    with transaction.atomic():
        locked = CommunityReport.objects.select_for_update().get(pk=report.pk)
        if locked.triage:
            raise WatchRuleError(ALREADY_TRIAGED)
        before = snapshot(locked, REPORT_FIELDS)
        if triage == Triage.CONSULTATION:
            referred = agency.pk != acting(by).agency_id
            consultation = consultation_services.consultation_record(
                by=by,
                received_on=timezone.localtime(locked.received_at).date(),
                channel="from_resident",
                consulter_type="minsei" if locked.origin == "minsei" else "resident",
                consulter_name=locked.reporter_name,
                summary=f"気づき・通報から：{reason}",
                outcome=Outcome.REFERRED if referred else Outcome.HANDLED,
                categories=list(categories),
                person=person,
                consent_to_share=consent_to_share,
            )
            if referred:
                consultation_services.referral_send(
                    by=by, consultation=consultation, to_agency=agency, reason=reason
                )
            locked.consultation = consultation
            locked.person = person
        elif triage == Triage.OUTREACH:
            locked.outreach_record = outreach_record
        elif triage == Triage.WATCH:
            if watch is None:
                watch = watch_services.watch_create(
                    by=by,
                    agency=agency,
                    person=person,
                    label=watch_label,
                    reason=reason,
                    frequency=watch_frequency,
                    starts_on=timezone.localdate(),
                    area=locked.area,
                    address=locked.place,
                )
            locked.watch = watch
            if person is not None:
                locked.person = person
        else:
            locked.no_action_reason = no_action_reason
        locked.triage = triage
        locked.triaged_at = timezone.now()
        locked.triaged_by = by
        locked.save()
        _audit(by, "community.report_triage", locked, before=before, context={"to": triage})
    return locked
