"""A request's events are sealed once, when its response has been sent (the server closes
it: ``request_finished``); outside a request, at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tsunagu.audit.context import RequestOriginMiddleware
from tsunagu.audit.models import AuditEvent, AuditSeal
from tsunagu.audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db(transaction=True)  # sealing follows real commits


def test_three_reads_of_one_page_are_sealed_together_when_it_ends():
    seen_during = []

    def page(request):
        for panel in ("referrals", "activity", "meetings"):
            audit_record(actor=None, action="dashboard.view", context={"panel": panel})
        seen_during.append(AuditSeal.objects.count())
        return HttpResponse("ok")

    with CaptureQueriesContext(connection) as queries:
        response = RequestOriginMiddleware(page)(RequestFactory().get("/"))
        assert AuditSeal.objects.count() == 0  # the response is not held back for the seal
        response.close()  # the server has sent it
    assert seen_during == [0]  # nothing sealed while the page was built
    assert AuditSeal.objects.count() == AuditEvent.objects.count() == 3
    head_updates = [q for q in queries if q["sql"].startswith('UPDATE "audit_auditchainhead"')]
    assert len(head_updates) == 1
    assert audit_verify_chain().ok


def test_outside_a_request_an_event_is_sealed_when_it_commits():
    audit_record(actor=None, action="system.check")
    assert AuditSeal.objects.count() == 1


def test_a_process_seals_after_requests_at_most_once_a_period(settings, monkeypatch):
    from tsunagu.audit import services

    settings.AUDIT_SEAL_EVERY_SECONDS = 2
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(services, "_last_request_seal", [float("-inf")])

    def page(request):
        audit_record(actor=None, action="dashboard.view")
        return HttpResponse("ok")

    def serve():
        RequestOriginMiddleware(page)(RequestFactory().get("/")).close()

    serve()
    assert AuditSeal.objects.count() == 1  # the first request seals its event

    clock[0] += 0.5
    serve()
    assert AuditEvent.objects.count() == 2
    assert AuditSeal.objects.count() == 1  # within the period: left for the next seal

    clock[0] += 2
    serve()
    assert AuditSeal.objects.count() == 3  # the next seal chains both, in order
    assert audit_verify_chain().ok


def test_a_page_that_fails_still_has_its_events_sealed():
    def page(request):
        audit_record(actor=None, action="dashboard.view")
        raise RuntimeError("the page broke")

    with pytest.raises(RuntimeError):
        RequestOriginMiddleware(page)(RequestFactory().get("/"))
    assert AuditSeal.objects.count() == AuditEvent.objects.count() == 1
