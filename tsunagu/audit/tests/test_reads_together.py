"""A page built of panels records one audited read, not one per panel."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_read, pending_read_events, reads_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(personas):
    """Ten persons' ids (the events link to them)."""
    from tsunagu.people.services import person_create

    desk = personas["desk"].user
    return [person_create(by=desk, name=f"本人 {i}", name_kana="ホンニン").pk for i in range(10)]


@pytest.fixture
def request_of(personas):
    def make(name="coordinator"):
        request = RequestFactory().get("/")
        request.user = personas[name].user
        request.user.acting_membership = personas[name].membership
        return request

    return make


def test_the_reads_of_a_block_are_one_event_with_every_person_and_each_context(request_of, ids):
    request = request_of()
    p3, p5, p9 = ids[3], ids[5], ids[9]
    with reads_together():
        audit_read(request, "dashboard.view", persons=[p5, p3], context={"panel": "a"}, purpose="p")
        audit_read(request, "dashboard.view", persons=[p3, p9], context={"panel": "b"}, purpose="p")
        assert pending_read_events() == 1
        assert not AuditEvent.objects.filter(action="dashboard.view").exists()  # not yet
    event = AuditEvent.objects.get(action="dashboard.view")
    assert event.action == "dashboard.view"
    assert event.person_ids == sorted([p3, p5, p9])
    assert event.context == {"parts": [{"panel": "a"}, {"panel": "b"}]}
    assert event.purpose == "p"
    assert event.actor == request.user
    assert event.acting_agency_id == request.user.acting_membership.agency_id


def test_one_read_keeps_its_own_context_and_other_actions_keep_their_own_event(request_of, ids):
    request = request_of()
    with reads_together():
        audit_read(request, "dashboard.view", persons=[ids[1]], context={"panel": "a"})
        audit_read(request, "person.view", persons=[ids[2]])
        assert pending_read_events() == 2
    events = {e.action: e for e in AuditEvent.objects.filter(action__endswith=".view")}
    assert events["dashboard.view"].context == {"panel": "a"}
    assert events["dashboard.view"].person_ids == [ids[1]]
    assert events["person.view"].person_ids == [ids[2]]


def test_a_block_that_fails_writes_nothing(request_of, ids):
    request = request_of()
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), reads_together():
        audit_read(request, "dashboard.view", persons=[ids[1]])
        raise RuntimeError("the page failed: nothing was shown")
    assert AuditEvent.objects.count() == before
    audit_read(request, "dashboard.view", persons=[ids[1]])  # outside a block: at once
    assert AuditEvent.objects.count() == before + 1
