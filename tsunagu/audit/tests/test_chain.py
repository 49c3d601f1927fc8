import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from tsunagu.audit.models import AuditChainHead, AuditEvent, AuditImmutableError
from tsunagu.audit.services import (
    GENESIS_HASH,
    audit_read,
    audit_record,
    audit_verify_chain,
    compute_hash,
    diff,
)

pytestmark = pytest.mark.django_db


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


def _raw_update(sql, params=()):
    """Change rows behind the application's back, as a database superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")


def _raw_delete_event(seq):
    _raw_update(
        "DELETE FROM audit_auditpersonlink WHERE event_id IN "
        "(SELECT id FROM audit_auditevent WHERE seq = %s)",
        [seq],
    )
    _raw_update("DELETE FROM audit_auditevent WHERE seq = %s", [seq])


def test_events_form_a_chain(personas):
    officer = personas["officer"].user
    first, second, third = _events(3, actor=officer)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.acting_agency == personas["officer"].agency
    assert first.acting_role == "municipal_officer"
    assert first.actor_username == "officer"
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, third.hash)


def test_stored_event_hash_recomputes_after_reload():
    event = _events(1)[0]
    reloaded = AuditEvent.objects.get(pk=event.pk)
    assert compute_hash(reloaded) == event.hash
    assert reloaded.person_ids == [1, 101]


def test_persons_are_indexed_for_access_history():
    _events(3)
    assert AuditEvent.objects.concerning_person(102).get().target_id == "2"


def test_verify_passes_on_untouched_chain():
    _events(5)
    report = audit_verify_chain()
    assert report.ok
    assert report.checked == 5


def test_verify_names_the_edited_event():
    events = _events(5)
    _raw_update("UPDATE audit_auditevent SET purpose = %s WHERE seq = 3", ["書き換え"])
    report = audit_verify_chain()
    assert not report.ok
    assert report.broken_seq == 3
    assert report.broken_id == events[2].pk
    assert report.checked == 2
    assert "変更" in report.reason


def test_verify_detects_edited_person_list():
    _events(4)
    _raw_update("UPDATE audit_auditevent SET person_ids = %s WHERE seq = 2", ["[99]"])
    report = audit_verify_chain()
    assert (report.ok, report.broken_seq) == (False, 2)


def test_verify_detects_deleted_middle_event():
    _events(4)
    _raw_delete_event(2)
    report = audit_verify_chain()
    assert not report.ok
    assert report.broken_seq == 2
    assert "欠落" in report.reason


def test_verify_detects_deleted_last_event():
    _events(3)
    _raw_delete_event(3)
    report = audit_verify_chain()
    assert not report.ok
    assert "一致しません" in report.reason


def test_audit_verify_command_exit_codes(capsys):
    _events(3)
    call_command("audit_verify")
    assert "正常" in capsys.readouterr().out
    _raw_update("UPDATE audit_auditevent SET action = %s WHERE seq = 2", ["person.update"])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 1
    assert "連番 2" in str(excinfo.value)


def test_application_cannot_change_or_delete_events():
    event = _events(1)[0]
    event.purpose = "別の目的"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert audit_verify_chain().ok


def test_database_itself_refuses_changes_on_postgresql():
    event = _events(1)[0]
    if connection.vendor != "postgresql":
        # SQLite has no access control; the hash chain is its protection (tested above).
        assert audit_verify_chain().ok
        return
    with (
        pytest.raises(DatabaseError, match="追記のみ"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET purpose = 'x' WHERE id = %s", [event.pk])
    with (
        pytest.raises(DatabaseError, match="追記のみ"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).purpose == "確認"


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
