"""The rules of an outreach record's life (000 §4; domain.md §5.4).

- The stages ①情報収集 → ②事前調整 → ③関係性構築 → ④家庭訪問 → ⑤同行支援 are the usual order,
  not a one-way road: a record may move to any other stage, going back included, and every
  move is kept with its date and reason.
- Consent (利用申込) needs an identified person, a date and how it was obtained.
- Before consent the outreach plan may be discussed only at a 支援会議 (社会福祉法第106条の6),
  whose members are pledged to confidentiality; after consent, at a 重層的支援会議.
- A closed record takes no change (what is known, person, stage, consent, contact, urgency,
  plan, hand-over) until it is reopened; reopening keeps its history. Only an urgency it was
  closed with may still be cleared.
- A record with no contact for ``TSUNAGU["OUTREACH_SILENT_DAYS"]`` days (default 90) is
  flagged as silent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from tsunagu.common.errors import RuleBroken
from tsunagu.meetings.models import MeetingKind

from .models import OutreachRecord


class OutreachRuleError(RuleBroken):
    """An outreach rule refuses the step (the message names the rule)."""


CLOSED = "終了したアウトリーチ対象です。続けるには再開してください。"

BEFORE_CONSENT_MEETING = (
    "同意（利用申込）の前のアウトリーチ支援計画は、支援会議（社会福祉法第106条の6、"
    "構成員に守秘義務）でのみ協議できます。"
)
AFTER_CONSENT_MEETING = "同意（利用申込）の後のアウトリーチ支援計画は、重層的支援会議で協議します。"


def meeting_kind_for(record: OutreachRecord) -> str:
    """The kind of meeting the record's plan may go to now."""
    return MeetingKind.CONFERENCE if record.has_consent else MeetingKind.CONFIDENTIAL


def wrong_meeting_message(record: OutreachRecord) -> str:
    return AFTER_CONSENT_MEETING if record.has_consent else BEFORE_CONSENT_MEETING


def silent_days() -> int:
    return int(settings.TSUNAGU.get("OUTREACH_SILENT_DAYS", 90))


def silent_since(today: datetime.date | None = None) -> datetime.date:
    """A record whose last contact (or, with none yet, its start) is before this day is
    silent."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=silent_days())


def is_silent(record: OutreachRecord, today: datetime.date | None = None) -> bool:
    if record.is_closed:
        return False
    last = record.last_contact_on or record.began_on
    return last < silent_since(today)


def require_open(record: OutreachRecord) -> None:
    if record.is_closed:
        raise OutreachRuleError(CLOSED)
