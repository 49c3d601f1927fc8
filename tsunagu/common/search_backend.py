"""Database-specific search indexes (the one vendor-specific spot for search).

PostgreSQL: trigram GIN indexes (pg_trgm, needs a UTF-8 database) make ``LIKE '%…%'`` on
Japanese text use an index. Trigrams need three characters, so one- and two-character
queries (佐藤, 林) take the prefix path in the selectors, served by ordinary B-tree indexes.
SQLite: the same queries run as scans, which stay fast at a city's scale.
"""

from __future__ import annotations


def trigram_index_operations(table: str, indexes: dict[str, str], extensions=("pg_trgm",)):
    """Migration callables creating/dropping ``{index_name: column_expression}`` on PostgreSQL
    (the expression's last column takes ``gin_trgm_ops``; ``btree_gin`` among the
    ``extensions`` lets columns before it be plain values, such as the agency)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for extension in extensions:
            schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        for name, expression in indexes.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin ({expression} gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return forwards, backwards
