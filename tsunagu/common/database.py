"""The database connection as the application sets it up.

On PostgreSQL the queries are sent with their parameters apart (``server_side_binding``) and
a query a connection has sent twice is prepared (``prepare_threshold``; settings/base.py):
the server parses it once for that connection and, after five executions, keeps one generic
plan for it when that plan costs no more than those made for the values. A worker serves
every page of every user, so it sends a few hundred different queries; :data:`PREPARED_MAX`
of them are kept prepared (psycopg's default is 100, after which the least used are dropped
and prepared again when next sent).
"""

from __future__ import annotations

#: prepared statements kept per connection
PREPARED_MAX = 500


def keep_prepared(sender, connection, **kwargs) -> None:
    """``connection_created``: keep up to :data:`PREPARED_MAX` prepared statements."""
    raw = connection.connection
    if connection.vendor == "postgresql" and hasattr(raw, "prepared_max"):
        raw.prepared_max = PREPARED_MAX
