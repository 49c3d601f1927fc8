"""The batch linkage on Spark gives the clusters DuckDB gives (skipped without pyspark or Java)."""

import csv
import importlib.util
import io
import json
import os
from collections import defaultdict
from types import SimpleNamespace

import pytest

from tsunagu.linkage import cli
from tsunagu.linkage import spark as spark_engine
from tsunagu.linkage.batch import COLUMNS
from tsunagu.linkage.tests.test_batch import HOUSEHOLD, _generator


@pytest.fixture(scope="module")
def engine():
    """A small local Spark session, started by the engine as ``link`` would start it.

    On a developer's machine without the ``spark`` extra or Java the tests are skipped with
    the reason; in CI (``CI`` set), which installs both, a missing one is a failure."""
    reason = spark_engine.unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the Spark tests must run in CI: {reason}")
        pytest.skip(reason)
    runner = spark_engine.SparkEngine(master="local[2]", shuffle_partitions=2)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def records():
    rows, _ = _generator().generate(300, seed=7)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows] + HOUSEHOLD


def _write_csv(path, records):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([record[c] for c in COLUMNS] for record in records)
    return path


def _household_csv(path):
    return _write_csv(path, HOUSEHOLD)


def _link_on(backend, source, directory, *options):
    """Run the command line in this process; return its clusters, review pairs and model."""
    directory.mkdir()
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["link", str(source), "--output", str(directory / "clusters.csv")]
    args += ["--with-probability", "--review-output", str(directory / "review.csv")]
    args += ["--model-output", str(directory / "model.json"), "--backend", backend, *options]

    assert cli.main(args, stdout, stderr) == 0, stderr.getvalue()

    with (directory / "clusters.csv").open(encoding="utf-8") as f:
        clusters = list(csv.DictReader(f))
    with (directory / "review.csv").open(encoding="utf-8") as f:
        review = list(csv.DictReader(f))
    model = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    return clusters, review, model, stdout.getvalue()


def _partition(clusters):
    members = defaultdict(set)
    for row in clusters:
        members[row["cluster_id"]].add((row["source"], row["record_id"]))
    return {frozenset(keys) for keys in members.values()}


def _figures(model):
    figures = {"prior": model["probability_two_random_records_match"]}
    for comparison, levels in model["comparisons"].items():
        for level in levels:
            figures[comparison, level["label"], "m"] = level["m"]
            figures[comparison, level["label"], "u"] = level["u"]
    return figures


def _probability(text):
    return None if text == "" else float(text)


def test_spark_gives_the_clusters_review_pairs_and_model_of_duckdb(engine, records, tmp_path):
    """The same records on both engines through ``link(backend=…)`` (by the command line,
    which also passes the Spark options): the same partition of the records.

    With 300 records the u probabilities are counted on every pair (not on a random sample,
    which differs between the engines), so even the estimates and probabilities agree.
    """
    source = _write_csv(tmp_path / "records.csv", records)
    on_duckdb = _link_on("duckdb", source, tmp_path / "duckdb")
    # local[1] is not started: the session already running is used, and left running
    on_spark = _link_on(
        "spark",
        source,
        tmp_path / "spark",
        "--spark-master",
        "local[1]",
        "--spark-conf",
        "spark.sql.shuffle.partitions=2",
    )
    (clusters_d, review_d, model_d, summary_d), (clusters_s, review_s, model_s, summary_s) = (
        on_duckdb,
        on_spark,
    )

    assert len(clusters_s) == len(records)
    assert _partition(clusters_s) == _partition(clusters_d)
    best = {(r["source"], r["record_id"]): _probability(r["match_probability"]) for r in clusters_d}
    for row in clusters_s:
        expected = best[row["source"], row["record_id"]]
        probability = _probability(row["match_probability"])
        assert (probability is None) == (expected is None)
        if expected is not None:
            assert probability == pytest.approx(expected, abs=2e-6)
    pair = ("source_l", "record_id_l", "source_r", "record_id_r")
    assert [[r[k] for k in pair] for r in review_s] == [[r[k] for k in pair] for r in review_d]
    assert _figures(model_s) == pytest.approx(_figures(model_d), rel=1e-6)
    assert summary_s.split("、")[:2] == summary_d.split("、")[:2]  # records, persons, pairs
    # the household of test_batch: the three 太郎 merged, the twins apart
    clusters = {(r["source"], r["record_id"]): r["cluster_id"] for r in clusters_s}
    assert clusters["kaigo", "T1"] == clusters["seiho", "T2"] == clusters["shogai", "T3"]
    assert clusters["kosodate", "K1"] != clusters["kosodate", "K3"]
    assert engine.spark.range(1).count() == 1


def test_registered_columns_and_rows_have_python_types(engine):
    table = engine.register(
        {
            "unique_id": [0, 1, 2],
            "name": ["高橋", None, "𠮷野"],
            "minor": [True, None, False],
            "nothing": [None, None, None],
        }
    )
    rows = engine.rows(
        SimpleNamespace(physical_name=table.physical_name),
        "unique_id, name, minor, nothing, CAST(unique_id AS DOUBLE) / 2",
        "unique_id >= 1",
        "unique_id DESC",
    )
    assert rows == [(2, "𠮷野", False, None, 1.0), (1, None, None, None, 0.5)]
    assert [type(value) for value in rows[0][:1] + rows[0][-1:]] == [int, float]


def test_functions_the_model_may_use_that_spark_lacks(engine):
    (row,) = engine.spark.sql(
        "SELECT hamming('19500401', '19500410'), hamming('1950', '19500'),"
        " damerau_levenshtein('19500401', '19500410'), damerau_levenshtein('タロウ', 'タウロ'),"
        " levenshtein('タロウ', 'タロ'), left('𠮷野', 1), right('𠮷野', 1), length('𠮷野')"
    ).collect()
    assert tuple(row) == (2, None, 1.0, 1.0, 1, "𠮷", "野", 2)
    assert spark_engine._hamming("19500401", "19500410") == 2
    assert spark_engine._damerau_levenshtein("𠮷野", "吉野") == 1.0
    assert spark_engine._damerau_levenshtein("タロウ", "タウロ") == 1.0


def test_cli_without_pyspark_exits_2_with_a_japanese_message(tmp_path, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        spark_engine.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyspark" else find_spec(name, *args),
    )
    output = tmp_path / "clusters.csv"
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["link", str(_household_csv(tmp_path / "h.csv")), "-o", str(output)]

    assert cli.main([*args, "--backend", "spark"], stdout, stderr) == 2
    assert "エラー: Spark で名寄せするには pyspark が必要です" in stderr.getvalue()
    assert not output.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--spark-master", "local[1]"], "--backend spark と一緒に"),
        (["--backend", "spark", "--spark-conf", "spark.executor.memory"], "KEY=VALUE"),
    ],
)
def test_cli_spark_options_are_checked(tmp_path, monkeypatch, options, message):
    monkeypatch.setattr(spark_engine, "unavailable", lambda: None)
    stderr = io.StringIO()
    args = ["link", str(_household_csv(tmp_path / "h.csv")), "-o", str(tmp_path / "c.csv")]

    assert cli.main([*args, *options], io.StringIO(), stderr) == 2
    assert message in stderr.getvalue()
