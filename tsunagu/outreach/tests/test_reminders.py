"""``send_outreach_reminders``: the 担当 hears of a next action due today or overdue and of a
record gone silent, once per record and date."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.accounts.models import Notification
from tsunagu.outreach import services

from .fixtures import *  # noqa: F403
from .fixtures import days_ago


def run(*args) -> str:
    out = StringIO()
    call_command("send_outreach_reminders", *args, stdout=out)
    return out.getvalue()


def contact(worker, record, ago: int, next_in: int | None):
    services.contact_record(
        by=worker,
        record=record,
        occurred_on=days_ago(ago),
        method="letter",
        staff="鈴木",
        summary="手紙",
        next_action="再訪問" if next_in is not None else "",
        next_action_on=days_ago(-next_in) if next_in is not None else None,
    )


@pytest.mark.django_db
def test_the_worker_hears_once_of_what_is_due_and_of_silence(worker, record):
    def begin(label, ago, **fields):
        return services.record_create(
            by=worker, label=label, source="resident", began_on=days_ago(ago), **fields
        )

    contact(worker, record, 5, -2)  # next action two days ago: overdue
    today_due = begin("今日の予定", 3)
    contact(worker, today_due, 1, 0)
    silent = begin("長く接触なし", 120)
    later = begin("来週の予定", 3)
    contact(worker, later, 1, 7)
    unassigned = begin("担当なし", 3, assigned_to=None)
    contact(worker, unassigned, 1, -1)
    closed = begin("終了", 10)
    contact(worker, closed, 5, -1)
    services.record_close(by=worker, record=closed, closed_on=days_ago(0), reason="moved")

    dry = run("--dry-run")
    assert "作成予定 3件" in dry and not Notification.objects.exists()
    assert "作成 3件" in run()
    notices = {n.url: n.message for n in Notification.objects.filter(recipient=worker)}
    assert set(notices) == {f"/outreach/{r.pk}/" for r in (record, today_due, silent)}
    assert "過ぎています" in notices[f"/outreach/{record.pk}/"]
    assert "今日です" in notices[f"/outreach/{today_due.pk}/"]
    assert "120日、接触の記録がありません" in notices[f"/outreach/{silent.pk}/"]
    assert all(record.label not in m for m in notices.values())  # a number, never a label
    # a second run makes nothing twice
    assert "作成 0件、作成済みのため省略 3件" in run()
    # a new next date that falls due makes one new notice (on the day it falls due)
    contact(worker, record, 0, 1)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "作成 1件" in run("--today", tomorrow)


def test_a_bad_date_is_refused_in_japanese(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "12/7")
