"""Where the batch linkage runs: the SQL engine under Splink.

:func:`tsunagu.linkage.batch.link` prepares the match keys in Python and hands them to an
engine; Splink trains and scores pairs there, and the linkage reads back the scored pairs
it needs with :meth:`Engine.rows`. DuckDB (in memory, in this process) is the default and
serves a city; another engine can be named for a prefecture's tens of millions of records
(see :func:`engine`): ``spark`` (:mod:`tsunagu.linkage.spark`, with the ``spark`` extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

__all__ = ["ENGINES", "Engine", "engine"]


class Engine(Protocol):
    """An engine: a Splink database API, the records registered in it, and its rows."""

    name: str
    db_api: Any

    def register(self, columns: Mapping[str, Sequence]) -> Any:
        """Register the prepared columns as the records table; return Splink's table."""

    def rows(self, predictions: Any, select: str, where: str, order_by: str = "") -> list:
        """``SELECT select FROM predictions WHERE where [ORDER BY order_by]`` as tuples."""

    def close(self) -> None: ...


class DuckDBEngine:
    """DuckDB in memory, in this process."""

    name = "duckdb"

    def __init__(self) -> None:
        import duckdb
        from splink import DuckDBAPI

        self.con = duckdb.connect(":memory:")
        self.db_api = DuckDBAPI(self.con)

    def register(self, columns: Mapping[str, Sequence]) -> Any:
        import pyarrow as pa

        return self.db_api.register(pa.table(dict(columns)), dataset_display_name="records")

    def rows(self, predictions: Any, select: str, where: str, order_by: str = "") -> list:
        order = f" ORDER BY {order_by}" if order_by else ""
        return self.con.execute(
            f"SELECT {select} FROM {predictions.physical_name} WHERE {where}{order}"
        ).fetchall()

    def close(self) -> None:
        self.con.close()


#: The engines :func:`engine` knows, by name.
ENGINES = ("duckdb", "spark")


def engine(name: str = "duckdb", **options: Any) -> Engine:
    """A new engine of the given name."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        from tsunagu.linkage.spark import SparkEngine  # pyspark only when asked for

        return SparkEngine(**options)
    raise ValueError(f"unknown linkage engine: {name}")
