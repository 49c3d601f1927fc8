"""The rules of 気づき・通報: recorded by staff, triaged once by the office into exactly one
of a consultation, an outreach record, a watch or no action with a reason; the 3 office days."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.common.errors import RuleBroken
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.outreach import services as outreach_services

from ..models import CommunityReport, Watch
from ..services import reports as services
from ..services import watches as watch_services
from .test_watches_fixtures import *  # noqa: F403
from .test_watches_fixtures import days_ago

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def test_record_keeps_what_and_who_reported(report, personas):
    assert report.agency == personas["desk"].agency
    assert report.triage == ""
    assert AuditEvent.objects.filter(action="community.report_create").exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"what": " "}, "what"),
        ({"origin": "police"}, "origin"),
        ({"received_at": None}, "received_at"),
        ({"received_at": timezone.now() + datetime.timedelta(days=1)}, "received_at"),
        ({"noticed_on": days_ago(-2)}, "noticed_on"),
        ({"reporter_name": "あ" * 101}, "reporter_name"),
    ],
)
def test_record_refuses_bad_input(keeper, kw, field):
    args = {"received_at": timezone.now(), "origin": "resident", "what": "x", **kw}
    with pytest.raises(ValidationError) as exc:
        services.report_record(by=keeper, **args)
    assert field in exc.value.message_dict
    assert not CommunityReport.objects.exists()


def test_record_needs_a_watch_role(personas):
    for name in ("guest", "admin"):
        with pytest.raises(PermissionDenied):
            services.report_record(
                by=personas[name].user, received_at=timezone.now(), origin="resident", what="x"
            )


def test_triage_is_the_offices(personas, report):
    with pytest.raises(PermissionDenied, match="事務局"):
        services.report_triage(
            by=personas["desk"].user, report=report, triage="no_action", no_action_reason="r"
        )


def test_no_action_needs_a_reason(personas, report):
    with pytest.raises(ValidationError) as exc:
        services.report_triage(by=personas["officer"].user, report=report, triage="no_action")
    assert "no_action_reason" in exc.value.message_dict
    report.refresh_from_db()
    assert report.triage == ""


def test_triage_twice_is_refused(personas, report):
    officer = personas["officer"].user
    services.report_triage(
        by=officer, report=report, triage="no_action", no_action_reason="既に対応済み"
    )
    report.refresh_from_db()
    assert report.triaged_by == officer and report.triaged_at is not None
    with pytest.raises(RuleBroken, match="振り分け済み"):
        services.report_triage(by=officer, report=report, triage="no_action", no_action_reason="x")
    stale = CommunityReport.objects.get(pk=report.pk)
    stale.triage = ""  # a copy read before the triage
    with pytest.raises(RuleBroken):
        services.report_triage(by=officer, report=stale, triage="no_action", no_action_reason="x")
    assert AuditEvent.objects.filter(action="community.report_triage").count() == 1


def test_triage_into_a_consultation_refers_it(personas, keeper, report, person, category, agencies):
    officer = personas["officer"].user
    triaged = services.report_triage(
        by=officer,
        report=report,
        triage="consultation",
        person=person,
        agency=agencies["houkatsu"],
        categories=[category],
    )
    assert triaged.consultation.agency == agencies["office"]
    assert triaged.person == person
    assert Referral.objects.get().to_agency == agencies["houkatsu"]
    assert (triaged.outreach_record, triaged.watch, triaged.no_action_reason) == (None, None, "")


def test_triage_into_a_consultation_needs_a_person(personas, report, category, agencies):
    with pytest.raises(ValidationError) as exc:
        services.report_triage(
            by=personas["officer"].user,
            report=report,
            triage="consultation",
            agency=agencies["houkatsu"],
            categories=[category],
        )
    assert "person" in exc.value.message_dict
    assert not Consultation.objects.exists()


def test_triage_into_an_outreach_record(personas, report):
    record = outreach_services.record_create(
        by=personas["outreach"].user, label="3丁目", source="business", began_on=days_ago(0)
    )
    with pytest.raises(ValidationError):
        services.report_triage(by=personas["officer"].user, report=report, triage="outreach")
    triaged = services.report_triage(
        by=personas["officer"].user, report=report, triage="outreach", outreach_record=record
    )
    assert triaged.outreach_record == record and triaged.triage == "outreach"


def test_triage_into_a_new_watch_shows_the_report_to_its_watchers(personas, report, agencies):
    triaged = services.report_triage(
        by=personas["officer"].user,
        report=report,
        triage="watch",
        agency=agencies["csw"],
        watch_label="3丁目 新聞の方",
        watch_frequency="weekly",
    )
    watch = triaged.watch
    assert watch.agency == agencies["csw"] and watch.label == "3丁目 新聞の方"
    assert watch.next_check_on == timezone.localdate() + datetime.timedelta(days=7)
    # the CSW keeps the watch, so it now sees the report
    assert CommunityReport.objects.visible_to(personas["outreach"].user).get() == report
    assert not CommunityReport.objects.visible_to(personas["unrelated"].user).exists()


def test_a_person_chosen_for_a_new_watch_is_the_reports_too(personas, agencies, report, person):
    triaged = services.report_triage(
        by=personas["officer"].user,
        report=report,
        triage="watch",
        agency=agencies["csw"],
        person=person,
        watch_label="3丁目 新聞の方",
    )
    assert triaged.watch.person == person
    assert CommunityReport.objects.get(pk=report.pk).person == person


def test_triage_into_an_existing_watch(personas, report, watch):
    triaged = services.report_triage(
        by=personas["officer"].user, report=report, triage="watch", watch=watch
    )
    assert triaged.watch == watch
    assert Watch.objects.count() == 1


def test_triage_into_an_ended_watch_is_refused(personas, keeper, report, watch):
    watch_services.watch_end(by=keeper, watch=watch, ended_on=days_ago(0), reason="転居")
    with pytest.raises(RuleBroken):
        services.report_triage(
            by=personas["officer"].user, report=report, triage="watch", watch=watch
        )


def test_unrelated_does_not_see_a_report(personas, report):
    assert not CommunityReport.objects.visible_to(personas["unrelated"].user).exists()
    assert CommunityReport.objects.visible_to(personas["officer"].user).get() == report


def _at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=TOKYO)


def test_three_office_days(keeper):
    # received Friday 2026-12-04: due Wednesday 12-09 (weekend skipped)
    report = CommunityReport(received_at=_at(2026, 12, 4), triage="")
    assert services.triage_due(report.received_at) == datetime.date(2026, 12, 9)
    assert not services.is_triage_overdue(report, datetime.date(2026, 12, 9))
    assert services.is_triage_overdue(report, datetime.date(2026, 12, 10))
    report.triage = "no_action"
    assert not services.is_triage_overdue(report, datetime.date(2027, 1, 10))
    # over the year-end closure: received 12-28, due 2027-01-06
    assert services.triage_due(_at(2026, 12, 28)) == datetime.date(2027, 1, 6)
