"""Database-level protection of the audit tables (the one vendor-specific spot of this app).

On PostgreSQL, row triggers refuse every UPDATE and DELETE of audit events, their person
links and the chain's seals, whatever client issues them. SQLite has no users or privileges
to protect with, so the application-level guards and the hash chain are what protect it there.
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
