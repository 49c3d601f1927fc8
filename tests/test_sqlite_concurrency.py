"""The embedded SQLite database under concurrent requests, on a real database FILE.

The test database of the rest of the suite is an in-memory shared-cache database, whose
table locks ("database table is locked") have nothing to do with the demo server, so these
tests open temporary files with the DATABASES OPTIONS of ``tsunagu/settings/base.py``
(WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``, a busy timeout): a writer that arrives
while another transaction holds the write lock waits for it instead of answering
「database is locked」, as long as that transaction ends within the timeout. A transaction
that holds the write lock longer than the timeout (the persons step of a CSV import of
several thousand rows, written in one transaction) still makes the others fail after it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connections, transaction

from tsunagu.settings.base import sqlite_config

ROOT = Path(__file__).resolve().parent.parent

#: How long a writer keeps the write lock in these tests (well inside the busy timeout).
HOLD_SECONDS = 1.0


@pytest.fixture
def file_db(tmp_path, django_db_blocker):
    """An alias on a temporary SQLite file with the project's OPTIONS; each thread that
    uses it opens its own connection (running the init_command), as runserver's threads do."""
    alias = f"sqlite_file_{uuid.uuid4().hex[:8]}"
    # the embedded database's settings, whatever database this test run itself uses
    config = sqlite_config(str(tmp_path / "city.sqlite3"))
    config["TEST"] = {}
    configured = connections.configure_settings({"default": config})  # fills the defaults
    connections.settings[alias] = configured["default"]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)")
            cursor.execute("CREATE TABLE event (seq INTEGER PRIMARY KEY, who TEXT NOT NULL)")
            cursor.execute("CREATE TABLE login (who TEXT PRIMARY KEY, at REAL)")
            cursor.execute("INSERT INTO head (id, seq) VALUES (1, 0)")
        connections[alias].close()
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections.settings[alias]


def _in_threads(alias: str, targets) -> list[BaseException]:
    """Run each target in its own thread with its own connection; the errors raised."""
    errors: list[BaseException] = []

    def run(target):
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting"
    return errors


def _append_event(alias: str, who: str) -> None:
    """The audit chain's pattern: read the head, write the next event, move the head."""
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT seq FROM head WHERE id = 1")
        seq = cursor.fetchone()[0] + 1
        cursor.execute("INSERT INTO event (seq, who) VALUES (%s, %s)", [seq, who])
        cursor.execute("UPDATE head SET seq = %s WHERE id = 1", [seq])


def test_every_connection_runs_in_wal_mode(file_db, django_db_blocker):
    with django_db_blocker.unblock(), connections[file_db].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
    assert connections[file_db].transaction_mode == "IMMEDIATE"


def test_writers_wait_for_a_transaction_holding_the_write_lock(file_db, django_db_blocker):
    """While one request holds the write lock, new connections (init_command included),
    chained read-then-write transactions and autocommit writes (session, last_login) wait."""
    holding = threading.Event()

    def holder():
        with transaction.atomic(using=file_db):
            _append_event(file_db, "holder")
            holding.set()
            time.sleep(HOLD_SECONDS)

    def writer(n: int):
        def write():
            holding.wait(10)
            for i in range(5):
                connections[file_db].close()  # a new connection per request (CONN_MAX_AGE=0)
                _append_event(file_db, f"w{n}")
                with connections[file_db].cursor() as cursor:  # autocommit
                    cursor.execute(
                        "INSERT OR REPLACE INTO login (who, at) VALUES (%s, %s)",
                        [f"w{n}-{i}", time.time()],
                    )

        return write

    started = time.monotonic()
    with django_db_blocker.unblock():
        errors = _in_threads(file_db, [holder, *(writer(n) for n in range(4))])
        elapsed = time.monotonic() - started
        with connections[file_db].cursor() as cursor:
            cursor.execute("SELECT seq FROM head")
            head = cursor.fetchone()[0]
            cursor.execute("SELECT COUNT(*), MAX(seq) FROM event")
            count, last = cursor.fetchone()
            cursor.execute("SELECT COUNT(*) FROM login")
            logins = cursor.fetchone()[0]
    assert errors == []
    assert elapsed >= HOLD_SECONDS  # the writers did wait for the holder
    assert (head, count, last, logins) == (21, 21, 21, 20)


def test_read_then_write_does_not_fail_when_another_writer_commits_first(
    file_db, django_db_blocker
):
    """A transaction that reads and then writes must not lose its snapshot to a writer
    that commits in between (SQLITE_BUSY_SNAPSHOT is not retried by the busy handler):
    BEGIN IMMEDIATE makes that other writer wait instead."""
    has_read = threading.Event()

    def read_then_write():
        with transaction.atomic(using=file_db), connections[file_db].cursor() as cursor:
            cursor.execute("SELECT seq FROM head WHERE id = 1")
            seq = cursor.fetchone()[0]
            has_read.set()
            time.sleep(HOLD_SECONDS)  # the other writer arrives meanwhile
            cursor.execute("UPDATE head SET seq = %s WHERE id = 1", [seq + 1])

    def other_writer():
        has_read.wait(10)
        with connections[file_db].cursor() as cursor:
            cursor.execute("UPDATE head SET seq = seq + 1 WHERE id = 1")

    with django_db_blocker.unblock():
        errors = _in_threads(file_db, [read_then_write, other_writer])
        with connections[file_db].cursor() as cursor:
            cursor.execute("SELECT seq FROM head")
            seq = cursor.fetchone()[0]
    assert errors == []
    assert seq == 2


AUDIT_SCRIPT = r"""
import threading, time
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.utils import timezone
from tsunagu.audit.services import audit_record, audit_verify_chain

user = get_user_model().objects.create_user("lockcheck", password="x" * 12)
errors, holding = [], threading.Event()

def holder():
    with transaction.atomic():
        audit_record(actor=None, action="test.hold")
        holding.set()
        time.sleep(HOLD)
    connection.close()

def clerk(n):
    holding.wait(10)
    try:
        for i in range(4):
            connection.close()
            SessionStore().create()
            get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())
            audit_record(actor=None, action="test.read", context={"clerk": n, "i": i})
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=holder)] + [
    threading.Thread(target=clerk, args=(n,)) for n in range(4)
]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
report = audit_verify_chain()
print("errors", errors)
print("chain", report.ok, report.checked)
"""


def test_audit_chain_sessions_and_last_login_wait_on_a_file_database(tmp_path):
    """The app's own writes (audit_record, a new session, last_login) from several threads
    while a transaction holds the write lock: none fails, the chain stays whole."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TSUNAGU_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tsunagu.settings.local",
        TSUNAGU_SQLITE_PATH=str(tmp_path / "city.sqlite3"),
        TSUNAGU_DATA_DIR=str(tmp_path),
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    migrated = manage("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    script = f"HOLD = {HOLD_SECONDS}\n{AUDIT_SCRIPT}"
    result = manage("shell", "--no-imports", "-c", script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "errors []" in lines, result.stdout
    # the holder's event, 4 clerks × 4 reads, and nothing else was recorded in this database
    assert "chain True 17" in lines, result.stdout
