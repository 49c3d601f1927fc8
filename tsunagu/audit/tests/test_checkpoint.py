"""What the hash chain alone cannot prove, and what closes the gap: the person links checked
against the events, the database's refusing triggers, and checkpoints outside the database."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tsunagu.audit import checkpoint
from tsunagu.audit.db import (
    install_sqlite_immutability,
    missing_protections,
    remove_sqlite_immutability,
)
from tsunagu.audit.models import AuditChainHead, AuditEvent, AuditSeal
from tsunagu.audit.services import GENESIS_HASH, audit_verify_chain, chain_hash, compute_hash

from .test_chain import _raw_update, _sealed_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.AUDIT_CHECKPOINT_KEY = "checkpoint-key-for-tests"
    return tmp_path / "checkpoints"


def _rewrite_and_rechain(event_pk, purpose):
    """Change one event and recompute its content hash, every seal after it and the head:
    what someone who can write the database and knows the algorithm could do."""
    forged = AuditEvent.objects.get(pk=event_pk)
    forged.purpose = purpose
    _raw_update(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE id = %s",
        [purpose, compute_hash(forged), event_pk],
    )
    prev = GENESIS_HASH
    for seal in AuditSeal.objects.order_by("position"):
        event = AuditEvent.objects.get(pk=seal.event_id)
        link = chain_hash(
            position=seal.position, event_id=event.pk, content_hash=event.hash, prev_hash=prev
        )
        _raw_update(
            "UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE position = %s",
            [prev, link, seal.position],
        )
        prev = link
    AuditChainHead.objects.filter(id=1).update(hash=prev)


def _cut_last(events, n):
    """Remove the last ``n`` events with their seals and links and set the head back."""
    for event in events[-n:]:
        _raw_update("DELETE FROM audit_auditseal WHERE event_id = %s", [event.pk])
        _raw_update("DELETE FROM audit_auditpersonlink WHERE event_id = %s", [event.pk])
        _raw_update("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    last = AuditSeal.objects.order_by("-position").first()
    AuditChainHead.objects.filter(id=1).update(seq=last.position, hash=last.hash)


def test_every_audit_table_refuses_changes_after_migrating():
    assert missing_protections(connection) == []


def test_verify_detects_a_deleted_person_link():
    events = _sealed_events(4)
    _raw_update(
        "DELETE FROM audit_auditpersonlink WHERE event_id = %s AND person_id = %s",
        [events[2].pk, events[2].person_ids[0]],
    )
    report = audit_verify_chain()
    assert (report.ok, report.broken_id, report.checked) == (False, events[2].pk, 2)
    assert "本人との関連づけ" in report.reason


def test_verify_detects_an_added_person_link():
    events = _sealed_events(2)
    _raw_update(
        "INSERT INTO audit_auditpersonlink (event_id, person_id) VALUES (%s, %s)",
        [events[0].pk, 4242],
    )
    report = audit_verify_chain()
    assert (report.ok, report.broken_id) == (False, events[0].pk)


def test_verify_detects_missing_triggers():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # undone with the test's transaction
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE audit_auditpersonlink DISABLE TRIGGER audit_auditpersonlink_immutable"
            )
    else:
        remove_sqlite_immutability(None, connection.schema_editor())
    _sealed_events(1)
    try:
        report = audit_verify_chain()
        assert not report.ok
        assert "audit_auditpersonlink" in report.reason
        assert "トリガー" in report.describe()
        assert "連番 None" not in report.describe()
    finally:
        if connection.vendor == "sqlite":
            install_sqlite_immutability(None, connection.schema_editor())
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE audit_auditpersonlink "
                    "ENABLE TRIGGER audit_auditpersonlink_immutable"
                )
    assert audit_verify_chain().ok


def test_without_checkpoints_a_recomputed_chain_passes_unnoticed():
    """The gap the checkpoints close (checkpoints are off in the test settings)."""
    events = _sealed_events(4)
    _rewrite_and_rechain(events[1].pk, "書き換え")
    assert audit_verify_chain().ok


def test_checkpoint_detects_rows_rewritten_and_the_chain_recomputed(checkpoints):
    events = _sealed_events(4)
    written = checkpoint.write_checkpoint()
    assert written.position == 4
    assert audit_verify_chain().checkpoints == 1
    _rewrite_and_rechain(events[1].pk, "書き換え")
    report = audit_verify_chain()
    assert not report.ok
    assert "封印 4 のハッシュが外部チェックポイント" in report.reason
    assert "計算し直した" in report.describe()


def test_checkpoint_detects_the_last_events_deleted_and_the_head_reset(checkpoints):
    events = _sealed_events(5)
    checkpoint.write_checkpoint()
    _cut_last(events, 2)
    report = audit_verify_chain()
    assert not report.ok
    assert "短くなっています" in report.reason


def test_events_after_the_last_checkpoint_and_unchanged_history_pass(checkpoints):
    _sealed_events(3)
    checkpoint.write_checkpoint()
    assert checkpoint.write_checkpoint() is None  # nothing new: no second line
    _sealed_events(2)
    checkpoint.write_checkpoint()
    report = audit_verify_chain()
    assert report.ok, report.describe()
    assert report.checkpoints == 2
    assert "外部チェックポイント 2件と一致" in report.describe()


def test_a_forged_or_edited_checkpoint_line_is_detected(checkpoints):
    _sealed_events(2)
    checkpoint.write_checkpoint()
    path = checkpoint.checkpoint_path()
    line = json.loads(path.read_text(encoding="utf-8"))
    line["hash"] = "0" * 64
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    report = audit_verify_chain()
    assert not report.ok
    assert "署名（HMAC）が一致しません" in report.reason


def test_a_checkpoint_written_with_another_key_is_refused(checkpoints, settings):
    _sealed_events(1)
    checkpoint.write_checkpoint()
    settings.AUDIT_CHECKPOINT_KEY = "another-key"
    assert "署名" in audit_verify_chain().reason


def test_no_recent_checkpoint_is_a_problem_not_tampering(checkpoints, settings):
    _sealed_events(2)
    settings.AUDIT_CHECKPOINT_MAX_AGE_SECONDS = 0
    report = audit_verify_chain()
    assert report.ok and report.problem
    assert "書かれていません" in report.describe()
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 2


def test_audit_seal_command_seals_and_writes_one_checkpoint(checkpoints, capsys):
    from .test_chain import _events

    _events(3)
    call_command("audit_seal")
    out = capsys.readouterr().out
    assert "3件" in out and "チェックポイントを書きました（封印 3）" in out
    call_command("audit_seal")
    assert "チェックポイント" not in capsys.readouterr().out
    assert len(list(checkpoint.read_checkpoints())) == 1
    call_command("audit_verify")


def test_each_database_has_its_own_checkpoint_file(checkpoints):
    from types import SimpleNamespace

    def label(vendor, **params):
        return checkpoint.checkpoint_path(SimpleNamespace(vendor=vendor, settings_dict=params))

    assert checkpoint.checkpoint_path().parent == checkpoints
    city = label("postgresql", NAME="tsunagu", HOST="db1", PORT="5432")
    assert city.name.startswith("audit-checkpoints-postgresql-tsunagu-")
    assert city != label("postgresql", NAME="tsunagu", HOST="db2", PORT="5432")
    assert city != label("postgresql", NAME="tsunagu_restored", HOST="db1", PORT="5432")
    demo = label("sqlite", NAME="/srv/tsunagu/data/tsunagu.sqlite3")
    assert demo.name.startswith("audit-checkpoints-sqlite-tsunagu-")
    assert demo != label("sqlite", NAME="/srv/copy/tsunagu.sqlite3")


def test_set_aside_after_a_restore(checkpoints):
    events = _sealed_events(3)
    checkpoint.write_checkpoint()
    _cut_last(events, 1)  # as a restore from an older backup leaves it
    assert not audit_verify_chain().ok
    moved = checkpoint.set_aside("before-restore-20261207")
    assert moved.exists() and not checkpoint.checkpoint_path().exists()
    assert audit_verify_chain().ok
