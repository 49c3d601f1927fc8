"""Benchmark of batch linkage (名寄せ) on a synthetic population with ground truth.

::

    .venv/bin/python bench/linkage/run.py --records 100000
    .venv/bin/python bench/linkage/run.py --records 1000000

Runs on two populations written independently of each other (``--populations``):
``generate`` (``generate.py``: fields perturbed one by one) and ``agency``
(``population2.py``: errors as agencies make them, names handed down in a household,
twins, relatives' phones). Each is generated once into ``--workdir`` and kept for the
next run. Each method runs in its own child process — reading the CSV, linking, writing
``source,record_id,cluster_id`` — and the run prints, per population, side by side:

* pairwise precision, recall and F1 (a pair = two records put in one cluster);
* false merges within households per 10,000 persons (two members of one
  household put in one cluster: the false merge that matters most);
* wall time and peak memory (``ru_maxrss`` of the child process);
* per pattern (``patterns.py``: what a pair of records looks like — a date of birth
  with day and month swapped, a maiden name, a name only in kana …): true pairs, and per
  method the precision and recall among the pairs with that pattern; per relation of two
  persons who look alike (a father and son of one name, twins …), the false pairs each
  method put in one cluster.

Methods:

``exact``
    an exact normalised key: :func:`normalize_name` of the name plus the date
    of birth read by :func:`normalize_dob`; records without either stay alone.
``splink-raw``
    Splink on DuckDB with library comparisons on the raw strings (no Japanese
    normalisation): ``NameComparison`` on the name and on the reading (the
    two counted as separate evidence), Levenshtein on date of birth and
    address, exact sex and phone; blocking on name, reading and date of
    birth; u by random sampling, m by EM; clusters at 0.99.
``tsunagu``
    ``python -m tsunagu.linkage link`` (:func:`tsunagu.linkage.batch.link`).
``tsunagu-strict``
    the same with ``--strict-household``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

METHODS = ("exact", "splink-raw", "tsunagu", "tsunagu-strict")
POPULATIONS = ("generate", "agency")
THRESHOLD = 0.99


# --- Methods (each runs in a child process) -----------------------------------


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return list(reader)


def _write(path: Path, keys: list[tuple[str, str]], clusters: list) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "record_id", "cluster_id"])
        writer.writerows((s, r, c) for (s, r), c in zip(keys, clusters, strict=True))


def run_exact(records: Path, output: Path) -> None:
    from tsunagu.linkage.normalize import normalize_dob, normalize_name

    rows = _read(records)
    names: dict[str, str] = {}
    dobs: dict[str, str] = {}
    clusters = []
    for index, row in enumerate(rows):
        name = names.get(row[2])
        if name is None:
            name = names[row[2]] = normalize_name(row[2])
        dob = dobs.get(row[4])
        if dob is None:
            parsed = normalize_dob(row[4])
            dob = dobs[row[4]] = parsed.isoformat() if parsed else ""
        clusters.append(f"{name}|{dob}" if name and dob else f"#{index}")
    _write(output, [(row[0], row[1]) for row in rows], clusters)


def run_splink_raw(records: Path, output: Path) -> None:
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink import comparison_library as cl

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    table = con.sql(
        f"SELECT row_number() OVER () - 1 AS unique_id, source, record_id,"
        f" nullif(name, '') AS name, nullif(kana, '') AS kana, nullif(dob, '') AS dob,"
        f" nullif(sex, '') AS sex, nullif(address, '') AS address, nullif(phone, '') AS phone"
        f" FROM read_csv('{records}', all_varchar = true, header = true)"
    ).to_arrow_table()
    db_api = DuckDBAPI(con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("name"),
            cl.NameComparison("kana"),
            cl.LevenshteinAtThresholds("dob", [1, 2]),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("address", [1, 3]),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("kana"),
            block_on("dob"),
        ],
    )
    linker = Linker(db_api.register(table), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1, num_chunks=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), max_pairs=2e6
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name"), max_pairs=2e6
    )
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    )
    con.sql(
        f"COPY (SELECT c.source, c.record_id, c.cluster_id FROM {clustered.physical_name} c"
        f" ORDER BY c.unique_id) TO '{output}' (HEADER, DELIMITER ',')"
    )


def run_child(method: str, records: Path, output: Path) -> None:
    if method == "exact":
        run_exact(records, output)
    elif method == "splink-raw":
        run_splink_raw(records, output)
    else:
        raise SystemExit(f"unknown method {method}")


# --- Measurement --------------------------------------------------------------


def measure(command: list[str]) -> tuple[float, float, int, str]:
    """Run ``command``; return wall seconds, peak RSS in MB, exit status and stderr tail."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 gives the resources of this child alone (its own ru_maxrss); the
    # pipes are small (a summary line), so waiting before reading is safe.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stdout.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, process.returncode, stderr[-2000:]


def evaluate(truth: Path, clusters: Path) -> dict[str, float]:
    person_of: dict[tuple[str, str], tuple[str, str]] = {}
    with truth.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for source, record_id, person, household in reader:
            person_of[source, record_id] = (person, household)
    persons = Counter(p for p, _ in person_of.values())
    by_cluster: Counter = Counter()
    by_cluster_person: Counter = Counter()
    by_cluster_household: Counter = Counter()
    with clusters.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for source, record_id, cluster in reader:
            person, household = person_of[source, record_id]
            by_cluster[cluster] += 1
            by_cluster_person[cluster, person] += 1
            by_cluster_household[cluster, household] += 1

    def pairs(counter: Counter) -> int:
        return sum(k * (k - 1) // 2 for k in counter.values())

    true_pairs, predicted, correct = pairs(persons), pairs(by_cluster), pairs(by_cluster_person)
    household_false = pairs(by_cluster_household) - correct
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_pairs": predicted - correct,
        "household_per_10k": household_false / len(persons) * 10_000,
        "persons": len(persons),
    }


def population(name: str, workdir: Path, records: int, seed: int) -> Path:
    """The directory of a population (generated on first use)."""
    directory = workdir / (
        f"{records}-{seed}" if name == "generate" else f"{name}-{records}-{seed}"
    )
    if not ((directory / "records.csv").exists() and (directory / "truth.csv").exists()):
        print(f"generating {name} ({records} records) in {directory} …", flush=True)
        if name == "generate":
            import generate

            generate.write(directory, records, seed)
        else:
            script = Path(__file__).with_name("population2.py")
            command = [sys.executable, str(script), "--records", str(records)]
            command += ["--seed", str(seed), "--out", str(directory)]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return directory


def pattern_tables(directory: Path, methods: list[str]) -> list[str]:
    import patterns

    counts = {
        m: patterns.by_pattern(
            directory / "records.csv", directory / "truth.csv", directory / f"clusters-{m}.csv"
        )
        for m in methods
    }
    first = counts[methods[0]]
    lines = [
        "| pattern | true pairs | " + " | ".join(f"{m} P / R" for m in methods) + " |",
        "|---|---|" + "---|" * len(methods),
    ]
    for label in patterns.TRUE_LABELS:
        if not first.pairs[label]:
            continue
        cells = []
        for m in methods:
            c = counts[m]
            found, false = c.found[label], c.false_differ[label]
            precision = found / (found + false) if found + false else 1.0
            cells.append(f"{precision:.4f} / {found / c.pairs[label]:.4f}")
        lines.append(f"| {label} | {first.pairs[label]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| relation of two persons (false pairs in one cluster) | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for label in patterns.FALSE_LABELS:
        lines.append(
            f"| {label} | " + " | ".join(str(counts[m].false[label]) for m in methods) + " |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tsunagu-linkage-bench"))
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated")
    parser.add_argument("--populations", default=",".join(POPULATIONS), help="comma-separated")
    parser.add_argument("--no-patterns", action="store_true", help="skip the pattern tables")
    parser.add_argument("--child", choices=METHODS[:2], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, args.input, args.output)
        return

    for name in args.populations.split(","):
        directory = population(name, args.workdir, args.records, args.seed)
        records, truth = directory / "records.csv", directory / "truth.csv"
        print(
            f"\n## {name}: {args.records} records, {os.cpu_count()} CPUs, load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} before the run\n",
            flush=True,
        )
        print(
            "| method | precision | recall | F1 | false pairs | household/10k | wall s | peak MB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        done = []
        for method in args.methods.split(","):
            output = directory / f"clusters-{method}.csv"
            if method.startswith("tsunagu"):
                command = [sys.executable, "-m", "tsunagu.linkage", "link", str(records)]
                command += ["--output", str(output)]
                if method == "tsunagu-strict":
                    command.append("--strict-household")
            else:
                command = [sys.executable, __file__, "--child", method]
                command += ["--input", str(records), "--output", str(output)]
            seconds, peak, status, stderr = measure(command)
            if status != 0:
                print(f"| {method} | failed (exit {status}): {stderr} |")
                continue
            done.append(method)
            m = evaluate(truth, output)
            print(
                f"| {method} | {m['precision']:.5f} | {m['recall']:.5f} | {m['f1']:.5f}"
                f" | {m['false_pairs']} | {m['household_per_10k']:.2f}"
                f" | {seconds:.1f} | {peak:,.0f} |",
                flush=True,
            )
        print(f"\npersons: {m['persons']}; tsunagu threshold {THRESHOLD}\n")
        if done and not args.no_patterns:
            print("\n".join(pattern_tables(directory, done)), flush=True)


if __name__ == "__main__":
    main()
