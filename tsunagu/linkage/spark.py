"""The batch linkage on Apache Spark (``link(..., backend="spark")``), for a prefecture.

A city's records fit DuckDB in one process; a prefecture's twenty million are scored on a
Spark cluster with the same model. The match keys are still made in Python on the driver
(:func:`tsunagu.linkage.batch.prepare`); Splink's :class:`~splink.SparkAPI` then trains
and scores the pairs in Spark, and :meth:`SparkEngine.rows` brings back the pairs the
clustering needs.

Options (``backend_options`` of :func:`~tsunagu.linkage.batch.link`):

``master``
    Where Spark runs when this engine starts the session: ``local[*]`` (default: this
    machine, every core; under ``spark-submit``, its ``--master``), ``local[2]``,
    ``spark://host:7077``, ``yarn`` …
``spark_session``
    A session to use instead (as under ``spark-submit`` or in a notebook); it is left
    running at the end. A session already active in the process is used likewise.
``shuffle_partitions``
    ``spark.sql.shuffle.partitions`` of a new session (default: twice the cores of a
    ``local`` master, Spark's default elsewhere).
``checkpoint_dir``
    Where Splink writes its intermediate tables as Parquet (on a cluster: storage every
    executor reaches, such as HDFS or S3), in a directory removed at the end. Without it: a
    temporary directory for a ``local`` master; on a cluster without a checkpoint
    directory of the session, intermediate tables are kept with ``persist()`` (in the
    executors' memory, spilled to their local disks).
``staging_dir``
    Write the prepared records there as Parquet and let Spark read them, instead of
    sending them from the driver's memory (for tens of millions of records).
``config``
    Further Spark settings of a new session, such as ``{"spark.executor.memory": "8g"}``.
    A ``local`` session's heap (``spark.driver.memory``) is a quarter of the machine's
    memory unless set here.

The SQL functions of the model that Spark lacks are provided here: ``hamming`` (a SQL
function; a Python one before Spark 4) and ``damerau_levenshtein`` (the Scala function
of Splink's jar, put on the classpath of a new session; a Python one otherwise).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["SparkEngine", "unavailable"]


def unavailable() -> str | None:
    """Why the Spark engine cannot start here (Japanese, for the user), or ``None``."""
    if importlib.util.find_spec("pyspark") is None:
        return (
            "Spark で名寄せするには pyspark が必要です"
            "（pip install 'tsunagu[spark]' または pip install 'pyspark>=3.5,<5'）。"
        )
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and not (
        shutil.which("java")
    ):
        return "Spark で名寄せするには Java（17 以上）が必要です（JAVA_HOME または PATH の java）。"
    return None


#: ``hamming`` of DuckDB as a Spark SQL function (Spark 4): the number of positions at
#: which two strings of the same length differ; NULL for strings of different lengths
#: (DuckDB raises an error for them).
_HAMMING_SQL = (
    "CREATE OR REPLACE TEMPORARY FUNCTION hamming(a STRING, b STRING) RETURNS INT RETURN"
    " CASE WHEN length(a) = length(b) THEN"
    " aggregate(sequence(1, length(a)), 0,"
    " (n, i) -> n + IF(substr(a, i, 1) = substr(b, i, 1), 0, 1)) END"
)


def _hamming(a: str | None, b: str | None) -> int | None:
    if a is None or b is None or len(a) != len(b):
        return None
    return sum(x != y for x, y in zip(a, b, strict=True))


def _damerau_levenshtein(a: str | None, b: str | None) -> float | None:
    """Edit distance with adjacent transpositions (optimal string alignment), in characters."""
    if a is None or b is None:
        return None
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return float(previous[-1])


def _local_cores(master: str) -> int | None:
    """The cores of a ``local``, ``local[N]`` or ``local[*]`` master; ``None`` for a cluster."""
    match = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\s*\d+)?\])?", master.strip())
    if not match:
        return None
    if match.group(1) is None:
        return 1
    return os.cpu_count() or 1 if match.group(1) == "*" else int(match.group(1))


def _local_driver_memory() -> str:
    """A quarter of this machine's memory (at least 2 GB) for a local session's heap."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return "4g"
    return f"{max(2, total // 4 // 2**30)}g"


class SparkEngine:
    """Splink on Spark: a session (started here unless given), its records and rows."""

    name = "spark"

    def __init__(
        self,
        *,
        master: str | None = None,
        spark_session: Any = None,
        shuffle_partitions: int | None = None,
        checkpoint_dir: str | None = None,
        staging_dir: str | None = None,
        config: Mapping[str, Any] | None = None,
        app_name: str = "tsunagu-linkage",
    ) -> None:
        reason = unavailable()
        if spark_session is None and reason:
            raise RuntimeError(reason)
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
        from splink import SparkAPI
        from splink.backends.spark import similarity_jar_location

        self.owns_session = False
        self._staged: list[tuple[Any, str]] = []
        self.staging_dir = staging_dir
        if spark_session is None and SparkContext._active_spark_context is None:
            builder = SparkSession.builder.appName(app_name)
            # Under spark-submit the JVM is running, with the master and memory it was given.
            submitted = "PYSPARK_GATEWAY_PORT" in os.environ
            if master or not submitted:
                master = master or "local[*]"
                builder = builder.master(master)
            settings: dict[str, Any] = {
                "spark.jars": similarity_jar_location(),
                "spark.ui.showConsoleProgress": "false",
                # Arrow batches both ways (records in, scored pairs out).
                "spark.sql.execution.arrow.pyspark.enabled": "true",
            }
            cores = None if submitted else _local_cores(master)
            if cores is not None:
                settings["spark.ui.enabled"] = "false"
                settings["spark.sql.shuffle.partitions"] = str(max(2 * cores, 2))
                # The driver is the executor: Spark's 1 GB runs out from 200,000 records.
                settings["spark.driver.memory"] = _local_driver_memory()
            if shuffle_partitions:
                settings["spark.sql.shuffle.partitions"] = str(int(shuffle_partitions))
            settings.update({key: str(value) for key, value in (config or {}).items()})
            for key, value in settings.items():
                builder = builder.config(key, value)
            spark_session = builder.getOrCreate()
            self.owns_session = True
        elif spark_session is None:
            spark_session = SparkSession.builder.getOrCreate()  # the session already active
        self.spark = spark_session
        if self.owns_session:
            _quiet(self.spark)
        self._views_before = set(self._temporary_views())

        self._checkpoint_dir = None
        self._temporary_dir = None
        if (
            not checkpoint_dir
            and _local_cores(self.spark.sparkContext.master) is not None
            and self.spark._jsc.sc().getCheckpointDir().isEmpty()
        ):
            # On this machine: intermediate tables on the local disk rather than in the heap
            self._temporary_dir = checkpoint_dir = tempfile.mkdtemp(prefix="tsunagu-spark-")
        if checkpoint_dir:
            # Spark makes a directory of its own in it, removed by close()
            self.spark.sparkContext.setCheckpointDir(checkpoint_dir)
            self._checkpoint_dir = self.spark._jsc.sc().getCheckpointDir().get()
        has_checkpoint_dir = not self.spark._jsc.sc().getCheckpointDir().isEmpty()
        self.db_api = SparkAPI(
            spark_session=self.spark,
            break_lineage_method="parquet" if has_checkpoint_dir else "persist",
        )
        self._register_functions()

    def _register_functions(self) -> None:
        """Provide the SQL functions of the model that Spark SQL lacks."""
        from pyspark.sql.types import DoubleType, IntegerType

        try:
            self.spark.sql(_HAMMING_SQL)
        except Exception:  # Spark 3: no SQL functions
            self.spark.udf.register("hamming", _hamming, IntegerType())
        try:
            # Registered from Splink's jar by SparkAPI, if the jar is on the classpath.
            self.spark.sql("SELECT damerau_levenshtein('ab', 'ba')").collect()
        except Exception:
            self.spark.udf.register("damerau_levenshtein", _damerau_levenshtein, DoubleType())

    def register(self, columns: Mapping[str, Sequence]) -> Any:
        """Register the prepared columns (str, int, bool or None values) as the records."""
        import pyarrow as pa

        arrays = {}
        for name, values in columns.items():
            sample = next((value for value in values if value is not None), None)
            if isinstance(sample, bool):
                kind = pa.bool_()
            elif isinstance(sample, int):
                kind = pa.int64()
            elif isinstance(sample, float):
                kind = pa.float64()
            else:  # strings, and columns with no value at all
                kind = pa.string()
            arrays[name] = pa.array(values, type=kind)
        table = pa.table(arrays)
        if self.staging_dir:
            frame = self._staged_frame(table)
        else:
            if int(self.spark.version.split(".", 1)[0]) >= 4:
                frame = self.spark.createDataFrame(table)
            else:  # Spark 3 reads no Arrow table: rows with the table's schema
                frame = self.spark.createDataFrame(
                    list(zip(*table.to_pydict().values(), strict=True)),
                    _spark_schema(table.schema),
                )
            # The records must not stay in the query plans as a local relation: every
            # query would carry (and copy, when Spark canonicalises its plan) all the rows,
            # which exhausts the driver's heap from 200,000 records.
            frame = self._materialised(frame)
        # A name of its own: the session may be shared with other linkages.
        return self.db_api.register(
            frame, dataset_display_name="records", table_name=f"records_{uuid.uuid4().hex}"
        )

    def _materialised(self, frame: Any) -> Any:
        """The frame written to the checkpoint directory as Parquet and read back, or, without
        a checkpoint directory, checkpointed in the executors (``localCheckpoint``)."""
        checkpoint = self.spark._jsc.sc().getCheckpointDir()
        if checkpoint.isEmpty():
            return frame.localCheckpoint(eager=True)
        path = f"{checkpoint.get().rstrip('/')}/records-{uuid.uuid4().hex}"
        frame.write.parquet(path)
        return self.spark.read.parquet(path)

    def _staged_frame(self, table: Any) -> Any:
        import pyarrow.parquet as pq
        from pyarrow import fs

        path = f"{self.staging_dir.rstrip('/')}/tsunagu-records-{uuid.uuid4().hex}.parquet"
        filesystem, inner = fs.FileSystem.from_uri(path if "://" in path else os.path.abspath(path))
        pq.write_table(table, inner, filesystem=filesystem)
        self._staged.append((filesystem, inner))
        return self.spark.read.parquet(path)

    def rows(self, predictions: Any, select: str, where: str, order_by: str = "") -> list:
        order = f" ORDER BY {order_by}" if order_by else ""
        frame = self.spark.sql(
            f"SELECT {select} FROM {predictions.physical_name} WHERE {where}{order}"
        )
        if hasattr(frame, "toArrow"):  # Spark 4
            table = frame.toArrow()
            return list(zip(*(column.to_pylist() for column in table.columns), strict=True))
        return [tuple(row) for row in frame.collect()]

    def _delete(self, directory: str) -> None:
        """Remove a directory wherever Spark keeps it (local, HDFS, S3 …)."""
        jvm = self.spark.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(directory)
        path.getFileSystem(self.spark._jsc.hadoopConfiguration()).delete(path, True)

    def _temporary_views(self) -> list[str]:
        return [table.name for table in self.spark.catalog.listTables() if table.isTemporary]

    def close(self) -> None:
        """Stop the session if this engine started it; else drop (and uncache) the tables
        of this linkage, and leave the session running."""
        try:
            if self._checkpoint_dir:
                with contextlib.suppress(Exception):
                    self._delete(self._checkpoint_dir)
            if self.owns_session:
                self.spark.stop()
            else:
                for view in set(self._temporary_views()) - self._views_before:
                    self.spark.catalog.dropTempView(view)
        finally:
            for filesystem, inner in self._staged:
                with contextlib.suppress(OSError):
                    filesystem.delete_file(inner)
            if self._temporary_dir:
                shutil.rmtree(self._temporary_dir, ignore_errors=True)


#: Loggers that report, at ERROR level, that a query's generated code exceeds the JVM's
#: 64 KB method limit (the model's long CASE expressions): Spark then interprets the query.
_CODEGEN_LOGGERS = (
    "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator",
    "org.apache.spark.sql.execution.WholeStageCodegenExec",
)


def _quiet(spark: Any) -> None:
    """Errors only on standard error, and not the code generator's fallbacks."""
    spark.sparkContext.setLogLevel("ERROR")
    with contextlib.suppress(Exception):  # no JVM here under Spark Connect
        log4j = spark.sparkContext._jvm.org.apache.logging.log4j
        for logger in _CODEGEN_LOGGERS:
            log4j.core.config.Configurator.setLevel(logger, log4j.Level.OFF)


def _spark_schema(schema: Any) -> Any:
    from pyspark.sql import types

    kinds = {
        "bool": types.BooleanType(),
        "int64": types.LongType(),
        "double": types.DoubleType(),
        "string": types.StringType(),
    }
    return types.StructType(
        [types.StructField(field.name, kinds[str(field.type)], True) for field in schema]
    )
