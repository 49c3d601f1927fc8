"""The life of an outreach record under any sequence of steps (hypothesis).

Random sequences of stage changes (forward and back, with or without a reason), links,
consents, contacts, closures and reopenings are taken through the services. Each step is
accepted or refused exactly as a small model of the rules says, a refused step writes
nothing, and after every step:

- the record's history (its events in order) replays to its current stage and closure, and
  its stage changes are dated in the order they were made;
- a closed record never accepts a contact;
- ``last_contact_on`` is the latest contact's date, ``first_met_on`` the earliest
  face-to-face contact's (初回面会日), whatever order the contacts were entered in.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tsunagu.outreach import selectors, services
from tsunagu.outreach.models import (
    MEETING_METHODS,
    STAGE_ORDER,
    ContactMethod,
    EventKind,
    OutreachContact,
    OutreachEvent,
    OutreachRecord,
    Stage,
)
from tsunagu.outreach.workflow import OutreachRuleError

from .fixtures import *  # noqa: F403
from .fixtures import BEGAN, days_ago

day = st.integers(0, BEGAN)  # days ago, from the day the record began to today

ACTION = st.one_of(
    st.tuples(st.just("stage"), st.sampled_from(Stage.values), day, st.booleans()),
    st.tuples(st.just("link")),
    st.tuples(st.just("consent"), day),
    st.tuples(st.just("contact"), st.sampled_from(ContactMethod.values), day),
    st.tuples(st.just("close"), st.sampled_from(["connected", "moved", "refused"]), day),
    st.tuples(st.just("reopen")),
)


class Model:
    """What the rules say the record is."""

    def __init__(self):
        self.stage = Stage.GATHERING
        self.closed = False
        self.person = False
        self.consent = False
        self.last_contact_ago: int | None = None  # days before today of the latest contact
        self.last_stage_ago: int | None = None  # days before today of the latest stage change

    def refuses(self, action) -> type[Exception] | None:
        """The error the step must be refused with, or ``None`` when it is accepted."""
        kind, *args = action
        if kind == "reopen":
            return None if self.closed else OutreachRuleError
        if self.closed:
            return OutreachRuleError
        if kind == "stage":
            to, ago, reason = args
            if self.last_stage_ago is not None and ago > self.last_stage_ago:
                return ValidationError  # dated before the last stage change
            if to == self.stage:
                return OutreachRuleError
            if STAGE_ORDER[to] < STAGE_ORDER[self.stage] and not reason:
                return ValidationError
        if kind == "consent" and (not self.person or self.consent):
            return OutreachRuleError
        if (
            kind == "close"
            and self.last_contact_ago is not None
            and args[1] > self.last_contact_ago
        ):
            return ValidationError  # closed before the last contact
        return None

    def apply(self, action) -> None:
        kind, *args = action
        if kind == "stage":
            self.stage = args[0]
            self.last_stage_ago = args[1]
        elif kind == "link":
            self.person = True
        elif kind == "consent":
            self.consent = True
        elif kind == "contact":
            ago = args[1]
            if self.last_contact_ago is None or ago < self.last_contact_ago:
                self.last_contact_ago = ago
        elif kind == "close":
            self.closed = True
        elif kind == "reopen":
            self.closed = False


def take(action, *, by, record, person, agency):
    kind, *args = action
    if kind == "stage":
        to, ago, reason = args
        services.stage_change(
            by=by, record=record, to=to, occurred_on=days_ago(ago), reason="理由" if reason else ""
        )
    elif kind == "link":
        services.record_link_person(by=by, record=record, person=person)
    elif kind == "consent":
        services.consent_record(by=by, record=record, consented_on=days_ago(args[0]), method="oral")
    elif kind == "contact":
        method, ago = args
        services.contact_record(
            by=by,
            record=record,
            occurred_on=days_ago(ago),
            method=method,
            staff="鈴木",
            summary="様子",
        )
    elif kind == "close":
        reason, ago = args
        services.record_close(
            by=by,
            record=record,
            closed_on=days_ago(ago),
            reason=reason,
            note="本人の強い拒否" if reason == "refused" else "",
            connected_agency=agency if reason == "connected" else None,
        )
    elif kind == "reopen":
        services.record_reopen(by=by, record=record, reason="再び関わる")


def rows(record) -> tuple[int, int, dict]:
    fresh = OutreachRecord.objects.get(pk=record.pk)
    return (
        OutreachEvent.objects.filter(record=record).count(),
        OutreachContact.objects.filter(record=record).count(),
        {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields},
    )


def replay(record) -> tuple[str, bool]:
    """The stage and closure the record's history arrives at."""
    stage, closed, changed_on = None, False, None
    for event in selectors.events(record):
        if event.kind == EventKind.BEGAN:
            assert stage is None
            stage = event.to_stage
        elif event.kind == EventKind.STAGE:
            assert event.from_stage == stage, "an event starts where the one before ended"
            assert changed_on is None or event.occurred_on >= changed_on, "changes in order"
            stage, changed_on = event.to_stage, event.occurred_on
        elif event.kind == EventKind.CLOSED:
            assert not closed
            closed = True
        elif event.kind == EventKind.REOPENED:
            assert closed
            closed = False
    return stage, closed


def check(record, model: Model) -> None:
    record = OutreachRecord.objects.get(pk=record.pk)
    assert replay(record) == (record.stage, record.is_closed)
    assert (record.stage, record.is_closed) == (model.stage, model.closed)
    assert record.has_consent is model.consent
    assert record.events.filter(kind=EventKind.CONSENT).count() == int(model.consent)
    contacts = list(record.contacts.values_list("occurred_on", "method"))
    assert record.last_contact_on == max((d for d, _m in contacts), default=None)
    assert record.first_met_on == min(
        (d for d, m in contacts if m in MEETING_METHODS), default=None
    )


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(history=st.lists(ACTION, min_size=1, max_size=20))
# a contact on a closed record, then one after reopening, earlier than the first
@example(
    history=[
        ("contact", "visit_met", 10),
        ("close", "moved", 5),
        ("contact", "phone", 1),
        ("reopen",),
        ("contact", "accompany", 20),
    ]
)
# back without a reason is refused, with one accepted
@example(history=[("stage", "home_visit", 30, False), ("stage", "preparation", 20, False)])
@example(history=[("stage", "home_visit", 30, False), ("stage", "preparation", 20, True)])
# a change dated before the last one is refused
@example(history=[("stage", "home_visit", 20, False), ("stage", "accompanying", 30, False)])
@pytest.mark.django_db
def test_the_history_always_tells_the_record(personas, agencies, person, history):
    class Rollback(Exception):
        pass

    worker = personas["outreach"].user
    try:
        with transaction.atomic():
            record = services.record_create(
                by=worker, label="北部 60代男性 A", source="minsei", began_on=days_ago(BEGAN)
            )
            model = Model()
            for action in history:
                expected = model.refuses(action)
                before = rows(record)
                refused = None
                try:
                    take(
                        action,
                        by=worker,
                        record=OutreachRecord.objects.get(pk=record.pk),
                        person=person,
                        agency=agencies["houkatsu"],
                    )
                except ValidationError as exc:
                    refused = exc
                assert (type(refused) if refused else None) is expected, (action, refused)
                if refused:
                    assert rows(record) == before, f"{action} was refused but wrote"
                else:
                    model.apply(action)
                check(record, model)
            raise Rollback
    except Rollback:
        pass
