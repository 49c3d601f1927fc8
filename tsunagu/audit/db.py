"""Database-level protection of the audit tables (the one vendor-specific spot of this app).

Row triggers refuse every UPDATE and DELETE of audit events, their person links and the
chain's seals, whatever client issues them: PostgreSQL raises ``insufficient_privilege`` from a
trigger function, SQLite aborts with ``RAISE(ABORT, …)``. SQLite has no users or privileges, so
anyone who can write the file can drop its triggers: there the hash chain and the checkpoints
kept outside the database (:mod:`tsunagu.audit.checkpoint`) are what detect a change.
:func:`missing_protections` lists the triggers that are not there (``audit_verify`` reports it).
Reading the chain in one snapshot differs by vendor too (:func:`consistent_snapshot`).
"""

from contextlib import contextmanager

from django.db import transaction

PROTECTED_TABLES = ("audit_auditevent", "audit_auditpersonlink")

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION tsunagu_audit_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '監査ログは追記のみです（' || TG_OP || ' は許可されていません）',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


SEAL_TABLE = "audit_auditseal"
ALL_TABLES = (*PROTECTED_TABLES, SEAL_TABLE)
SQLITE_OPERATIONS = ("UPDATE", "DELETE")


def sqlite_trigger_name(table: str, operation: str) -> str:
    return f"{table}_no_{operation.lower()}"


def sqlite_trigger_sql(table: str, operation: str) -> str:
    message = f"監査ログは追記のみです（{operation} は許可されていません）"
    return (
        f"CREATE TRIGGER IF NOT EXISTS {sqlite_trigger_name(table, operation)} "
        f"BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    )


def install_sqlite_immutability(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in ALL_TABLES:
        for operation in SQLITE_OPERATIONS:
            schema_editor.execute(sqlite_trigger_sql(table, operation))


def remove_sqlite_immutability(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in ALL_TABLES:
        for operation in SQLITE_OPERATIONS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {sqlite_trigger_name(table, operation)}")


def missing_protections(connection) -> list[str]:
    """The audit tables whose UPDATE/DELETE-refusing triggers are missing, e.g.
    ``["audit_auditseal (DELETE)"]``; empty on a database other than PostgreSQL or SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = c.relname || '_immutable' AND t.tgenabled <> 'D' "
                "AND c.relname = ANY(%s)",
                [list(ALL_TABLES)],
            )
            present = {row[0] for row in cursor.fetchall()}
            return [table for table in ALL_TABLES if table not in present]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            return [
                f"{table} ({operation})"
                for table in ALL_TABLES
                for operation in SQLITE_OPERATIONS
                if sqlite_trigger_name(table, operation) not in present
            ]
    return []


def install_immutability(apps, schema_editor, tables=PROTECTED_TABLES) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION_SQL)
    for table in tables:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tsunagu_audit_immutable();"
        )


def remove_immutability(apps, schema_editor, tables=PROTECTED_TABLES) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
    if tables == PROTECTED_TABLES:
        schema_editor.execute("DROP FUNCTION IF EXISTS tsunagu_audit_immutable();")


def install_seal_immutability(apps, schema_editor) -> None:
    install_immutability(apps, schema_editor, tables=(SEAL_TABLE,))


def remove_seal_immutability(apps, schema_editor) -> None:
    remove_immutability(apps, schema_editor, tables=(SEAL_TABLE,))


@contextmanager
def consistent_snapshot(connection):
    """Run the enclosed reads in one snapshot of the database, taking no write lock.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction (its default, READ COMMITTED, takes a
    new snapshot per statement). SQLite: a deferred read transaction (the project opens
    transactions IMMEDIATE, which would take the write lock). A caller already inside a
    transaction (tests) keeps that transaction's view.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic(using=connection.alias):
        yield
