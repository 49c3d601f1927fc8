"""Database-level protection of the audit tables (the one vendor-specific spot of this app).

On PostgreSQL, row triggers refuse every UPDATE and DELETE of audit events and their person
links, whatever client issues them. SQLite has no users or privileges to protect with, so
the application-level guards and the hash chain are what protect it there.
"""

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


def install_immutability(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION_SQL)
    for table in PROTECTED_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tsunagu_audit_immutable();"
        )


def remove_immutability(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in PROTECTED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS tsunagu_audit_immutable();")
