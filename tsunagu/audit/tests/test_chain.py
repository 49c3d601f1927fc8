import threading
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory

from tsunagu.audit.db import install_sqlite_immutability, remove_sqlite_immutability
from tsunagu.audit.models import AuditChainHead, AuditEvent, AuditImmutableError, AuditSeal
from tsunagu.audit.services import (
    GENESIS_HASH,
    audit_read,
    audit_record,
    audit_seal,
    audit_verify_chain,
    chain_hash,
    compute_hash,
    diff,
)

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "SQLite serialises writers itself (a second writer waits for the first to commit), "
        "so two open writing transactions cannot be observed there"
    ),
)


def _events(n, actor=None):
    return [
        audit_record(
            actor=actor,
            action="person.view",
            target_type="people.person",
            target_id=i,
            persons=[i, i + 100],
            context={"case": 7},
            purpose="確認",
            changes={"name": {"before": "髙橋", "after": "高橋"}},
        )
        for i in range(1, n + 1)
    ]


def _sealed_events(n, actor=None):
    events = _events(n, actor=actor)
    assert audit_seal() == n
    return events


def _raw_update(sql, params=()):
    """Change rows behind the application's back, as a database superuser (PostgreSQL) or
    anyone who can write the file (SQLite) could: with the refusing triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        else:
            remove_sqlite_immutability(None, connection.schema_editor())
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")
            else:
                install_sqlite_immutability(None, connection.schema_editor())


def test_events_carry_their_content_hash_and_no_link(personas):
    officer = personas["officer"].user
    first, second, third = _events(3, actor=officer)
    assert [first.seq, second.seq, third.seq] == [first.pk, second.pk, third.pk]
    assert first.seq < second.seq < third.seq
    assert all(e.prev_hash == "" and e.hash == compute_hash(e) for e in (first, second, third))
    assert first.acting_agency == personas["officer"].agency
    assert first.acting_role == "municipal_officer"
    assert first.actor_username == "officer"
    assert not AuditSeal.objects.exists()


def test_sealer_chains_events_in_id_order():
    first, second, third = _events(3)
    assert audit_seal() == 3
    seals = list(AuditSeal.objects.order_by("position"))
    assert [s.event_id for s in seals] == [first.pk, second.pk, third.pk]
    assert [s.position for s in seals] == [1, 2, 3]
    assert seals[0].prev_hash == GENESIS_HASH
    assert seals[1].prev_hash == seals[0].hash
    assert seals[2].hash == chain_hash(
        position=3, event_id=third.pk, content_hash=third.hash, prev_hash=seals[1].hash
    )
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, seals[2].hash)
    assert audit_seal() == 0  # each event is sealed once


def test_sealer_works_in_batches():
    _events(5)
    assert audit_seal(batch_size=2) == 5
    assert list(AuditSeal.objects.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert audit_verify_chain().checked == 5


def test_event_committed_after_a_higher_id_is_sealed_later():
    """A long transaction takes a low id and commits after others were sealed: its event is
    sealed when it becomes visible, after them; the chain stays whole and nothing is lost."""
    first = _events(1)[0]
    late_id, early_id = first.pk + 5, first.pk + 10
    _insert_with_id(early_id, "person.view")
    assert audit_seal() == 2
    _insert_with_id(late_id, "person.import")  # the lower id, committed only now
    assert audit_seal(stragglers=False) == 0  # the after-commit sealer covers only the tail
    assert audit_verify_chain().unsealed == 1
    assert audit_seal() == 1
    order = list(AuditSeal.objects.order_by("position").values_list("event_id", flat=True))
    assert order == [first.pk, early_id, late_id]
    report = audit_verify_chain()
    assert (report.ok, report.checked, report.unsealed) == (True, 3, 0)


def _insert_with_id(pk, action):
    from django.utils import timezone

    event = AuditEvent(id=pk, occurred_at=timezone.now(), action=action)
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


def test_stored_event_hash_recomputes_after_reload():
    event = _events(1)[0]
    reloaded = AuditEvent.objects.get(pk=event.pk)
    assert compute_hash(reloaded) == event.hash
    assert reloaded.person_ids == [1, 101]
    assert reloaded.seq == event.pk


def test_events_recorded_before_sealing_keep_their_old_hash():
    """Events of the former chain cover their old number and link; they are sealed too."""
    from django.utils import timezone

    old = AuditEvent(
        occurred_at=timezone.now(), action="person.view", legacy_seq=1, prev_hash=GENESIS_HASH
    )
    old.hash = compute_hash(old)
    old.save(force_insert=True)
    assert compute_hash(AuditEvent.objects.get(pk=old.pk)) == old.hash
    _events(1)
    audit_seal()
    assert audit_verify_chain().checked == 2
    _raw_update("UPDATE audit_auditevent SET legacy_seq = 2 WHERE id = %s", [old.pk])
    assert audit_verify_chain().broken_id == old.pk


def test_persons_are_indexed_for_access_history():
    _events(3)
    assert AuditEvent.objects.concerning_person(102).get().target_id == "2"


def test_verify_passes_on_untouched_chain():
    _sealed_events(5)
    report = audit_verify_chain()
    assert report.ok
    assert report.checked == 5
    assert report.unsealed == 0


def test_verify_counts_recent_unsealed_events_without_alarm():
    _sealed_events(2)
    _events(3)
    report = audit_verify_chain()
    assert (report.ok, report.problem, report.checked, report.unsealed) == (True, False, 2, 3)


def test_events_unsealed_too_long_are_a_problem_not_tampering(settings):
    _events(2)
    settings.AUDIT_SEAL_GRACE_SECONDS = 0
    report = audit_verify_chain()
    assert report.ok
    assert report.problem
    assert report.stale_unsealed == 2
    assert "未封印" in report.describe()


def test_verify_names_the_edited_event():
    events = _sealed_events(5)
    _raw_update(
        "UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["書き換え", events[2].pk]
    )
    report = audit_verify_chain()
    assert not report.ok
    assert report.broken_seq == events[2].seq
    assert report.broken_id == events[2].pk
    assert report.checked == 2
    assert "変更" in report.reason


def test_verify_detects_edited_person_list():
    events = _sealed_events(4)
    _raw_update("UPDATE audit_auditevent SET person_ids = %s WHERE id = %s", ["[99]", events[1].pk])
    report = audit_verify_chain()
    assert (report.ok, report.broken_id) == (False, events[1].pk)


def test_verify_detects_content_rewritten_with_a_new_hash():
    events = _sealed_events(3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.purpose = "書き換え"
    _raw_update(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE id = %s",
        ["書き換え", compute_hash(forged), forged.pk],
    )
    report = audit_verify_chain()
    assert (report.ok, report.broken_id, report.checked) == (False, events[1].pk, 1)
    assert "封印" in report.reason


def test_verify_detects_an_altered_seal():
    events = _sealed_events(3)
    _raw_update("UPDATE audit_auditseal SET hash = %s WHERE position = 2", ["f" * 64])
    report = audit_verify_chain()
    assert (report.ok, report.broken_id) == (False, events[1].pk)


def test_verify_detects_deleted_middle_event():
    events = _sealed_events(4)
    _raw_update("DELETE FROM audit_auditpersonlink WHERE event_id = %s", [events[1].pk])
    _raw_update("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify_chain()
    assert not report.ok
    assert report.broken_id == events[1].pk
    assert "削除" in report.reason
    # leave no dangling reference for the database's end-of-test foreign key check
    _raw_update("DELETE FROM audit_auditseal WHERE event_id = %s", [events[1].pk])


def test_verify_detects_deleted_middle_event_with_its_seal():
    events = _sealed_events(4)
    _raw_update("DELETE FROM audit_auditseal WHERE event_id = %s", [events[1].pk])
    _raw_update("DELETE FROM audit_auditpersonlink WHERE event_id = %s", [events[1].pk])
    _raw_update("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify_chain()
    assert not report.ok
    assert "欠落" in report.reason
    assert report.checked == 1


def test_verify_detects_deleted_last_event():
    events = _sealed_events(3)
    _raw_update("DELETE FROM audit_auditseal WHERE event_id = %s", [events[2].pk])
    _raw_update("DELETE FROM audit_auditpersonlink WHERE event_id = %s", [events[2].pk])
    _raw_update("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    report = audit_verify_chain()
    assert not report.ok
    assert "一致しません" in report.reason


def test_audit_verify_command_exit_codes(capsys, settings):
    events = _sealed_events(3)
    call_command("audit_verify")
    assert "正常" in capsys.readouterr().out
    _events(1)
    settings.AUDIT_SEAL_GRACE_SECONDS = 0
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 2
    call_command("audit_seal")
    assert "1件" in capsys.readouterr().out
    call_command("audit_verify")
    _raw_update(
        "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["person.update", events[1].pk]
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 1
    assert f"連番 {events[1].seq}" in str(excinfo.value)


def test_application_cannot_change_or_delete_events_or_seals():
    event = _sealed_events(1)[0]
    event.purpose = "別の目的"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    seal = AuditSeal.objects.get()
    with pytest.raises(AuditImmutableError):
        seal.save()
    with pytest.raises(AuditImmutableError):
        seal.delete()
    with pytest.raises(AuditImmutableError):
        AuditSeal.objects.update(hash="x")
    assert audit_verify_chain().ok


def test_database_itself_refuses_changes():
    event = _sealed_events(1)[0]
    for sql in (
        "UPDATE audit_auditevent SET purpose = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "UPDATE audit_auditseal SET hash = 'x' WHERE event_id = %s",
        "DELETE FROM audit_auditseal WHERE event_id = %s",
        "DELETE FROM audit_auditpersonlink WHERE event_id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="追記のみ"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).purpose == "確認"
    assert audit_verify_chain().checked == 1


def test_event_rolls_back_with_the_failed_write():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="person.update", target_type="people.person", target_id=1)
        raise RuntimeError("書き込み失敗")
    assert AuditEvent.objects.count() == 0
    assert audit_verify_chain().ok


def test_action_must_be_entity_dot_verb():
    with pytest.raises(ValueError, match=r"entity\.verb"):
        audit_record(actor=None, action="view")


def test_audit_read_records_request_context(personas):
    request = RequestFactory().get("/people/1/", REMOTE_ADDR="192.0.2.10")
    request.user = personas["desk"].user
    event = audit_read(request, "person.view", persons=[1], context={"case": 3}, purpose="相談対応")
    assert event.via == "web"
    assert event.ip_address == "192.0.2.10"
    assert event.acting_agency == personas["desk"].agency
    assert event.person_ids == [1]
    api_request = RequestFactory().get("/api/v1/persons/1")
    api_request.user = personas["desk"].user
    assert audit_read(api_request, "person.view", persons=[1]).via == "api"


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {
        "b": {"before": "x", "after": "y"}
    }


def test_writes_during_a_request_carry_its_origin(client, personas):
    from tsunagu.audit.models import AuditEvent

    client.post("/login/", {"username": "desk", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.ip_address, event.via) == ("198.51.100.7", "web")
    # outside a request nothing is invented
    assert audit_record(actor=None, action="system.check").via == ""


# --- with real transactions: events are sealed after commit, writers do not wait -----------


@pytest.mark.django_db(transaction=True)
def test_events_are_sealed_after_their_transaction_commits():
    with transaction.atomic():
        _events(3)
        assert not AuditSeal.objects.exists()
    assert AuditSeal.objects.count() == 3
    report = audit_verify_chain()
    assert (report.ok, report.checked, report.unsealed) == (True, 3, 0)


def _in_thread(target):
    result = {}

    def run():
        try:
            result["value"] = target()
        except Exception as exc:  # pragma: no cover - reported by the test
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_with_an_event_does_not_block_other_writers():
    """A long import records an event (taking the lower id) and stays open; another
    connection records and commits at once, and is sealed; the import's event is sealed once
    it commits, after the other one."""
    recorded, release = threading.Event(), threading.Event()

    def long_import():
        with transaction.atomic():
            event = audit_record(actor=None, action="import.start")
            recorded.set()
            release.wait(20)
        return event

    holder, held = _in_thread(long_import)
    assert recorded.wait(10)

    def other_user():
        started = time.monotonic()
        event = audit_record(actor=None, action="auth.login")
        return event, time.monotonic() - started

    worker, other = _in_thread(other_user)
    worker.join(10)
    release.set()
    holder.join(20)
    assert "error" not in other and "error" not in held, (other, held)
    login, waited = other["value"]
    import_event = held["value"]
    assert import_event.pk < login.pk
    assert waited < 2, f"audit_record waited {waited:.1f}s for another transaction"
    # sealing after commit covers the newest events; the late import's event is a straggler
    # below the last sealed id, which the periodic sealer picks up
    assert list(AuditSeal.objects.values_list("event_id", flat=True)) == [login.pk]
    assert audit_seal() == 1
    order = list(AuditSeal.objects.order_by("position").values_list("event_id", flat=True))
    assert order == [login.pk, import_event.pk]
    report = audit_verify_chain()
    assert (report.ok, report.checked, report.unsealed) == (True, 2, 0)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_verification_while_events_are_appended_reports_no_tampering():
    stop = threading.Event()

    def append():
        count = 0
        while not stop.is_set():
            with transaction.atomic():
                audit_record(actor=None, action="person.view", persons=[count])
                audit_record(actor=None, action="person.view", persons=[count + 1])
            count += 2
        return count

    writer, written = _in_thread(append)
    reports = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        reports.append(audit_verify_chain())
    stop.set()
    writer.join(10)
    assert "error" not in written, written
    assert written["value"] > 0
    assert all(r.ok for r in reports), [r.describe() for r in reports if not r.ok]
    assert audit_seal() >= 0
    final = audit_verify_chain()
    assert (final.ok, final.checked, final.unsealed) == (True, written["value"], 0)


def test_grace_setting_is_a_duration_in_seconds(settings):
    from tsunagu.audit.services import seal_grace

    settings.AUDIT_SEAL_GRACE_SECONDS = 120
    assert seal_grace() == timedelta(minutes=2)
